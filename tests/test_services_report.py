"""The report's use cases around consent and language, without Telegram."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import open_services
from bot.clock import ManualClock
from bot.config import Config
from bot.domain import forms
from bot.domain import questions as q
from bot.domain.followup_forms import SEND
from bot.domain.inputs import ChoiceInput, TextInput
from bot.domain.report_form import Draft, draft_at, new_draft
from bot.letters.sample import sample_reports
from bot.services.errors import NotFound
from bot.services.forms import FormRunner
from bot.services.report import Cancelled, Incoming, Pressed, ReportService
from bot.storage.database import Database
from bot.storage.followup import FollowupStore
from bot.storage.store import Store
from tests.test_un import answers_of

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


async def test_consent_creates_the_person_once_and_the_language_can_change(
    tmp_path: Path,
) -> None:
    db = Database(tmp_path / "r.sqlite3")
    await db.open()
    store = Store(db)
    report = ReportService(
        store, ManualClock(NOW), FormRunner(FollowupStore(db), ManualClock(NOW))
    )
    assert await store.get_user(5) is None  # nothing before consent
    first = await report.agree(5, 500, "kk")
    again = await report.agree(5, 500, "ru")  # an old consent button pressed again
    assert (first.user_id, first.locale) == (again.user_id, again.locale) == (5, "kk")
    changed = await report.change_language(first, "ky")
    stored = await store.get_user(5)
    assert changed.locale == "ky" and stored is not None and stored.locale == "ky"
    await store.delete_user_data(5, NOW)
    with pytest.raises(NotFound):
        await report.change_language(first, "ru")
    await db.close()


async def test_begin_resume_reply_and_cancel_are_one_use_case_each(tmp_path: Path) -> None:
    """What the chat's /start, "report a missing person", a message and /cancel each
    call: one use case that reads the report and decides."""
    db = Database(tmp_path / "r.sqlite3")
    await db.open()
    store, clock = Store(db), ManualClock(NOW)
    runner = FormRunner(FollowupStore(db), clock)
    report = ReportService(store, clock, runner)
    user = await report.agree(5, 500, "ru")
    assert await report.resume(user) is None  # no report: the menu
    assert (await report.reply(user, lambda d: TextInput("x"))).before is None
    assert await report.cancel(5, user, 1) == Cancelled("nothing")

    begun = await report.begin(user, 2)
    assert not begun.resumed and begun.draft.step == new_draft().step
    read: list[str] = []

    def typed(draft: Draft) -> TextInput:
        read.append(draft.step)  # the message is read against the current question
        return TextInput("Асан Асанов")

    replied = await report.reply(user, typed, 3)
    assert read == [begun.draft.step] and replied.outcome is not None and not replied.resumed

    assert await report.cancel(5, user, 4) == Cancelled("report")
    stored = await store.get_draft(5)
    assert stored is not None and stored.paused
    replied = await report.reply(user, typed, 5)  # after a pause: the question again
    assert replied.resumed and replied.outcome is None and read == [begun.draft.step]
    stored = await store.get_draft(5)
    assert stored is not None and not stored.paused

    await report.cancel(5, user, 6)
    again = await report.begin(user, 7)  # a report in progress is finished first
    assert again.resumed and not again.draft.paused
    await report.cancel(5, user, 8)
    resumed = await report.resume(user, 9)
    assert resumed is not None and not resumed.paused

    await runner.begin(77, SEND, {"case_id": 1})  # a staff member's form, no family record
    assert await report.cancel(77, None, 10) == Cancelled("form")
    assert await runner.current(77) is None
    assert await report.cancel(77, None, 11) == Cancelled("nothing")
    await db.close()


async def test_consent_begins_the_report_and_a_new_language_resumes_it(tmp_path: Path) -> None:
    db = Database(tmp_path / "r.sqlite3")
    await db.open()
    store, clock = Store(db), ManualClock(NOW)
    report = ReportService(store, clock, FormRunner(FollowupStore(db), clock))
    agreed = await report.agree_and_begin(5, 500, "kk", 1)
    assert agreed.user.locale == "kk" and not agreed.begun.resumed
    again = await report.agree_and_begin(5, 500, "ru", 2)  # an old consent button
    assert again.user.locale == "kk" and again.begun.resumed  # kept as first stored
    await report.cancel(5, again.user, 3)
    changed = await report.switch_language(again.user, "ky", 4)
    assert changed.user.locale == "ky"
    assert changed.draft is not None and not changed.draft.paused  # taken up again
    other = await report.agree(6, 600, "ru")
    assert (await report.switch_language(other, "kk")).draft is None  # the menu
    await db.close()


async def test_a_button_is_checked_and_acted_on_in_one_call(tmp_path: Path) -> None:
    """A report button (and /back, /skip): refused when the report is finished or the
    question has changed, else the move made against the draft just read."""
    db = Database(tmp_path / "r.sqlite3")
    await db.open()
    store, clock = Store(db), ManualClock(NOW)
    report = ReportService(store, clock, FormRunner(FollowupStore(db), clock))
    user = await report.agree(5, 500, "ru")
    assert await report.press(user, None, "back", 1) == Pressed(None)  # no report
    first = (await report.begin(user, 2)).draft
    answered = await report.reply(user, lambda d: TextInput("Асан Асанов"), 3)
    assert answered.outcome is not None
    second = answered.outcome.draft
    stale = await report.press(user, first.step, "skip", 4)  # a button of the first question
    assert stale.stale and stale.draft is not None and stale.draft.step == second.step
    shown = await report.press(user, second.step, None, 5)  # no move: shown again
    assert shown.outcome is None and not shown.stale
    back = await report.press(user, second.step, "back", 6)
    assert back.outcome is not None and back.outcome.draft.step == first.step
    stored = await store.get_draft(5)
    assert stored is not None and stored.step == first.step
    moved = await report.press(user, None, "back", 7)  # /back: whatever question is current
    assert moved.outcome is not None and moved.outcome.error is not None  # none before it
    await db.close()


async def test_a_message_reads_who_writes_and_the_open_form_once(tmp_path: Path) -> None:
    db = Database(tmp_path / "r.sqlite3")
    await db.open()
    store, clock = Store(db), ManualClock(NOW)
    runner = FormRunner(FollowupStore(db), clock)
    report = ReportService(store, clock, runner)
    assert await report.incoming(9) == Incoming(None, None)  # a stranger
    user = await report.agree(5, 500, "ru")
    await FollowupStore(db).user_blocked(5, NOW)
    await runner.begin(5, SEND, {"case_id": 1})
    incoming = await report.incoming(5)
    assert incoming.form is not None and incoming.form.name == SEND.name
    assert incoming.user is not None and incoming.user.user_id == user.user_id
    back = await store.get_user(5)  # writing again: the bot is no longer blocked
    assert back is not None and back.blocked_at is None
    await db.close()


async def test_a_confirmed_report_brings_its_letter_set_and_the_un_offer(
    tmp_path: Path,
) -> None:
    """The case, its letter set and whether the UN route is offered, in the call that
    confirms the report (the chat shows them without asking again)."""
    config = Config(db_path=tmp_path / "izdeu.sqlite3", data_dir=tmp_path)
    s = await open_services(config, ManualClock(NOW))
    user = await s.report.agree(5, 500, "kk")
    answers = answers_of(sample_reports()["kz_male"])
    await s.store.save_draft(5, draft_at(q.REVIEW, answers), NOW, 1)
    pressed = await s.report.press(user, q.REVIEW, ChoiceInput(forms.CONFIRM), 2)
    outcome = pressed.outcome
    assert outcome is not None and outcome.case is not None and outcome.letters is not None
    assert outcome.letters.case.id == outcome.case.id and outcome.letters.chosen
    assert outcome.letters == await s.letters.show(5, outcome.case.id)  # stored, not only shown
    assert outcome.offer_un == await s.un.offer_at_once(outcome.case)
    await s.close()
