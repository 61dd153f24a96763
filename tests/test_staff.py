"""Caseworkers and volunteers: roles by invitation, access on every call, assignment, audit."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import CallbackContext, CallbackQueryHandler, CommandHandler

from bot.domain.models import CaseStatus
from bot.letters.translations import texts
from handlers import jobs, routing
from handlers.localapi import Fault
from handlers.views.letters import language_name
from tests.support import (
    KZ_REPORT,
    KZ_REPORT_TRANSLATIONS,
    Bot,
    Chat,
    consent,
    fill,
    give_translations,
)

ADMIN = 1
NOT_AVAILABLE = "This is not available."


async def reported_case(bot: Bot, chat: Chat, locale: str = "ru") -> int:
    await consent(chat, locale)
    await fill(chat, KZ_REPORT)
    await chat.press("confirm")
    return (await bot.services.store.cases_of(chat.user_id))[0].id


async def invite(bot: Bot, by: Chat, role: str) -> str:
    await by.send(f"/invite {role}")
    match = re.search(r"start=inv_([A-Za-z0-9_-]+)", by.last_text())
    assert match, by.last_text()
    return match.group(1)


async def make_staff(bot: Bot, user_id: int, role: str, locale: str = "ru") -> Chat:
    admin = bot.chat(ADMIN, "ru")
    code = await invite(bot, admin, role)
    chat = bot.chat(user_id, locale)
    await chat.send(f"/start inv_{code}")
    return chat


async def audit_actions(bot: Bot) -> list[str]:
    return [e.action for e in await bot.services.staff.audit.entries(limit=500)]


async def test_invitation_is_one_time_expires_and_can_be_revoked(bot: Bot) -> None:
    admin = bot.chat(ADMIN, "ru")
    code = await invite(bot, admin, "volunteer")
    volunteer = bot.chat(500, "kk")
    await volunteer.send(f"/start inv_{code}")
    assert (await bot.services.staff.actor(500)).role.value == "volunteer"
    other = bot.chat(501, "ru")
    await other.send(f"/start inv_{code}")  # used already
    assert (await bot.services.staff.actor(501)).role.value == "relative"
    assert other.last_text() == bot.t("ru")(
        "This invitation is not valid: it was used, revoked or has expired. Ask for a new one."
    )
    expired = await invite(bot, admin, "caseworker")
    bot.clock.advance(timedelta(hours=73))
    await other.send(f"/start inv_{expired}")
    assert (await bot.services.staff.actor(501)).role.value == "relative"
    revoked = await invite(bot, admin, "caseworker")
    await admin.send("/invites")
    await admin.press(f"staff:revoke:{revoked}")
    await other.send(f"/start inv_{revoked}")
    assert (await bot.services.staff.actor(501)).role.value == "relative"
    actions = await audit_actions(bot)
    assert actions.count("invite") == 3 and "invite_revoke" in actions and "role_grant" in actions


async def test_caseworker_may_invite_volunteers_only_and_roles_can_be_removed(bot: Bot) -> None:
    caseworker = await make_staff(bot, 510, "caseworker")
    await caseworker.send("/invite caseworker")
    assert "start=inv_" not in caseworker.last_text()
    code = await invite(bot, caseworker, "volunteer")
    volunteer = bot.chat(511, "ru")
    await volunteer.send(f"/start inv_{code}")
    await caseworker.send("/staff")
    await caseworker.press("staff:remove:511")
    assert (await bot.services.staff.actor(511)).role.value == "relative"
    assert "role_remove" in await audit_actions(bot)


STAFF_COMMANDS = {"cases", "my", "due", "invite", "invites", "staff", "audit", "export", "stats"}


async def test_every_command_and_button_checks_the_role(bot: Bot) -> None:
    """A relative reaches nothing of the organisation's side, and learns nothing."""
    family = bot.chat(520, "ru")
    case_id = await reported_case(bot, family)
    number = (await bot.services.store.get_case_by_id(case_id)).number  # type: ignore[union-attr]
    relative = bot.chat(521, "ru")
    await consent(relative, "ru")
    commands = {
        c
        for group in bot.app.handlers.values()
        for h in group
        if isinstance(h, CommandHandler)
        for c in h.commands
    }
    assert {"cases", "my", "due", "invite", "invites", "staff", "audit"} <= commands
    for command in sorted(commands & STAFF_COMMANDS):
        mark = relative.mark()
        await relative.send(f"/{command}")
        assert relative.texts(mark) == [bot.t("ru")(NOT_AVAILABLE)], command
    patterns = [
        h.pattern.pattern
        for group in bot.app.handlers.values()
        for h in group
        if isinstance(h, CallbackQueryHandler) and h.pattern is not None
    ]
    assert "^staff:" in patterns
    forged = [
        f"staff:case:{case_id}",
        f"staff:statuses:{case_id}",
        f"staff:status:{case_id}:9",
        f"staff:verified:{case_id}",
        f"staff:details:{case_id}",
        f"staff:volunteers:{case_id}",
        f"staff:assign:{case_id}:521",
        f"staff:note:{case_id}",
        f"staff:message:{case_id}",
        "staff:page:0:xx00x",
        "staff:filter:s:xx00x",
        "staff:revoke:abc",
        "staff:remove:1",
        f"staff:pdf:{case_id}",
        f"staff:answer:{case_id}:1",
        "staff:zz",
    ]
    for data in forged:
        mark = relative.mark()
        await relative.press_data(data)
        replies = relative.texts(mark)
        assert all(number not in text and "Әлібек" not in text for text in replies), data
    await relative.send(f"/case {number}")
    assert relative.last_text() == bot.t("ru")(
        "You have no case with the number {number}.", number=number
    )
    case = await bot.services.store.get_case_by_id(case_id)
    assert case is not None and case.status == CaseStatus.REPORTED


async def test_caseworker_lists_filters_and_works_on_a_case(bot: Bot) -> None:
    family = bot.chat(530, "kk")
    case_id = await reported_case(bot, family, "kk")
    for i in range(9):  # more cases than one page
        await reported_case(bot, bot.chat(600 + i, "ru"))
    caseworker = await make_staff(bot, 531, "caseworker")
    volunteer = await make_staff(bot, 532, "volunteer")
    await caseworker.send("/cases")
    assert "1/2" in caseworker.last_text()
    await caseworker.press("➡")
    assert "2/2" in caseworker.last_text()
    await caseworker.press_data("staff:filter:u:xx00x")  # unassigned only
    assert bot.t("ru")("Cases: {n}", n=10) in caseworker.last_text()
    await caseworker.press_data(f"staff:case:{case_id}")
    dossier = caseworker.last_text()
    assert "Әлібек Құрманғазыұлы" in dossier and "+77011234567" in dossier
    await caseworker.press_data(f"staff:assign:{case_id}:532")
    assert any("KZ-2026-0001" in t for t in volunteer.texts())
    await caseworker.press_data(f"staff:verified:{case_id}")
    assert (await bot.services.staff.staff.flags(case_id))["verified"]
    status = list(CaseStatus).index(CaseStatus.IN_CONTACT)
    await caseworker.press_data(f"staff:status:{case_id}:{status}")
    kk = bot.t("kk")
    assert family.last_text().startswith(
        kk("The status of your case {number} is now: {status}.", number="KZ-2026-0001", status="")[
            :20
        ]
    )
    await caseworker.press_data(f"staff:note:{case_id}")
    await caseworker.send("Позвонили семье, ждут ответа из ГВП")
    notes = await bot.services.staff.staff.notes(case_id)
    assert [n.text for n in notes] == ["Позвонили семье, ждут ответа из ГВП"]
    await caseworker.press_data("staff:filter:u:xx01x")  # back to all
    actions = await audit_actions(bot)
    for action in ("view_case", "assign", "verify", "status", "note"):
        assert action in actions


async def test_volunteer_sees_only_assigned_cases_and_restricted_fields(bot: Bot) -> None:
    family = bot.chat(540, "ru")
    case_id = await reported_case(bot, family)
    other_id = await reported_case(bot, bot.chat(541, "ru"))
    caseworker = await make_staff(bot, 542, "caseworker")
    volunteer = await make_staff(bot, 543, "volunteer")
    other_number = (await bot.services.store.get_case_by_id(other_id)).number  # type: ignore[union-attr]
    await volunteer.send(f"/case {other_number}")
    assert volunteer.last_text() == bot.t("ru")(NOT_AVAILABLE)
    await volunteer.press_data(f"staff:case:{other_id}")
    assert volunteer.last_text() == bot.t("ru")(NOT_AVAILABLE)
    await volunteer.press_data(f"staff:status:{other_id}:6")
    assert (await bot.services.store.get_case_by_id(other_id)).status == CaseStatus.REPORTED  # type: ignore[union-attr]
    await caseworker.press_data(f"staff:assign:{case_id}:543")
    await volunteer.send("/my")
    assert "KZ-2026-0001" in volunteer.last_text() and other_number not in volunteer.last_text()
    await volunteer.press_data(f"staff:case:{case_id}")
    dossier = volunteer.last_text()
    assert "Әлібек Құрманғазыұлы" in dossier
    assert "+77011234567" not in dossier and "Его задержали" not in dossier
    assert "700315450120" not in dossier and "N12345678" not in dossier
    await caseworker.press_data(f"staff:details:{case_id}")
    await volunteer.press_data(f"staff:case:{case_id}")
    assert "Его задержали" in volunteer.last_text()
    status = list(CaseStatus).index(CaseStatus.CLOSED)
    await volunteer.press_data(f"staff:status:{case_id}:{status}")
    assert (await bot.services.store.get_case_by_id(case_id)).status != CaseStatus.CLOSED  # type: ignore[union-attr]
    status = list(CaseStatus).index(CaseStatus.IN_CONTACT)
    await volunteer.press_data(f"staff:status:{case_id}:{status}")
    assert (await bot.services.store.get_case_by_id(case_id)).status == CaseStatus.IN_CONTACT  # type: ignore[union-attr]
    await caseworker.press_data(f"staff:assign:{case_id}:543")  # unassigned again
    await volunteer.press_data(f"staff:case:{case_id}")  # an old button
    assert volunteer.last_text() == bot.t("ru")(NOT_AVAILABLE)


async def test_message_the_family_through_the_bot(bot: Bot) -> None:
    family = bot.chat(550, "ky")
    case_id = await reported_case(bot, family, "ky")
    caseworker = await make_staff(bot, 551, "caseworker")
    volunteer = await make_staff(bot, 552, "volunteer")
    await caseworker.press_data(f"staff:assign:{case_id}:552")
    await volunteer.press_data(f"staff:message:{case_id}")
    await volunteer.send("Здравствуйте! Получили ли вы ответ из посольства?")
    message = family.last()
    assert "Получили ли вы ответ" in message.text
    assert "552" not in message.text
    data, _ = family.button("staff:answer:" + str(case_id) + ":552")
    await family.press_data(data, message.result)
    await family.send("Да, пришла отписка")
    assert "Да, пришла отписка" in volunteer.last_text()
    stranger = bot.chat(553, "ru")
    await consent(stranger, "ru")
    await stranger.press_data(f"staff:answer:{case_id}:552")  # not their case
    assert stranger.last_text() == bot.t("ru")(NOT_AVAILABLE)
    assert (await audit_actions(bot)).count("message") == 2


async def test_due_lists_and_volunteer_daily_digest(bot: Bot) -> None:
    family = bot.chat(560, "ru")
    case_id = await reported_case(bot, family)
    await family.press(f"letters:prepare:{case_id}")
    await family.press("all")
    await family.press(f"letters:language:{case_id}:ru")
    await give_translations(family)
    rows = await bot.services.letters.store.letters_of(case_id)
    prosecutor = next(r for r in rows if r.addressee_id == "prosecutor_general")
    await family.send("/track")
    await family.press(f"track:sent:{case_id}")
    await family.press(f"track:pick:{prosecutor.id}")
    await family.press("track:next:0")
    await family.send("01.09.2026")
    await family.press("track:channel:online")
    caseworker = await make_staff(bot, 561, "caseworker")
    volunteer = await make_staff(bot, 562, "volunteer")
    await caseworker.press_data(f"staff:assign:{case_id}:562")
    await volunteer.send("/due")
    assert "KZ-2026-0001" in volunteer.last_text()
    bot.clock.advance(timedelta(days=1))
    mark = volunteer.mark()
    await jobs.send_due_reminders(bot.app)
    assert any("KZ-2026-0001" in text for text in volunteer.texts(mark))
    pending = await bot.services.followup.store.pending_reminders(562)
    assert [r.kind for r in pending] == ["volunteer_digest"]


async def test_audit_is_for_caseworkers(bot: Bot) -> None:
    caseworker = await make_staff(bot, 570, "caseworker")
    await caseworker.send("/audit")
    t = bot.t("ru")  # a sentence with names, not an action code and ids
    assert (
        t(
            "{target} joined as a {role}, invited by {who}.",
            target="User",
            role=t("caseworker"),
            who="User",
        )
        in caseworker.last_text()
    )
    volunteer = await make_staff(bot, 571, "volunteer")
    await volunteer.send("/audit")
    assert volunteer.last_text() == bot.t("ru")(NOT_AVAILABLE)


@pytest.mark.parametrize("role", ["volunteer", "caseworker"])
async def test_staff_help_lists_staff_commands(bot: Bot, role: str) -> None:
    member = await make_staff(bot, 580, role)
    await member.send("/help")
    assert "/cases" in member.last_text()


async def test_a_staff_translation_in_another_language_is_refused_and_asked_again(
    bot: Bot,
) -> None:
    """The caseworker's text goes through the letters' use case: Kazakh where Russian is
    due is refused in the caseworker's language with the form kept; the Russian text is
    saved with one audit entry."""
    from bot.domain.validators import InvalidInput
    from handlers import texts
    from handlers.views.letters import language_name

    family = bot.chat(810, "kk")
    await consent(family, "kk")
    await fill(family, KZ_REPORT)
    await family.press("confirm")
    case = (await bot.services.store.cases_of(810))[0]
    await family.press(f"letters:prepare:{case.id}")
    await family.press("all")
    await family.press(f"letters:language:{case.id}:ru")
    await family.press(f"letters:org:{case.id}:r_addr.ru")
    await give_translations(family)
    caseworker = await make_staff(bot, 811, "caseworker", "kk")
    ct = bot.t("kk")
    await caseworker.send(f"/case {case.number}")
    await caseworker.press("translate:" + str(case.id))
    form = await bot.services.followup.store.get_form(811)
    assert form is not None and form.name == "translation"
    await caseworker.send("Алматы қ., Абай даңғылы 1")
    refused = InvalidInput("wrong_language", language=language_name("ru", "kk"))
    assert caseworker.last_text() == texts.error(ct, refused)
    assert await bot.services.followup.store.get_form(811) is not None
    audited = await bot.services.staff.audit.entries()
    assert "translation" not in [e.action for e in audited]  # nothing written yet
    await caseworker.send("г. Алматы, пр. Абая, 1, кв. 2, 050000")
    assert ct("All translations are written; the family is told.") in caseworker.last_text()
    entries = await bot.services.staff.audit.entries()
    assert [(e.actor_id, e.action) for e in entries if e.action == "translation"] == [
        (811, "translation")
    ]
    stored = await bot.services.store.get_case_by_id(case.id)
    assert stored is not None and stored.translations["r_addr"]["ru"].startswith("г. Алматы")


async def test_a_message_typed_before_a_crash_reaches_the_family(tmp_path: Path) -> None:
    """The process dies after the message went to Telegram and before its form was
    closed (here: the audit entry fails). Processed again after the restart, as the inbox
    does with a stored update, it reaches the family (a second time: at least once) and
    closes the form; processed once more, it is recognised and does nothing."""
    bot = await Bot.start(tmp_path)
    try:
        family = bot.chat(570, "kk")
        case_id = await reported_case(bot, family, "kk")
        caseworker = await make_staff(bot, 571, "caseworker", "ky")
        await caseworker.press_data(f"staff:message:{case_id}")
        async with bot.services.db.transaction() as conn:
            await conn.execute(
                "CREATE TRIGGER fail_audit BEFORE INSERT ON audit WHEN NEW.action = 'message' "
                "BEGIN SELECT RAISE(ABORT, 'the process dies'); END"
            )
        typed = caseworker.make.text("Элчиликтен жооп келдиби?")
        await caseworker.process(typed)
        assert sum("Элчиликтен жооп" in text for text in family.texts()) == 1
        async with bot.services.db.transaction() as conn:
            await conn.execute("DROP TRIGGER fail_audit")
        bot = await bot.restart()
        family, caseworker = bot.chat(570, "kk"), bot.chat(571, "ky")
        replay = Update.de_json(typed.to_dict(), bot.app.bot)
        assert replay is not None
        await caseworker.process(replay)
        kk = bot.t("kk")
        heading = kk("A message from the organisation about case {number}:", number="KZ-2026-0001")
        assert family.last_text() == heading + "\n\nЭлчиликтен жооп келдиби?"
        assert caseworker.last_text() == bot.t("ky")("The message is sent to the family.")
        assert await bot.services.followup.forms.current(571) is None
        mark, before = family.mark(), caseworker.mark()
        await caseworker.process(Update.de_json(typed.to_dict(), bot.app.bot))  # once more
        assert family.mark() == mark and caseworker.mark() == before
        assert (await audit_actions(bot)).count("message") == 1
    finally:
        await bot.stop()


async def test_a_refused_staff_form_says_why_and_closes(bot: Bot) -> None:
    """A volunteer taken off the case, or whose role was removed, while a note was open:
    told why in their language; the next text is no longer taken as a note."""
    family = bot.chat(580, "ru")
    case_id = await reported_case(bot, family)
    volunteer = await make_staff(bot, 581, "volunteer", "kk")
    admin = bot.chat(ADMIN, "ru")
    await admin.press_data(f"staff:assign:{case_id}:581")
    await volunteer.press_data(f"staff:note:{case_id}")
    await admin.press_data(f"staff:assign:{case_id}:581")  # taken off
    await volunteer.send("Отбасымен сөйлестім")
    kk = bot.t("kk")
    assert volunteer.last_text() == kk(
        "This case is no longer available to you, so the text was not used."
    )
    assert await bot.services.followup.forms.current(581) is None
    await admin.press_data(f"staff:assign:{case_id}:581")
    await volunteer.press_data(f"staff:message:{case_id}")
    await bot.services.staff.remove_role(await bot.services.staff.actor(ADMIN), 581)
    await volunteer.send("Сәлеметсіз бе")
    assert volunteer.last_text() == kk(
        "You no longer have a role in the organisation, so the text was not used."
    )
    assert not any("Сәлеметсіз бе" in text for text in family.texts())
    assert "note" not in await audit_actions(bot)


async def test_the_familys_actions_are_in_the_audit_log_and_anonymised_on_delete(
    bot: Bot,
) -> None:
    """Confirming the report, marking letters sent and the settings are audited with the
    family's writes; /audit reads them as sentences in the reader's language; after the
    family deletes its data, no entry leads back to it."""
    family = bot.chat(590, "ru")
    case_id = await reported_case(bot, family)
    await family.press(f"letters:prepare:{case_id}")
    await family.press("all")
    await family.press(f"letters:language:{case_id}:ru")
    await give_translations(family)
    rows = await bot.services.letters.store.letters_of(case_id)
    prosecutor = next(r for r in rows if r.addressee_id == "prosecutor_general")
    await family.send("/track")
    await family.press(f"track:sent:{case_id}")
    await family.press(f"track:pick:{prosecutor.id}")
    await family.press("track:next:0")
    await family.send("01.09.2026")
    await family.press("track:channel:online")
    await bot.services.followup.change_settings(
        await bot.services.store.get_user(590),  # type: ignore[arg-type]
        reminders_on=False,
    )
    entries = await bot.services.staff.audit.entries(limit=500)
    mine = [e for e in entries if e.actor_id == 590]
    assert [e.action for e in mine] == ["settings", "letters_sent", "report_confirmed"]
    assert mine[1].detail == {"letters": [prosecutor.id], "channel": "online"}
    admin = bot.chat(ADMIN, "ru")
    expected = {
        "ru": "Семья по делу KZ-2026-0001 отметила 1 письмо как отправленное.",
        "kk": "KZ-2026-0001 ісі бойынша отбасы 1 хатты жіберілді деп белгіледі.",
        "ky": "KZ-2026-0001 иши боюнча үй-бүлө 1 катты жөнөтүлдү деп белгиледи.",
    }
    for locale, text in expected.items():
        admin = bot.chat(ADMIN, locale)  # an administrator reads in Telegram's language
        await admin.send("/audit")
        assert text in admin.last_text(), (locale, admin.last_text())
    await family.send("/delete")
    await family.press("delete:y")
    entries = await bot.services.staff.audit.entries(limit=500)
    assert not [e for e in entries if 590 in (e.actor_id, e.target_id)]
    assert {"report_confirmed", "letters_sent", "settings"} <= {e.action for e in entries}
    await admin.send("/audit")
    assert (
        bot.t("ky")(
            "{who} confirmed the report.", who=bot.t("ky")("A family that has deleted its data")
        )
        in admin.last_text()
    )


async def test_staff_write_the_translations_the_family_left_them(bot: Bot) -> None:
    """The family leaves its texts to the organisation; a caseworker writes them through
    the translation form: a text in another language is refused and asked again, each
    one kept closes its form and opens the next, and the family is told at the end."""
    family = bot.chat(595, "kk")
    case_id = await reported_case(bot, family, "kk")
    await family.press(f"letters:prepare:{case_id}")
    await family.press("all")
    await family.press(f"letters:language:{case_id}:ru")
    key = bot.services.user_key(595)
    while (form := await bot.services.followup.forms.current(key)) and form.name == "translate":
        await family.press_data(f"letters:org:{case_id}")
    caseworker = await make_staff(bot, 596, "caseworker", "ky")
    ky = bot.t("ky")
    await caseworker.press_data(f"staff:translate:{case_id}")
    asked = 0
    while (form := await bot.services.followup.forms.current(596)) is not None:
        assert form.name == "translation"
        case = await bot.services.store.get_case_by_id(case_id)
        assert case is not None
        original = texts(case.report)[form.data["field"]]
        assert original in caseworker.last_text()
        if asked == 0:
            await caseworker.send("Ол елшілікке барды")  # Kazakh, not Russian
            assert caseworker.last_text() == ky(
                "This text does not look like {language}. Please write it in "
                "{language}, or leave the translation to the organisation.",
                language=language_name("ru", "ky"),
            )
            assert await bot.services.followup.forms.current(596) == form  # kept open
        await caseworker.send(KZ_REPORT_TRANSLATIONS[original]["ru"])
        assert ky("The translation is saved.") in caseworker.last_text()
        asked += 1
    assert asked >= 1
    assert ky("All translations are written; the family is told.") in caseworker.last_text()
    told = family.last()
    assert told.text == bot.t("kk")(
        "The organisation has written the translations for the letters of case {number}. "
        "Press the button to get the letters.",
        number="KZ-2026-0001",
    )
    assert told.buttons()[0][1] == f"letters:prepare:{case_id}"
    assert (await audit_actions(bot)).count("translation") == asked


async def test_a_note_processed_again_after_it_was_kept_is_skipped(bot: Bot) -> None:
    """The bot stops after the note's transaction and before the update's bookkeeping:
    processed again, the text is recognised as handled: no second note, no question of
    the report (a staff member is no family), nothing said."""
    family = bot.chat(597, "ru")
    case_id = await reported_case(bot, family)
    caseworker = await make_staff(bot, 598, "caseworker", "kk")
    await caseworker.press_data(f"staff:note:{case_id}")
    typed = caseworker.make.text("Отбасымен сөйлестім")
    await routing.route_message(typed, CallbackContext.from_update(typed, bot.app))
    mark = caseworker.mark()
    await caseworker.process(Update.de_json(typed.to_dict(), bot.app.bot))
    assert caseworker.mark() == mark
    assert (await audit_actions(bot)).count("note") == 1


async def test_a_familys_answer_to_someone_off_the_case_says_why(bot: Bot) -> None:
    """The family answers a volunteer who was taken off the case meanwhile: told in its
    language that the answer was not sent; its next text is no longer an answer."""
    family = bot.chat(599, "kk")
    case_id = await reported_case(bot, family, "kk")
    volunteer = await make_staff(bot, 600, "volunteer", "ru")
    admin = bot.chat(ADMIN, "ru")
    await admin.press_data(f"staff:assign:{case_id}:600")
    await volunteer.press_data(f"staff:message:{case_id}")
    await volunteer.send("Здравствуйте")
    data, _ = family.button(f"staff:answer:{case_id}:600")
    await family.press_data(data, family.last().result)
    await admin.press_data(f"staff:assign:{case_id}:600")  # taken off
    mark = volunteer.mark()
    await family.send("Рақмет")
    assert family.last_text() == bot.t("kk")(
        "Your answer could not be sent: the person who wrote to you no longer works on this case."
    )
    assert volunteer.mark() == mark
    assert await bot.services.followup.forms.current(bot.services.user_key(599)) is None


async def test_a_message_to_a_family_that_blocked_the_bot(bot: Bot) -> None:
    """Telegram refuses the message (the family blocked the bot): the writer is told, the
    form closes and nothing is recorded as sent."""
    family = bot.chat(601, "ru")
    case_id = await reported_case(bot, family)
    caseworker = await make_staff(bot, 602, "caseworker", "ky")
    await caseworker.press_data(f"staff:message:{case_id}")
    bot.api.fail_next("sendMessage", Fault(403, "Forbidden: bot was blocked by the user"))
    await caseworker.send("Саламатсызбы")
    assert caseworker.last_text() == bot.t("ky")(
        "The message could not be delivered: the recipient has blocked the bot."
    )
    assert await bot.services.followup.forms.current(602) is None
    assert "message" not in await audit_actions(bot)
