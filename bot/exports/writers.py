"""Writers of XLSX, CSV and JSON. Synchronous: they run in the export's worker thread.

Every writer takes a table at a time (``begin``, ``rows`` for each batch,
``end``), then ``finish`` with the statistics, or ``abort`` on failure.

Spreadsheet safety: a text cell beginning with ``=``, ``+``, ``-`` or ``@``
(also after leading spaces, and any cell beginning with a tab or a carriage
return) would be run as a formula by Excel or LibreOffice. Such cells get a
leading single quote, so what a family wrote is always shown, never run.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import IO, Any, BinaryIO

from bot.exports import xlsx
from bot.exports.presentation import DEFAULT_ZONE, Presentation
from bot.exports.stats import Statistics, StatsBuilder
from bot.exports.tables import STATS_COLUMNS, STATS_TABLE, Cell, Column, RowContext, Table
from bot.i18n import default_catalogs
from bot.storage.crypto import Cipher

# Formula triggers, including the full-width forms some spreadsheet locales accept.
_FORMULA_START = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
_ALWAYS_QUOTE = frozenset("\t\r")
# Characters XML 1.0 cannot carry (and lone surrogates, which UTF-8 cannot).
_ILLEGAL_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_ILLEGAL = re.compile(f"[{_ILLEGAL_CHARS}]")


# First characters that call for a closer look: formula signs and any white space.
_CARE_FIRST = (
    _FORMULA_START
    | _ALWAYS_QUOTE
    | frozenset(ch for ch in map(chr, range(0x3001)) if ch.isspace())
)


def _risky(text: str) -> bool:
    """Whether a non-empty text needs neutralising or cleaning (most do not)."""
    return text[0] in _CARE_FIRST or _ILLEGAL.search(text) is not None


XLSX_MAX_TEXT = 32767  # the most characters one spreadsheet cell holds


def neutralise(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would run as a formula."""
    if not text:
        return text
    first = text[0]
    if first in _ALWAYS_QUOTE:
        return "'" + text
    if first in _FORMULA_START:
        return "'" + text
    if first.isspace():
        rest = text.lstrip()
        if rest and rest[0] in _FORMULA_START:
            return "'" + text
    return text


def clean(text: str) -> str:
    """Drop control characters that XML cannot hold and lone surrogates."""
    return _ILLEGAL.sub("", text) if _ILLEGAL.search(text) else text


def _compact(value: Mapping[str, Any]) -> str:
    return json.dumps(
        value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str
    )


def iso_time(value: datetime) -> str:
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(timespec="seconds")


def safe_text(text: str) -> str:
    """Text as a spreadsheet cell may hold it: cleaned and neutralised."""
    return neutralise(clean(text)) if text and _risky(text) else text


def text_cell(value: Any) -> str | None:
    """A value as spreadsheet text (CSV), neutralised; None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, datetime):
        return iso_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return ",".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return safe_text(_compact(value))
    return safe_text(str(value))


# --- CSV ---------------------------------------------------------------------------------------
class Unusual(Exception):
    """A value the column-wise CSV path does not expect: its batch goes cell by cell instead."""


BOM = "\ufeff".encode()  # spreadsheet programs then read the UTF-8 (Cyrillic) right
# What makes csv.writer quote a field (QUOTE_MINIMAL, "\r\n" line ends).
_QUOTE = re.compile('[,"\r\n]')
_CARE_AFTER_NEWLINE = re.compile("\n[" + "".join(map(re.escape, sorted(_CARE_FIRST))) + "]")
# Times as ``store._ts`` writes them, and days as ``date.isoformat`` does, one per line.
_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00"
_TIMES = re.compile(f"(?:{_TIME}\n)*{_TIME}", re.ASCII)
_DAY = r"\d{4}-\d\d-\d\d"
_DAYS = re.compile(f"(?:{_DAY}\n)*{_DAY}", re.ASCII)


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _texts(values: Sequence[Any]) -> Sequence[str]:
    """A text column, as ``cells`` and csv.writer write it.

    A few scans of the column joined by "\n" tell what it needs: most columns need
    nothing, and the rest only what some cell needs (quotes, a formula guard).
    """
    present = list(filter(None, values))
    if len(present) < len(values) and (
        values.count(None) + values.count("") < len(values) - len(present)
    ):
        raise Unusual  # 0 or False, say: not text
    if not present:
        return [""] * len(values)
    try:
        joined = "\n".join(present)
    except TypeError:
        raise Unusual from None
    if _ILLEGAL.search(joined):
        raise Unusual  # cleaning is the generic path's business
    cells = values if len(present) == len(values) else [v or "" for v in values]
    if joined[:1] in _CARE_FIRST or _CARE_AFTER_NEWLINE.search(joined):
        care = _CARE_FIRST
        cells = [neutralise(v) if v and v[0] in care else v for v in cells]
    if "\r" in joined or joined.count("\n") != len(present) - 1:
        needs = _QUOTE.search
        return [_quote(v) if needs(v) else v for v in cells]
    if '"' in joined or "," in joined:
        return [_quote(v) if '"' in v or "," in v else v for v in cells]
    return cells


def _plain(values: Sequence[str]) -> list[str]:
    needs = _QUOTE.search
    return [_quote(v) if needs(v) else v for v in values]


def _ints(values: Sequence[Any]) -> list[str]:
    kinds = set(map(type, values))
    if kinds == {int}:
        return list(map(str, values))
    if kinds <= {int, type(None)}:
        return ["" if v is None else str(v) for v in values]
    raise Unusual


def _bools(values: Sequence[Any]) -> list[str]:
    return ["true" if v else "false" for v in values]


def _checked(
    values: Sequence[Any], form: re.Pattern[str], parse: Callable[[str], object]
) -> list[str]:
    """The values present, when each has ``form`` and ``parse`` takes it (as the records'
    parsing would); anything else is Unusual."""
    present = [v for v in values if v is not None]
    try:
        if present and not form.fullmatch("\n".join(present)):
            raise Unusual
        for _ in map(parse, present):
            pass
    except (TypeError, ValueError):
        raise Unusual from None
    return present


def _times(values: Sequence[Any]) -> list[str]:
    """``iso_time`` of stored times: in UTC already, so only the microseconds go."""
    _checked(values, _TIMES, datetime.fromisoformat)
    return [v[:19] + "+00:00" if v is not None else "" for v in values]


def _days(values: Sequence[Any]) -> Sequence[str]:
    """``date.isoformat`` of stored days: the stored text itself."""
    present = _checked(values, _DAYS, date.fromisoformat)
    return values if len(present) == len(values) else [v or "" for v in values]


_RENDER: dict[Cell, Callable[[Sequence[Any]], Sequence[str]]] = {
    Cell.TEXT: _texts,
    Cell.PLAIN: _plain,
    Cell.INT: _ints,
    Cell.BOOL: _bools,
    Cell.TIME: _times,
    Cell.DAY: _days,
}


def csv_lines(columns: Sequence[Column]) -> str:
    """CSV text of a batch given by column; Unusual when a value is not of its kind."""
    fields = [_RENDER[kind](values) for kind, values in columns]
    return "\r\n".join(map(",".join, zip(*fields))) + "\r\n"


class _Lines(list[str]):
    """What csv.writer writes, kept: joined once, encoded once."""

    write = list.append


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """csv.writer's text of ``rows`` (the reference the column-wise path matches)."""
    lines = _Lines()
    csv.writer(lines, lineterminator="\r\n").writerows(rows)
    return "".join(lines)


class _Behind:
    """Runs calls in order on a thread of its own, with at most ``depth`` pending.

    zlib and the file system release the GIL while they work, so a batch is deflated
    and written on the second CPU while the export's worker formats the next one.
    """

    def __init__(self, depth: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="izdeu-export-io")
        self._pending: deque[Future[Any]] = deque()
        self._depth = depth

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        self._pending.append(self._pool.submit(fn, *args))
        while len(self._pending) > self._depth:
            self._pending.popleft().result()

    def wait(self) -> None:
        """Until all is done; raises what a call raised."""
        while self._pending:
            self._pending.popleft().result()

    def close(self) -> None:
        """Waits for what is pending, whatever it raises, and ends the thread."""
        for future in self._pending:
            with contextlib.suppress(BaseException):
                future.result()
        self._pending.clear()
        self._pool.shutdown(wait=True)


class CsvWriter:
    """One CSV per table: a ZIP of them (``bundle``), or the single table asked for.

    UTF-8 with a byte order mark, so spreadsheet programs read Cyrillic right. A batch
    is formatted to text in one piece (column-wise where the table allows, see
    ``Table.csv``), encoded once, and handed to a thread that deflates and writes it.
    """

    def __init__(self, out: BinaryIO, *, bundle: bool, ctx: RowContext) -> None:
        self.ctx = ctx
        self.bundle = bundle
        # Level 1: most of the size gain at a fraction of the time of the default level.
        self.zip = (
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) if bundle else None
        )
        self.out = out
        self._member: IO[bytes] | None = None
        self._io = _Behind()

    def _open(self, name: str, header: Sequence[str]) -> None:
        if self.zip is not None:
            self._member = self.zip.open(f"{name}.csv", "w", force_zip64=True)
        self._put(csv_text([header]), BOM)

    def _put(self, text: str, prefix: bytes = b"") -> None:
        target = self._member if self._member is not None else self.out
        self._io.submit(target.write, prefix + text.encode("utf-8", "replace"))

    def _close(self) -> None:
        self._io.wait()
        if self._member is not None:
            self._member.close()
            self._member = None

    def begin(self, table: Table) -> None:
        self._open(table.name, table.columns)

    def batch(
        self, table: Table, rows: Sequence[Any], cipher: Cipher, stats: StatsBuilder | None
    ) -> None:
        """Database rows of ``table`` (which has ``csv``), feeding ``stats`` on the way."""
        assert table.csv is not None
        columns = table.csv(rows, cipher, self.ctx, stats)
        try:
            text = csv_lines(columns)
        except Unusual:
            text = csv_text(self.cells(table, [table.record(r, cipher) for r in rows]))
        self._put(text)

    def rows(self, table: Table, records: Iterable[Any]) -> None:
        self._put(csv_text(self.cells(table, records)))

    def cells(self, table: Table, records: Iterable[Any]) -> list[list[Any]]:
        """The fields csv.writer is given for each record, neutralised."""
        # The common types inline (this loop runs for every cell it is given).
        row_of, ctx, out = table.row, self.ctx, []
        starters, illegal = _CARE_FIRST, _ILLEGAL.search
        for rec in records:
            cells: list[Any] = []
            add = cells.append
            for v in row_of(rec, ctx):
                cls = v.__class__
                if cls is str:
                    if v and (v[0] in starters or illegal(v)):
                        v = neutralise(clean(v))
                    add(v)
                elif v is None or cls is int:
                    add(v)
                elif cls is datetime:
                    add(iso_time(v))
                elif cls is date:
                    add(v.isoformat())
                else:
                    add(text_cell(v))
            out.append(cells)
        return out

    def end(self, table: Table) -> None:
        self._close()

    def stats(self, stats: Statistics) -> None:
        self._open(STATS_TABLE, STATS_COLUMNS)
        self._put(csv_text([metric, key, text_cell(value)] for metric, key, value in stats.rows()))
        self._close()

    def finish(self, stats: Statistics | None) -> None:
        try:
            if stats is not None and self.bundle:
                self.stats(stats)
            self._io.wait()
        finally:
            self._io.close()
        if self.zip is not None:
            self.zip.close()

    def abort(self) -> None:
        self._io.close()
        try:
            if self._member is not None:
                with contextlib.suppress(Exception):
                    self._member.close()
                self._member = None
        finally:
            if self.zip is not None:
                self.zip.close()


# --- JSON --------------------------------------------------------------------------------------
def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class JsonWriter:
    """One JSON document, written as it goes: ``{"export": {...}, "cases": [...], ...}``."""

    def __init__(self, out: BinaryIO, header: Mapping[str, Any], *, ctx: RowContext) -> None:
        self.ctx = ctx
        self._text = io.TextIOWrapper(out, encoding="utf-8", newline="\n", errors="replace")
        self._dumps = json.JSONEncoder(
            ensure_ascii=False, default=_json_default, separators=(",", ":")
        ).encode
        self._text.write('{"export":' + self._dumps(dict(header)))
        self._first = True

    def begin(self, table: Table) -> None:
        self._text.write(f',\n"{table.name}":[')
        self._first = True

    def rows(self, table: Table, records: Iterable[Any]) -> None:
        dumps, obj, ctx = self._dumps, table.as_object, self.ctx
        parts = [dumps(obj(rec, ctx)) for rec in records]
        if not parts:
            return
        self._text.write(("\n" if self._first else ",\n") + ",\n".join(parts))
        self._first = False

    def end(self, table: Table) -> None:
        self._text.write("\n]")

    def finish(self, stats: Statistics | None) -> None:
        if stats is not None:
            self._text.write(',\n"stats":' + self._dumps(stats.as_dict()))
        self._text.write("\n}\n")
        self._text.flush()
        self._text.detach()

    def abort(self) -> None:
        self._text.flush()
        self._text.detach()


# --- XLSX --------------------------------------------------------------------------------------
COLUMN_WIDTH = 16  # characters; wide enough for a date-time, narrow enough to see many columns
WIDE_COLUMN = 40  # for columns of sentences (accounts, summaries, the audit)
WIDE_AFTER = 60  # a column whose header or first values are longer gets WIDE_COLUMN


class XlsxWriter:
    """The workbook, one sheet per table, streamed by ``bot.exports.xlsx``.

    What a caseworker reads (``bot.exports.presentation``): sheet names, headers and
    values in their language, times as date-time cells in their zone, an autofilter on
    every sheet. Every text is a text cell: one starting with ``=``, ``+``, ``-`` or ``@``
    (a phone number, or what a family wrote) carries the "quote prefix" style, so the
    spreadsheet shows it as typed, without a visible apostrophe, and never runs it as a
    formula, also after the cell is edited.
    """

    def __init__(
        self,
        out: BinaryIO,
        *,
        ctx: RowContext,
        properties: Mapping[str, str] | None = None,
        presentation: Presentation | None = None,
    ) -> None:
        self.out = out
        self.ctx = ctx
        self.presentation = presentation or Presentation(
            default_catalogs().get(None), DEFAULT_ZONE
        )
        self.wb = xlsx.Workbook(properties)
        self._sheet: xlsx.Sheet | None = None

    def _open(self, title: str, headers: Sequence[str]) -> xlsx.Sheet:
        widths = [WIDE_COLUMN if len(h) > 24 else COLUMN_WIDTH for h in headers]
        self._sheet = self.wb.add_sheet(_sheet_title(title), [clean(h) for h in headers], widths)
        return self._sheet

    def begin(self, table: Table) -> None:
        p = self.presentation
        self._open(p.sheet_name(table.name), [h for h, _ in p.columns(table)])

    def rows(self, table: Table, records: Iterable[Any]) -> None:
        p, row_of, ctx = self.presentation, table.row, self.ctx
        assert self._sheet is not None
        append, cell = self._sheet.append, _cell
        for rec in records:
            append([cell(v) for v in p.row(table, row_of(rec, ctx))])

    def end(self, table: Table) -> None:
        return None

    def stats(self, stats: Statistics) -> None:
        p = self.presentation
        sheet = self._open(p.sheet_name(STATS_TABLE), [p.t("Figure"), p.t("Of"), p.t("Value")])
        for metric, key, value in stats.rows():
            sheet.append([_cell(v) for v in p.stats_row(metric, key, value)])

    def finish(self, stats: Statistics | None) -> None:
        if stats is not None:
            self.stats(stats)
        self.wb.save(self.out)

    def abort(self) -> None:
        self.wb.discard()


def _cell(value: Any) -> Any:
    """A value as a cell holds it: numbers, dates and date-times typed; a text cleaned of
    what XML cannot carry, and marked to stay text when it could be taken for a formula."""
    if value.__class__ is str:
        if not value:
            return None
        if not _risky(value) and len(value) < XLSX_MAX_TEXT:
            return value
    elif value is None or isinstance(value, (bool, int, float, date)):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)
        return value
    text = clean(value if isinstance(value, str) else str(value))[: XLSX_MAX_TEXT - 1]
    if not text:
        return None
    return (text, True) if _risky(text) else text


def _sheet_title(title: str) -> str:
    """A sheet title as spreadsheets allow it: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "-"
