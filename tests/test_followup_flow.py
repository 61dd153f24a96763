"""Follow-up through the real application: sent letters, deadlines, reminders, replies,
next letters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from telegram import Update
from telegram.ext import CallbackContext

from bot.domain.models import CaseStatus
from bot.domain.validators import InvalidInput
from handlers import jobs, routing, texts
from handlers.localapi import Fault
from tests.support import KZ_REPORT, Bot, Chat, consent, fill, give_translations


async def case_with_letters(bot: Bot, chat: Chat, locale: str = "ru") -> int:
    await consent(chat, locale)
    await fill(chat, KZ_REPORT)
    await chat.press("confirm")
    case = (await bot.services.store.cases_of(chat.user_id))[0]
    await chat.press(f"letters:prepare:{case.id}")
    await chat.press("all")
    await chat.press(f"letters:language:{case.id}:ru")
    await give_translations(chat)
    return case.id


async def letters(bot: Bot, case_id: int) -> dict[str, object]:
    rows = await bot.services.letters.store.letters_of(case_id)
    return {f"{r.addressee_id}/{r.kind}": r for r in rows}


async def mark_sent(
    chat: Chat, case_id: int, letter_ids: list[int], when: str, channel: str, tracking: str | None
) -> None:
    await chat.send("/track")
    await chat.press(f"track:sent:{case_id}")
    for letter_id in letter_ids:
        await chat.press(f"track:pick:{letter_id}")
    await chat.press("track:next:0")
    await chat.send(when)
    await chat.press(f"track:channel:{channel}")
    if channel == "registered":
        if tracking:
            await chat.send(tracking)
        else:
            await chat.press("track:skip:0")


async def test_mark_several_as_sent_shows_legal_deadlines(bot: Bot) -> None:
    chat = bot.chat(400, "ru")
    case_id = await case_with_letters(bot, chat)
    rows = await letters(bot, case_id)
    embassy, prosecutor = (
        rows["embassy_kz/consular_request"],
        rows["prosecutor_general/prosecutor_request"],
    )
    await mark_sent(
        chat, case_id, [embassy.id, prosecutor.id], "16.11.2026", "registered", "RA123456789KZ"
    )
    rows = await letters(bot, case_id)
    embassy, prosecutor = (
        rows["embassy_kz/consular_request"],
        rows["prosecutor_general/prosecutor_request"],
    )
    assert embassy.sent_on == date(2026, 11, 16) and embassy.tracking == "RA123456789KZ"
    # Kazakh body: 15 working days after an assumed 10-day delivery (26.11): 17.12.2026
    # (16 December, Independence Day, is a holiday in Kazakhstan).
    assert embassy.due_on is not None and embassy.due_on > date(2026, 12, 10)
    # Russian body: registration 3 days after an assumed delivery, then 30 days.
    assert prosecutor.due_on is not None and prosecutor.due_on > date(2026, 12, 25)
    t = bot.t("ru")
    summary = chat.last_text()
    assert (
        t(
            "Answer due by {due}: {term} ({source}).",
            due=t.date(prosecutor.due_on, "long"),
            term=t.ngettext("{n} calendar day", "{n} calendar days", 30),
            source=t("Instruction of the Prosecutor General of Russia, order No. 45"),
        )
        in summary
    )
    assert (
        t(
            "Answer due by {due}: {term} ({source}).",
            due=t.date(embassy.due_on, "long"),
            term=t.ngettext("{n} working day", "{n} working days", 15),
            source=t("Administrative Procedural Code of Kazakhstan, art. 76"),
        )
        in summary
    )
    case = await bot.services.store.get_case_by_id(case_id)
    assert case is not None and case.status == CaseStatus.LETTERS_SENT
    pending = await bot.services.followup.store.pending_reminders(400)
    assert {r.kind for r in pending} == {"prepare", "overdue", "digest"}


async def test_registration_number_makes_the_deadline_exact(bot: Bot) -> None:
    chat = bot.chat(401, "kk")
    case_id = await case_with_letters(bot, chat, "kk")
    prosecutor = (await letters(bot, case_id))["prosecutor_general/prosecutor_request"]
    await mark_sent(chat, case_id, [prosecutor.id], "02.11.2026", "online", None)
    await chat.press_data(f"track:regno:{prosecutor.id}")
    await chat.send("ОГ-12345/26")
    await chat.send("03.11.2026")
    row = (await letters(bot, case_id))["prosecutor_general/prosecutor_request"]
    assert row.reference == "ОГ-12345/26" and row.registered_on == date(2026, 11, 3)
    assert row.due_on == date(2026, 12, 3)  # 30 days from registration on 03.11.2026


async def test_reminders_before_and_after_the_deadline_then_escalation(tmp_path: Path) -> None:
    bot = await Bot.start(tmp_path)
    chat = bot.chat(402, "ru")
    try:
        case_id = await case_with_letters(bot, chat)
        embassy = (await letters(bot, case_id))["embassy_kz/consular_request"]
        await mark_sent(chat, case_id, [embassy.id], "21.11.2026", "in_person", None)
        embassy = (await letters(bot, case_id))["embassy_kz/consular_request"]
        assert embassy.due_on is not None
        assert await jobs.send_due_reminders(bot.app) == 0  # nothing is due yet

        # Three working days before the deadline, 10:00 in Almaty: the "prepare" reminder.
        pending = {r.kind: r for r in await bot.services.followup.store.pending_reminders(402)}
        prepare_at = pending["prepare"].due_at
        assert prepare_at.astimezone(timezone(timedelta(hours=5))).hour == 10
        assert (embassy.due_on - prepare_at.date()).days in (3, 4, 5)  # 3 working days
        bot.clock.set(prepare_at + timedelta(minutes=1))
        mark = chat.mark()
        assert await jobs.send_due_reminders(bot.app) == 2  # the weekly digest came due too
        soon = bot.t("ru")(
            "The answer from {body} is due soon.",
            body=bot.services.letters.directory["embassy_kz"].name("ru"),
        )
        assert any(soon in text for text in chat.texts(mark))

        # A restart before the deadline passes: nothing is sent twice, nothing is lost.
        bot = await bot.restart()
        chat = bot.chat(402, "ru")
        assert await jobs.send_due_reminders(bot.app) == 0

        # The morning after the deadline: the repeat request, ready to send.
        after = embassy.due_on + timedelta(days=1)
        bot.clock.set(datetime(after.year, after.month, after.day, 3, 30, tzinfo=UTC))
        assert await jobs.send_due_reminders(bot.app) == 0  # 08:30 in Almaty: too early
        bot.clock.set(datetime(after.year, after.month, after.day, 5, 0, tzinfo=UTC))
        mark = chat.mark()
        bot.api.fail_next("sendMessage", Fault(timeout=True))
        assert await jobs.send_due_reminders(bot.app) == 0  # a network error: retried later
        bot.clock.advance(timedelta(minutes=2))
        assert await jobs.send_due_reminders(bot.app) == 1
        docs = [c.files["document"][0] for c in bot.api.sent(402, "sendDocument")][-2:]
        assert any("repeat-request" in name and name.endswith(".pdf") for name in docs)
        rows = await letters(bot, case_id)
        repeat = rows["embassy_kz/repeat_request"]
        assert repeat.parent_id == embassy.id and repeat.trigger == "silence"
        assert len([r for r in rows.values() if r.kind == "repeat_request"]) == 1
        assert "RA" not in chat.texts(mark)[-1]
        assert await jobs.send_due_reminders(bot.app) == 0  # sent once, never again
    finally:
        await bot.stop()


async def test_form_reply_brings_the_complaint_letter_citing_earlier_letters(bot: Bot) -> None:
    chat = bot.chat(403, "ru")
    case_id = await case_with_letters(bot, chat)
    mod = (await letters(bot, case_id))["defence_ministry/search_request"]
    await mark_sent(chat, case_id, [mod.id], "01.10.2026", "registered", "RA000000001RU")
    await chat.press_data(f"track:regno:{mod.id}")
    await chat.send("ВП-777")
    await chat.press("track:skip:0")
    # First form reply: a repeat request to the same body.
    await chat.press_data(f"track:reply:{mod.id}")
    await chat.press("track:outcome:form")
    await chat.send("10.11.2026")
    await chat.process(chat.make.photo())
    mark = len(bot.api.sent(403))
    await chat.send("Сведениями не располагаем")
    # The reply is saved and the next letter named before that letter's document.
    after = bot.api.sent(403)[mark:]
    first_pdf = next(i for i, c in enumerate(after) if c.method == "sendDocument")
    said = "\n".join(c.text or "" for c in after[:first_pdf])
    assert said.index("Ответ сохранён.") < said.index("Следующий шаг")
    rows = await letters(bot, case_id)
    repeat = rows["defence_ministry/repeat_request"]
    assert repeat.trigger == "form_reply"
    pdfs = [
        c for c in bot.api.sent(403, "sendDocument") if "repeat-request" in c.files["document"][0]
    ]
    assert pdfs
    produced = await bot.services.letters.store.get_letter(repeat.id)
    assert produced is not None and produced.text is not None
    assert "ВП-777" in produced.text and "01.10.2026" in produced.text
    case = await bot.services.store.get_case_by_id(case_id)
    assert case is not None and case.status == CaseStatus.ANSWER_RECEIVED
    replies = await bot.services.followup.store.replies_of_case(case_id)
    assert replies[0].outcome == "form" and replies[0].file is not None


async def test_extension_moves_the_deadline_and_found_sets_the_status(bot: Bot) -> None:
    chat = bot.chat(404, "ru")
    case_id = await case_with_letters(bot, chat)
    rows = await letters(bot, case_id)
    prosecutor = rows["prosecutor_general/prosecutor_request"]
    icrc = rows["icrc/tracing_request"]
    await mark_sent(chat, case_id, [prosecutor.id, icrc.id], "01.10.2026", "email", None)
    before = (await letters(bot, case_id))["prosecutor_general/prosecutor_request"].due_on
    await chat.press_data(f"track:reply:{prosecutor.id}")
    await chat.press("track:outcome:extension")
    await chat.send("20.11.2026")
    await chat.send("30.12.2026")
    await chat.press("track:skip:0")
    await chat.press("track:skip:0")
    after = (await letters(bot, case_id))["prosecutor_general/prosecutor_request"].due_on
    assert before is not None and after is not None and after > before
    await chat.press_data(f"track:reply:{icrc.id}")
    await chat.press("track:outcome:found")
    await chat.press("track:day:0")
    await chat.press("track:skip:0")
    await chat.send("В госпитале в Ростове, жив")
    case = await bot.services.store.get_case_by_id(case_id)
    assert case is not None and case.status == CaseStatus.LOCATED


async def test_timeline_settings_and_old_form_buttons(bot: Bot) -> None:
    chat = bot.chat(405, "kk")
    case_id = await case_with_letters(bot, chat, "kk")
    prosecutor = (await letters(bot, case_id))["prosecutor_general/prosecutor_request"]
    await mark_sent(chat, case_id, [prosecutor.id], "01.11.2026", "online", None)
    await chat.press_data("track:channel:post")  # a button of a finished form
    t = bot.t("kk")
    assert chat.last_text() == t("That button belongs to an earlier message.")
    await chat.send("/timeline")
    timeline = chat.last_text()
    assert t("The case was reported.") in timeline
    assert (
        t(
            "Letter sent: {body}.",
            body=bot.services.letters.directory["prosecutor_general"].name("kk"),
        )
        in timeline
    )
    await chat.send("/settings")
    await chat.press("track:settings:Europe/Moscow")
    await chat.press("track:settings:off")
    user = await bot.services.store.get_user(405)
    assert user is not None and user.timezone == "Europe/Moscow" and not user.reminders_on
    assert await bot.services.followup.store.pending_reminders(405) == []


async def test_someone_elses_letters_cannot_be_tracked(bot: Bot) -> None:
    owner, other = bot.chat(406, "ru"), bot.chat(407, "ru")
    case_id = await case_with_letters(bot, owner)
    row = next(iter((await letters(bot, case_id)).values()))
    await consent(other, "ru")
    for data in (
        f"track:letter:{row.id}",
        f"track:reply:{row.id}",
        f"track:regno:{row.id}",
        f"track:sent1:{row.id}",
        f"track:sent:{case_id}",
        f"track:case:{case_id}",
        f"track:prepare:{row.id}",
    ):
        mark = other.mark()
        await other.press_data(data)
        assert other.texts(mark) == [bot.t("ru")("This is not available.")]
    assert await bot.services.followup.store.get_form(407) is None


async def test_a_blocked_user_gets_no_more_reminders_and_keeps_the_case(bot: Bot) -> None:
    chat = bot.chat(408, "ru")
    case_id = await case_with_letters(bot, chat)
    prosecutor = (await letters(bot, case_id))["prosecutor_general/prosecutor_request"]
    await mark_sent(chat, case_id, [prosecutor.id], "01.09.2026", "online", None)
    bot.clock.set(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))
    bot.api.fail_next(
        "sendMessage", Fault(status=403, description="Forbidden: bot was blocked by the user")
    )
    await jobs.send_due_reminders(bot.app)
    user = await bot.services.store.get_user(408)
    assert user is not None and user.blocked_at is not None
    assert await bot.services.followup.store.pending_reminders(408) == []
    assert await bot.services.store.get_case_by_id(case_id) is not None


async def test_a_button_of_the_old_codes_is_answered_as_old_and_changes_nothing(
    bot: Bot,
) -> None:
    """Buttons sent before the readable callback codes ("F:", "a:", "d:"…) still sit in
    families' chats: a tap says the button no longer works, in the family's language."""
    chat = bot.chat(406, "ky")
    case_id = await case_with_letters(bot, chat, "ky")
    row = (await letters(bot, case_id))["prosecutor_general/prosecutor_request"]
    t = bot.t("ky")
    for old in (f"F:c:{row.id}", f"F:s:{case_id}", "d:y", "a:r_gender:f", "m:new", "l:ru"):
        before = chat.mark()
        await chat.press_data(old)
        answer = bot.api.sent(method="answerCallbackQuery")[-1]
        assert answer.params.get("text") == t("This button no longer works."), old
        assert chat.texts(before) == [], old
    assert await bot.services.store.get_case_by_id(case_id) is not None  # "d:y" deleted nothing
    user = await bot.services.store.get_user(406)
    assert user is not None and user.locale == "ky"  # "l:ru" changed nothing
    await chat.press_data(f"track:letter:{row.id}")  # the same button in today's codes
    assert f"track:sent1:{row.id}" in [data for _, data in chat.last().buttons()]


async def test_back_and_skip_work_inside_a_followup_form(bot: Bot) -> None:
    chat = bot.chat(407, "ru")
    case_id = await case_with_letters(bot, chat, "ru")
    row = (await letters(bot, case_id))["prosecutor_general/prosecutor_request"]
    t = bot.t("ru")
    when = t("When did you send it? Press a button or write the date.")
    await chat.press_data(f"track:sent1:{row.id}")
    assert chat.last_text() == when
    await chat.send("02.11.2026")
    assert chat.last_text() == t("How did you send it?")
    await chat.send("/back")
    assert chat.last_text() == when
    before = chat.mark()
    await chat.send("/skip")  # the date cannot be left out
    assert chat.texts(before) == [texts.error(t, InvalidInput("not_optional")) + "\n\n" + when]
    await chat.send("03.11.2026")
    await chat.press("track:channel:post")
    sent = await bot.services.letters.store.get_letter(row.id)
    assert sent is not None and sent.sent_on == date(2026, 11, 3) and sent.channel == "post"


async def test_a_form_answer_processed_again_after_its_action_is_skipped(bot: Bot) -> None:
    """The bot stops after the registration number was kept and before the update was
    marked done: processed again at the next start, the date that completed the form is
    recognised as handled; it neither says anything nor becomes an answer of the report
    the family has open meanwhile."""
    chat = bot.chat(409, "ky")
    case_id = await case_with_letters(bot, chat, "ky")
    prosecutor = (await letters(bot, case_id))["prosecutor_general/prosecutor_request"]
    await mark_sent(chat, case_id, [prosecutor.id], "02.11.2026", "online", None)
    await chat.send("/new")  # a second report, its first question open
    await chat.press_data(f"track:regno:{prosecutor.id}")
    await chat.send("ОГ-12346/26")
    last = chat.make.text("03.11.2026")
    # The message's own handler only: the bot stops before the update's bookkeeping.
    await routing.route_message(last, CallbackContext.from_update(last, bot.app))
    row = (await letters(bot, case_id))["prosecutor_general/prosecutor_request"]
    assert row.registered_on == date(2026, 11, 3)
    draft = await bot.services.report.draft(bot.services.user_key(409))
    mark = chat.mark()
    await chat.process(Update.de_json(last.to_dict(), bot.app.bot))
    assert chat.mark() == mark
    assert await bot.services.report.draft(bot.services.user_key(409)) == draft


async def test_a_cards_prepare_button_makes_the_familys_letter(bot: Bot) -> None:
    """A letter not made yet (the report's letters the family did not choose) is made from
    its card, and its documents arrive."""
    chat = bot.chat(409, "kk")
    case_id = await case_with_letters(bot, chat, "kk")
    row = next(r for r in (await letters(bot, case_id)).values() if not r.generated_at)
    before = len(bot.api.sent(409, "sendDocument"))
    await chat.press_data(f"track:prepare:{row.id}")
    docs = bot.api.sent(409, "sendDocument")[before:]
    names = sorted(c.files["document"][0] for c in docs)
    assert [n.rsplit(".", 1)[-1] for n in names] == ["docx", "pdf"]
    made = await bot.services.letters.store.get_letter(row.id)
    assert made is not None and made.generated_at is not None
