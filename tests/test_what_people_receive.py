"""Scripted journeys through the real application, read the way people read them.

A family in each language goes from /start to letters, tracking, a reply, an
escalation letter, /timeline, /settings and /delete; a caseworker, a volunteer
and an administrator use every staff command and button. ``tests.readers``
collects everything sent (texts, buttons, file names, the text of documents)
and lists what a person should never see.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain.models import CaseStatus
from bot.vocabulary import TIMEZONE_NAMES
from handlers import jobs
from tests.readers import Reading
from tests.support import KZ_REPORT, Bot, Chat, consent, fill

# Ids long enough that finding one in a text can only mean the id was shown.
ADMIN, CASEWORKER, VOLUNTEER = 7301000001, 7301000002, 7301000003
FAMILY = {"kk": 7302000001, "ru": 7302000002, "ky": 7302000003}
# 07:17 UTC: 12:17 in Almaty, 13:17 in Bishkek, 10:17 in Moscow; no two zones alike.
START = datetime(2026, 11, 21, 7, 17, tzinfo=UTC)
ZONE = {"KZ": "Asia/Almaty", "KG": "Asia/Bishkek"}

KG_PIN = "11503197000123"  # 1: a woman, born 15.03.1970
KG_REPORT = [
    ("send", "Гүлнара Асанова"),
    ("press", "mother"),
    ("press", "f"),
    ("contact", "+996555123456"),
    ("send", "Бишкек ш., Чүй проспекти 100, 720000"),
    ("send", "gulnara@example.kg"),
    ("send", KG_PIN),
    ("send", "Нурлан Асанов"),
    ("send", "NURLAN ASANOV"),
    ("send", "18.03.1994"),
    ("press", "m"),
    ("press", "KG"),
    ("press", "skip"),
    ("send", "AC1234567"),
    ("photo", ""),
    ("send", "5.03.2026"),
    ("press", "call"),
    ("send", "ростов"),
    ("press", "RU-ROS"),
    ("send", "Ростов-на-Дону"),
    ("press", "force"),
    ("press", "done"),
    ("send", "Аны жатаканадан алып кетишти."),
    ("press", "pmc"),
    ("send", "Жалдоочу Иван"),
    ("press", "skip"),
    ("press", "skip"),
    ("press", "no"),
    ("press", "unk"),
    ("press", "done"),
    ("press", "done"),
]
# The applicants' addresses, given again in Russian for the letters to Russian bodies.
RUSSIAN_ADDRESS = {
    False: "г. Алматы, пр. Абая, 1, кв. 2, 050000",
    True: "г. Бишкек, пр. Чуй, 100, 720000",
}
# Everything the families typed: their own words may appear in any script.
TYPED = [v for a, v in KZ_REPORT + KG_REPORT if a in ("send", "contact") and v] + [
    "screenshot.pdf",
    "RA123456789KZ",
    "ОГ-12345/26",
    "Сведениями не располагаем",
    "Здравствуйте! Получили ли вы ответ из посольства?",
    "Да, пришла отписка",
    "Позвонили семье, ждут ответа из ГВП",
    "700315450120",
    *RUSSIAN_ADDRESS.values(),
]


def reading_for(bot: Bot) -> Reading:
    reading = Reading(bot.api, bot.clock, is_letter=_is_letter)
    reading.typed(*TYPED)
    reading.extra_moments.append(timedelta(hours=bot.config.invite_hours))
    return reading


def _is_letter(call: object) -> bool:
    """Letters (documents and their text for online forms) follow the addressee's language."""
    files = getattr(call, "files", {})
    names = [f[0] for f in files.values()]
    if names:
        return not any("dossier" in n or n.startswith(("cases", "stats", "izdeu")) for n in names)
    text = getattr(call, "text", "")
    return text.startswith(
        (
            "В ",
            "Генеральному",
            "Главному",
            "Министр",
            "Уполномоч",
            "Председател",
            "Международн",
            "Посольств",
            "Руководител",
        )
    )


async def _start(tmp_path: Path) -> Bot:
    from tests.support import ManualClock

    return await Bot.start(tmp_path, ManualClock(START), admin_ids=frozenset({ADMIN}))


async def family_journey(bot: Bot, chat: Chat, locale: str, report: list) -> int:
    """From /start to letters, tracking, a reply, an escalation letter, /timeline,
    /settings; returns the case id (the family deletes its data later)."""
    await consent(chat, locale)
    await fill(chat, report)
    await chat.press("confirm")
    case = (await bot.services.store.cases_of(chat.user_id))[0]
    await chat.press(f"L:g:{case.id}")
    await chat.press("all")
    await chat.press(f"L:n:{case.id}:ru")
    for _ in range(3):  # the family gives in Russian what it wrote in its own language
        if not any(d and d.startswith("L:o:") for _, d in chat.last().buttons()):
            break
        await chat.send(RUSSIAN_ADDRESS[report is KG_REPORT])
    rows = {r.addressee_id: r for r in await bot.services.letters.store.letters_of(case.id)}
    mod = rows["defence_ministry"]
    await chat.send("/track")
    await chat.press(f"F:s:{case.id}")
    await chat.press(f"F:p:{mod.id}")
    await chat.press("F:n:0")
    t = bot.t(locale)  # one letter: "When did you send it?", not "them"
    assert chat.last_text() == t("When did you send it? Press a button or write the date.")
    await chat.send("16.11.2026")
    await chat.press("F:h:registered")
    await chat.send("RA123456789KZ")
    await chat.press_data(f"F:r:{mod.id}")
    await chat.send("ОГ-12345/26")
    await chat.press("F:k:0")
    await chat.send("/track")
    bot.clock.advance(timedelta(hours=2, minutes=3))
    await chat.press_data(f"F:a:{mod.id}")
    await chat.press("F:o:form")
    await chat.send("20.11.2026")
    await chat.process(chat.make.photo())
    await chat.send("Сведениями не располагаем")
    await chat.send("/timeline")
    await chat.send("/mycases")
    short = re.sub(r"-0+(\d)", r"-\1", case.number.lower())  # kz-2026-1, as people type it
    await chat.send(f"/case {short}")
    assert chat.last_text().startswith(bot.t(locale)("Case {number}", number=case.number))
    await chat.send("/settings")
    await chat.send("/help")
    return case.id


async def silence_and_reminders(bot: Bot, chat: Chat) -> None:
    """A letter sent and never answered: the reminders and the overdue letter."""
    case = (await bot.services.store.cases_of(chat.user_id))[0]
    rows = {r.addressee_id: r for r in await bot.services.letters.store.letters_of(case.id)}
    embassy = next(r for k, r in rows.items() if k.startswith("embassy"))
    await chat.send("/track")
    await chat.press(f"F:s:{case.id}")
    await chat.press(f"F:p:{embassy.id}")
    await chat.press("F:n:0")
    await chat.send("21.11.2026")
    await chat.press("F:h:in_person")
    embassy = await bot.services.letters.store.get_letter(embassy.id)
    assert embassy is not None and embassy.due_on is not None
    for reminder in sorted(
        await bot.services.followup.store.pending_reminders(chat.user_id), key=lambda r: r.due_at
    ):
        bot.clock.set(reminder.due_at + timedelta(minutes=7))
        await jobs.send_due_reminders(bot.app)


async def delete_everything(chat: Chat) -> None:
    await chat.send("/delete")
    await chat.press("d:y")


def assert_clean(reading: Reading) -> None:
    problems = reading.problems()
    shown = int(os.environ.get("SHOW_PROBLEMS", "60"))  # how many to print
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:shown])


async def _family(tmp_path: Path, locale: str, report: list, citizenship: str) -> None:
    bot = await _start(tmp_path)
    try:
        reading = reading_for(bot)
        chat = bot.chat(FAMILY[locale], locale)
        reading.reader(chat.user_id, locale, ZONE[citizenship])
        await family_journey(bot, chat, locale, report)
        await silence_and_reminders(bot, chat)
        await chat.send("/settings")  # the zone follows the phone and citizenship
        assert bot.t(locale)(TIMEZONE_NAMES[ZONE[citizenship]]) in chat.last_text()
        await delete_everything(chat)
        assert_clean(reading)
        t = bot.t(locale)
        assert (
            t("Letters already sent in this chat stay in it: delete them in Telegram if you wish.")
            in chat.last_text()
        )
    finally:
        await bot.stop()


async def test_a_kazakh_family_reads_only_kazakh(tmp_path: Path) -> None:
    await _family(tmp_path, "kk", KZ_REPORT, "KZ")


async def test_a_russian_speaking_family_reads_only_russian(tmp_path: Path) -> None:
    await _family(tmp_path, "ru", KZ_REPORT, "KZ")


async def test_a_kyrgyz_family_reads_only_kyrgyz_in_bishkek_time(tmp_path: Path) -> None:
    await _family(tmp_path, "ky", KG_REPORT, "KG")


async def _invite(by: Chat, role: str) -> str:
    await by.send(f"/invite {role}")
    match = re.search(r"start=inv_([A-Za-z0-9_-]+)", by.last_text())
    assert match, by.last_text()
    return match.group(1)


async def test_staff_read_names_numbers_and_their_own_language(tmp_path: Path) -> None:
    """An administrator (ru), a caseworker (kk) and a volunteer (ky) through every staff
    command and button, with a Kazakh family's case."""
    bot = await _start(tmp_path)
    try:
        reading = reading_for(bot)
        family = bot.chat(FAMILY["kk"], "kk")
        reading.reader(family.user_id, "kk", "Asia/Almaty")
        reading.skip_files.add(family.user_id)  # its letters are read by the family journey
        admin = bot.chat(ADMIN, "ru")
        admin.make.user = admin.make.user.__class__(
            id=ADMIN, first_name="Алия", last_name="Сейткали", is_bot=False, language_code="ru"
        )
        reading.reader(ADMIN, "ru", "Asia/Almaty")
        case_id = await family_journey(bot, family, "kk", KZ_REPORT)
        case = await bot.services.store.get_case_by_id(case_id)
        assert case is not None
        number = case.number

        caseworker = bot.chat(CASEWORKER, "kk")
        caseworker.make.user = caseworker.make.user.__class__(
            id=CASEWORKER, first_name="Дана", is_bot=False, username="dana_kw", language_code="kk"
        )
        reading.reader(CASEWORKER, "kk", "Europe/Moscow")  # chosen below
        await caseworker.send(f"/start inv_{await _invite(admin, 'caseworker')}")
        await caseworker.send("/settings")
        await caseworker.press("staff:zone:Europe/Moscow")
        volunteer = bot.chat(VOLUNTEER, "ky")
        volunteer.make.user = volunteer.make.user.__class__(
            id=VOLUNTEER, first_name="Бакыт", is_bot=False, language_code="ky"
        )
        reading.reader(VOLUNTEER, "ky", "Asia/Bishkek")  # the volunteer's own zone, below
        await volunteer.send(f"/start inv_{await _invite(caseworker, 'volunteer')}")
        await volunteer.send("/settings")
        await volunteer.press("staff:zone:Asia/Bishkek")
        reading.typed("Алия Сейткали", "Дана", "Бакыт", "Бакыт Асанов")

        for chat in (admin, caseworker):
            await chat.send("/cases")
            await chat.press_data("staff:filter:s:xx00x")
            await chat.press_data("staff:filter:c:xx00x")
            await chat.press_data("staff:filter:o:xx00x")
            await chat.press_data("staff:filter:v:xx00x")
            since = chat.mark()
            await chat.send("/case " + re.sub(r"-0+(\d)", r"-\1", number.lower()))
            dossier = "\n".join(chat.texts(since))  # a long dossier comes in several messages
            assert number in dossier
        kk = bot.t("kk")  # the family's answers labelled for a third person
        assert kk("Applicant's full name") in dossier and kk("Your name") not in dossier
        await caseworker.press_data(f"staff:volunteers:{case_id}")
        await caseworker.press_data(f"staff:assign:{case_id}:{VOLUNTEER}")
        await caseworker.press_data(f"staff:verified:{case_id}")
        await caseworker.press_data(f"staff:details:{case_id}")
        await caseworker.press_data(f"staff:statuses:{case_id}")
        index = list(CaseStatus).index(CaseStatus.IN_CONTACT)
        await caseworker.press_data(f"staff:status:{case_id}:{index}")
        await caseworker.press_data(f"staff:note:{case_id}")
        await caseworker.send("Позвонили семье, ждут ответа из ГВП")
        await volunteer.send("/my")
        await volunteer.send("/due")
        await volunteer.press_data(f"staff:case:{case_id}")
        await volunteer.press_data(f"staff:statuses:{case_id}")
        await volunteer.press_data(f"staff:message:{case_id}")
        await volunteer.send("Здравствуйте! Получили ли вы ответ из посольства?")
        data, message = family.button(f"staff:answer:{case_id}:{VOLUNTEER}")
        await family.press_data(data, message.result)
        await family.send("Да, пришла отписка")
        await volunteer.press_data(f"staff:message:{case_id}")
        await volunteer.send("Спасибо")
        reading.typed("Спасибо")
        await caseworker.press_data(f"staff:pdf:{case_id}")
        await caseworker.send("/stats")
        await caseworker.press("export:stats:0:-.-.-.-")
        await caseworker.send("/export")
        await caseworker.press("export:xlsx:0:-.-.-.-")
        await caseworker.send("/export")
        await caseworker.press("export:csv:0:-.-.-.-")
        await caseworker.send("/audit")
        await admin.send("/audit")
        await admin.send("/invites")
        code = await _invite(admin, "volunteer")
        await admin.send("/invites")
        await admin.press(f"staff:revoke:{code}")
        await admin.send("/staff")
        await admin.send("/help")
        bot.clock.advance(timedelta(days=1, hours=3))
        await jobs.send_due_reminders(bot.app)
        volunteer.make.user = volunteer.make.user.__class__(  # a new name in Telegram
            id=VOLUNTEER, first_name="Бакыт", last_name="Асанов", is_bot=False, language_code="ky"
        )
        await volunteer.send("/my")
        await admin.send("/staff")
        assert "Бакыт Асанов" in admin.last_text()
        await admin.press_data(f"staff:remove:{VOLUNTEER}")
        await admin.send("/audit")
        t = bot.t("ru")
        assert (
            t(
                "{who} assigned {target} to case {number}.",
                who="Дана",
                target="Бакыт Асанов",
                number=number,
            )
            in admin.last_text()
        )
        assert_clean(reading)
    finally:
        await bot.stop()
