"""The organisation's use cases without Telegram: a real SQLite file, no chat.

What the chat and the browser desk both rely on: the role checked on every call, a case
someone may not see answered like one that does not exist, each action and its audit
entry written together, and plain data back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import open_services
from bot.clock import ManualClock
from bot.config import Config
from bot.domain.inputs import OtherInput, TextInput
from bot.domain.models import CaseStatus
from bot.exports import ExportFilter
from bot.services.errors import Invalid, NotAllowed, NotFound
from bot.services.staff import Actor, CaseFilter, Relay, Role, StaffService
from bot.storage.database import Database
from bot.storage.followup import FollowupStore
from bot.storage.staff import AuditStore, StaffStore
from bot.storage.store import Store

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ADMIN = Actor(1, Role.ADMIN)
FAMILY = 100
ANSWERS = {
    "m_name": "Асқар Бекұлы",
    "m_cit": "KZ",
    "r_name": "Айгүл",
    "r_id": "990101300012",
    "r_phone": "+77011234567",
    "evidence": [{"kind": "photo", "file_id": "F1", "description": "паспорт"}],
}


@pytest.fixture
async def staff(tmp_path: Path) -> AsyncIterator[StaffService]:
    db = Database(tmp_path / "izdeu.sqlite3")
    await db.open()
    store = Store(db)
    await store.create_user(FAMILY, 9100, "kk", NOW)
    await store.create_case(FAMILY, "KZ", ANSWERS, "KZ", NOW)
    service = StaffService(
        StaffStore(db),
        AuditStore(db),
        store,
        FollowupStore(db),
        ManualClock(NOW),
        frozenset({ADMIN.user_id}),
        timezone="Asia/Almaty",
    )
    yield service
    await db.close()


async def join(staff: StaffService, user_id: int, role: str, name: str) -> Actor:
    invitation = await staff.invite(ADMIN, role)
    assert await staff.redeem(invitation.code, user_id, 9000 + user_id, "ru", name) == role
    return await staff.actor(user_id)


async def actions(staff: StaffService) -> list[str]:
    return [e.action for e in (await staff.audit_log(ADMIN, limit=100)).entries]


async def test_a_volunteer_sees_only_assigned_cases_and_no_identity_numbers(
    staff: StaffService,
) -> None:
    volunteer = await join(staff, 50, "volunteer", "Бакыт")
    case_id = (await staff.list_cases(ADMIN, CaseFilter())).cases[0].id
    with pytest.raises(NotFound):  # not assigned: told apart from nothing
        await staff.dossier(volunteer, case_id=case_id)
    assert (await staff.list_cases(volunteer, CaseFilter())).total == 0
    done = await staff.assign(ADMIN, case_id, volunteer.user_id, True)
    assert done.changed and done.volunteer is not None and done.volunteer.chat_id == 9050
    dossier = await staff.dossier(volunteer, case_id=case_id)
    assert dossier.masked and "r_id" not in dossier.answers and "r_phone" not in dossier.answers
    assert dossier.answers["m_name"] == "Асқар Бекұлы" and not dossier.may_manage
    assert [e["description"] for e in dossier.evidence] == ["паспорт"]
    await staff.set_flag(ADMIN, case_id, "details", True)
    assert "r_id" in (await staff.dossier(volunteer, case_id=case_id)).answers
    full = await staff.dossier(ADMIN, case_id=case_id)
    assert full.names == {50: "Бакыт"} and full.volunteers == (50,) and full.details
    assert (await staff.list_cases(volunteer, CaseFilter())).total == 1
    assert (await actions(staff)).count("view_case") == 3  # every view is audited


async def test_status_note_and_message_come_back_as_data_with_their_audit(
    staff: StaffService,
) -> None:
    case_id = (await staff.list_cases(ADMIN, CaseFilter())).cases[0].id
    changed = await staff.set_status(ADMIN, case_id, CaseStatus.LOCATED)
    assert changed.status is CaseStatus.LOCATED and changed.family is not None
    assert changed.family.chat_id == 9100 and changed.family.locale == "kk"
    note = await staff.add_note(ADMIN, case_id, "  Позвонить   в понедельник ")
    assert note.text == "Позвонить в понедельник"
    with pytest.raises(Invalid):
        await staff.add_note(ADMIN, case_id, "x" * 3001)
    relay = await staff.message_family(ADMIN, case_id, "Сәлеметсіз бе")
    assert relay.recipient.user_id == FAMILY and relay.sender_id == ADMIN.user_id
    family = await staff.actor(FAMILY)
    back = await staff.relay_back(family, case_id, ADMIN.user_id, "Рақмет")
    assert back.recipient.user_id == ADMIN.user_id
    dossier = await staff.dossier(ADMIN, case_id=case_id)
    assert dossier.case.status is CaseStatus.LOCATED
    assert [n.text for n in dossier.notes] == ["Позвонить в понедельник"]
    assert [e.kind for e in dossier.events if e.kind in ("status", "note")] == ["status", "note"]
    assert (await actions(staff))[:4] == ["view_case", "message", "message", "note"]
    assert "status" in await actions(staff)


async def test_roles_are_checked_on_every_call(staff: StaffService) -> None:
    case_id = (await staff.list_cases(ADMIN, CaseFilter())).cases[0].id
    family = await staff.actor(FAMILY)
    stranger = await staff.actor(999)
    volunteer = await join(staff, 50, "volunteer", "Бакыт")
    caseworker = await join(staff, 60, "caseworker", "Дана")
    for call in (
        staff.list_cases(family, CaseFilter()),
        staff.audit_log(volunteer),
        staff.invite(volunteer, "volunteer"),
        staff.invite(caseworker, "caseworker"),
        staff.set_flag(volunteer, case_id, "verified", True),
        staff.remove_role(caseworker, caseworker.user_id),
        staff.add_note(family, case_id, "x"),
    ):
        with pytest.raises(NotAllowed):
            await call
    for call in (
        staff.set_status(volunteer, case_id, CaseStatus.WAITING),  # not assigned
        staff.relay_back(stranger, case_id, ADMIN.user_id, "x"),
        staff.dossier(ADMIN, case_id=12345),
    ):
        with pytest.raises(NotFound):
            await call
    await staff.assign(caseworker, case_id, volunteer.user_id, True)
    with pytest.raises(NotAllowed):  # a volunteer's statuses are the follow-up ones
        await staff.set_status(volunteer, case_id, CaseStatus.CLOSED)
    assert (await staff.set_status(volunteer, case_id, CaseStatus.WAITING)).family is not None
    with pytest.raises(Invalid):
        await staff.assign(ADMIN, case_id, caseworker.user_id, True)  # not a volunteer


async def test_due_invitations_members_settings_and_the_audit_log(staff: StaffService) -> None:
    volunteer = await join(staff, 50, "volunteer", "Бакыт")
    assert (await staff.due(ADMIN)).total == 0 and (await staff.due(volunteer)).items == ()
    open_ = await staff.invite(ADMIN, "caseworker")
    listed = await staff.invitations(ADMIN)
    assert [i.code for i in listed.invitations] == [open_.code]
    await staff.revoke(ADMIN, open_.code)
    with pytest.raises(NotFound):
        await staff.revoke(ADMIN, open_.code)
    with pytest.raises(NotFound):
        await staff.redeem(open_.code, 70, 9070, "ru")
    members = await staff.members(ADMIN)
    assert [(m.name, m.role, m.removable) for m in members] == [("Бакыт", "volunteer", True)]
    settings = await staff.set_timezone(volunteer, "Asia/Bishkek")
    assert settings.timezone == "Asia/Bishkek" and settings.own
    assert (await staff.set_timezone(volunteer, "Asia/Almaty")).own is False
    with pytest.raises(Invalid):
        await staff.set_timezone(volunteer, "Mars/Olympus")
    await staff.remove_role(ADMIN, volunteer.user_id)
    assert (await staff.actor(volunteer.user_id)).role is Role.RELATIVE
    log = await staff.audit_log(ADMIN)
    assert [e.action for e in log.entries][:2] == ["role_remove", "invite_revoke"]
    assert log.names[50] == "Бакыт"


async def test_an_assignment_schedules_the_volunteer_digest_in_its_transaction(
    staff: StaffService,
) -> None:
    volunteer = await join(staff, 50, "volunteer", "Бакыт")
    case_id = (await staff.list_cases(ADMIN, CaseFilter())).cases[0].id
    assert (await staff.assign(ADMIN, case_id, volunteer.user_id, True)).changed
    again = await staff.assign(ADMIN, case_id, volunteer.user_id, True)
    assert not again.changed and again.volunteer is None  # told once
    pending = await staff.followups.pending_reminders(volunteer.user_id)
    assert [r.kind for r in pending] == ["volunteer_digest"]
    assert pending[0].due_at.date() == (NOW + timedelta(days=1)).date()
    choices = await staff.volunteers(ADMIN, case_id)
    assert [(c.name, c.assigned) for c in choices.choices] == [("Бакыт", True)]
    assert (await staff.assign(ADMIN, case_id, volunteer.user_id, False)).changed
    logged = await actions(staff)
    assert logged.count("assign") == 1 and logged.count("unassign") == 1


async def test_exports_check_the_role(tmp_path: Path) -> None:
    """The exports' use cases, as the chat and the desk call them (no Telegram)."""
    config = Config(
        db_path=tmp_path / "izdeu.sqlite3", data_dir=tmp_path, admin_ids=frozenset({1})
    )
    services = await open_services(config, ManualClock(NOW))
    try:
        await services.store.create_user(FAMILY, 9100, "kk", NOW)
        await services.store.create_case(FAMILY, "KZ", ANSWERS, "KZ", NOW)
        admin = await services.staff.actor(services.user_key(1))
        family = await services.staff.actor(FAMILY)
        exports = services.exports
        for call in (
            exports.figures(family, ExportFilter()),
            exports.dossier_pdf(family, 1, "ru"),
            exports.bodies(family, "ru"),
            exports.export(
                family, "json", ExportFilter(), full=True, locale="ru", folder=tmp_path
            ),
        ):
            with pytest.raises(NotAllowed):
                await call
        with pytest.raises(Invalid):
            await exports.export(
                admin, "pdf", ExportFilter(), full=False, locale="ru", folder=tmp_path
            )
        with pytest.raises(NotFound):
            await exports.dossier_pdf(admin, 999, "ru")
        figures = await exports.figures(admin, ExportFilter())
        assert figures.statistics.cases == 1 and figures.un_submitted == 0
        entries = (await services.staff.audit_log(admin)).entries
        assert "export" not in {e.action for e in entries}  # counts: no file left
    finally:
        await services.db.close()


async def test_staff_forms_run_on_the_form_engine(staff: StaffService) -> None:
    """A note and a message both ways, each a form: a refused text keeps the form open
    at its step; an accepted one closes it and is acted on once."""
    case_id = (await staff.list_cases(ADMIN, CaseFilter())).cases[0].id
    await staff.start_form(ADMIN, case_id, "note")
    form = await staff.forms.current(ADMIN.user_id)
    assert form is not None and form.name == "note" and form.step == "text"
    refused = await staff.answer_form(ADMIN, form, OtherInput("sticker"))
    assert refused.error is not None and refused.error.code == "need_text"
    too_long = await staff.answer_form(ADMIN, form, TextInput("я" * 3001))
    assert too_long.error is not None and too_long.note is None
    assert await staff.forms.current(ADMIN.user_id) == form  # still open, nothing lost
    noted = await staff.answer_form(ADMIN, form, TextInput("Позвонить"))
    assert noted.note is not None and noted.note.text == "Позвонить"
    assert await staff.forms.current(ADMIN.user_id) is None
    await staff.start_form(ADMIN, case_id, "relay")
    relay_form = await staff.forms.current(ADMIN.user_id)
    assert relay_form is not None
    delivered: list[Relay] = []

    async def deliver(relay: Relay) -> bool:
        delivered.append(relay)
        return True

    sent = await staff.answer_form(ADMIN, relay_form, TextInput("Сәлеметсіз бе"), deliver=deliver)
    assert sent.relay is not None and sent.relay.recipient.user_id == FAMILY
    assert delivered == [sent.relay]
    family = await staff.actor(FAMILY)
    await staff.reply_form(family, case_id, ADMIN.user_id)
    back_form = await staff.forms.current(FAMILY)
    assert back_form is not None and back_form.data["to"] == ADMIN.user_id
    back = await staff.answer_form(family, back_form, TextInput("Рақмет"), deliver=deliver)
    assert back.relay is not None and back.relay.recipient.user_id == ADMIN.user_id
    with pytest.raises(NotFound):  # another family's case
        await staff.reply_form(await staff.actor(FAMILY + 1), case_id, ADMIN.user_id)
    assert (await actions(staff)).count("note") == 1


async def _trigger(staff: StaffService, sql: str) -> None:
    async with staff.store.db.transaction() as conn:
        await conn.execute(sql)


async def test_a_note_closes_its_form_in_its_own_transaction(staff: StaffService) -> None:
    """A failure while the note is written keeps the form (the stored update, processed
    again, adds the note); the note's transaction closes the form and claims the update,
    so a replay after it is recognised and nothing is added twice."""
    case_id = (await staff.list_cases(ADMIN, CaseFilter())).cases[0].id
    form = (await staff.start_form(ADMIN, case_id, "note"), await staff.forms.current(1))[1]
    assert form is not None
    await _trigger(
        staff,
        "CREATE TRIGGER fail_note BEFORE INSERT ON notes BEGIN SELECT RAISE(ABORT, 'x'); END",
    )
    with pytest.raises(sqlite3.IntegrityError):
        await staff.answer_form(ADMIN, form, TextInput("Позвонить"), 4711)
    assert await staff.forms.current(ADMIN.user_id) == form
    assert not await staff.store.seen_update(4711)
    await _trigger(staff, "DROP TRIGGER fail_note")
    noted = await staff.answer_form(ADMIN, form, TextInput("Позвонить"), 4711)
    assert noted.note is not None and await staff.forms.current(ADMIN.user_id) is None
    assert await staff.store.seen_update(4711)  # a replay of it is skipped
    dossier = await staff.dossier(ADMIN, case_id=case_id)
    assert [n.text for n in dossier.notes] == ["Позвонить"]


async def test_a_message_is_delivered_before_its_form_closes(staff: StaffService) -> None:
    """Delivery comes first: a crash in it, or after it before the form is closed, keeps
    the form, and the update processed again delivers it (at least once); it is recorded
    once, with the closing of the form."""
    case_id = (await staff.list_cases(ADMIN, CaseFilter())).cases[0].id
    await staff.start_form(ADMIN, case_id, "relay")
    form = await staff.forms.current(ADMIN.user_id)
    assert form is not None
    sent: list[Relay] = []

    async def crash(relay: Relay) -> bool:
        raise ConnectionError("the process dies here")

    async def deliver(relay: Relay) -> bool:
        sent.append(relay)
        return True

    with pytest.raises(ConnectionError):
        await staff.answer_form(ADMIN, form, TextInput("Сәлем"), 5001, deliver=crash)
    assert await staff.forms.current(ADMIN.user_id) == form and "message" not in (
        await actions(staff)
    )
    await _trigger(
        staff,
        "CREATE TRIGGER fail_audit BEFORE INSERT ON audit WHEN NEW.action = 'message' "
        "BEGIN SELECT RAISE(ABORT, 'x'); END",
    )
    with pytest.raises(sqlite3.IntegrityError):  # delivered, then the process dies
        await staff.answer_form(ADMIN, form, TextInput("Сәлем"), 5001, deliver=deliver)
    assert len(sent) == 1 and await staff.forms.current(ADMIN.user_id) == form
    await _trigger(staff, "DROP TRIGGER fail_audit")
    done = await staff.answer_form(ADMIN, form, TextInput("Сәлем"), 5001, deliver=deliver)
    assert done.relay is not None and done.relay.delivered and len(sent) == 2
    assert await staff.forms.current(ADMIN.user_id) is None
    assert await staff.store.seen_update(5001)
    assert (await actions(staff)).count("message") == 1


async def test_a_refused_action_closes_the_form(staff: StaffService) -> None:
    """The case out of reach (a volunteer taken off it), the role gone, the family's
    addressee gone: the form is closed with the refusal; a blocked recipient too."""
    case_id = (await staff.list_cases(ADMIN, CaseFilter())).cases[0].id
    volunteer = await join(staff, 70, "volunteer", "Бакыт")
    await staff.assign(ADMIN, case_id, 70, True)
    await staff.start_form(volunteer, case_id, "note")
    form = await staff.forms.current(70)
    assert form is not None
    await staff.assign(ADMIN, case_id, 70, False)
    with pytest.raises(NotFound):
        await staff.answer_form(volunteer, form, TextInput("x"), 6001)
    assert await staff.forms.current(70) is None
    await staff.assign(ADMIN, case_id, 70, True)
    await staff.start_form(volunteer, case_id, "note")
    await staff.remove_role(ADMIN, 70)
    with pytest.raises(NotAllowed):
        await staff.answer_form(await staff.actor(70), form, TextInput("x"), 6002)
    assert await staff.forms.current(70) is None

    async def blocked(relay: Relay) -> bool:
        return False

    await staff.start_form(ADMIN, case_id, "relay")
    relay_form = await staff.forms.current(ADMIN.user_id)
    assert relay_form is not None
    answered = await staff.answer_form(ADMIN, relay_form, TextInput("x"), deliver=blocked)
    assert answered.relay is not None and not answered.relay.delivered
    assert await staff.forms.current(ADMIN.user_id) is None
    assert "message" not in await actions(staff) and "note" not in await actions(staff)


async def test_each_desk_screen_is_one_read(staff: StaffService) -> None:
    """The case list, the due page and the staff page come each from one use case: a
    manager gets the volunteers with them, a volunteer only their own cases."""
    volunteer = await join(staff, 80, "volunteer", "Бакыт")
    await join(staff, 81, "caseworker", "Дана")
    listed = await staff.case_list(ADMIN, CaseFilter())
    assert listed.page.total == 1 and [m.name for m in listed.volunteers] == ["Бакыт"]
    own = await staff.case_list(volunteer, CaseFilter())
    assert own.page.total == 0 and own.volunteers == ()
    due = await staff.due_screen(ADMIN, None, 80)
    assert due.chosen == 80 and [m.user_id for m in due.volunteers] == [80]
    assert (await staff.due_screen(ADMIN, None, 81)).chosen is None  # not a volunteer
    screen = await staff.staff_screen(ADMIN)
    assert {m.name for m in screen.members} == {"Бакыт", "Дана"}
    assert screen.invitations.invitations == ()
    with pytest.raises(NotAllowed):
        await staff.staff_screen(volunteer)
