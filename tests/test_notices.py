"""Notices to other people, kept in the notices table until Telegram took them.

A letter sent back with the caseworker's note: the note is written with the decision, so
the process dying between the commit and the send loses nothing; at start-up the family
receives it in its own language. The table itself is sealed like every personal column
and goes with a family that deletes its data."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from bot.domain.models import CaseStatus
from bot.i18n import LOCALES
from bot.services.review import RETURNED
from bot.services.staff import ASSIGNED, STATUS_CHANGED
from bot.services.un import UN_SUBMITTED
from bot.storage.crypto import new_key
from bot.storage.notices import NewNotice, NoticeStore, put_notice
from handlers.localapi import Fault
from handlers.views import review as view
from handlers.views import staff as staff_view
from handlers.views import un as un_view
from handlers.views.notices import send_notices
from tests.support import START, Bot
from tests.test_review import case_with_letter
from tests.test_review_un_forms_chat import FAMILY, family_case
from tests.test_staff import make_staff

CASEWORKER = 960


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_note_sent_back_reaches_the_family_after_a_crash(
    tmp_path: Path, locale: str
) -> None:
    bot = await Bot.start(tmp_path)
    s = bot.services
    s.review.enabled = True
    case, row = await case_with_letter(s)
    await s.store.set_locale(case.reporter_id, locale, START)
    await s.review.hold(case.reporter_id, case, [row])
    worker = await make_staff(bot, CASEWORKER, "caseworker", "ru")
    await worker.press_data(f"review:back:{row.id}")
    note = "Уточните, пожалуйста, дату последнего звонка."
    for _ in range(20):  # the process dies after the commit: nothing reaches anyone
        bot.api.fail_next("sendMessage", Fault(network=True))
    await worker.send(note)
    bot.api.faults.clear()
    family_chat = 501  # the family of case_with_letter, its chat id
    assert bot.api.messages(family_chat) == []
    await bot.stop()

    bot = await Bot.start(tmp_path)
    try:
        taken = await send_notices(bot.app.bot, bot.services)  # as the bot does at start-up
        assert [n.kind for n in taken] == [RETURNED]
        ft = bot.t(locale)
        body = bot.services.letters.directory[row.addressee_id].name(locale)
        assert [m.text for m in bot.api.messages(family_chat)] == [
            view.returned_text(ft, body, case.number, note)
        ]
        assert await bot.services.notices.waiting() == []
        assert await send_notices(bot.app.bot, bot.services) == []  # sent once
    finally:
        await bot.stop()


async def test_sent_back_at_once_when_nothing_fails(tmp_path: Path) -> None:
    bot = await Bot.start(tmp_path)
    try:
        s = bot.services
        s.review.enabled = True
        case, row = await case_with_letter(s)
        await s.review.hold(case.reporter_id, case, [row])
        worker = await make_staff(bot, CASEWORKER, "caseworker", "kk")
        await worker.press_data(f"review:back:{row.id}")
        await worker.send("Хаттағы мекенжайды тексеріңіз.")
        assert worker.last_text() == view.returned_done_text(bot.t("kk"), True)
        assert len(bot.api.messages(case.reporter_id)) == 1
        assert await s.notices.waiting() == []
    finally:
        await bot.stop()


async def test_notices_are_sealed_kept_until_sent_and_go_with_the_family(
    tmp_path: Path,
) -> None:
    bot = await Bot.start(tmp_path, key=new_key())
    try:
        s = bot.services
        key = s.user_key(970)
        await s.store.create_user(key, 970, "ky", START)
        notice = NewNotice(key, 970, "ky", RETURNED, {"note": "Секретная заметка"})
        async with s.db.transaction() as conn:
            await put_notice(conn, s.db, notice, START)
        store = NoticeStore(s.db)
        [waiting] = await store.waiting()
        assert (waiting.chat_id, waiting.locale, waiting.values) == (970, "ky", notice.values)
        with sqlite3.connect(bot.config.db_path) as raw:
            stored = raw.execute("SELECT data FROM notices").fetchone()[0]
        assert "Секретная" not in stored and "970" not in stored
        await s.store.delete_user_data(key, START)
        assert await store.waiting() == []
    finally:
        await bot.stop()


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_un_submission_an_assignment_and_a_status_reach_their_people_after_a_crash(
    tmp_path: Path, locale: str
) -> None:
    bot = await Bot.start(tmp_path)
    case = await family_case(bot, locale)
    staff = bot.chat(1, "ru")
    await staff.press_data(f"un:mark:{case.id}")
    await staff.send("20.11.2026")
    volunteer = await make_staff(bot, 980, "volunteer", locale)
    for _ in range(20):  # the process dies after each commit: nothing reaches anyone
        bot.api.fail_next("sendMessage", Fault(network=True))
    await staff.send("/skip")  # no reference yet: the case is marked as submitted
    await staff.press_data(f"staff:assign:{case.id}:980")
    located = list(CaseStatus).index(CaseStatus.LOCATED)
    await staff.press_data(f"staff:status:{case.id}:{located}")
    bot.api.faults.clear()
    assigned = staff_view.assigned_text(bot.t(locale), case.number)
    assert bot.api.messages(FAMILY) == []
    assert assigned not in volunteer.texts()  # only its welcome as a volunteer
    await bot.stop()

    bot = await Bot.start(tmp_path)
    try:
        taken = await send_notices(bot.app.bot, bot.services)  # as the bot does at start-up
        assert [n.kind for n in taken] == [UN_SUBMITTED, ASSIGNED, STATUS_CHANGED]
        t = bot.t(locale)
        assert [m.text for m in bot.api.messages(FAMILY)] == [
            un_view.submitted_text(t, case.number, date(2026, 11, 20)),
            staff_view.status_told(t, case.number, CaseStatus.LOCATED),
        ]
        assert [m.text for m in bot.api.messages(980)] == [assigned]
        assert not bot.api.messages(FAMILY)[0].text.startswith("Your case")  # translated
        assert "{" not in assigned
        assert await bot.services.notices.waiting() == []
        submitted = await bot.services.un.store.get(case.id)
        assert submitted.submitted_on == date(2026, 11, 20)
    finally:
        await bot.stop()
