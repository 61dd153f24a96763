"""The IIN and translation questions before the letters, through the real application in
Kazakh, Russian and Kyrgyz: what the family reads after each answer, good or bad, after
a restart, and when an update comes again after a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.validators import InvalidInput
from bot.i18n import LOCALES, Translator
from handlers.commands import HELP_TEXT
from handlers.views.letters import error_text, language_name
from tests.support import KZ_REPORT, Bot, Chat, consent, fill, give_translations, make_iin

IIN = make_iin("85010245012")
WRONG_CHECK_DIGIT = IIN[:11] + str((int(IIN[11]) + 1) % 10)
IIN_PROMPT = (
    "A letter to a Kazakh body must give your IIN (Administrative Procedural Code of "
    "Kazakhstan, article 63). Please send your IIN, 12 digits. If you have none, press "
    "the button."
)
TRANSLATION_PROMPT = (
    "A letter goes out in {language}, every word of it. This answer of yours is in "
    "another language ({what}):\n\n«{text}»\n\nPlease write it in {language}. Or leave "
    "the translation to the organisation: a caseworker writes it, and you get the "
    "letters that need it when it is done."
)
RUSSIAN_PLACE = "Общежитие в Ростове-на-Дону, на улице Текучёва"
KAZAKH_PLACE = "Ростов-на-Дону қаласы, Текучёв көшесіндегі жатақхана"


async def _at_the_iin_question(chat: Chat, bot: Bot, locale: str) -> int:
    """A Kazakh report without the applicant's IIN, confirmed; the letters in Kazakh."""
    steps = list(KZ_REPORT)
    at = next(i for i, (_a, v) in enumerate(steps) if v == make_iin("70031545012"))
    steps[at] = ("press", "skip")
    await consent(chat, locale)
    await fill(chat, steps)
    await chat.press("confirm")
    case = (await bot.services.store.cases_of(chat.user_id))[0]
    await chat.press(f"letters:prepare:{case.id}")
    await chat.press("all")
    await chat.press(f"letters:language:{case.id}:kk")
    return case.id


def _refused(chat: Chat, t: Translator, code: str, prompt: str, **params: object) -> None:
    """The reason, then the same question, in one message."""
    reason = error_text(t, InvalidInput(code, **params))
    assert chat.last_text() == reason + "\n\n" + prompt, chat.last_text()


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_iin_and_a_translation_in_three_languages(tmp_path: Path, locale: str) -> None:
    bot = await Bot.start(tmp_path)
    try:
        chat = bot.chat(700, locale)
        t = bot.t(locale)
        case_id = await _at_the_iin_question(chat, bot, locale)
        prompt = t(IIN_PROMPT)
        assert chat.last_text() == prompt
        [(no_iin_text, no_iin_data)] = chat.last().buttons()
        assert (no_iin_text, no_iin_data) == (t("I have no IIN"), f"letters:noiin:{case_id}")

        # Bad answers: each refused with its reason and the question again, nothing lost.
        await chat.send("12345")
        _refused(chat, t, "iin_length", prompt)
        await chat.send(WRONG_CHECK_DIGIT)
        _refused(chat, t, "iin_checksum", prompt)
        await chat.send("8" * 10_000)
        _refused(chat, t, "iin_length", prompt)
        await chat.process(chat.make.sticker())
        _refused(chat, t, "need_text", prompt)
        await chat.send("/back")
        _refused(chat, t, "at_start", prompt)
        await chat.send("/help")  # a command mid-form answers, and the form stays open
        assert t(HELP_TEXT) in "".join(chat.texts(chat.mark() - 2))

        # A restart: the question is still open, and the IIN typed now is taken.
        bot = await bot.restart()
        chat = bot.chat(700, locale)
        mark = chat.mark()
        await chat.send(f"{IIN[:6]} {IIN[6:]}")
        said = chat.texts(mark)
        assert said[0].startswith(t("Thank you, saved."))
        case = await bot.services.store.get_case_by_id(case_id)
        assert case is not None and case.report.reporter_id_number == IIN

        # The first text asked in Kazakh: the place, written in Russian in the report.
        language = language_name("kk", locale)
        first = t(
            TRANSLATION_PROMPT,
            language=language,
            what=t("where he or she was last seen"),
            text="Ростов-на-Дону, общежитие на ул. Текучёва",
        )
        assert chat.last_text().endswith(first)
        first_question = chat.last()
        await chat.send(RUSSIAN_PLACE)  # still Russian
        _refused(chat, t, "wrong_language", first, language="kk")
        assert language in chat.last_text()
        await chat.send("ә" * 10_000)
        _refused(chat, t, "text_too_long", first, max_len=3000, length=10_000)

        # A replay: the bot stopped after storing the text, before marking the update
        # done. The update that comes again is known by the write itself.
        answer = chat.make.text(KAZAKH_PLACE)
        operations = bot.services.operations
        handled = operations.handled

        async def killed_before_marking(update_id: int) -> None:
            return None

        operations.handled = killed_before_marking  # type: ignore[method-assign]
        await chat.process(answer)
        operations.handled = handled  # type: ignore[method-assign]
        assert chat.texts(mark)[-1] != first
        second = chat.last_text()
        mark = chat.mark()
        await chat.process(answer)
        assert chat.mark() == mark  # nothing said, nothing stored again, not the report
        case = await bot.services.store.get_case_by_id(case_id)
        assert case is not None and case.translations["e_place"]["kk"] == KAZAKH_PLACE
        assert [e.kind for e in case.events].count("translation") == 1

        # The old button under the first question belongs to an earlier message.
        [(_leave, old_leave)] = first_question.buttons()
        await chat.press_data(old_leave, first_question.result)
        assert chat.last_text() == t("That button belongs to an earlier message.")
        form = await bot.services.letters.forms.current(bot.services.user_key(700))
        assert form is not None and form.name == "translate"

        # /skip leaves the text asked now to the organisation (no "saved": nothing typed).
        mark = chat.mark()
        await chat.send("/skip")
        assert t("Thank you, saved.") not in "".join(chat.texts(mark))
        assert chat.last_text() != second
        options = await bot.services.letters.options(case)
        left = [tuple(x) for x in options["translate_by_org"]]
        assert left == [(form.data["field"], form.data["language"])]
        if locale == "ru":  # making the letters takes seconds: once is enough
            assert await give_translations(chat) > 0
            made = bot.api.sent(chat.user_id, "sendDocument")
            assert made, "the letters that need no text left to the organisation are made"
    finally:
        await bot.stop()
