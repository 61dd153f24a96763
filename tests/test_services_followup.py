"""The family's follow-up and privacy use cases, without Telegram, on a temporary SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.domain.deadlines import Deadline
from bot.domain.followup_forms import REGISTRATION, REPLY, SEND
from bot.domain.forms import KEEP
from bot.domain.inputs import ChoiceInput, FileInput, OtherInput, TextInput
from bot.domain.models import Case, CaseStatus, User
from bot.domain.report_form import new_draft
from bot.replies.reading import Reading
from bot.services.errors import Invalid, NotFound
from bot.services.followup import (
    DeadlineMoved,
    FollowupService,
    ReplyLogged,
    ReplyOut,
    SentLetters,
    Suggestion,
)
from bot.services.letters import Delivery
from bot.services.privacy import PrivacyService
from bot.storage.database import Database
from bot.storage.followup import FollowupStore, NewReminder
from bot.storage.store import LetterStore, Store

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


@dataclass
class World:
    db: Database
    store: Store
    followup: FollowupService
    privacy: PrivacyService
    family: User
    stranger: User
    case: Case


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    db = Database(tmp_path / "f.sqlite3")
    await db.open()
    store, clock = Store(db), ManualClock(NOW)
    family = await store.create_user(11, 11, "ru", NOW)
    stranger = await store.create_user(22, 22, "kk", NOW)
    case = await store.create_case(11, "KZ", {"m_cit": "KZ", "m_name": "Асан"}, "KZ", NOW)
    letters = LetterStore(db)
    await letters.add_letters(
        case.id, [("prosecutor_general", "appeal", "why", True), ("mfa_kz", "x", "why", True)], NOW
    )
    service = FollowupService(FollowupStore(db), letters, clock, cases=store)
    yield World(db, store, service, PrivacyService(store, clock), family, stranger, case)
    await db.close()


async def test_another_familys_case_and_letter_look_like_missing_ones(world: World) -> None:
    rows = await world.followup.letters.letters_of(world.case.id)
    with pytest.raises(NotFound):
        await world.followup.own_case(world.stranger, world.case.id)
    with pytest.raises(NotFound):
        await world.followup.own_letter(world.stranger, rows[0].id)
    with pytest.raises(NotFound):
        await world.followup.letter_card(world.family, 10**9)
    with pytest.raises(NotFound):  # a complete form of someone else's case does nothing
        await world.followup.complete(
            world.stranger, "send", {"case_id": world.case.id, "picked": [rows[0].id]}
        )
    assert (await world.followup.own_case(world.family, world.case.id)).id == world.case.id


async def test_a_send_form_run_to_its_end_marks_the_letters_sent(world: World) -> None:
    rows = await world.followup.letters.letters_of(world.case.id)
    runner, user_id = world.followup.forms, world.family.user_id
    form = await runner.begin(user_id, SEND, {"case_id": world.case.id, "picked": []}, "pick")
    asked = await runner.answer(user_id, form, ChoiceInput(str(rows[0].id)), date(2026, 11, 21))
    assert asked.stay and (await runner.current(user_id)) == asked.form  # stored at once
    asked = await runner.answer(user_id, asked.form, ChoiceInput("next"), date(2026, 11, 21))
    refused = await runner.answer(user_id, asked.form, TextInput("32.11.2026"), date(2026, 11, 21))
    assert refused.error is not None and refused.form == asked.form
    asked = await runner.answer(user_id, asked.form, TextInput("20.11.2026"), date(2026, 11, 21))
    asked = await runner.answer(user_id, asked.form, ChoiceInput("post"), date(2026, 11, 21))
    assert asked.done and await runner.current(user_id) is None
    done = await world.followup.complete(world.family, asked.form.name, asked.form.data)
    assert isinstance(done, SentLetters)
    assert [(r.id, d is not None) for r, d in done.letters] == [(rows[0].id, True)]
    tracked = await world.followup.tracked_letters(world.family, world.case.id)
    sent = [r for r in tracked.letters if r.sent_on]
    assert [(r.id, r.sent_on, r.channel) for r in sent] == [
        (rows[0].id, date(2026, 11, 20), "post")
    ]
    case = await world.store.get_case_by_id(world.case.id)
    assert case is not None and case.status is CaseStatus.LETTERS_SENT  # one of two sent
    await world.followup.complete(
        world.family,
        "send",
        {"case_id": case.id, "picked": [rows[1].id], "date": "2026-11-21", "channel": "email"},
    )
    case = await world.store.get_case_by_id(world.case.id)
    assert case is not None and case.status is CaseStatus.WAITING  # all sent: waiting
    statuses = [e.detail["status"] for e in case.events if e.kind == "status"]
    assert statuses == ["letters_sent", "waiting"]


async def test_reference_delivery_and_reply_are_kept(world: World) -> None:
    rows = await world.followup.letters.letters_of(world.case.id)
    letter = rows[0].id
    base = {"case_id": world.case.id, "letter_id": letter}
    await world.followup.complete(
        world.family,
        "send",
        {
            "case_id": world.case.id,
            "picked": [letter],
            "date": "2026-11-02",
            "channel": "registered",
            "tracking": "RA123",
        },
    )
    moved = await world.followup.complete(
        world.family, "regno", {**base, "reference": "Т-15", "regdate": "2026-11-05"}
    )
    assert isinstance(moved, DeadlineMoved) and moved.deadline is not None
    delivered = await world.followup.complete(
        world.family, "delivered", {**base, "delivered": "2026-11-04"}
    )
    assert isinstance(delivered, DeadlineMoved)
    logged = await world.followup.complete(
        world.family,
        REPLY.name,
        {**base, "outcome": "answered", "received": "2026-11-20", "text": "Сведений нет."},
    )
    assert isinstance(logged, ReplyLogged) and logged.copies == 0
    card = await world.followup.letter_card(world.family, letter)
    assert card.letter.reference == "Т-15" and card.letter.delivered_on == date(2026, 11, 4)
    assert [(r.outcome, r.text) for r in card.replies] == [("answered", "Сведений нет.")]
    assert card.deadline is None  # answered: nothing is awaited any more


async def test_settings_turn_reminders_off_and_refuse_an_unknown_zone(world: World) -> None:
    await world.followup.change_settings(world.family, timezone="Asia/Bishkek")
    await world.followup.change_settings(world.family, reminders_on=False)
    user = await world.store.get_user(world.family.user_id)
    assert user is not None and user.timezone == "Asia/Bishkek" and not user.reminders_on
    with pytest.raises(Invalid):
        await world.followup.change_settings(world.family, timezone="Mars/Olympus")


async def test_reminders_off_cancels_the_planned_ones_in_the_settings_transaction(
    world: World,
) -> None:
    """Settings, cancelled reminders and the audit entry are one write: a crash between
    them must not leave reminders off while some are still sent."""
    store = world.followup.store
    later = NOW + timedelta(days=3)
    await store.schedule(
        [
            NewReminder(world.family.user_id, world.case.id, None, "digest", later),
            NewReminder(world.stranger.user_id, None, None, "digest", later),
        ],
        NOW,
    )
    opened = 0
    transaction = world.db.transaction

    @asynccontextmanager
    async def counted():  # type: ignore[no-untyped-def]
        nonlocal opened
        opened += 1
        async with transaction() as conn:
            yield conn

    world.db.transaction = counted  # type: ignore[method-assign]
    await world.followup.change_settings(world.family, reminders_on=False)
    world.db.transaction = transaction  # type: ignore[method-assign]
    assert opened == 1
    assert await store.pending_reminders(world.family.user_id) == []
    assert len(await store.pending_reminders(world.stranger.user_id)) == 1
    conn = sqlite3.connect(world.db.path)
    rows = conn.execute(
        "SELECT last_error, cancelled_at IS NOT NULL FROM reminders WHERE user_id = ?",
        (world.family.user_id,),
    ).fetchall()
    audit = conn.execute("SELECT COUNT(*) FROM audit WHERE action = 'settings'").fetchone()
    conn.close()
    assert rows == [("turned off", 1)] and audit == (1,)


async def test_delete_everything_removes_the_family_and_only_it(world: World) -> None:
    deleted = await world.privacy.delete_everything(world.family)
    assert deleted.cases == 1
    assert await world.store.get_user(world.family.user_id) is None
    assert await world.store.get_case_by_id(world.case.id) is None
    assert await world.store.get_user(world.stranger.user_id) is not None
    with pytest.raises(NotFound):  # a second tap of "delete": nothing left
        await world.privacy.delete_everything(world.family)
    with pytest.raises(NotFound):
        await world.privacy.delete_everything(None)


async def _sent_letter(world: World) -> dict[str, object]:
    """The first letter of the case, sent on 2 November: the base of a reply form."""
    rows = await world.followup.letters.letters_of(world.case.id)
    sent = {"picked": [rows[0].id], "date": "2026-11-02", "channel": "registered"}
    await world.followup.complete(world.family, "send", {"case_id": world.case.id, **sent})
    return {"case_id": world.case.id, "letter_id": rows[0].id}


async def test_a_forwarded_reply_starts_the_other_bodys_deadline_with_it(world: World) -> None:
    base = await _sent_letter(world)
    logged = await world.followup.complete(
        world.family,
        REPLY.name,
        {**base, "outcome": "forwarded", "received": "2026-11-20", "forward_to": "mfa_kz"},
    )
    assert isinstance(logged, ReplyLogged) and logged.next is None
    rows = await world.followup.letters.letters_of(world.case.id)
    first, follow = rows[0], rows[-1]
    assert first.closed and follow.parent_id == first.id and follow.trigger == "forwarded"
    assert (follow.addressee_id, follow.sent_on, follow.channel) == (
        "mfa_kz",
        date(2026, 11, 20),
        "forwarded",
    )
    assert follow.due_on is not None and follow.due_on > date(2026, 11, 20)
    reminders = await world.followup.store.pending_reminders(world.family.user_id)
    assert {r.letter_id for r in reminders if r.letter_id is not None} == {follow.id}
    case = await world.store.get_case(world.case.number)
    assert case is not None and case.status == CaseStatus.ANSWER_RECEIVED
    assert [e.kind for e in case.events][-3:] == ["reply", "sent", "status"]


async def test_a_refusal_writes_the_complaint_letter_with_the_reply(world: World) -> None:
    base = await _sent_letter(world)
    logged = await world.followup.complete(
        world.family, REPLY.name, {**base, "outcome": "refused", "received": "2026-11-20"}
    )
    assert isinstance(logged, ReplyLogged)
    suggestion = logged.next
    assert isinstance(suggestion, Suggestion) and suggestion.letter is not None
    rows = await world.followup.letters.letters_of(world.case.id)
    assert rows[-1] == suggestion.letter and suggestion.letter.trigger == "refusal"
    assert suggestion.letter.parent_id == base["letter_id"] and not suggestion.letter.sent


async def test_an_extension_moves_the_deadline_with_the_reply(world: World) -> None:
    base = await _sent_letter(world)
    before = (await world.followup.letters.letters_of(world.case.id))[0]
    logged = await world.followup.complete(
        world.family,
        REPLY.name,
        {**base, "outcome": "extension", "received": "2026-11-20", "until": "2027-01-15"},
    )
    assert isinstance(logged, ReplyLogged) and isinstance(logged.next, Deadline)
    after = (await world.followup.letters.letters_of(world.case.id))[0]
    assert after.extended_until == date(2027, 1, 15) and after.due_on != before.due_on
    assert after.due_on == logged.next.due and not after.closed
    case = await world.store.get_case(world.case.number)
    assert case is not None and case.status == CaseStatus.LETTERS_SENT  # as sending left it


async def test_a_reply_that_fails_half_way_leaves_nothing_behind(world: World) -> None:
    """The reply, the closed letter, the follow-up letter and the status are one
    transaction: a failure at the status change (a trigger of the database here) undoes
    the reply and the complaint letter too."""
    base = await _sent_letter(world)
    before = await world.followup.letters.letters_of(world.case.id)
    status = (await world.store.get_case(world.case.number)).status  # type: ignore[union-attr]
    async with world.db.transaction() as conn:
        await conn.execute(
            "CREATE TRIGGER fail_status BEFORE INSERT ON case_events "
            "WHEN NEW.kind = 'status' BEGIN SELECT RAISE(ABORT, 'disk gone'); END"
        )
    with pytest.raises(sqlite3.IntegrityError):
        await world.followup.complete(
            world.family, REPLY.name, {**base, "outcome": "refused", "received": "2026-11-20"}
        )
    assert await world.followup.letters.letters_of(world.case.id) == before
    assert await world.followup.store.replies_of_case(world.case.id) == []
    case = await world.store.get_case(world.case.number)
    assert case is not None and case.status == status
    assert "reply" not in [e.kind for e in case.events]


async def test_a_finished_form_is_closed_by_its_action_and_kept_when_it_fails(
    world: World,
) -> None:
    """The last answer completes the form without closing it; the action closes it in
    its own transaction, so a failure of the action keeps every answer given."""
    base = await _sent_letter(world)
    runner, user_id, today = world.followup.forms, world.family.user_id, date(2026, 11, 21)
    form = await runner.begin(user_id, REGISTRATION, base)
    asked = await runner.answer(user_id, form, TextInput("Т-15"), today)
    stored = await runner.current(user_id)
    done = await runner.answer(user_id, asked.form, TextInput("05.11.2026"), today, close=False)
    assert done.done and await runner.current(user_id) == stored
    async with world.db.transaction() as conn:
        await conn.execute(
            "CREATE TRIGGER fail_reference BEFORE INSERT ON case_events "
            "WHEN NEW.kind = 'reference' BEGIN SELECT RAISE(ABORT, 'disk gone'); END"
        )
    with pytest.raises(sqlite3.IntegrityError):
        await world.followup.complete(world.family, REGISTRATION.name, done.form.data)
    assert await runner.current(user_id) == stored  # nothing lost: the date is asked again
    async with world.db.transaction() as conn:
        await conn.execute("DROP TRIGGER fail_reference")
    moved = await world.followup.complete(world.family, REGISTRATION.name, done.form.data)
    assert isinstance(moved, DeadlineMoved) and moved.letter.id == base["letter_id"]
    assert await runner.current(user_id) is None
    await runner.begin(user_id, REGISTRATION, base)
    gone = {**done.form.data, "letter_id": 10**9}
    with pytest.raises(NotFound):  # a refused action closes the form all the same
        await world.followup.complete(world.family, REGISTRATION.name, gone)
    assert await runner.current(user_id) is None


async def test_the_familys_follow_up_actions_are_audited_with_their_writes(
    world: World,
) -> None:
    """A registration number and a reply each append the family's audit entry (ids and
    codes only) in their own transaction."""
    from bot.storage.staff import AuditStore

    base = await _sent_letter(world)
    await world.followup.complete(
        world.family, REGISTRATION.name, {**base, "reference": "Т-15", "regdate": None}
    )
    await world.followup.complete(
        world.family, REPLY.name, {**base, "outcome": "refused", "received": "2026-11-20"}
    )
    entries = await AuditStore(world.db).entries(limit=50)
    mine = [e for e in entries if e.actor_id == world.family.user_id]
    assert [e.action for e in mine][:3] == ["reply_logged", "letter_reference", "letters_sent"]
    assert mine[0].detail == {"letter_id": base["letter_id"], "outcome": "refused"}
    assert mine[1].detail == {"letter_id": base["letter_id"]}
    assert all(e.case_id == world.case.id for e in mine)


async def test_the_action_of_a_form_claims_the_update_of_its_last_answer(
    world: World,
) -> None:
    """The closing of the form and the update that completed it are one write: processed
    again after a crash, that update is known as handled (and never reaches the report)."""
    base = await _sent_letter(world)
    await world.followup.complete(
        world.family,
        REGISTRATION.name,
        {**base, "reference": "Т-16", "regdate": None},
        update_id=777_001,
    )
    assert await world.store.seen_update(777_001)
    assert await world.followup.forms.current(world.family.user_id) is None


async def test_my_cases_note_a_report_in_progress_and_hide_other_families_cases(
    world: World,
) -> None:
    mine = await world.followup.my_cases(world.family)
    assert [c.id for c in mine.cases] == [world.case.id]
    assert not mine.report_waiting
    await world.store.save_draft(world.family.user_id, new_draft(), NOW, None)
    one = await world.followup.my_cases(world.family, world.case.number)
    assert [c.id for c in one.cases] == [world.case.id] and one.report_waiting
    with pytest.raises(NotFound):  # someone else's case looks like none at all
        await world.followup.my_cases(world.stranger, world.case.number)
    assert (await world.followup.my_cases(None)).cases == ()


async def test_tracking_shows_the_letters_of_an_only_case(world: World) -> None:
    one = await world.followup.tracking(world.family)
    assert [c.id for c in one.cases] == [world.case.id] and one.tracked is not None
    assert one.tracked == await world.followup.tracked_letters(world.family, world.case.id)
    assert (await world.followup.tracking(world.stranger)).tracked is None
    assert (await world.followup.tracking(None)).cases == ()
    await world.store.create_case(11, "KZ", {"m_cit": "KZ", "m_name": "Ерлан"}, "KZ", NOW)
    several = await world.followup.tracking(world.family)
    assert len(several.cases) == 2 and several.tracked is None  # the family chooses


async def test_a_button_opens_its_form_with_what_the_first_question_shows(
    world: World,
) -> None:
    rows = await world.followup.letters.letters_of(world.case.id)
    for row in rows:  # both made: the family follows them
        await world.followup.letters.record_generated(row, "ru", "Текст", NOW, 11)
    user_id, letter = world.family.user_id, rows[0].id
    with pytest.raises(NotFound):  # another family's case or letter: as if missing
        await world.followup.open_form(world.stranger, "sent", world.case.id)
    with pytest.raises(NotFound):
        await world.followup.open_form(world.stranger, "reply", letter)
    assert await world.followup.forms.current(user_id) is None
    picked = await world.followup.open_form(world.family, "sent", world.case.id, 7)
    assert picked is not None and (picked.form.name, picked.form.step) == ("send", "pick")
    assert [r.id for r in picked.unsent or []] == [r.id for r in rows]
    assert await world.followup.forms.current(user_id) == picked.form  # stored at once
    # A letter not sent yet has no delivery to record: an old button opens nothing.
    assert await world.followup.open_form(world.family, "delivered", letter) is None
    assert await world.followup.forms.current(user_id) == picked.form
    await world.followup.complete(
        world.family,
        "send",
        {"case_id": world.case.id, "picked": [letter], "date": "2026-11-02", "channel": "post"},
    )
    expected = {
        "sent": ("send", "pick"),
        "sent1": ("send", "date"),
        "regno": ("regno", "reference"),
        "reply": ("reply", "outcome"),
        "delivered": ("delivered", "tracking"),  # sent without a tracking number
    }
    for button, (name, step) in expected.items():
        ref = world.case.id if button == "sent" else letter
        shown = await world.followup.open_form(world.family, button, ref)
        assert shown is not None and (shown.form.name, shown.form.step) == (name, step)
        assert await world.followup.forms.current(user_id) == shown.form
        if button == "sent":
            assert [r.id for r in shown.unsent or []] == [rows[1].id]  # the one not sent
        else:
            assert shown.unsent is None
            about = shown.form.data.get("letter_id") or shown.form.data.get("picked")
            assert about in (letter, [letter])
    assert await world.followup.open_form(world.family, "unknown", letter) is None


async def test_an_input_to_a_form_comes_with_what_to_show_next(world: World) -> None:
    rows = await world.followup.letters.letters_of(world.case.id)
    for row in rows:
        await world.followup.letters.record_generated(row, "ru", "Текст", NOW, 11)
    f, family = world.followup, world.family
    assert await f.move_form(family, "back") is None  # no form open
    assert await f.press(family, lambda step: True, ChoiceInput("post")) is None
    shown = await f.open_form(family, "sent", world.case.id)
    assert shown is not None
    # A button of another step (an earlier message) finds no form to answer.
    assert await f.press(family, lambda step: step.key == "channel", ChoiceInput("post")) is None
    picked = await f.press(family, lambda step: step.key == "pick", ChoiceInput(str(rows[0].id)))
    assert picked is not None and not picked.complete and picked.shown.form.step == "pick"
    assert picked.shown.unsent is not None and len(picked.shown.unsent) == 2
    step = await f.answer_form(family, picked.shown.form, ChoiceInput("next"))
    assert (step.shown.form.step, step.shown.unsent) == ("date", None)
    refused = await f.answer_form(family, step.shown.form, TextInput("32.11.2026"))
    assert refused.error is not None and refused.shown.form == step.shown.form
    back = await f.move_form(family, "back")
    assert back is not None and back.shown.form.step == "pick" and back.shown.unsent
    dated = await f.answer_form(family, step.shown.form, TextInput("20.11.2026"))
    done = await f.answer_form(family, dated.shown.form, ChoiceInput("post"))
    assert done.complete and isinstance(done.done, SentLetters)
    assert [r.id for r, _due in done.done.letters] == [rows[0].id]
    assert await f.forms.current(family.user_id) is None  # closed by its action
    regno = await f.open_form(family, "regno", rows[0].id)
    assert regno is not None
    skipped = await f.answer_form(family, regno.form, TextInput("Т-1"))
    assert skipped.shown.form.step == "regdate"
    moved = await f.move_form(family, "skip")
    assert moved is not None and moved.complete and isinstance(moved.done, DeadlineMoved)


async def test_a_reply_from_a_photo_is_read_and_makes_its_next_letter_in_one_call(
    world: World,
) -> None:
    """The photo taken as the answer is read (only then) and its text kept with the form;
    the complete reply is announced before the letter it calls for is made, in one call."""
    base = await _sent_letter(world)
    said: list[str] = []
    made: list[tuple[int, int, object]] = []

    async def make_letter(user_key: int, letter_id: int, out: object) -> object:
        said.append("made")
        made.append((user_key, letter_id, out))
        return "the letters' step"

    async def announce(done: ReplyLogged) -> None:
        said.append(f"announced {done.outcome}")

    delivery = Delivery(_nothing, _nothing)
    out = ReplyOut(announce, delivery)
    world.followup.make_letter = make_letter  # type: ignore[assignment]
    user = world.family
    shown = await world.followup.open_form(user, "reply", _int_of(base["letter_id"]))
    assert shown is not None
    step = await world.followup.answer_form(user, shown.form, ChoiceInput("refused"), 1, out)
    step = await world.followup.answer_form(user, step.shown.form, TextInput("20.11.2026"), 2)
    assert step.shown.form.step == "file"

    async def read() -> Reading:
        said.append("read")
        return Reading("Ответ: отказано.")

    photo = FileInput("photo", "f1", "u1", "image/jpeg", 1000)
    taken = await world.followup.take_reply_file(user, step.shown.form, photo, read, 3, out)
    assert taken.read == Reading("Ответ: отказано.") and said == ["read"]
    assert taken.step.shown.form.step == "text"
    assert taken.step.shown.form.data["read"] == "Ответ: отказано."
    assert await world.followup.forms.current(user.user_id) == taken.step.shown.form

    done = await world.followup.answer_form(user, taken.step.shown.form, ChoiceInput(KEEP), 4, out)
    assert done.complete and isinstance(done.done, ReplyLogged)
    assert said == ["read", "announced refused", "made"]
    assert done.done.announced and done.done.made == "the letters' step"
    suggestion = done.done.next
    assert isinstance(suggestion, Suggestion) and suggestion.letter is not None
    assert made == [(user.user_id, suggestion.letter.id, delivery)]
    replies = await world.followup.store.replies_of_case(world.case.id)
    assert [r.text for r in replies] == ["Ответ: отказано."]


async def test_a_refused_input_is_not_read_and_no_out_means_nothing_made(world: World) -> None:
    base = await _sent_letter(world)
    user = world.family

    async def read() -> Reading:
        raise AssertionError("a refused file is not downloaded")

    async def make_letter(user_key: int, letter_id: int, out: object) -> object:
        raise AssertionError("no letter without a way to hand it over")

    world.followup.make_letter = make_letter  # type: ignore[assignment]
    shown = await world.followup.open_form(user, "reply", _int_of(base["letter_id"]))
    assert shown is not None
    step = await world.followup.answer_form(user, shown.form, ChoiceInput("refused"))
    step = await world.followup.answer_form(user, step.shown.form, TextInput("20.11.2026"))
    sticker = OtherInput("sticker")
    taken = await world.followup.take_reply_file(user, step.shown.form, sticker, read)
    assert taken.read is None and taken.step.error is not None
    assert taken.step.shown.form.step == "file"
    done = await world.followup.move_form(user, "skip")
    assert done is not None and done.shown.form.step == "summary"
    done = await world.followup.move_form(user, "skip")
    assert done is not None and isinstance(done.done, ReplyLogged)
    assert not done.done.announced and done.done.made is None
    assert isinstance(done.done.next, Suggestion)  # suggested, made by nobody


async def _nothing(*_args: object) -> None:
    """A delivery that shows nothing (the letter maker here is a stand-in)."""


def _int_of(value: object) -> int:
    assert isinstance(value, int)
    return value
