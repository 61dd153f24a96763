"""A restart with a form open: the person is asked the form's question again.

Each test lets an update be acted on (its transaction commits) while every message the
bot tries to send fails, as if the process died before its reply went out; the bot is
then started again on the same database and the stored update is processed again, as
the inbox does at start-up. What the person reads then is checked: the family's next
text in kk, ru and ky, every other form in one of them (each restart costs a second).
Before, a person with a form open was asked nothing after such a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram import Update

from bot.domain.forms import Form
from bot.domain.inputs import TextInput
from bot.domain.staff_forms import TRANSLATION
from bot.i18n import LOCALES
from bot.letters.translations import texts
from bot.services.letters import Needed
from bot.services.review import Editable
from bot.un.translation import texts_to_translate
from handlers.app import RECOVERED
from handlers.localapi import Fault
from handlers.views import followup as followup_view
from handlers.views import letters as letter_view
from handlers.views import review as review_view
from handlers.views import un as un_view
from tests.support import KZ_REPORT_TRANSLATIONS, Bot, Chat
from tests.test_followup_flow import case_with_letters
from tests.test_review import case_with_letter
from tests.test_review_un_forms_chat import family_case
from tests.test_staff import make_staff, reported_case

ADMIN = 1


async def unanswered(bot: Bot, chat: Chat, update: Update) -> None:
    """``update`` is acted on, and every reply to it is lost on the way."""
    for _ in range(20):
        bot.api.fail_next("sendMessage", Fault(network=True))
    await chat.process(update)
    bot.api.faults.clear()


async def replayed(tmp_path: Path, bot: Bot, user_id: int, locale: str, update: Update) -> Bot:
    """The bot starts again on the same database; the stored update comes again."""
    await bot.stop()
    bot = await Bot.start(tmp_path)
    bot.app.bot_data[RECOVERED] = {update.update_id}
    await bot.chat(user_id, locale).process(update)
    return bot


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_familys_next_text_to_translate_is_asked_after_a_restart(
    tmp_path: Path, locale: str
) -> None:
    bot = await Bot.start(tmp_path)
    family = bot.chat(900, locale)
    case_id = await reported_case(bot, family, locale)
    await family.press(f"letters:prepare:{case_id}")
    await family.press("all")
    await family.press(f"letters:language:{case_id}:kk")
    key = bot.services.user_key(900)
    first = await bot.services.followup.forms.current(key)
    assert first is not None and first.name == "translate"
    case = await bot.services.store.get_case_by_id(case_id)
    assert case is not None
    original = texts(case.report)[first.data["field"]]
    given = KZ_REPORT_TRANSLATIONS[original][first.data["language"]]
    answer = family.make.text(given)
    await unanswered(bot, family, answer)
    bot = await replayed(tmp_path, bot, 900, locale, answer)
    try:
        form = await bot.services.followup.forms.current(key)
        assert form is not None and form.name == "translate" and form != first
        case = await bot.services.store.get_case_by_id(case_id)
        assert case is not None
        nxt = Needed(
            form.data["field"], form.data["language"], texts(case.report)[form.data["field"]]
        )
        question, markup = letter_view.translation_question(bot.t(locale), case, nxt)
        sent = bot.api.messages(900)
        assert [m.text for m in sent] == [question]
        assert sent[0].buttons() == [
            (b.text, b.callback_data) for r in markup.inline_keyboard for b in r
        ]
        assert case.translations[first.data["field"]][first.data["language"]] == given
    finally:
        await bot.stop()


async def test_the_next_text_is_open_even_if_the_bot_dies_before_asking_it(
    tmp_path: Path,
) -> None:
    """The family's translation and the form of the next text are one transaction: the
    process dying right after it (here: the separate opening fails) leaves it open."""
    bot = await Bot.start(tmp_path)
    try:
        family = bot.chat(901, "kk")
        case_id = await reported_case(bot, family, "kk")
        await family.press(f"letters:prepare:{case_id}")
        await family.press("all")
        await family.press(f"letters:language:{case_id}:kk")
        s = bot.services
        key = s.user_key(901)
        first = await s.followup.forms.current(key)
        assert first is not None and first.name == "translate"
        case = await s.store.get_case_by_id(case_id)
        assert case is not None
        original = texts(case.report)[first.data["field"]]

        async def dies(*_args: object, **_kwargs: object) -> Form:
            raise RuntimeError("the process died")

        s.letters.forms.begin = dies  # type: ignore[method-assign]
        with pytest.raises(RuntimeError):
            await s.letters.answer_form(
                key, first, TextInput(KZ_REPORT_TRANSLATIONS[original]["kk"]), 77
            )
        form = await s.followup.forms.current(key)
        assert form is not None and form.name == "translate"
        assert (form.data["field"], form.data["language"]) != (first.data["field"], "kk")
        assert await s.operations.already_handled(77)
    finally:
        await bot.stop()


@pytest.mark.parametrize("locale", ["ky"])  # one language each: restarts cost
async def test_a_staff_members_next_text_to_translate_after_a_restart(
    tmp_path: Path, locale: str
) -> None:
    bot = await Bot.start(tmp_path)
    family = bot.chat(910, "kk")
    case_id = await reported_case(bot, family, "kk")
    await family.press(f"letters:prepare:{case_id}")
    await family.press("all")
    await family.press(f"letters:language:{case_id}:kk")
    key = bot.services.user_key(910)
    while (form := await bot.services.followup.forms.current(key)) and form.name == "translate":
        await family.press_data(f"letters:org:{case_id}")
    worker = await make_staff(bot, 911, "caseworker", locale)
    await worker.press_data(f"staff:translate:{case_id}")
    first = await bot.services.followup.forms.current(911)
    assert first is not None and first.name == TRANSLATION.name
    case = await bot.services.store.get_case_by_id(case_id)
    assert case is not None
    original = texts(case.report)[first.data["field"]]
    answer = worker.make.text(KZ_REPORT_TRANSLATIONS[original][first.data["language"]])
    await unanswered(bot, worker, answer)
    bot = await replayed(tmp_path, bot, 911, locale, answer)
    try:
        form = await bot.services.followup.forms.current(911)
        assert form is not None and form.name == TRANSLATION.name and form != first
        later = texts(case.report)[form.data["field"]]
        sent = bot.api.messages(911)
        assert len(sent) == 1 and f"«{later[:1500]}»" in sent[0].text
        t = bot.t(locale)
        head = t(
            "Case {number}: write this text in {language} ({what}). It goes into the letters "
            "as you write it.\n\n«{text}»",
            number=case.number,
            language="",
            what="",
            text="",
        )
        assert sent[0].text.startswith(head.split("«")[0].split(" ")[0])
        assert head != "Case {number}"  # translated in each language
    finally:
        await bot.stop()


@pytest.mark.parametrize("locale", ["ru"])  # one language each: restarts cost
async def test_a_staff_note_message_and_the_familys_answer_asked_again(
    tmp_path: Path, locale: str
) -> None:
    bot = await Bot.start(tmp_path)
    family = bot.chat(920, locale)
    case_id = await reported_case(bot, family, locale)
    worker = await make_staff(bot, 921, "caseworker", locale)
    press = worker.make.press(f"staff:note:{case_id}")
    await unanswered(bot, worker, press)
    bot = await replayed(tmp_path, bot, 921, locale, press)
    t = bot.t(locale)
    number = (await bot.services.store.get_case_by_id(case_id)).number  # type: ignore[union-attr]
    assert [m.text for m in bot.api.messages(921)] == [
        t("Write the note for case {number}:", number=number)
    ]
    worker = bot.chat(921, locale)
    press = worker.make.press(f"staff:message:{case_id}")
    await unanswered(bot, worker, press)
    bot = await replayed(tmp_path, bot, 921, locale, press)
    t = bot.t(locale)
    assert [m.text for m in bot.api.messages(921)] == [
        t(
            "Write the message to the family of case {number}. It goes "
            "through the bot: they do not see your name or number.",
            number=number,
        )
    ]
    await bot.chat(921, locale).send("Please send a photo of the passport.")
    family = bot.chat(920, locale)
    press = family.make.press(family.bot.api.messages(920)[-1].buttons()[0][1])
    await unanswered(bot, family, press)
    bot = await replayed(tmp_path, bot, 920, locale, press)
    try:
        t = bot.t(locale)
        asked = t("Write your answer; it goes to the organisation through the bot.")
        assert asked != "Write your answer; it goes to the organisation through the bot."
        assert [m.text for m in bot.api.messages(920)] == [asked]
    finally:
        await bot.stop()


@pytest.mark.parametrize("locale", ["kk"])  # one language each: restarts cost
async def test_a_review_correction_and_note_asked_again(tmp_path: Path, locale: str) -> None:
    bot = await Bot.start(tmp_path)
    s = bot.services
    s.review.enabled = True
    case, row = await case_with_letter(s)
    await s.review.hold(case.reporter_id, case, [row])
    worker = await make_staff(bot, 930, "caseworker", locale)
    press = worker.make.press(f"review:fix:{row.id}:e_place")
    await unanswered(bot, worker, press)
    bot = await replayed(tmp_path, bot, 930, locale, press)
    t = bot.t(locale)
    item = await bot.services.review.form_question(
        await bot.services.staff.actor(930),
        Form("review_fix", "text", {"letter_id": row.id, "field": "e_place"}),
    )
    assert isinstance(item, Editable)
    assert [m.text for m in bot.api.messages(930)] == [review_view.ask_correction_text(t, item)]
    worker = bot.chat(930, locale)
    press = worker.make.press(f"review:back:{row.id}")
    await unanswered(bot, worker, press)
    bot = await replayed(tmp_path, bot, 930, locale, press)
    try:
        assert [m.text for m in bot.api.messages(930)] == [
            review_view.ask_note_text(bot.t(locale))
        ]
    finally:
        await bot.stop()


@pytest.mark.parametrize("locale", ["ky"])  # one language each: restarts cost
async def test_a_un_submission_and_translation_asked_again(tmp_path: Path, locale: str) -> None:
    bot = await Bot.start(tmp_path)
    case = await family_case(bot, "kk")
    staff = bot.chat(ADMIN, locale)
    press = staff.make.press(f"un:mark:{case.id}")
    await unanswered(bot, staff, press)
    bot = await replayed(tmp_path, bot, ADMIN, locale, press)
    t = bot.t(locale)
    assert [m.text for m in bot.api.messages(ADMIN)] == [un_view.ask_submission_date_text(t, case)]
    staff = bot.chat(ADMIN, locale)
    typed = staff.make.text("20.11.2026")
    await unanswered(bot, staff, typed)
    bot = await replayed(tmp_path, bot, ADMIN, locale, typed)
    t = bot.t(locale)
    assert [m.text for m in bot.api.messages(ADMIN)] == [un_view.ask_reference_text(t)]
    staff = bot.chat(ADMIN, locale)
    press = staff.make.press(f"un:translate:{case.id}:e_story")
    await unanswered(bot, staff, press)
    bot = await replayed(tmp_path, bot, ADMIN, locale, press)
    try:
        t = bot.t(locale)
        pending = next(p for p in texts_to_translate(case.answers) if p.key == "e_story")
        asked = (
            t(
                "Write the English translation of «{field}». The family's text:",
                field=t(pending.label),
            )
            + "\n\n"
            + pending.original
            + "\n\n"
            + t("Send - to leave this text out of the submission. /cancel stops.")
        )
        assert [m.text for m in bot.api.messages(ADMIN)] == [asked]
    finally:
        await bot.stop()


@pytest.mark.parametrize("locale", ["kk"])  # one language each: restarts cost
async def test_a_followup_form_asked_again(tmp_path: Path, locale: str) -> None:
    bot = await Bot.start(tmp_path)
    family = bot.chat(940, locale)
    case_id = await case_with_letters(bot, family, locale)
    await family.send("/track")
    press = family.make.press(f"track:sent:{case_id}")
    await unanswered(bot, family, press)
    bot = await replayed(tmp_path, bot, 940, locale, press)
    try:
        form = await bot.services.followup.forms.current(bot.services.user_key(940))
        assert form is not None and form.step == "pick"
        sent = bot.api.messages(940)
        assert [m.text for m in sent] == [followup_view.form_prompt(bot.t(locale), form)]
        assert any(data.startswith("track:pick:") for _, data in sent[0].buttons())
    finally:
        await bot.stop()
