"""The letter review queue's use cases without Telegram: holding, reading, correcting,
approving, sending back, who may do it, the audit, and when the caseworkers are reminded."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.app import Services, open_services
from bot.clock import ManualClock
from bot.config import Config
from bot.domain.models import Case
from bot.letters.sample import sample_reports
from bot.services.errors import Invalid, NotAllowed, NotFound
from bot.services.review import Approved, Release, after_a_working_day, working_hours_from
from bot.services.staff import Actor, Role
from bot.storage.store import LetterRow
from tests.support import START
from tests.test_un import answers_of

FAMILY = 501
CASEWORKER = Actor(900, Role.CASEWORKER)
ALMATY = "Asia/Almaty"
# The family's free texts of the sample in Russian, for the Prosecutor General's letter.
RUSSIAN = {
    "r_addr": "Казахстан, 050000, г. Алматы, ул. Толе би, 100, кв. 25",
    "e_place": "Ростовская область, город Ростов-на-Дону",
    "e_story": "Его задержали в общежитии и увезли на автобусе в воинскую часть.",
    "e_resp_text": "Человек по имени Руслан, который предлагал работу",
    "e_unit": "воинская часть в Ростовской области",
}


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    config = Config(db_path=tmp_path / "izdeu.sqlite3", data_dir=tmp_path, letter_review=True)
    s = await open_services(config, ManualClock(START))
    try:
        yield s
    finally:
        await s.close()


async def case_with_letter(s: Services) -> tuple[Case, LetterRow]:
    """A family's case whose letter to the Prosecutor General can be made (in Russian)."""
    now = s.clock.now()
    await s.store.create_user(FAMILY, FAMILY, "ru", now)
    case = await s.store.create_case(
        FAMILY, "KZ", answers_of(sample_reports()["kz_male"]), "KZ", now
    )
    rows = await s.letters.letter_set(case)
    row = next(r for r in rows if r.addressee_id == "prosecutor_general")
    options = await s.letters.options(case)
    for item in s.letters.translations_needed(case, [row], options):
        await s.letters.set_translation(
            case, item.field, item.language, RUSSIAN.get(item.field, "Текст на русском"), 1
        )
    fresh = await s.store.get_case_by_id(case.id)
    assert fresh is not None and not s.letters.blocked(fresh, row, options)
    return fresh, row


async def audit(s: Services) -> list[tuple[int, str, int | None]]:
    async with s.db.reading() as conn:
        rows = await conn.execute_fetchall("SELECT actor_id, action, case_id FROM audit")
    return [(r[0], r[1], r[2]) for r in rows]


def pdf_text(data: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


async def test_held_letters_wait_until_a_caseworker_approves(services: Services) -> None:
    s = services
    case, row = await case_with_letter(s)
    held = await s.review.hold(FAMILY, case, [row])
    assert held is not None and held.case_number == case.number and held.waiting == 1
    again = await s.review.hold(FAMILY, case, [row])  # a double tap queues nothing more
    assert again is not None and again.waiting == 1
    queue = await s.review.queue(CASEWORKER)
    assert [(e.letter_id, e.case_number, e.state) for e in queue] == [
        (row.id, case.number, "waiting")
    ]
    letter = await s.review.read(CASEWORKER, row.id)
    assert letter.produced.pdf.startswith(b"%PDF") and letter.produced.letter.language == "ru"
    assert {f.field for f in letter.fields} >= {"r_addr", "e_place"}
    approved = await s.review.approve(CASEWORKER, row.id)
    assert approved.family_chat == FAMILY and approved.family_locale == "ru"
    assert approved.still_waiting == 0
    # Approved, not yet received: still open (to send again), no longer waiting.
    assert [e.state for e in await s.review.queue(CASEWORKER)] == ["approved"]
    assert await s.review.delivered(CASEWORKER, approved)
    assert await s.review.queue(CASEWORKER) == []
    with pytest.raises(NotFound):
        await s.review.approve(CASEWORKER, row.id)
    done = await s.store.get_case_by_id(case.id)
    assert done is not None and done.status.value == "letters_ready"
    actions = await audit(s)
    assert (CASEWORKER.user_id, "review_read", case.id) in actions
    assert (CASEWORKER.user_id, "review_approve", case.id) in actions


async def test_approve_and_release_records_the_delivery_only_when_the_family_got_it(
    services: Services,
) -> None:
    """One use case approves, hands the letter over and records it; a family not reached
    leaves the letter approved in the queue, to send again."""
    s = services
    case, row = await case_with_letter(s)
    await s.review.hold(FAMILY, case, [row])
    sent: list[str] = []

    async def unreachable(approved: Approved) -> bool:
        sent.append("letter")
        return False

    async def told(approved: Approved) -> bool:
        sent.append("all ready")
        return True

    released = await s.review.approve_and_release(CASEWORKER, row.id, Release(unreachable, told))
    assert not released.reached and sent == ["letter"]
    assert [e.state for e in await s.review.queue(CASEWORKER)] == ["approved"]

    async def reached(approved: Approved) -> bool:
        sent.append("letter")
        return True

    sent.clear()  # approved again, the way to send it again: now the family gets it
    released = await s.review.approve_and_release(CASEWORKER, row.id, Release(reached, told))
    assert released.reached and sent == ["letter", "all ready"]
    assert await s.review.queue(CASEWORKER) == []
    done = await s.store.get_case_by_id(case.id)
    assert done is not None and done.status.value == "letters_ready"


async def test_a_correction_goes_into_the_letter_and_the_audit(services: Services) -> None:
    s = services
    case, row = await case_with_letter(s)
    await s.review.hold(FAMILY, case, [row])
    await s.review.ask_correction(CASEWORKER, row.id, "e_place")
    form = await s.followup.store.get_form(CASEWORKER.user_id)
    assert form is not None and form.name == "review_fix"
    with pytest.raises(Invalid) as refused:
        await s.review.correct(CASEWORKER, row.id, "e_place", "Ростов облысы, жатақхана")
    assert refused.value.reason == "wrong_language"
    with pytest.raises(Invalid):
        await s.review.correct(CASEWORKER, row.id, "m_name", "Другое имя")  # not a free text
    fixed = "Ростовская область, город Шахты, общежитие шахтёров"
    item = await s.review.correct(CASEWORKER, row.id, "e_place", fixed)
    assert item.language == "ru" and await s.followup.store.get_form(CASEWORKER.user_id) is None
    approved = await s.review.approve(CASEWORKER, row.id)
    assert "город Шахты" in approved.produced.letter.text
    assert "Шахты" in pdf_text(approved.produced.pdf)
    assert (CASEWORKER.user_id, "review_correct", case.id) in await audit(s)


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.RELATIVE])
async def test_volunteers_and_families_cannot_review(services: Services, role: Role) -> None:
    s = services
    case, row = await case_with_letter(s)
    await s.review.hold(FAMILY, case, [row])
    someone = Actor(FAMILY if role == Role.RELATIVE else 777, role)
    for attempt in (
        s.review.queue(someone),
        s.review.read(someone, row.id),
        s.review.approve(someone, row.id),
        s.review.correct(someone, row.id, "e_place", "Ростовская область"),
        s.review.send_back(someone, row.id, "Нет"),
    ):
        with pytest.raises(NotAllowed):
            await attempt
    assert [e.state for e in await s.review.queue(CASEWORKER)] == ["waiting"]
    assert [a for a in await audit(s) if a[1].startswith("review_")] == []
    with pytest.raises(NotAllowed):  # nor can a family hold another family's letters
        await s.review.hold(FAMILY + 1, case, [row])


async def test_sent_back_leaves_the_queue_and_can_be_prepared_again(services: Services) -> None:
    s = services
    case, row = await case_with_letter(s)
    await s.review.hold(FAMILY, case, [row])
    with pytest.raises(Invalid):
        await s.review.send_back(CASEWORKER, row.id, "   ")
    returned = await s.review.send_back(CASEWORKER, row.id, "Уточните адрес, пожалуйста.")
    assert returned.note == "Уточните адрес, пожалуйста." and returned.family_chat == FAMILY
    assert await s.review.queue(CASEWORKER) == []
    assert (CASEWORKER.user_id, "review_return", case.id) in await audit(s)
    with pytest.raises(NotFound):
        await s.review.approve(CASEWORKER, row.id)
    held = await s.review.hold(FAMILY, case, [row])
    assert held is not None and held.waiting == 1


async def test_without_the_setting_nothing_is_held(services: Services) -> None:
    s = services
    case, row = await case_with_letter(s)
    s.review.enabled = False  # IZDEU_LETTER_REVIEW unset
    assert await s.review.hold(FAMILY, case, [row]) is None
    assert await s.review.queue(CASEWORKER) == []


@pytest.mark.parametrize(
    ("queued", "reminds"),
    [
        # Almaty is UTC+5. Wednesday 11:00 -> Thursday 11:00.
        (datetime(2026, 11, 18, 6, 0, tzinfo=UTC), datetime(2026, 11, 19, 6, 0, tzinfo=UTC)),
        # Friday afternoon, 15:30 -> Monday 15:30.
        (datetime(2026, 11, 20, 10, 30, tzinfo=UTC), datetime(2026, 11, 23, 10, 30, tzinfo=UTC)),
        # Saturday -> Monday; Sunday -> Monday.
        (datetime(2026, 11, 21, 4, 0, tzinfo=UTC), datetime(2026, 11, 23, 4, 0, tzinfo=UTC)),
        (datetime(2026, 11, 22, 4, 0, tzinfo=UTC), datetime(2026, 11, 23, 4, 0, tzinfo=UTC)),
        # Friday 23:30 in Almaty is still Friday there (18:30 UTC): Monday 23:30.
        (datetime(2026, 11, 20, 18, 30, tzinfo=UTC), datetime(2026, 11, 23, 18, 30, tzinfo=UTC)),
    ],
)
def test_a_working_day_later(queued: datetime, reminds: datetime) -> None:
    assert after_a_working_day(queued, ALMATY) == reminds


async def test_the_reminder_is_due_a_working_day_after_queueing(services: Services) -> None:
    s = services
    case, row = await case_with_letter(s)
    s.clock.set(datetime(2026, 11, 20, 10, 30, tzinfo=UTC))  # Friday 15:30 in Almaty
    await s.review.hold(FAMILY, case, [row])
    assert not [r for r in await s.followup.due(50) if r.kind == "review"]
    s.clock.advance(timedelta(days=2, hours=23))  # Monday 14:30
    assert not [r for r in await s.followup.due(50) if r.kind == "review"]
    s.clock.advance(timedelta(hours=1))
    due = [r for r in await s.followup.due(50) if r.kind == "review"]
    assert len(due) == 1 and due[0].case_id == case.id
    reminder = await s.review.reminder(due[0])
    assert reminder is not None and reminder.waiting == 1 and reminder.case_number == case.number


def test_the_setting() -> None:
    assert Config.from_env({}).letter_review is False
    assert Config.from_env({"IZDEU_LETTER_REVIEW": "on"}).letter_review is True
    assert Config.from_env({"IZDEU_LETTER_REVIEW": "1"}).letter_review is True
    assert Config.from_env({"IZDEU_LETTER_REVIEW": "off"}).letter_review is False


@pytest.mark.parametrize(
    ("now", "waits_until"),
    [
        (datetime(2026, 11, 23, 10, 30, tzinfo=UTC), None),  # Monday 15:30 in Almaty
        # Monday 23:30 -> Tuesday 09:00; Friday 22:00 -> Monday 09:00; Sunday noon -> Monday.
        (datetime(2026, 11, 23, 18, 30, tzinfo=UTC), datetime(2026, 11, 24, 4, 0, tzinfo=UTC)),
        (datetime(2026, 11, 27, 17, 0, tzinfo=UTC), datetime(2026, 11, 30, 4, 0, tzinfo=UTC)),
        (datetime(2026, 11, 29, 7, 0, tzinfo=UTC), datetime(2026, 11, 30, 4, 0, tzinfo=UTC)),
    ],
)
def test_reminders_wait_for_working_hours(now: datetime, waits_until: datetime | None) -> None:
    assert working_hours_from(now, ALMATY) == waits_until


async def test_a_reminder_due_at_night_waits_for_the_morning(services: Services) -> None:
    s = services
    case, row = await case_with_letter(s)
    s.clock.set(datetime(2026, 11, 19, 17, 0, tzinfo=UTC))  # Thursday 22:00 in Almaty
    await s.review.hold(FAMILY, case, [row])
    s.clock.advance(timedelta(days=1))  # Friday 22:00: night
    due = [r for r in await s.followup.due(50) if r.kind == "review"]
    assert len(due) == 1 and await s.review.reminder(due[0]) is None
    assert not [r for r in await s.followup.due(50) if r.kind == "review"]
    s.clock.set(datetime(2026, 11, 30, 4, 0, tzinfo=UTC))  # Monday 09:00
    due = [r for r in await s.followup.due(50) if r.kind == "review"]
    assert len(due) == 1 and await s.review.reminder(due[0]) is not None


async def test_a_family_deleting_its_data_leaves_nothing_in_the_queue(services: Services) -> None:
    s = services
    case, row = await case_with_letter(s)
    await s.review.hold(FAMILY, case, [row])
    await s.store.delete_user_data(FAMILY, s.clock.now())
    assert await s.review.queue(CASEWORKER) == []
    async with s.db.reading() as conn:
        left = list(await conn.execute_fetchall("SELECT COUNT(*) FROM letter_reviews"))
        reminders = list(
            await conn.execute_fetchall("SELECT COUNT(*) FROM reminders WHERE kind = 'review'")
        )
    assert left[0][0] == 0 and reminders[0][0] == 0
