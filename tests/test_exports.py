"""Exports, dossiers and statistics, on cases written through the real storage."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from bot.clock import ManualClock
from bot.domain import questions as q
from bot.domain.models import CaseStatus
from bot.exports import Exporter, ExportFilter, mask, neutralise, region_of, writers
from bot.exports.charts import chart_series
from bot.exports.dossier import body_name
from bot.exports.presentation import SHEETS, Presentation
from bot.exports.tables import TABLES, Cell, RowContext, Table
from bot.exports.writers import CsvWriter, Unusual, csv_lines, csv_text
from bot.i18n import LOCALES, Catalogs
from bot.readable import label as answer_label
from bot.storage.crypto import PLAIN, Cipher, new_key
from bot.storage.database import Database
from bot.storage.exports import ExportReader, ExportStore, SyntheticRows
from bot.storage.followup import FollowupStore
from bot.storage.staff import AuditStore, StaffStore
from bot.storage.store import LetterStore, Store

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 21)
KZ_IIN = "940318300125"
MISSING_IIN = "940318350017"
PASSPORT = "N12345678"
STORY = '=HYPERLINK("http://evil.example/x","Click me")'
KAZAKH = "әғқңөұүһі"

KZ_ANSWERS: dict[str, Any] = {
    "r_name": "+Айгүл Төлөгөнова",
    "r_rel": "mother",
    "r_gender": "f",
    "r_phone": "+77011234567",
    "r_addr": "Алматы қ., Абай даңғылы 1",
    "r_email": "aigul@example.kz",
    "r_id": KZ_IIN,
    "m_name": "Әлібек Құрманғазыұлы",
    "m_latin": "ALIBEK KURMANGAZIULY",
    "m_birth": "1994-03-18",
    "m_gender": "m",
    "m_cit": "KZ",
    "m_id": MISSING_IIN,
    "m_passport": PASSPORT,
    "m_photo": {"kind": "photo", "file_id": "PHOTO-FILE-ID", "file_unique_id": "u1"},
    "e_date": "2026-03-05",
    "e_how": "call",
    "e_region": "RU-ROS",
    "e_place": "Ростов-на-Дону, общежитие",
    "e_what": "force",
    "e_story": STORY,
    "e_resp": "pmc",
    "e_resp_text": "Вербовщик Иван, тел. +7 900 000 00 00",
    "e_contract": "no",
    "e_renounced": "unk",
    "evidence": [
        {
            "kind": "document",
            "file_id": "SECRET-FILE-ID",
            "file_unique_id": "u2",
            "description": "Переписка: " + KAZAKH,
            "file_name": "screenshot.pdf",
        },
        {"kind": "voice", "file_id": "SECRET-VOICE-ID", "file_unique_id": "u3"},
    ],
    "actions": [
        {
            "body": "embassy",
            "date": "2026-03-10",
            "outcome": "form",
            "reply": "Ответили, что сведений нет",
        }
    ],
}
KG_ANSWERS: dict[str, Any] = {
    "r_name": "-Жаңыл Асанова",
    "r_rel": "wife",
    "r_gender": "f",
    "r_phone": "+996555123456",
    "r_addr": "Бишкек",
    "m_name": "@Бекзат Асанов",
    "m_birth": "1990-01-02",
    "m_gender": "m",
    "m_cit": "KG",
    "m_id": "21234199000123",
    "e_date": "2026-02-01",
    "e_how": "message",
    "e_place": "Таганрог,  РОСТОВСКАЯ ОБЛАСТЬ ",
    "e_what": "prison",
    "e_story": "  -2+3 ушел на работу",
    "e_resp": "unknown",
    "e_contract": "yes",
    "e_renounced": "no",
}
OTHER_ANSWERS: dict[str, Any] = {
    "r_name": "Мать",
    "r_rel": "mother",
    "r_gender": "f",
    "r_phone": "+992900000000",
    "r_addr": "Душанбе",
    "m_name": "Фаррух",
    "m_birth": "1999-05-05",
    "m_gender": "m",
    "m_cit": "other",
    "m_cit_other": "Таджикистан",
    "e_date": "2026-01-01",
    "e_how": "other",
    "e_place": "",
    "e_what": "unknown",
    "e_story": "\tнет данных",
    "e_resp": "unknown",
    "e_contract": "unk",
    "e_renounced": "unk",
}


@dataclass
class World:
    db: Database
    clock: ManualClock
    exporter: Exporter
    kz: int
    kg: int
    other: int
    path: Path


async def build(tmp_path: Path, cipher: Cipher = PLAIN) -> World:
    db = Database(tmp_path / "izdeu.sqlite3", cipher=cipher)
    await db.open()
    store, letters, follow = Store(db), LetterStore(db), FollowupStore(db)
    for user in (1, 2, 3):
        await store.create_user(user, user, "kk", NOW - timedelta(days=30))
    kz = await store.create_case(1, "KZ", KZ_ANSWERS, "KZ", datetime(2026, 11, 2, 8, tzinfo=UTC))
    kg = await store.create_case(2, "KG", KG_ANSWERS, "KG", datetime(2026, 11, 12, 8, tzinfo=UTC))
    other = await store.create_case(
        3, "XX", OTHER_ANSWERS, "other", datetime(2026, 10, 20, 8, tzinfo=UTC)
    )
    await follow.set_status(kz.id, CaseStatus.WAITING, NOW, 1)
    await follow.set_status(kg.id, CaseStatus.ANSWER_RECEIVED, NOW, 2)

    await letters.add_letters(
        kz.id,
        [
            ("embassy_kz", "consular_request", "consular_protection", True),
            ("prosecutor_general", "prosecutor_request", "", True),
            ("icrc", "tracing_request", "", True),
        ],
        NOW,
    )
    await letters.add_letters(
        kg.id,
        [
            ("embassy_kg", "consular_request", "", True),
            ("prosecutor_general", "prosecutor_request", "", True),
        ],
        NOW,
    )
    rows = {
        f"{r.case_id}/{r.addressee_id}": r
        for c in (kz.id, kg.id)
        for r in await letters.letters_of(c)
    }
    sent = date(2026, 11, 2)
    await follow.mark_sent(
        [
            (rows[f"{kz.id}/embassy_kz"], date(2026, 11, 20)),
            (rows[f"{kz.id}/prosecutor_general"], date(2026, 12, 5)),
        ],
        sent,
        "registered",
        "RA123456789KZ",
        [],
        NOW,
        1,
    )
    await follow.mark_sent(
        [
            (rows[f"{kg.id}/embassy_kg"], date(2026, 11, 25)),
            (rows[f"{kg.id}/prosecutor_general"], date(2026, 12, 10)),
        ],
        date(2026, 11, 4),
        "email",
        None,
        [],
        NOW,
        2,
    )
    prosecutor = await letters.get_letter(rows[f"{kz.id}/prosecutor_general"].id)
    assert prosecutor is not None
    await follow.update_deadline(
        prosecutor,
        {"reference": "ОГ-12345", "registered_on": date(2026, 11, 5)},
        date(2026, 12, 5),
        [],
        NOW,
        1,
        ("reference", {"letter_id": prosecutor.id}),
    )
    # kz/prosecutor: a form reply after 8 days, then a second reply; kg/embassy: refused after 4.
    await follow.add_reply(
        prosecutor,
        date(2026, 11, 10),
        "form",
        None,
        "Сведениями не располагаем",
        None,
        True,
        NOW,
        1,
    )
    await follow.add_reply(
        prosecutor,
        date(2026, 11, 15),
        "answered",
        None,
        "=cmd|' /C calc'!A0",
        {"file_id": "REPLY-FILE"},
        True,
        NOW,
        1,
    )
    kg_embassy = rows[f"{kg.id}/embassy_kg"]
    await follow.add_reply(kg_embassy, date(2026, 11, 8), "refused", None, "", None, True, NOW, 2)

    exports = ExportStore(db)
    last = await exports.last_ids()
    await exports.insert_synthetic(
        SyntheticRows(
            staff=[(501, "volunteer", "ru", NOW), (502, "volunteer", "ky", NOW)],
            assignments=[(kz.id, 502, NOW), (kz.id, 501, NOW)],
            notes=[
                (last["notes"] + 1, kz.id, 501, "Позвонили семье, ждём документы: " + KAZAKH, NOW)
            ],
        )
    )
    await AuditStore(db).record(NOW, 501, "view_case", case_id=kz.id)
    clock = ManualClock(NOW)
    return World(db, clock, Exporter(db, clock, Catalogs()), kz.id, kg.id, other.id, tmp_path)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    w = await build(tmp_path)
    yield w
    await w.db.close()


def sheet_rows(ws: Any) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, r)) for r in rows[1:]]


async def export_entries(db: Database) -> list[dict[str, Any]]:
    return [
        dict(e.detail, actor=e.actor_id, case_id=e.case_id)
        for e in await AuditStore(db).entries(limit=100)
        if e.action == "export"
    ]


# --- small pieces -----------------------------------------------------------------------------
def test_masking_keeps_the_last_two_characters() -> None:
    assert mask(KZ_IIN) == "**********25"
    assert mask("N12345678") == "*******78"
    assert mask("12") == "**" and mask("") == "" and mask(None) is None


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+7 701", "-2", "@SUM(A1)", "\t=1", "\r=1", "  =1", "\n@x", "\tplain", "\uff1d1"],
)
def test_formula_starts_are_neutralised(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Әлібек", "a=1", "", "1-2", "e-mail: x@y", " plain"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert neutralise(text) == text


def test_region_is_the_picked_code_not_a_fragment_of_the_place() -> None:
    """Issue: one village was two "regions" ("молькино ауылы", "станица молькино")."""
    assert region_of({"e_region": "RU-KDA", "e_place": "молькино ауылы"}) == "RU-KDA"
    assert region_of({"e_region": "RU-KDA", "e_place": "станица Молькино"}) == "RU-KDA"
    # reports made before the list: the region their free text clearly names
    assert region_of({"e_place": "Таганрог,  РОСТОВСКАЯ ОБЛАСТЬ "}) == "RU-ROS"
    assert region_of({"e_place": "молькино ауылы, Краснодар өлкесі"}) == "RU-KDA"
    assert region_of({"e_place": "станица Молькино"}) == "unknown"
    assert region_of({"e_place": ""}) == region_of({}) == "unknown"
    assert region_of({"e_region": "XX-1", "e_place": "Курск, "}) == "RU-KRS"


# --- XLSX -------------------------------------------------------------------------------------
def presented_rows(wb: Any, table: str, locale: str = "ru") -> list[dict[str, Any]]:
    """A sheet's rows keyed by the English label of each column ("Case number")."""
    ws = wb[Presentation(Catalogs().get(locale), "Asia/Almaty").sheet_name(table)]
    rows = list(ws.iter_rows(values_only=True))
    labels = (
        [label for label, _ in SHEETS[table]] if table in SHEETS else ["Figure", "Of", "Value"]
    )
    assert len(rows[0]) == len(labels)
    return [dict(zip(labels, r)) for r in rows[1:]]


async def test_xlsx_reads_in_the_caseworkers_language_and_zone(world: World) -> None:
    """Sheet names, headers and values in the reader's language; typed cells; times in
    their zone, named in the header, to the second; an autofilter on every sheet."""
    out = world.path / "export.xlsx"
    await StaffStore(world.db).save_name(501, "Бакыт", NOW)
    await StaffStore(world.db).save_name(502, "@dana_kw", NOW)
    result = await world.exporter.xlsx(out, actor_id=77, locale="ru", tz="Asia/Almaty")
    t = Catalogs().get("ru")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Дела", "Письма", "Ответы", "События", "Аудит", "Статистика"]
    header = next(wb["Дела"].iter_rows(values_only=True))
    assert header[:2] == ("Номер дела", "Статус")
    assert "Обращение подано (Время Алматы)" in header and "ФИО заявителя" in header
    for ws in wb.worksheets:
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"

    cases = {r["Case number"]: r for r in presented_rows(wb, "cases")}
    assert len(cases) == 3 and result.rows["cases"] == 3
    kz = cases["KZ-2026-0001"]
    assert kz["Applicant's IIN/PIN"] == "**********25" and kz["IIN/PIN"] == "**********17"
    assert kz["Passport"] == "*******78"
    assert kz["Status"] == t("waiting for answers") and kz["Citizenship"] == t("Kazakhstan")
    assert kz["Checked with the family"] == t("no")
    assert kz["Date of birth"] == datetime(1994, 3, 18)
    assert kz["Reported"] == datetime(2026, 11, 2, 13, 0)  # 08:00 UTC is 13:00 in Almaty
    assert kz["Last known place"] == "Ростов-на-Дону, общежитие"
    assert kz["Region"] == "Ростовская область"  # the picked region, named in Russian
    assert cases["KG-2026-0001"]["Region"] == "Ростовская область"  # old case: from its place
    assert kz["What is known"] == t(q.BY_KEY["e_what"].choice_label("force") or "")
    assert kz["Files"] == 2 and kz["Volunteers"] == "Бакыт, @dana_kw" and kz["Notes"] == 1
    assert kz["Missing person"] == "Әлібек Құрманғазыұлы"

    letters = presented_rows(wb, "letters")
    prosecutor = next(
        r
        for r in letters
        if r["Case number"] == "KZ-2026-0001"
        and r["Addressee"] == body_name(t, "prosecutor_general")
    )
    assert prosecutor["Sent on"] == datetime(2026, 11, 2)
    assert prosecutor["How it was sent"] == t("Registered mail")
    assert prosecutor["Answer due"] == datetime(2026, 12, 5)
    assert prosecutor["Registration number"] == "ОГ-12345" and prosecutor["Replies"] == 2
    assert prosecutor["Answered"] == t("yes")
    embassy = next(r for r in letters if r["Addressee"] == body_name(t, "embassy_kz"))
    assert embassy["Overdue"] == t("yes") and embassy["Replies"] == 0
    events = presented_rows(wb, "events")
    assert all(isinstance(e["Time"], datetime) and e["Time"].microsecond == 0 for e in events)
    audit = presented_rows(wb, "audit")
    assert [(a["What"], a["Case number"]) for a in audit if "Бакыт" in a["What"]] == [
        (t("{who} opened case {number}.", who="Бакыт", number="KZ-2026-0001"), "KZ-2026-0001")
    ]
    family = t("The family of case {number}", number="KZ-2026-0001")
    assert t("{who} confirmed the report.", who=family) in {a["What"] for a in audit}
    stats = {(r["Figure"], r["Of"]): r["Value"] for r in presented_rows(wb, "stats")}
    assert stats[(t("Cases"), t("total"))] == 3
    assert stats[(t("Cases by status"), t("waiting for answers"))] == 1

    [entry] = await export_entries(world.db)
    assert entry == {
        "format": "xlsx",
        "filters": {},
        "masked": True,
        "rows": result.total,
        "actor": 77,
        "case_id": None,
    }


async def test_xlsx_texts_are_text_never_formulas_and_show_no_apostrophe(world: World) -> None:
    """A phone number, or a family's text starting with =, +, - or @, is a text cell with
    the quote-prefix style: shown as typed, never run, also after an edit."""
    out = world.path / "export.xlsx"
    await world.exporter.xlsx(out, actor_id=77, locale="kk")
    wb = openpyxl.load_workbook(out)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    sheet = wb[Presentation(Catalogs().get("kk"), "Asia/Almaty").sheet_name("cases")]
    rows = list(sheet.iter_rows())
    labels = [label for label, _ in SHEETS["cases"]]
    cells = {r[0].value: dict(zip(labels, r)) for r in rows[1:]}
    kz, kg = cells["KZ-2026-0001"], cells["KG-2026-0001"]
    for cell, text in (
        (kz["The family's account"], STORY),
        (kz["Applicant's full name"], "+Айгүл Төлөгөнова"),
        (kz["Applicant's phone"], "+77011234567"),
        (kg["Applicant's full name"], "-Жаңыл Асанова"),
        (kg["Missing person"], "@Бекзат Асанов"),
    ):
        assert cell.value == text and cell.data_type == "s" and cell.quotePrefix, cell.value
    assert kz["Missing person"].value == "Әлібек Құрманғазыұлы"
    assert not kz["Missing person"].quotePrefix


async def test_full_export_is_explicit_and_audited(world: World) -> None:
    out = world.path / "full.xlsx"
    await world.exporter.xlsx(out, actor_id=5, full=True)
    kz = next(
        r
        for r in presented_rows(openpyxl.load_workbook(out), "cases")
        if r["Case number"] == "KZ-2026-0001"
    )
    assert (kz["Applicant's IIN/PIN"], kz["IIN/PIN"], kz["Passport"]) == (
        KZ_IIN,
        MISSING_IIN,
        PASSPORT,
    )
    [entry] = await export_entries(world.db)
    assert entry["masked"] is False and entry["actor"] == 5


# --- CSV and JSON -----------------------------------------------------------------------------
def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


async def test_csv_bundle_has_one_file_per_table(world: World) -> None:
    out = world.path / "export.zip"
    result = await world.exporter.csv(out, actor_id=0)
    with zipfile.ZipFile(out) as zf:
        assert zf.namelist() == [f"{n}.csv" for n in TABLES] + ["stats.csv"]
        tables = {n: read_csv(zf.read(f"{n}.csv")) for n in [*TABLES, "stats"]}
        assert zf.read("cases.csv").startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    assert list(tables["cases"][0]) == list(TABLES["cases"].columns)
    kz = next(r for r in tables["cases"] if r["number"] == "KZ-2026-0001")
    assert kz["reporter_id"] == "**********25" and kz["missing_passport"] == "*******78"
    assert kz["story"] == "'" + STORY and kz["reporter_name"].startswith("'+")
    assert (
        kz["created_at"] == "2026-11-02T08:00:00+00:00"
        and kz["missing_birth_date"] == "1994-03-18"
    )
    assert kz["verified"] == "false" and kz["volunteer_ids"] == "501,502"
    kg = next(r for r in tables["cases"] if r["number"] == "KG-2026-0001")
    assert kg["reporter_name"] == "'-Жаңыл Асанова" and kg["missing_name"] == "'@Бекзат Асанов"
    assert {r["last_reply_outcome"] for r in tables["letters"]} == {"", "answered", "refused"}
    assert len(tables["replies"]) == 3 and len(tables["letters"]) == 5
    assert {(r["metric"], r["key"]): r["value"] for r in tables["stats"]}[
        ("cases", "total")
    ] == "3"
    assert result.rows == {
        "cases": 3,
        "letters": 5,
        "replies": 3,
        "events": len(tables["events"]),
        "audit": len(tables["audit"]),  # the view and the families' own entries
    }
    assert {r["action"] for r in tables["audit"]} >= {"view_case", "report_confirmed"}
    [entry] = await export_entries(world.db)
    assert entry["format"] == "csv" and entry["masked"] is True and entry["rows"] == result.total


async def test_csv_of_one_table(world: World) -> None:
    out = world.path / "letters.csv"
    result = await world.exporter.csv(out, actor_id=9, table="letters", today=date(2026, 11, 30))
    rows = read_csv(out.read_bytes())
    assert result.rows == {"letters": 5} and len(rows) == 5
    # Due 20.11 and unanswered; the Kyrgyz embassy (due 25.11) refused, which closed it.
    assert {r["addressee"] for r in rows if r["overdue"] == "true"} == {"embassy_kz"}
    stats_out = world.path / "stats.csv"
    await world.exporter.csv(stats_out, actor_id=9, table="stats")
    assert ("cases_by_citizenship", "other", "1") in {
        (r["metric"], r["key"], r["value"]) for r in read_csv(stats_out.read_bytes())
    }
    entries = await export_entries(world.db)
    assert sorted(e["table"] for e in entries) == ["letters", "stats"]
    with pytest.raises(ValueError):
        await world.exporter.csv(world.path / "x.csv", actor_id=9, table="users")


# Values the column-wise CSV path must write as the cell-by-cell path does, or hand over to it.
ODD_ANSWERS: dict[str, Any] = {
    "r_name": 5,
    "r_rel": "",
    "r_phone": "\u3000=1",
    "r_email": 'a"b,c',
    "r_id": "7",
    "m_name": "line\r\nbreak",
    "m_latin": " @x",
    "m_birth": "2020-02-30",
    "m_cit": "other",
    "m_cit_other": "\uff0b",
    "m_id": "",
    "e_date": 20260101,
    "e_place": "bell\x07, here",
    "e_story": 'tab\tinside, "quoted"\n',
    "e_what": "\ufffe",
    "e_resp": "\n=x",
    "evidence": "two",
}


async def test_csv_columns_match_the_cell_by_cell_path(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = await Store(world.db).create_case(3, "XX", ODD_ANSWERS, "other", NOW)
    async with world.db.transaction() as conn:
        await conn.execute(
            "UPDATE cases SET created_at = ?, purged_at = ? WHERE id = ?",
            ("2026-11-01T10:00:00+05:00", "2026-11-20T01:02:03.000009+00:00", odd.id),
        )
        await conn.execute(
            "UPDATE case_events SET at = ?, detail = '' WHERE case_id = ?",
            ("2026-11-01T10:00:00", odd.id),
        )
    fast = writers.csv_lines
    outcome = {"columns": 0, "cells": 0}

    def counted(columns: Any) -> str:
        try:
            text = fast(columns)
        except Unusual:
            outcome["cells"] += 1
            raise
        outcome["columns"] += 1
        return text

    def never(columns: Any) -> str:
        raise Unusual

    async def bundle(name: str, batch_size: int, full: bool) -> dict[str, list[str]]:
        out = world.path / name
        await Exporter(world.db, world.clock, batch_size=batch_size).csv(
            out, actor_id=0, full=full
        )
        with zipfile.ZipFile(out) as zf:
            texts = {n: zf.read(n).decode("utf-8-sig") for n in zf.namelist()}
        # Each export is in the next one's audit log: compare the rest of the log.
        return {
            n: [line for line in t.splitlines() if n != "audit.csv" or ",export," not in line]
            for n, t in texts.items()
        }

    for full in (False, True):
        monkeypatch.setattr(writers, "csv_lines", never)
        reference = await bundle("cells.zip", 500, full)
        monkeypatch.setattr(writers, "csv_lines", counted)
        for batch_size in (1, 500):
            assert await bundle(f"columns{batch_size}.zip", batch_size, full) == reference
    assert outcome["columns"] > outcome["cells"] > 0  # both ways were taken
    cases = read_csv("\r\n".join(reference["cases.csv"]).encode())
    row = next(r for r in cases if r["number"] == odd.number)
    assert (row["reporter_name"], row["reporter_phone"], row["missing_name"]) == (
        "5",
        "'\u3000=1",
        "line\r\nbreak",
    )
    assert (row["missing_birth_date"], row["last_contact_date"], row["evidence_files"]) == (
        "2020-02-30",
        "2026-01-01",
        "3",
    )
    assert row["created_at"] == "2026-11-01T05:00:00+00:00" and row["last_place"] == "bell, here"


CSV_ALPHABET = ',"\r\n\t =+-@a\u044f\uff1d\u3000\x85\x00\x0b\ufffe\ud800'
TEXT_COLUMN = st.lists(
    st.one_of(st.none(), st.text(CSV_ALPHABET, max_size=5)), min_size=1, max_size=6
)


@given(TEXT_COLUMN, TEXT_COLUMN)
def test_text_columns_are_written_as_cell_by_cell(
    first: list[str | None], second: list[str | None]
) -> None:
    rows = list(zip(first, second))
    table = Table(
        "t", ("a", "b"), ExportReader.cases, lambda row, cipher: row, lambda rec, ctx: rec
    )
    writer = CsvWriter(io.BytesIO(), bundle=False, ctx=RowContext(full=False, today=TODAY))
    expected = csv_text(writer.cells(table, rows))
    try:
        text = csv_lines([(Cell.TEXT, [a for a, _ in rows]), (Cell.TEXT, [b for _, b in rows])])
    except Unusual:  # only for what needs cleaning
        assert any(writers._ILLEGAL.search(v or "") for row in rows for v in row)
    else:
        assert text == expected


async def test_json_is_one_document_with_everything(world: World) -> None:
    out = world.path / "export.json"
    await world.exporter.json(out, actor_id=3)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert list(doc) == [
        "export",
        "cases",
        "letters",
        "replies",
        "events",
        "audit",
        "notes",
        "stats",
    ]
    assert doc["export"]["masked"] is True and doc["export"]["filters"] == {}
    kz = next(c for c in doc["cases"] if c["number"] == "KZ-2026-0001")
    assert kz["reporter_id"] == "**********25" and kz["story"] == STORY  # JSON keeps text as is
    assert kz["volunteer_ids"] == [501, 502] and kz["missing_photo"] is True
    assert [e["file_name"] for e in kz["evidence"]] == ["screenshot.pdf", None]
    assert "SECRET-FILE-ID" not in out.read_text(encoding="utf-8")
    assert kz["actions"][0]["outcome"] == "form"
    assert isinstance(doc["events"][0]["detail"], dict)
    assert doc["notes"][0]["text"].endswith(KAZAKH)
    assert doc["stats"]["cases"] == 3 and doc["stats"]["by_citizenship"] == {
        "KZ": 1,
        "KG": 1,
        "other": 1,
    }
    [entry] = await export_entries(world.db)
    assert entry["format"] == "json"


async def test_filters_select_cases_and_what_follows_them(world: World) -> None:
    out = world.path / "kz.json"
    flt = ExportFilter(
        date_from=date(2026, 11, 1),
        date_to=date(2026, 11, 11),
        statuses=frozenset({"waiting", "reported"}),
    )
    result = await world.exporter.json(out, flt, actor_id=1)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [c["number"] for c in doc["cases"]] == ["KZ-2026-0001"]
    assert {x["case_number"] for x in doc["letters"] + doc["replies"] + doc["events"]} == {
        "KZ-2026-0001"
    }
    assert result.rows["cases"] == 1 and doc["export"]["filters"] == {
        "from": "2026-11-01",
        "to": "2026-11-11",
        "status": ["reported", "waiting"],
    }
    kg = await world.exporter.statistics(ExportFilter(citizenship="KG"))
    assert kg.cases == 1 and kg.by_citizenship["KG"] == 1 and kg.by_citizenship["KZ"] == 0
    assert (await world.exporter.statistics(ExportFilter(date_to=date(2026, 11, 2)))).cases == 2
    [entry] = await export_entries(world.db)
    assert entry["filters"] == doc["export"]["filters"]
    with pytest.raises(ValueError):
        ExportFilter(statuses=frozenset({"lost"}))
    with pytest.raises(ValueError):
        ExportFilter(citizenship="RU")


# --- statistics and charts ---------------------------------------------------------------------
async def test_statistics(world: World) -> None:
    stats = await world.exporter.statistics(today=TODAY)
    assert stats.cases == 3
    assert stats.by_status["waiting"] == 1 and stats.by_status["answer_received"] == 1
    assert stats.by_status["reported"] == 1 and sum(stats.by_status.values()) == 3
    assert list(stats.by_status)[:3] == ["reported", "letters_ready", "letters_sent"]
    assert stats.by_citizenship == {"KZ": 1, "KG": 1, "other": 1}
    assert stats.by_region == {"RU-ROS": 2, "unknown": 1}
    assert stats.letters_sent == {"prosecutor_general": 2, "embassy_kg": 1, "embassy_kz": 1}
    bodies = {b.body: b for b in stats.bodies}
    prosecutor = bodies["prosecutor_general"]
    assert (prosecutor.sent, prosecutor.replied, prosecutor.replies) == (2, 1, 2)
    assert prosecutor.reply_rate == 0.5 and prosecutor.median_days_to_first_reply == 8
    assert prosecutor.form_share == 0.5
    assert bodies["embassy_kg"].median_days_to_first_reply == 4
    assert bodies["embassy_kg"].reply_rate == 1.0 and bodies["embassy_kg"].form_share == 0.0
    assert bodies["embassy_kz"].reply_rate == 0.0 and bodies["embassy_kz"].form_share is None
    # Sent, not answered, due 20.11 (kz embassy); kg prosecutor is due 10.12.
    assert bodies["embassy_kz"].overdue == 1 and stats.overdue == 1
    assert (await world.exporter.statistics(today=date(2026, 12, 11))).overdue == 2
    assert stats.weekly == (("2026-W43", 1), ("2026-W44", 0), ("2026-W45", 1), ("2026-W46", 1))
    assert stats.deleted_cases == 0


async def test_charts_are_pngs_of_the_statistics(world: World) -> None:
    stats = await world.exporter.statistics(today=TODAY)
    charts = await world.exporter.charts("kk", actor_id=31, today=TODAY)
    t = Catalogs().get("kk")
    assert [c.key for c in charts] == [
        "status",
        "citizenship",
        "region",
        "letters",
        "reply_rate",
        "median_days",
        "overdue",
        "weekly",
    ]
    for chart in charts:
        assert chart.png.startswith(b"\x89PNG\r\n\x1a\n") and len(chart.png) > 2000
    series = chart_series(charts)
    assert (
        series["status"][t("waiting for answers")] == 1
        and t("waiting for answers") != "waiting for answers"
    )
    assert sum(series["status"].values()) == stats.cases
    assert series["citizenship"] == {t("Kazakhstan"): 1, t("Kyrgyzstan"): 1, t("Other country"): 1}
    assert series["region"] == {"Ростов облысы": 2, t("Unknown"): 1}
    prosecutor = next(k for k in series["letters"] if "прокуратура" in k.lower())
    assert series["letters"][prosecutor] == 2 and series["reply_rate"][prosecutor] == 50.0
    assert series["median_days"][prosecutor] == 8
    assert sum(series["overdue"].values()) == 1
    assert list(series["weekly"].values()) == [1, 0, 1, 1]
    [entry] = await export_entries(world.db)
    assert (entry["format"], entry["actor"], entry["rows"]) == ("charts", 31, 3)


async def test_charts_of_an_empty_database(tmp_path: Path) -> None:
    db = Database(tmp_path / "empty.sqlite3")
    await db.open()
    try:
        charts = await Exporter(db, ManualClock(NOW)).charts("ru")
        assert all(c.png.startswith(b"\x89PNG") for c in charts)
        assert chart_series(charts)["letters"] == {}
    finally:
        await db.close()


async def test_statistics_pdf(world: World) -> None:
    pdf = await world.exporter.stats_pdf("ky", actor_id=12, today=TODAY)
    reader = PdfReader(io.BytesIO(pdf))
    text = pdf_text(pdf)
    t = Catalogs().get("ky")
    assert t("waiting for answers") in text and t("Kyrgyzstan") in text
    assert "Ростов облусу" in text  # the region in the reader's language
    assert sum(len(page.images) for page in reader.pages) == 8
    assert [e["format"] for e in await export_entries(world.db)] == ["stats"]


# --- dossier ----------------------------------------------------------------------------------
def pdf_text(data: bytes) -> str:
    """The text of a PDF with line breaks and repeated spaces made single spaces."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


@pytest.mark.parametrize("locale", LOCALES)
async def test_dossier_in_the_caseworkers_language(world: World, locale: str) -> None:
    await StaffStore(world.db).save_name(501, "Бакыт", NOW)
    await StaffStore(world.db).save_name(502, "@dana_kw", NOW)
    pdf = await world.exporter.dossier("KZ-2026-0001", locale, actor_id=501, tz="Asia/Bishkek")
    assert pdf is not None and pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    t = Catalogs().get(locale)
    for key in ("m_name", "r_id", "r_name", "e_place", "evidence"):
        assert answer_label(t, key, staff=True) in text
    assert t(q.LABELS["r_name"]) not in text  # the family's "Your name", not for a third person
    assert t(q.SECTION_TITLES[q.Section.MISSING]) in text and t("Applicant") in text
    assert t.datetime(NOW, "short", tz="Asia/Bishkek") in text  # the reader's zone
    assert t("Mother") in text and t("waiting for answers") in text
    assert " ".join(t.date(date(1994, 3, 18), "long").split()) in text
    assert "Әлібек Құрманғазыұлы" in text and KAZAKH in text  # Kazakh letters survive
    assert "**********25" in text and KZ_IIN not in text and PASSPORT not in text
    assert "screenshot.pdf" in text and "SECRET-FILE-ID" not in text
    assert "ОГ-12345" in text and "Сведениями не располагаем" in text
    assert t("A form reply that answers nothing") in text
    assert (
        "Позвонили семье" in text and t("Timeline of case {number}", number="KZ-2026-0001") in text
    )
    assert "Бакыт, @dana_kw" in text or "@dana_kw, Бакыт" in text
    if locale != "ru":
        assert t(q.LABELS["m_name"]) != q.LABELS["m_name"]  # really translated
    [entry] = await export_entries(world.db)
    assert entry == {
        "format": "dossier",
        "filters": {"case": "KZ-2026-0001"},
        "masked": True,
        "rows": 1,
        "actor": 501,
        "case_id": world.kz,
    }


async def test_sealed_fields_are_opened_for_the_export(tmp_path: Path) -> None:
    world = await build(tmp_path, Cipher(new_key()))
    try:
        raw = (tmp_path / "izdeu.sqlite3").read_bytes() + b"".join(
            p.read_bytes() for p in tmp_path.glob("izdeu.sqlite3-wal")
        )
        assert "Құрманғазыұлы".encode() not in raw and "ОГ-12345".encode() not in raw
        out = tmp_path / "sealed.json"
        await world.exporter.json(out, actor_id=1, full=True)
        doc = json.loads(out.read_text(encoding="utf-8"))
        kz = next(c for c in doc["cases"] if c["number"] == "KZ-2026-0001")
        assert kz["missing_name"] == "Әлібек Құрманғазыұлы" and kz["reporter_id"] == KZ_IIN
        assert {x["reference"] for x in doc["letters"]} >= {"ОГ-12345"}
        assert {r["summary"] for r in doc["replies"]} >= {"Сведениями не располагаем"}
        assert doc["notes"][0]["text"].endswith(KAZAKH)
        text = pdf_text(await world.exporter.dossier("KZ-2026-0001", "ru", actor_id=1) or b"")
        assert "Сведениями не располагаем" in text and "ОГ-12345" in text
    finally:
        await world.db.close()


async def test_full_dossier_and_unknown_case(world: World) -> None:
    text = pdf_text(
        await world.exporter.dossier("KZ-2026-0001", "ru", actor_id=1, full=True) or b""
    )
    assert KZ_IIN in text and MISSING_IIN in text and PASSPORT in text
    assert await world.exporter.dossier("KZ-2026-9999", "ru", actor_id=1) is None
    assert [e["masked"] for e in await export_entries(world.db)] == [False]


async def test_dossier_of_a_case_reported_in_the_chat(tmp_path: Path) -> None:
    from tests.support import KZ_REPORT, Bot, consent, fill

    bot = await Bot.start(tmp_path)
    try:
        chat = bot.chat(4242, "kk")
        await consent(chat, "kk")
        await fill(chat, KZ_REPORT)
        await chat.press("confirm")
        [case] = await bot.services.store.cases_of(4242)
        exporter = Exporter(bot.services.db, bot.clock, bot.services.catalogs)
        text = pdf_text(await exporter.dossier(case.number, "kk", actor_id=7) or b"")
        t = bot.t("kk")
        assert "Әлібек Құрманғазыұлы" in text and "Айгүл Төлөгөнова" in text
        assert t("Embassy or consulate") in text and t("A form reply that said nothing") in text
        assert t("photo attached") in text and "screenshot.pdf" in text
        assert case.answers["r_id"] not in text
    finally:
        await bot.stop()
