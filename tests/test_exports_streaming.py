"""Large exports: read in batches, written in a worker, from one snapshot; the command line."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import math
import threading
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import bot.exports.service as service
import bot.storage.exports as storage_exports
from bot.cli import main
from bot.clock import ManualClock
from bot.domain.models import CaseStatus
from bot.exports import Exporter, writers
from bot.exports.synthetic import generate
from bot.exports.writers import Unusual
from bot.i18n import Catalogs
from bot.storage.database import Database
from bot.storage.staff import AuditStore
from bot.storage.store import Store
from bot.vocabulary import STATUS_NAMES

NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
CASES = 3000


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synthetic") / "izdeu.sqlite3"

    async def make() -> None:
        db = Database(path)
        await db.open()
        try:
            await generate(db, CASES, seed=7, start=NOW)
        finally:
            await db.close()

    asyncio.run(make())
    return path


@pytest.fixture
async def db(synthetic_db: Path, tmp_path: Path) -> AsyncIterator[Database]:
    copy = tmp_path / "izdeu.sqlite3"
    copy.write_bytes(synthetic_db.read_bytes())
    database = Database(copy)
    await database.open()
    yield database
    await database.close()


async def test_a_large_export_is_read_in_batches_and_written_in_a_worker(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exporter = Exporter(db, ManualClock(NOW), batch_size=250)
    loop_thread = threading.get_ident()
    seen = {"fetched": 0, "written": 0, "in_flight": 0, "threads": set()}
    fetched = exporter.store.fetched

    def on_fetch(name: str, rows: int) -> None:
        seen["fetched"] += 1
        fetched(name, rows)

    write_batch = service._write_batch

    def on_write(*args: Any) -> None:
        seen["threads"].add(threading.get_ident())
        seen["in_flight"] = max(seen["in_flight"], seen["fetched"] - seen["written"])
        write_batch(*args)
        seen["written"] += 1

    monkeypatch.setattr(exporter.store, "fetched", on_fetch)
    monkeypatch.setattr(service, "_write_batch", on_write)
    out = tmp_path / "big.zip"
    result = await exporter.csv(out, actor_id=0)

    store = exporter.store
    assert result.rows["cases"] == CASES
    assert store.fetches["cases"] == math.ceil(CASES / 250)
    assert store.fetches["letters"] == math.ceil(result.rows["letters"] / 250)
    assert store.fetches["events"] == math.ceil(result.rows["events"] / 250)
    assert store.largest_batch == 250  # never a whole table at once
    assert seen["written"] == sum(store.fetches.values())
    assert seen["in_flight"] <= 2  # one batch being written, the next one fetched
    assert loop_thread not in seen["threads"] and len(seen["threads"]) == 1
    with zipfile.ZipFile(out) as zf:
        rows = list(csv.reader(io.StringIO(zf.read("cases.csv").decode("utf-8-sig"))))
    assert len(rows) == CASES + 1
    # The generator plants stories a spreadsheet would run; none survives as a formula.
    stories = [r[rows[0].index("story")] for r in rows[1:]]
    assert any(s.startswith("'=HYPERLINK") for s in stories)
    assert not any(s.startswith("=") for s in stories)


async def test_csv_is_the_same_whatever_the_batches(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def export(name: str, batch_size: int) -> dict[str, bytes]:
        out = tmp_path / name
        await Exporter(db, ManualClock(NOW), batch_size=batch_size).csv(out, actor_id=0)
        with zipfile.ZipFile(out) as zf:  # (the audit log grows with each export)
            return {n: zf.read(n) for n in zf.namelist() if n != "audit.csv"}

    reference = await export("a.zip", 500)
    assert await export("b.zip", 37) == reference

    def cell_by_cell(columns: Any) -> str:
        raise Unusual

    monkeypatch.setattr(writers, "csv_lines", cell_by_cell)
    assert await export("c.zip", 500) == reference


async def test_large_xlsx_and_json(db: Database, tmp_path: Path) -> None:
    exporter = Exporter(db, ManualClock(NOW), batch_size=400)
    out = tmp_path / "big.xlsx"
    result = await exporter.xlsx(out, actor_id=0)
    with zipfile.ZipFile(out) as zf:  # rows counted in the sheets' XML (reading is slow)
        for i, name in enumerate(("cases", "letters", "replies", "events"), 1):
            assert zf.read(f"xl/worksheets/sheet{i}.xml").count(b"<row ") == result.rows[name] + 1
    wb = openpyxl.load_workbook(out, read_only=True)
    t = Catalogs().get(None)  # the default language: Russian
    stats = {(m, k): v for m, k, v in wb["Статистика"].iter_rows(min_row=2, values_only=True)}
    assert stats[(t("Cases"), t("total"))] == CASES
    first = next(wb["Дела"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert first[0].startswith(("KZ-", "KG-", "XX-")) and isinstance(first[5], datetime)
    wb.close()
    assert exporter.store.largest_batch == 400

    doc_path = tmp_path / "big.json"
    await exporter.json(doc_path, actor_id=0)
    doc = json.loads(doc_path.read_text(encoding="utf-8"))
    assert len(doc["cases"]) == CASES and doc["stats"]["cases"] == CASES
    assert len(doc["letters"]) == result.rows["letters"]


async def test_an_export_reads_one_snapshot_and_never_blocks_the_bot(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exporter = Exporter(db, ManualClock(NOW), batch_size=100)
    store = Store(db)
    await store.create_user(99, 99, "ru", NOW)
    progress: dict[str, Any] = {"task": None, "done_during_export": False}
    fetched = exporter.store.fetched

    def on_fetch(name: str, rows: int) -> None:
        task = progress["task"]
        if task is None:  # the bot writes while the export is reading
            progress["task"] = asyncio.get_running_loop().create_task(
                store.create_case(99, "KZ", {"m_cit": "KZ", "m_name": "Новый"}, "KZ", NOW)
            )
        elif task.done():
            progress["done_during_export"] = True
        fetched(name, rows)

    monkeypatch.setattr(exporter.store, "fetched", on_fetch)
    result = await exporter.csv(tmp_path / "snap.zip", actor_id=0)
    assert progress["done_during_export"]
    assert result.rows["cases"] == CASES  # what was there when the export began
    assert await store.count_cases() == CASES + 1


async def test_a_failed_export_leaves_no_file_and_no_audit_entry(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exporter = Exporter(db, ManualClock(NOW), batch_size=500)
    calls = {"n": 0}
    write_batch = service._write_batch

    def failing(*args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        write_batch(*args)

    monkeypatch.setattr(service, "_write_batch", failing)
    with pytest.raises(OSError):
        await exporter.xlsx(tmp_path / "broken.xlsx", actor_id=4)
    assert list(tmp_path.glob("*broken*")) == []
    assert [e for e in await AuditStore(db).entries() if e.action == "export"] == []


async def test_an_export_whose_reader_process_dies_fails_cleanly(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exporter = Exporter(db, ManualClock(NOW), batch_size=100)
    readers: list[Any] = []
    start = storage_exports._start

    def start_and_keep(*args: Any) -> Any:
        pipe, process = start(*args)
        readers.append(process)
        return pipe, process

    def on_fetch(name: str, rows: int) -> None:
        if name == "letters" and readers[0].is_alive():
            readers[0].kill()

    monkeypatch.setattr(storage_exports, "_start", start_and_keep)
    monkeypatch.setattr(exporter.store, "fetched", on_fetch)
    with pytest.raises(RuntimeError, match="reader process stopped"):
        await exporter.csv(tmp_path / "broken.zip", actor_id=4)
    assert list(tmp_path.glob("*broken*")) == []
    assert [e for e in await AuditStore(db).entries() if e.action == "export"] == []
    assert not readers[0].is_alive()


def test_command_line_export(
    synthetic_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db_path = tmp_path / "izdeu.sqlite3"
    db_path.write_bytes(synthetic_db.read_bytes())
    monkeypatch.setenv("IZDEU_DB_PATH", str(db_path))
    monkeypatch.setenv("IZDEU_DATA_DIR", str(tmp_path))
    for name in ("TELEGRAM_BOT_TOKEN", "IZDEU_ENCRYPTION_KEY", "IZDEU_OLD_ENCRYPTION_KEYS"):
        monkeypatch.delenv(name, raising=False)
    out = tmp_path / "kz.xlsx"
    assert (
        main(
            [
                "export",
                "--format",
                "xlsx",
                "--out",
                str(out),
                "--citizenship",
                "KZ",
                "--status",
                "waiting",
                "answer_received",
                "--from",
                "2025-01-01",
            ]
        )
        == 0
    )
    assert "identity numbers masked" in capsys.readouterr().out
    assert out.stat().st_mode & 0o077 == 0  # readable by its owner only
    wb = openpyxl.load_workbook(out, read_only=True)
    cases = list(wb["Дела"].iter_rows(min_row=2, values_only=True))  # --locale ru, the default
    t = Catalogs().get("ru")
    allowed = {
        (t(STATUS_NAMES[CaseStatus(s)]), t("Kazakhstan")) for s in ("waiting", "answer_received")
    }
    assert cases and {(r[1], r[2]) for r in cases} <= allowed
    wb.close()
    number = cases[0][0]
    dossier = tmp_path / "case.pdf"
    assert (
        main(
            [
                "export",
                "--format",
                "dossier",
                "--case",
                number,
                "--locale",
                "kk",
                "--out",
                str(dossier),
                "--full",
            ]
        )
        == 0
    )
    assert dossier.read_bytes().startswith(b"%PDF")
    stats = tmp_path / "stats.pdf"
    assert main(["export", "--format", "stats", "--locale", "ky", "--out", str(stats)]) == 0
    assert stats.read_bytes().startswith(b"%PDF")
    letters = tmp_path / "letters.csv"
    assert main(["export", "--format", "csv", "--table", "letters", "--out", str(letters)]) == 0
    assert main(["export", "--format", "csv", "--status", "lost", "--out", str(letters)]) == 2
    assert main(["export", "--format", "dossier", "--out", str(dossier)]) == 2
    assert (
        main(
            [
                "export",
                "--format",
                "dossier",
                "--case",
                "KZ-1999-0001",
                "--out",
                str(tmp_path / "none.pdf"),
            ]
        )
        == 2
    )

    async def entries() -> list[Any]:
        database = Database(db_path)
        await database.open()
        try:
            return [e for e in await AuditStore(database).entries() if e.action == "export"]
        finally:
            await database.close()

    logged = asyncio.run(entries())
    assert [(e.actor_id, e.detail["format"], e.detail["masked"]) for e in reversed(logged)] == [
        (0, "xlsx", True),
        (0, "dossier", False),
        (0, "stats", True),
        (0, "csv", True),
    ]
    assert logged[-1].detail["filters"] == {
        "from": "2025-01-01",
        "status": ["waiting", "answer_received"],
        "citizenship": "KZ",
    }
