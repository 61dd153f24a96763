"""The guided report through the real application and the local Bot API stand-in."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain import questions as q
from bot.domain.report_form import Draft
from bot.i18n import LOCALES
from handlers import texts
from handlers.localapi import Fault
from handlers.report import CONSENT_TEXT, created_text
from tests.support import KZ_REPORT, Bot, Chat, consent, fill


async def step_of(chat: Chat) -> str | None:
    draft = await chat.bot.services.store.get_draft(chat.user_id)
    return draft.step if draft else None


async def draft_of(chat: Chat) -> Draft:
    draft = await chat.bot.services.store.get_draft(chat.user_id)
    assert draft is not None
    return draft


async def answers_of(chat: Chat) -> dict:
    draft = await chat.bot.services.store.get_draft(chat.user_id)
    assert draft is not None
    return draft.answers


async def advance_to(chat: Chat, key: str) -> None:
    """Answer the standard report until the draft stands at ``key``."""
    for action in KZ_REPORT:
        if await step_of(chat) == key:
            return
        await fill(chat, [action])
    assert await step_of(chat) == key


@pytest.mark.parametrize("locale", LOCALES)
async def test_whole_report_in_each_language(bot: Bot, locale: str) -> None:
    chat = bot.chat(100, locale)
    t = bot.t(locale)
    await chat.send("/start")
    assert "✓" in dict((d, txt) for txt, d in chat.last().buttons())[f"lang:{locale}"]
    await chat.press(f"lang:{locale}")
    assert chat.last_text() == t(CONSENT_TEXT)
    await chat.press(f"consent:{locale}:y")
    assert t(q.BY_KEY["r_name"].prompt) in chat.last_text()
    await fill(chat, KZ_REPORT)
    assert await step_of(chat) == q.REVIEW
    review = chat.last_text()
    for label in ("r_name", "m_name", "e_place", "evidence"):
        assert t(q.LABELS[label]) in review
    mark = chat.mark()
    await chat.press("confirm")
    assert any(created_text(t, "KZ-2026-0001") in text for text in chat.texts(mark))
    cases = await bot.services.store.cases_of(100)
    assert [c.number for c in cases] == ["KZ-2026-0001"]
    report = cases[0].report
    assert report.reporter_name == "Айгүл Төлөгөнова"
    assert report.reporter_phone == "+77011234567"
    assert report.missing_name == "Әлібек Құрманғазыұлы"
    assert (
        report.missing_birth_date is not None
        and report.missing_birth_date.isoformat() == "1994-03-18"
    )
    assert report.citizenship == "KZ" and report.missing_passport == "N12345678"
    assert report.missing_photo is not None
    assert [e.description for e in report.evidence] == ["Переписка с вербовщиком"]
    assert report.actions[0].body == "embassy" and report.actions[0].outcome == "form"
    assert await step_of(chat) is None  # the draft became the case


async def test_every_reply_is_in_the_chosen_language(bot: Bot) -> None:
    """After choosing Kyrgyz, no message falls back to another language's catalog."""
    chat = bot.chat(101, "ru")
    await consent(chat, "ky")
    await fill(chat, KZ_REPORT[:3])
    t = bot.t("ky")
    ru = bot.t("ru")
    prompt = q.BY_KEY["r_phone"].prompt
    assert t(prompt) in chat.last_text()
    assert ru(prompt) not in chat.last_text()


async def test_language_is_preselected_only_when_supported(bot: Bot) -> None:
    chat = bot.chat(102, "ky-KG")
    await chat.send("/start")
    marked = [d for txt, d in chat.last().buttons() if txt.startswith("✓")]
    assert marked == ["lang:ky"]
    other = bot.chat(103, "en")
    await other.send("/start")
    assert not [d for txt, d in other.last().buttons() if txt.startswith("✓")]


async def test_nothing_is_stored_before_consent(bot: Bot) -> None:
    chat = bot.chat(104, "ru")
    await chat.send("/start")
    await chat.press("lang:ru")
    await chat.send("Иванова Мария")  # before consent: the language picker again
    assert await bot.services.store.get_user(104) is None
    await chat.press("lang:ru")
    await chat.press("consent:ru:n")
    assert await bot.services.store.get_user(104) is None
    assert await step_of(chat) is None
    await chat.send("/start")
    await chat.press("lang:ru")
    await chat.press("consent:ru:y")
    assert (await bot.services.store.get_user(104)) is not None
    assert await step_of(chat) == "r_name"


async def test_change_language_mid_report_keeps_answers(bot: Bot) -> None:
    chat = bot.chat(105, "ru")
    await consent(chat, "ru")
    await fill(chat, KZ_REPORT[:2])
    await chat.send("/language")
    await chat.press("lang:kk")
    kk = bot.t("kk")
    assert kk(q.BY_KEY["r_gender"].prompt) in chat.last_text()
    assert (await answers_of(chat))["r_name"] == "Айгүл Төлөгөнова"
    assert await step_of(chat) == "r_gender"


BAD_INPUTS = [
    # (step, how, value, error code)
    ("r_name", "sticker", "", "need_text"),
    ("r_name", "location", "", "need_text"),
    ("r_name", "send", "x" * 10_000, "text_too_long"),
    ("r_name", "send", "12345", "name_invalid"),
    ("r_rel", "send", "кто-то", "use_buttons"),
    ("r_rel", "photo", "", "use_buttons"),
    ("r_phone", "send", "позвоните мне", "phone_invalid"),
    ("r_id", "send", "700315450121", "iin_checksum"),
    ("r_id", "send", "12345", "idnum_length"),
    ("m_birth", "send", "31.02.1990", "date_impossible"),
    ("m_birth", "send", "18.03.1876", "birth_too_old"),
    ("m_birth", "send", "18.03.2030", "date_future"),
    ("m_birth", "send", "вчера", "date_format"),
    ("m_latin", "send", "Әлібек", "latin_invalid"),
    ("m_photo", "send", "нет фото", "need_photo"),
    ("e_date", "send", "01.01.2027", "date_future"),
    ("e_date", "send", "01.01.1990", "date_before_birth"),
    ("evidence", "sticker", "", "file_type"),
    ("evidence", "exe", "", "file_type"),
    ("evidence", "huge", "", "file_too_big"),
    ("evidence", "send", "вот", "need_file"),
]


@pytest.mark.parametrize(("step", "how", "value", "code"), BAD_INPUTS)
async def test_bad_input_gets_a_clear_answer_and_loses_nothing(
    bot: Bot, step: str, how: str, value: str, code: str
) -> None:
    chat = bot.chat(110, "ru")
    t = bot.t("ru")
    await consent(chat, "ru")
    await advance_to(chat, step)
    before = dict(await answers_of(chat))
    mark = chat.mark()
    make = chat.make
    updates = {
        "send": lambda: make.text(value),
        "sticker": make.sticker,
        "location": make.location,
        "photo": make.photo,
        "exe": lambda: make.document("setup.exe", "application/x-msdownload"),
        "huge": lambda: make.document("video.pdf", "application/pdf", size=25_000_000),
    }
    await chat.process(updates[how]())
    replies = chat.texts(mark)
    assert replies[0].startswith(t(texts.ERRORS[code]).split("{")[0][:40])
    assert t(q.BY_KEY[step].prompt) in replies[-1]
    assert await step_of(chat) == step
    assert await answers_of(chat) == before


async def test_long_story_is_kept_up_to_the_limit_and_said_so(bot: Bot) -> None:
    chat = bot.chat(111, "kk")
    await consent(chat, "kk")
    await advance_to(chat, "e_story")
    mark = chat.mark()
    await chat.send("Ол кетті. " * 1000)
    assert await step_of(chat) == "e_resp"
    story = (await answers_of(chat))["e_story"]
    assert 2900 <= len(story) <= 3000
    assert "3" in chat.texts(mark)[0] and "000" in chat.texts(mark)[0]


@pytest.mark.parametrize(
    "phone",
    [
        "+7 701 123 45 67",
        "8 (701) 123-45-67",
        "87011234567",
        "+996 555 123 456",
        "0555 123 456",
        "+7 (912) 345-67-89",
    ],
)
async def test_phone_in_any_common_form(bot: Bot, phone: str) -> None:
    chat = bot.chat(112, "ru")
    await consent(chat, "ru")
    await advance_to(chat, "r_phone")
    await chat.send(phone)
    assert await step_of(chat) == "r_addr"
    assert (await answers_of(chat))["r_phone"].startswith(("+7", "+996"))


@pytest.mark.parametrize(
    "typed",
    [
        "18.03.2023",
        "18/03/2023",
        "2023-03-18",
        "18 марта 2023",
        "18 наурыз 2023",
        "2023-ж. 18-март",
    ],
)
async def test_dates_typed_in_many_forms(bot: Bot, typed: str) -> None:
    chat = bot.chat(113, "ru")
    await consent(chat, "ru")
    await advance_to(chat, "e_date")
    await chat.send(typed)
    assert (await answers_of(chat))["e_date"] == "2023-03-18"


async def test_back_skip_keep_and_edit_from_review(bot: Bot) -> None:
    chat = bot.chat(114, "ru")
    await consent(chat, "ru")
    await fill(chat, KZ_REPORT[:3])
    assert await step_of(chat) == "r_phone"
    await chat.send("/back")
    assert await step_of(chat) == "r_gender"
    await chat.press("back")
    assert await step_of(chat) == "r_rel"
    assert bot.t("ru")("Current answer: {value}", value="").split(":")[0] in chat.last_text()
    await chat.press("keep")
    await chat.press("keep")
    assert await step_of(chat) == "r_phone"
    await fill(chat, KZ_REPORT[3:])
    assert await step_of(chat) == q.REVIEW
    await chat.press("edit:mis")
    assert await step_of(chat) == "m_name"
    await chat.send("Әлібек Құрманғазыұлы-Серік")
    for _ in range(3):  # keep the Latin name, birth date and gender
        await chat.press("keep")
    await chat.press("KG")  # citizenship changes; the section continues
    assert await step_of(chat) == "m_id"
    await chat.send("21803199400012")
    await chat.press("keep")
    await chat.press("keep")
    assert await step_of(chat) == q.REVIEW
    answers = await answers_of(chat)
    assert answers["m_name"] == "Әлібек Құрманғазыұлы-Серік" and answers["m_cit"] == "KG"
    assert answers["e_story"].startswith("Его задержали")
    await chat.press("confirm")
    case = (await bot.services.store.cases_of(114))[0]
    assert case.number.startswith("KG-2026-")


async def test_skip_is_refused_for_required_questions(bot: Bot) -> None:
    chat = bot.chat(115, "ru")
    await consent(chat, "ru")
    await chat.send("/skip")
    # One reply: what was wrong, then the question again.
    assert chat.last_text().startswith(bot.t("ru")(texts.ERRORS["not_optional"]) + "\n\n")
    assert bot.t("ru")(q.BY_KEY["r_name"].prompt) in chat.last_text()
    assert await step_of(chat) == "r_name"


async def test_resume_after_restart(tmp_path: Path) -> None:
    bot = await Bot.start(tmp_path)
    chat = bot.chat(120, "ky")
    await consent(chat, "ky")
    await fill(chat, KZ_REPORT[:10])
    before = await answers_of(chat)
    step = await step_of(chat)
    bot = await bot.restart()
    try:
        chat = bot.chat(120, "ky")
        await chat.send("/start")
        t = bot.t("ky")
        assert chat.last_text().startswith(t("Welcome back. Here is where we stopped:"))
        assert t(q.BY_KEY[step].prompt) in chat.last_text()
        assert await answers_of(chat) == before
        await fill(chat, KZ_REPORT[10:])
        await chat.press("confirm")
        assert len(await bot.services.store.cases_of(120)) == 1
    finally:
        await bot.stop()


async def test_any_message_after_a_long_pause_shows_the_question_first(bot: Bot) -> None:
    chat = bot.chat(121, "ru")
    await consent(chat, "ru")
    await fill(chat, KZ_REPORT[:1])
    bot.clock.advance(timedelta(hours=5))
    await chat.send("Здравствуйте")
    assert await step_of(chat) == "r_rel"
    assert "r_rel" not in await answers_of(chat)
    assert bot.t("ru")(q.BY_KEY["r_rel"].prompt) in chat.last_text()


async def test_cancel_pauses_without_losing_answers(bot: Bot) -> None:
    chat = bot.chat(122, "ru")
    await consent(chat, "ru")
    await fill(chat, KZ_REPORT[:2])
    await chat.send("/cancel")
    await chat.send("Алматы")  # not taken as the answer to the gender question
    assert await step_of(chat) == "r_gender"
    assert (await answers_of(chat))["r_name"] == "Айгүл Төлөгөнова"
    await chat.press("f")
    assert (await answers_of(chat))["r_gender"] == "f"


async def test_update_delivered_twice_has_one_effect(bot: Bot) -> None:
    chat = bot.chat(123, "ru")
    await consent(chat, "ru")
    update = chat.make.text("Айгүл Төлөгөнова")
    await chat.process(update)
    await chat.process(update)
    assert await step_of(chat) == "r_rel"
    draft = await bot.services.store.get_draft(123)
    assert draft is not None and draft.history == ["r_name"]


async def test_double_tap_and_old_buttons(bot: Bot) -> None:
    chat = bot.chat(124, "ru")
    await consent(chat, "ru")
    await fill(chat, KZ_REPORT[:1])
    data, source = chat.button("mother")
    await chat.press_data(data, source.result)
    await chat.press_data(data, source.result)  # the second tap of a double tap
    assert await step_of(chat) == "r_gender"
    assert (await answers_of(chat))["r_rel"] == "mother"
    await chat.press("m")
    await chat.press_data("answer:r_gender:f", source.result)  # a button from an old message
    assert (await answers_of(chat))["r_gender"] == "m"
    assert await step_of(chat) == "r_phone"
    await chat.press_data("answer:bogus:zzz")  # forged data
    await chat.press_data("edit:nonsense")
    await chat.press_data("zz:1:2")
    assert await step_of(chat) == "r_phone"


async def test_commands_in_the_middle_of_the_report(bot: Bot) -> None:
    chat = bot.chat(125, "kk")
    t = bot.t("kk")
    await consent(chat, "kk")
    await fill(chat, KZ_REPORT[:2])
    await chat.send("/help")
    assert await step_of(chat) == "r_gender"
    assert chat.last_text().endswith(t("Your report is saved. Send /start to continue it."))
    await chat.send("/whatever")
    assert t("I do not know this command. /help lists what I can do.") in chat.last_text()
    assert t(q.BY_KEY["r_gender"].prompt) in chat.last_text()
    await chat.send("/mycases")
    await chat.press("m")
    assert (await answers_of(chat))["r_gender"] == "m"


async def test_a_failed_reply_never_shifts_the_next_answer(bot: Bot) -> None:
    chat = bot.chat(126, "ru")
    await consent(chat, "ru")
    bot.api.fail_next("sendMessage", Fault(timeout=True))
    await chat.send("Айгүл Төлөгөнова")  # stored, but the next question never arrives
    assert await step_of(chat) == "r_rel"
    await chat.send("/start")
    await chat.press("mother")
    answers = await answers_of(chat)
    assert answers["r_name"] == "Айгүл Төлөгөнова" and answers["r_rel"] == "mother"


async def test_edited_message_is_explained_not_applied(bot: Bot) -> None:
    chat = bot.chat(127, "ru")
    await consent(chat, "ru")
    await chat.process(chat.make.edited("Другое имя"))
    assert await step_of(chat) == "r_name"
    assert "/back" in chat.last_text()


async def test_evidence_loop_with_captions_undo_and_kinds(bot: Bot) -> None:
    chat = bot.chat(128, "ru")
    await consent(chat, "ru")
    await advance_to(chat, "evidence")
    make = chat.make
    await chat.process(make.photo("Фото из части"))
    await chat.process(make.voice())
    await chat.send("Голосовое от сына")
    await chat.process(make.video())
    await chat.process(
        make.document(
            "notes.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
    )  # previous one undescribed
    await chat.press("skip")
    await chat.press("undo")
    items = (await answers_of(chat))["evidence"]
    assert [i["kind"] for i in items] == ["photo", "voice", "video"]
    assert [i["description"] for i in items] == ["Фото из части", "Голосовое от сына", ""]
    await chat.press("done")
    assert await step_of(chat) == "actions"
    await chat.press("back")
    assert await step_of(chat) == "evidence"


async def test_actions_loop_with_other_body(bot: Bot) -> None:
    chat = bot.chat(129, "ru")
    await consent(chat, "ru")
    await advance_to(chat, "actions")
    await chat.press("other")
    await chat.send("Военкомат г. Ош")
    await chat.press("skip")  # date not remembered
    await chat.press("none")  # no answer: the loop's head again, no "what did they answer?"
    await chat.press("done")
    assert await step_of(chat) == q.REVIEW
    item = (await answers_of(chat))["actions"][0]
    assert item == {
        "body": "other",
        "body_text": "Военкомат г. Ош",
        "date": None,
        "outcome": "none",
        "reply": "",
    }


async def test_two_relatives_of_one_person_each_see_only_their_case(bot: Bot) -> None:
    mother, brother = bot.chat(130, "kk"), bot.chat(131, "ru")
    for chat, locale in ((mother, "kk"), (brother, "ru")):
        await consent(chat, locale)
        await fill(chat, KZ_REPORT)
        await chat.press("confirm")
    first = (await bot.services.store.cases_of(130))[0].number
    second = (await bot.services.store.cases_of(131))[0].number
    assert first != second
    await brother.send(f"/case {first}")
    assert brother.last_text() == bot.t("ru")(
        "You have no case with the number {number}.", number=first
    )
    await brother.send("/case XX-0000-0000")
    assert brother.last_text() == bot.t("ru")(
        "You have no case with the number {number}.", number="XX-0000-0000"
    )
    await mother.send(f"/case {first}")
    assert first in mother.last_text() and "Әлібек" in mother.last_text()
    await mother.send("/mycases")
    assert first in mother.last_text() and second not in mother.last_text()


async def test_a_relative_can_report_a_second_person(bot: Bot) -> None:
    chat = bot.chat(132, "ru")
    await consent(chat, "ru")
    await fill(chat, KZ_REPORT)
    await chat.press("confirm")
    await chat.send("/new")
    assert await step_of(chat) == "r_name"
    await fill(chat, KZ_REPORT)
    await chat.press("confirm")
    numbers = [c.number for c in await bot.services.store.cases_of(132)]
    assert numbers == ["KZ-2026-0001", "KZ-2026-0002"]


async def test_delete_removes_everything_after_confirmation(bot: Bot) -> None:
    chat = bot.chat(133, "ru")
    await consent(chat, "ru")
    await fill(chat, KZ_REPORT)
    await chat.press("confirm")
    await chat.send("/new")
    await fill(chat, KZ_REPORT[:3])
    await chat.send("/delete")
    await chat.press("delete:n")
    assert await bot.services.store.get_user(133) is not None
    await chat.send("/delete")
    await chat.press("delete:y")
    assert await bot.services.store.get_user(133) is None
    assert await bot.services.store.cases_of(133) == []
    assert await step_of(chat) is None
    raw = b"".join(p.read_bytes() for p in bot.config.db_path.parent.glob("izdeu.sqlite3*"))
    for secret in ("Айгүл".encode(), b"+77011234567", "Құрманғазыұлы".encode()):
        assert secret not in raw


async def test_chats_run_concurrently_and_each_chat_in_order(tmp_path: Path) -> None:
    bot = await Bot.start(tmp_path)
    bot.api.delay = 0.02
    in_flight = {"now": 0, "max": 0}
    real = bot.api.do_request

    async def counting(*args, **kwargs):
        in_flight["now"] += 1
        in_flight["max"] = max(in_flight["max"], in_flight["now"])
        try:
            return await real(*args, **kwargs)
        finally:
            in_flight["now"] -= 1

    bot.api.do_request = counting  # type: ignore[method-assign]
    try:
        chats = [bot.chat(200 + i, "ru") for i in range(5)]
        for chat in chats:
            await consent(chat, "ru")
        await bot.app.start()
        names = ["Айгүл Төлөгөнова", "mother", "f"]
        for chat in chats:
            await bot.app.update_queue.put(chat.make.text(names[0]))
            await bot.app.update_queue.put(chat.make.text("Мать"))  # the label, typed
            await bot.app.update_queue.put(chat.make.text("Женский"))
        await asyncio.wait_for(bot.app.update_queue.join(), 30)
        for chat in chats:
            answers = await answers_of(chat)
            assert answers["r_name"] == names[0]
            assert answers["r_rel"] == "mother" and answers["r_gender"] == "f"
        assert in_flight["max"] > 1
    finally:
        await bot.stop()


async def test_a_lost_reply_is_sent_again_once(bot: Bot) -> None:
    chat = bot.chat(140, "ru")
    await consent(chat, "ru")
    bot.api.fail_next("sendMessage", Fault(network=True))
    mark = chat.mark()
    await chat.send("Айгүл Төлөгөнова")
    assert bot.t("ru")(q.BY_KEY["r_rel"].prompt) in chat.texts(mark)[-1]
    assert await step_of(chat) == "r_rel"


async def test_a_button_after_cancel_resumes_the_report(bot: Bot) -> None:
    chat = bot.chat(141, "ru")
    await consent(chat, "ru")
    await fill(chat, KZ_REPORT[:1])
    await chat.send("/cancel")
    await chat.press("mother")  # the button of the question shown before /cancel
    await chat.press("f")
    answers = await answers_of(chat)
    assert answers["r_rel"] == "mother" and answers["r_gender"] == "f"


def _store_draft_as_before(
    bot: Bot,
    user_id: int,
    step: str,
    answers: dict,
    history: list[str],
    *,
    pending: dict | None = None,
    review_return: bool = False,
) -> None:
    """A draft row as every earlier version wrote it (columns step, answers, history,
    review_return, pending), by plain SQL: the report is now a form of the one engine,
    and what families left half-way must go on where it stopped."""
    with sqlite3.connect(bot.config.db_path) as db:
        db.execute(
            "UPDATE drafts SET step = ?, answers = ?, history = ?, review_return = ?, "
            "pending = ?, paused = 1 WHERE user_id = ?",
            (
                step,
                json.dumps(answers, ensure_ascii=False),
                json.dumps(history),
                int(review_return),
                json.dumps(pending, ensure_ascii=False) if pending is not None else None,
                user_id,
            ),
        )


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_draft_stored_before_resumes_in_the_middle_of_a_loop_item(
    bot: Bot, locale: str
) -> None:
    chat = bot.chat(160, locale)
    t = bot.t(locale)
    await consent(chat, locale)
    answers = {"r_name": "Айгүл Төлөгөнова", "evidence": [], "actions": []}
    before_loop = ["r_name", "r_rel", "evidence"]
    _store_draft_as_before(
        bot,
        160,
        q.ACTION_DATE,
        answers,
        [*before_loop, "actions", q.ACTION_OTHER],
        pending={"body": "other", "body_text": "Военкомат г. Ош"},
    )
    await chat.send("/start")
    assert chat.last_text().startswith(t("Welcome back. Here is where we stopped:"))
    assert texts.step_text(t, await draft_of(chat)) in chat.last_text()
    codes = [data for _, data in chat.last().buttons()]
    assert codes == [f"nav:{q.ACTION_DATE}:back", f"nav:{q.ACTION_DATE}:skip"]
    await chat.press("back")  # within the item: what was entered for it stays
    assert await step_of(chat) == q.ACTION_OTHER
    assert (await draft_of(chat)).pending == {"body": "other", "body_text": "Военкомат г. Ош"}
    await chat.send("Военкомат г. Ош")
    await chat.send("10.03.2026")
    await chat.press("answered")
    await chat.send("Сказали ждать")
    assert await step_of(chat) == "actions"
    assert (await answers_of(chat))["actions"] == [
        {
            "body": "other",
            "body_text": "Военкомат г. Ош",
            "date": "2026-03-10",
            "outcome": "answered",
            "reply": "Сказали ждать",
        }
    ]
    draft = await draft_of(chat)
    assert draft.history == before_loop and draft.pending is None
    await chat.press("back")  # the item's steps left no trace: back is the step before
    assert await step_of(chat) == "evidence"


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_draft_stored_before_at_the_review_card_is_confirmed(
    bot: Bot, locale: str
) -> None:
    filled = bot.chat(161, locale)
    await consent(filled, locale)
    await fill(filled, KZ_REPORT)
    complete = await draft_of(filled)
    assert complete.step == q.REVIEW
    t = bot.t(locale)

    # Stored while a section was corrected from the card: its end returns to the card.
    chat = bot.chat(162, locale)
    await consent(chat, locale)
    history = [*complete.history, q.REVIEW, "e_date", "e_how", "e_region", "e_place"]
    history += ["e_what", "e_story", "e_resp", "e_resp_text", "e_unit", "e_taken_region"]
    _store_draft_as_before(bot, 162, "e_contract", complete.answers, history, review_return=True)
    await chat.send("/start")
    assert t(q.BY_KEY["e_contract"].prompt) in chat.last_text()
    await chat.press("keep")
    assert await step_of(chat) == "e_renounced"
    await chat.press("keep")
    assert await step_of(chat) == q.REVIEW  # not on to the evidence: back to the card
    assert texts.review_card(t, complete.answers) in chat.last_text()

    # Stored at the card itself.
    _store_draft_as_before(bot, 161, q.REVIEW, complete.answers, complete.history)
    await filled.send("/start")
    assert texts.review_card(t, complete.answers) in filled.last_text()
    codes = [data for _, data in filled.last().buttons()]
    assert codes == [*(f"edit:{s.value}" for s in q.Section), "answer:review:confirm"] + [
        "nav:review:back"
    ]
    await filled.press("confirm")
    cases = await bot.services.store.cases_of(161)
    assert len(cases) == 1 and cases[0].report.missing_name == "Әлібек Құрманғазыұлы"
    assert await step_of(filled) is None
