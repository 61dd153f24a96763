"""The organisation's buttons: readable callback codes (staff:…, export:…) within
Telegram's 64 bytes, and a button of the earlier one-letter codes (W:…, X:…) answered
as an old button, in the reader's language, with nothing else done."""

from __future__ import annotations

import pytest

from bot.i18n import LOCALES
from tests.support import Bot
from tests.test_staff import ADMIN, make_staff, reported_case

# What buttons of the previous version carried (a caseworker's, and a family's Answer).
OLD_CODES = ("W:c:1", "W:l:1:xx00x:a1", "W:S:1:3", "W:A:1:500", "W:r:1:1", "X:xlsx:0:-.-.-.-")
TELEGRAM_LIMIT = 64  # bytes of callback data


@pytest.mark.parametrize("locale", LOCALES)
async def test_an_old_button_is_answered_as_old(bot: Bot, locale: str) -> None:
    chat = bot.chat(600, locale)  # no role needed: the code itself is refused
    t = bot.t(locale)
    for data in OLD_CODES:
        answered = len(bot.api.sent(method="answerCallbackQuery"))
        await chat.press_data(data)
        answers = bot.api.sent(method="answerCallbackQuery")[answered:]
        assert [a.params.get("text") for a in answers] == [t("This button no longer works.")]
    assert chat.texts() == []  # nothing else happened
    assert await bot.services.staff.audit.entries(limit=10) == []


async def test_every_staff_button_is_readable_and_fits(bot: Bot) -> None:
    family = bot.chat(610, "ru")
    case_id = await reported_case(bot, family)
    await make_staff(bot, 611, "volunteer")
    admin = bot.chat(ADMIN, "ru")
    await admin.send("/cases")
    await admin.send("/cases Краснодарский край")  # a region in the filter code
    await admin.send(f"/case {(await bot.services.store.get_case_by_id(case_id)).number}")  # type: ignore[union-attr]
    await admin.press_data(f"staff:volunteers:{case_id}")
    await admin.press_data(f"staff:statuses:{case_id}")
    await admin.press_data(f"staff:message:{case_id}")
    await admin.send("Добрый день")
    await admin.send("/invite volunteer")
    for command in ("/invites", "/staff", "/settings", "/due", "/my"):
        await admin.send(command)
    await admin.send("/export from=2026-01-01 to=2026-06-30 status=waiting citizenship=KZ")
    codes = [
        data
        for chat in (admin, family)
        for call in chat.messages()
        for _, data in call.buttons()
        if data.split(":")[0] in ("staff", "export", "W", "X")
    ]
    prefixes = {data.split(":")[0] + ":" + data.split(":")[1] for data in codes}
    assert {"staff:case", "staff:filter", "staff:assign", "staff:status"} <= prefixes
    assert {"staff:answer", "staff:zone", "staff:revoke", "export:xlsx"} <= prefixes
    assert not [d for d in codes if d.startswith(("W:", "X:"))]
    assert max(len(d.encode()) for d in codes) <= TELEGRAM_LIMIT, max(codes, key=len)
