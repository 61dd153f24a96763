"""The review and UN forms through the real application, read as the caseworker reads them
in kk, ru and ky: each question, the answers to bad input (a sticker, an impossible date,
10,000 characters, the wrong language, /back at the first question, a command mid-form),
a restart in the middle, and an update replayed after a crash that acts once and never
reaches the report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.domain.inputs import TextInput
from bot.domain.models import Case
from bot.domain.validators import InvalidInput
from bot.i18n import LOCALES, Translator
from bot.letters.sample import sample_reports
from bot.services.review import Editable
from handlers import texts
from handlers.app import RECOVERED
from handlers.commands import HELP_TEXT
from handlers.views import review as review_view
from handlers.views import un as un_view
from tests.support import START, Bot
from tests.test_review import FAMILY, case_with_letter
from tests.test_staff import make_staff
from tests.test_un import answers_of

ADMIN = 1  # an administrator of the stand-in bot (Bot.start)
CASEWORKER = 320
FAMILY_LOCALE = {"kk": "ky", "ru": "kk", "ky": "ru"}  # never the caseworker's own


def error(t: Translator, code: str, **params: object) -> str:
    return texts.error(t, InvalidInput(code, **params))


async def family_case(bot: Bot, locale: str) -> Case:
    """A family (Telegram id ``FAMILY``) and its case, as the report leaves them."""
    s = bot.services
    await s.store.create_user(s.user_key(FAMILY), FAMILY, locale, START)
    answers = answers_of(sample_reports()["kz_male"])
    return await s.store.create_case(s.user_key(FAMILY), "KZ", answers, "KZ", START)


@pytest.mark.parametrize("locale", LOCALES)
async def test_marking_a_submission_in_the_caseworkers_language(
    tmp_path: Path, locale: str
) -> None:
    bot = await Bot.start(tmp_path)
    try:
        t = bot.t(locale)
        case = await family_case(bot, FAMILY_LOCALE[locale])
        staff = bot.chat(ADMIN, locale)
        await staff.press_data(f"un:mark:{case.id}")
        date_question = un_view.ask_submission_date_text(t, case)
        assert staff.last_text() == date_question
        assert "{" not in date_question and case.number in date_question
        mark = staff.mark()
        await staff.send("/back")
        await staff.process(staff.make.sticker())
        await staff.send("31.02.2026")
        await staff.send("20.11.2026")
        assert staff.texts(mark) == [
            error(t, "at_start"),
            error(t, "need_text"),
            error(t, "date_impossible"),
            un_view.ask_reference_text(t),
        ]
        await staff.send("/help")  # a command mid-form answers, and the form waits
        assert t(HELP_TEXT) in staff.last_text()
        await staff.send("R" * 10_000)
        assert staff.last_text() == error(t, "text_too_long", max_len=100, length=10_000)
    finally:
        await bot.stop()
    bot = await Bot.start(tmp_path)  # the bot restarts: the form is where it was
    try:
        staff = bot.chat(ADMIN, locale)
        await staff.send("/back")
        assert staff.last_text() == un_view.ask_submission_date_text(t, case)
        await staff.send("19.11.2026")
        assert staff.last_text() == un_view.ask_reference_text(t)
        await staff.send("/skip")  # no reference yet
        on = date(2026, 11, 19)
        assert staff.last_text() == t(
            "Case {number} is marked as submitted to the UN on {date}.",
            number=case.number,
            date=t.date(on, "long"),
        )
        ft = bot.t(FAMILY_LOCALE[locale])
        assert bot.chat(FAMILY).last_text() == ft(
            "Your case {number} was submitted to the UN Working Group on Enforced or "
            "Involuntary Disappearances on {date}.",
            number=case.number,
            date=ft.date(on, "long"),
        )
        record = await bot.services.un.store.get(case.id)
        assert (record.submitted_on, record.reference) == (on, "")
        await staff.send("WGEID 2026/5")  # the form is closed: not a reference any more
        assert (await bot.services.un.store.get(case.id)).reference == ""
        # The translation's question says /cancel stops it: it does, for staff too.
        await staff.press_data(f"un:translate:{case.id}:e_story")
        await staff.send("/cancel")
        assert staff.last_text() == t("Cancelled. Nothing was changed.")
        await staff.send("Taken away by bus")
        assert (await bot.services.un.store.get(case.id)).translations == {}
    finally:
        await bot.stop()


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_correction_in_the_caseworkers_language(tmp_path: Path, locale: str) -> None:
    bot = await Bot.start(tmp_path)
    try:
        s = bot.services
        s.review.enabled = True
        case, row = await case_with_letter(s)
        await s.review.hold(FAMILY, case, [row])
        t = bot.t(locale)
        worker = await make_staff(bot, CASEWORKER, "caseworker", locale)
        await worker.press_data(f"review:fix:{row.id}:e_place")
        asked = review_view.ask_correction_text(t, Editable("e_place", "ru", "…"))
        assert worker.last_text().startswith(asked.split("«")[0])
        mark = worker.mark()
        await worker.send("/back")
        await worker.send("/skip")
        await worker.process(worker.make.sticker())
        await worker.send("x" * 10_000)
        await worker.send("Ростов облысы, жатақхана")  # Kazakh in a Russian letter
        assert worker.texts(mark) == [
            error(t, "at_start"),
            error(t, "not_optional"),
            error(t, "need_text"),
            error(t, "text_too_long", max_len=3000, length=10_000),
            review_view.form_error_text(t, InvalidInput("wrong_language")),
        ]
        wrong = "This text is not in the letter's language. Please write it in that language."
        assert worker.last_text() == t(wrong) != wrong  # translated, as every answer above
    finally:
        await bot.stop()
    bot = await Bot.start(tmp_path)
    try:
        bot.services.review.enabled = True
        worker = bot.chat(CASEWORKER, locale)
        fixed = "Ростовская область, город Шахты"
        await worker.send(fixed)
        assert worker.last_text().startswith(
            t("Saved. The letter above is made again with your text.")
        )
        assert fixed in worker.texts()[-4]  # the letter, its PDF and DOCX, the card
        fresh = await bot.services.store.get_case_by_id(case.id)
        assert fresh is not None and fresh.report.translations["e_place"]["ru"] == fixed
    finally:
        await bot.stop()


async def test_an_update_replayed_after_a_crash_acts_once(tmp_path: Path) -> None:
    bot = await Bot.start(tmp_path)
    try:
        case = await family_case(bot, "kk")
        staff = bot.chat(ADMIN, "ru")
        await staff.press_data(f"un:translate:{case.id}:e_story")
        update = staff.make.text("He was taken from the dormitory.")
    finally:
        await bot.stop()  # the bot dies before the text is processed
    bot = await Bot.start(tmp_path)
    try:
        staff = bot.chat(ADMIN, "ru")
        await staff.process(update)  # the inbox gives it again: taken once
        assert staff.texts()[0].startswith(bot.t("ru")("The translation is saved."))
        await staff.press_data(f"un:translate:{case.id}:e_place")
        update = staff.make.text("Rostov-on-Don")
        # The text is taken and acted on (its transaction commits), then the bot dies
        # before anything is sent or the update is marked as handled.
        s = bot.services
        actor = await s.staff.actor(s.user_key(ADMIN))
        form = await s.un.forms.current(actor.user_id)
        assert form is not None
        await s.un.answer_form(actor, form, TextInput("Rostov-on-Don"), update.update_id)
    finally:
        await bot.stop()
    bot = await Bot.start(tmp_path)
    try:
        bot.app.bot_data[RECOVERED] = {update.update_id}
        staff = bot.chat(ADMIN, "ru")
        await staff.process(update)  # replayed: not taken again, nor read as a report
        assert staff.texts() == []
        translations = (await bot.services.un.store.get(case.id)).translations
        assert translations == {
            "e_story": "He was taken from the dormitory.",
            "e_place": "Rostov-on-Don",
        }
        audit = [e.action for e in await bot.services.staff.audit.entries(limit=50)]
        assert audit.count("un_translation") == 2
    finally:
        await bot.stop()
