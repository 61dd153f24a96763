"""The report on the bodies: figures checked against the data, and no cell that could
single out a family in a small organisation's data."""

from __future__ import annotations

import io
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

from pypdf import PdfReader

from bot.exports.synthetic import generate
from bot.i18n import default_catalogs
from bot.letters.directory import load_directory
from bot.replies.bodies import (
    CHARTED,
    MIN_COUNT,
    PARTITION,
    SUPPRESSED,
    bodies_report,
    publishable,
)
from bot.storage.bodies import BodyCounts, body_counts
from bot.storage.database import Database
from tests.readers import latin_words, pdf_text
from tests.support import Bot
from tests.test_protection import run_cli
from tests.test_staff import make_staff

TODAY = date(2027, 3, 1)
NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)


def test_small_counts_and_what_would_give_them_away_are_suppressed() -> None:
    counts = [
        BodyCounts("embassy_kz", 12, 6, 3, 3, 0, 2, 0, (3, 5, 8, 9, 12, 20, 30, 31, 40)),
        BodyCounts("icrc", 4, 4, 0, 0, 0, 0, 0, (1, 2, 3, 4)),
    ]
    rows = publishable(counts)
    assert [r.addressee_id for r in rows] == ["embassy_kz"]  # 4 letters: left out
    cells = rows[0].cells
    assert cells["late"] == cells["never"] == SUPPRESSED and cells["form_marked"] == SUPPRESSED
    assert cells["in_time"] == 6 and cells["letters"] == 12 and cells["median_days"] == 12
    assert cells["waiting"] == 0 and cells["form_matched"] == 0


async def test_a_small_organisation_s_report_cannot_single_out_a_family(tmp_path: Path) -> None:
    db = Database(tmp_path / "small.sqlite3")
    await db.open()
    try:
        await generate(db, 30, seed=3)
        raw = await body_counts(db, TODAY)
        rows = publishable(raw)
        assert rows, "the fixture has bodies with enough letters"
        by_body = {c.addressee_id: c for c in raw}
        assert any(SUPPRESSED in row.cells.values() for row in rows)
        for row in rows:
            hidden_sum = sum(
                getattr(by_body[row.addressee_id], k)
                for k in PARTITION
                if row.cells[k] == SUPPRESSED
            )
            assert hidden_sum == 0 or hidden_sum >= MIN_COUNT, row  # no small remainder
            values = list(row.cells.values())
            assert all(v == SUPPRESSED or v == 0 or int(v) >= MIN_COUNT for v in values), row
            hidden = [k for k in PARTITION if row.cells[k] == SUPPRESSED]
            assert len(hidden) != 1, row  # never one alone: it could be subtracted back
        # The figures are those of the data, counted here independently.
        with sqlite3.connect(tmp_path / "small.sqlite3") as conn:
            letters = conn.execute(
                "SELECT addressee_id, id, due_on FROM letters WHERE sent_on IS NOT NULL"
            ).fetchall()
            firsts = dict(
                conn.execute(
                    "SELECT letter_id, MIN(received_on) FROM replies GROUP BY letter_id"
                ).fetchall()
            )
        for row in rows:
            mine = [(i, due) for body, i, due in letters if body == row.addressee_id]
            assert row.cells["letters"] == len(mine)
            in_time = sum(
                1 for i, due in mine if i in firsts and (due is None or firsts[i] <= due)
            )
            if row.cells["in_time"] != SUPPRESSED:
                assert row.cells["in_time"] == in_time
        catalogs = default_catalogs()
        for locale in ("ru", "kk", "ky", "en"):
            csv_data, pdf = await bodies_report(db, catalogs, locale, NOW, actor_id=0)
            text = pdf_text(pdf)
            assert "KZ-" not in text and "KG-" not in text  # no case number anywhere
            # every charted figure drawn, in the report's language
            images = sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)
            assert rows and images == len(CHARTED)
            if locale == "en":  # the bodies by their English names
                names = {load_directory()[r.addressee_id].names["en"] for r in rows}
                assert all(" ".join(n.split()) in " ".join(text.split()) for n in names)
            assert csv_data.decode("utf-8-sig").count("\n") == len(rows) + 1
    finally:
        await db.close()


async def test_caseworkers_get_the_report_in_the_chat_and_from_the_command_line(
    tmp_path: Path,
) -> None:
    bot = await Bot.start(tmp_path)
    try:
        await generate(bot.services.db, 30, seed=3)
        caseworker = await make_staff(bot, 650, "caseworker", "kk")
        family = bot.chat(651, "kk")
        await family.send("/bodies")
        assert not bot.api.sent(651, "sendDocument")  # families do not get it
        await caseworker.send("/bodies")
        files = {
            c.files["document"][0]: c.files["document"][1]
            for c in bot.api.sent(650, "sendDocument")
        }
        assert sorted(n.rsplit(".", 1)[1] for n in files) == ["csv", "pdf"]
        pdf_name = next(n for n in files if n.endswith(".pdf"))
        text = pdf_text(files[pdf_name])
        assert bot.t("kk")("Answered within the legal term") in text
        assert not latin_words(text.replace("PDF", "").replace("CSV", "")), text[:300]
        await caseworker.send("/bodies en")
        english = [
            c
            for c in bot.api.sent(650, "sendDocument")
            if c.files["document"][0].startswith("izdeu-bodies-en-")
            and c.files["document"][0].endswith(".pdf")
        ]
        assert english and "Answered within the legal term" in pdf_text(
            english[0].files["document"][1]
        )
        actions = [e.action for e in await bot.services.staff.audit.entries(limit=50)]
        assert actions.count("export") == 2
    finally:
        await bot.stop()
    done = run_cli(
        "export",
        "--format",
        "bodies",
        "--locale",
        "ky",
        "--out",
        str(tmp_path / "bodies"),
        env={"IZDEU_DATA_DIR": str(tmp_path), "IZDEU_ALLOW_UNENCRYPTED": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "bodies.pdf").read_bytes().startswith(b"%PDF")
    header = (tmp_path / "bodies.csv").read_text("utf-8-sig").splitlines()[0]
    assert "Мыйзамда белгиленген мөөнөттө жооп берилди" in header
