"""The reminders' use cases without Telegram: what each due reminder says, the night,
a blocked family, a retry, and the next letter of the ladder made once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Services, open_services
from bot.clock import ManualClock
from bot.config import Config
from bot.domain.models import Case
from bot.letters.sample import sample_reports
from bot.services import letters as letters_module
from bot.services.reminders import DIGEST, OVERDUE, PREPARE, FamilyReminder
from bot.storage.store import LetterRow
from tests.support import START
from tests.test_services_letters import RUSSIAN, InProcessWorker
from tests.test_un import answers_of

FAMILY = 11
# Sixty days after the letter was sent, at 15:00 in Almaty: every reminder is due.
LATER = START + timedelta(days=60)


@pytest.fixture
async def services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Services]:
    monkeypatch.setattr(letters_module, "WORKER", InProcessWorker())
    s = await open_services(
        Config(db_path=tmp_path / "izdeu.sqlite3", data_dir=tmp_path), ManualClock(START)
    )
    yield s
    await s.close()


async def sent_letter(s: Services) -> tuple[Case, LetterRow]:
    """A case whose letter to the Prosecutor General went by post today."""
    user = await s.store.create_user(FAMILY, FAMILY, "ru", START)
    answers = answers_of(sample_reports()["kz_male"])
    case = await s.store.create_case(FAMILY, "KZ", answers, "KZ", START)
    row = next(
        r for r in await s.letters.letter_set(case) if r.addressee_id == "prosecutor_general"
    )
    await s.followup.mark_sent(user, case, [row], START.date(), "post", None)
    return case, row


def move_to(s: Services, moment: datetime) -> None:
    assert isinstance(s.clock, ManualClock)
    s.clock.set(moment)


async def test_each_due_reminder_is_plain_data_and_sent_once(services: Services) -> None:
    case, row = await sent_letter(services)
    move_to(services, LATER)
    due = await services.reminders.due(50)
    assert sorted(r.kind for r in due) == sorted([DIGEST, PREPARE, OVERDUE])
    items = {}
    for reminder in due:
        item = await services.reminders.compose(reminder)
        assert isinstance(item, FamilyReminder) and item.chat_id == FAMILY
        items[item.kind] = item
    assert [r.id for r in items[DIGEST].open_letters] == [row.id]
    prepare = items[PREPARE]
    assert prepare.case is not None and prepare.case.id == case.id
    assert prepare.deadline is not None and prepare.deadline.due > START.date()
    overdue = items[OVERDUE]
    follow = overdue.next_letter
    assert follow is not None and follow.parent_id == row.id
    assert overdue.next_addressee is not None
    assert overdue.next_addressee.id == follow.addressee_id
    # The family's account is in Kazakh: the Russian letter waits for its Russian text.
    assert overdue.produced is None
    for field, text in RUSSIAN.items():
        await services.letters.set_translation(case, field, "ru", text, FAMILY)
    # Composed again (as after a failed sending, read again from the database): the same
    # letter, now made.
    stored = next(r for r in await services.reminders.due(50) if r.kind == OVERDUE)
    assert stored.followup_id == follow.id
    again = await services.reminders.compose(stored)
    assert isinstance(again, FamilyReminder) and again.next_letter == follow
    assert again.produced is not None and again.produced.row.id == follow.id
    assert again.produced.letter.language == "ru"
    assert RUSSIAN["e_story"] in again.produced.letter.text
    items[OVERDUE] = again
    assert (
        len(await services.letters.store.letters_of(case.id))
        == len(await services.letters.letter_set(case)) + 1
    )
    for item in items.values():
        await services.reminders.sent(item)
    assert await services.reminders.due(50) == []
    # The digest had letters waiting: the next one is planned for next week.
    move_to(services, LATER + timedelta(days=8))
    assert [r.kind for r in await services.reminders.due(50)] == [DIGEST]


async def test_the_night_a_block_and_a_retry(services: Services) -> None:
    await sent_letter(services)
    night = LATER.replace(hour=20)  # 02:00 in Almaty
    move_to(services, night)
    due = await services.reminders.due(50)
    assert due and all([await services.reminders.compose(r) is None for r in due])
    assert await services.reminders.due(50) == []  # moved to the morning
    move_to(services, night + timedelta(hours=9))  # 11:00 in Almaty
    due = await services.reminders.due(50)
    assert len(due) == 3
    first = await services.reminders.compose(due[0])
    assert first is not None
    at = await services.reminders.retry(first, "TimedOut")
    assert at == services.clock.now() + timedelta(minutes=1)
    assert first.reminder.id not in [r.id for r in await services.reminders.due(50)]
    await services.reminders.blocked(first)
    user = await services.store.get_user(FAMILY)
    assert user is not None and user.blocked_at is not None
    for reminder in await services.reminders.due(50):
        assert await services.reminders.compose(reminder) is None
    move_to(services, services.clock.now() + timedelta(minutes=5))
    assert await services.reminders.due(50) == []
