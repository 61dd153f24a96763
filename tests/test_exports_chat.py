"""Exports and statistics from the chat: caseworkers only, files read back, every one audited."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook
from pypdf import PdfReader

from tests.support import Bot
from tests.test_staff import NOT_AVAILABLE, make_staff, reported_case


async def test_caseworker_exports_masked_and_full_with_audit(bot: Bot) -> None:
    await reported_case(bot, bot.chat(900, "ru"))
    caseworker = await make_staff(bot, 901, "caseworker")
    await caseworker.send("/export status=reported citizenship=KZ")
    await caseworker.press("export:xlsx:0:-.-.0.K")
    document = bot.api.sent(901, "sendDocument")[-1]
    name, data, _ = document.files["document"]
    assert name.isascii() and name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(data), read_only=True)["Дела"]  # the caseworker's language
    rows = list(sheet.iter_rows(values_only=True))
    first = rows[1]
    assert "KZ-2026-0001" in first
    assert "700315450120" not in [str(v) for v in first]  # masked by default
    await caseworker.send("/export")
    await caseworker.press("export:csv:1:-.-.-.-")
    name, data, _ = bot.api.sent(901, "sendDocument")[-1].files["document"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        cases_csv = archive.read("cases.csv").decode("utf-8-sig")
    assert "700315450120" in cases_csv  # a full export, explicitly chosen
    entries = [
        e for e in await bot.services.staff.audit.entries(limit=100) if e.action == "export"
    ]
    assert [e.detail["masked"] for e in entries][:2] == [False, True]
    assert entries[1].detail["filters"]["citizenship"] == "KZ"


async def test_dossier_pdf_and_statistics_charts(bot: Bot) -> None:
    case_id = await reported_case(bot, bot.chat(910, "kk"), "kk")
    caseworker = await make_staff(bot, 911, "caseworker", "kk")
    await caseworker.press_data(f"staff:pdf:{case_id}")
    name, data, _ = bot.api.sent(911, "sendDocument")[-1].files["document"]
    assert name == "KZ-2026-0001_dossier_kk.pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Әлібек Құрманғазыұлы" in text.replace("\n", " ") or "Әлібек" in text
    await caseworker.send("/stats")
    assert bot.api.sent(911, "sendMediaGroup")
    await caseworker.press("export:stats:0:-.-.-.-")
    name, data, _ = bot.api.sent(911, "sendDocument")[-1].files["document"]
    assert data.startswith(b"%PDF") and name.endswith(".pdf")
    actions = [
        e.detail.get("format")
        for e in await bot.services.staff.audit.entries(limit=100)
        if e.action == "export"
    ]
    assert {"dossier", "charts", "stats"} <= set(actions)


async def test_relatives_and_volunteers_cannot_export(bot: Bot) -> None:
    await reported_case(bot, bot.chat(920, "ru"))
    volunteer = await make_staff(bot, 921, "volunteer")
    for command in ("/export", "/stats"):
        await volunteer.send(command)
        assert volunteer.last_text() == bot.t("ru")(NOT_AVAILABLE)
    await volunteer.press_data("export:xlsx:1:-.-.-.-")
    assert volunteer.last_text() == bot.t("ru")(NOT_AVAILABLE)
    assert bot.api.sent(921, "sendDocument") == []
