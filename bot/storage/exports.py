"""SQL of exports and statistics, and of the synthetic data used to measure them.

An export reads through a connection of its own, inside one read transaction:
every table it writes comes from the same snapshot of the database, rows are
streamed with ``fetchmany`` in batches (never a whole table in memory), and the
bot's ``Database.lock`` is not held meanwhile, so the bot keeps answering and
writing (WAL mode lets a reader and the writer work at the same time). That
connection lives in a process of its own, which steps through the next batch
while the export's worker thread writes the one before: most of a fetch is
SQLite's own work, and another process does it on the second CPU. (A thread
would not: sqlite3 gives up the GIL at every row, and then waits for the busy
writer to hand it back, at every row.)

Rows leave this module as batches of plain tuples; the ``*_record``
functions turn them into records (named tuples), opening sealed columns with the
database's cipher (``load_answers`` for the answers, ``Cipher.open`` for
registration numbers, reply summaries and notes). They are meant to run in the
export's worker thread, so decryption and decoding never run on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import signal
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, NamedTuple, TypeVar

from bot.domain.models import CaseStatus
from bot.regions import case_region
from bot.regions import get as get_region
from bot.storage.crypto import Cipher
from bot.storage.database import Database
from bot.storage.followup import Reply, _reply
from bot.storage.store import LetterRow, _json, _letter, _ts, dump_answers, load_answers

BATCH_SIZE = 500
T = TypeVar("T")
CITIZENSHIPS = ("KZ", "KG", "other")


# --- filters ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportFilter:
    """Which cases an export or a statistic covers; empty means all.

    ``date_from`` and ``date_to`` (inclusive) bound the day the case was created,
    in UTC. Letters, replies and events follow their cases; the audit log is
    bounded by the same dates on its own time and ignores status and citizenship.
    """

    date_from: date | None = None
    date_to: date | None = None
    statuses: frozenset[str] = frozenset()
    citizenship: str | None = None
    region: str | None = None  # ISO 3166-2 code; cases reported before the list have none

    def __post_init__(self) -> None:
        statuses = frozenset(str(s) for s in self.statuses)
        unknown = statuses - {s.value for s in CaseStatus}
        if unknown:
            raise ValueError(f"unknown status: {', '.join(sorted(unknown))}")
        object.__setattr__(self, "statuses", statuses)
        if self.citizenship is not None and self.citizenship not in CITIZENSHIPS:
            raise ValueError(f"unknown citizenship: {self.citizenship}")
        if self.region is not None and get_region(self.region) is None:
            raise ValueError(f"unknown region: {self.region}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("the start date is after the end date")

    def describe(self) -> dict[str, Any]:
        """Codes only, for the audit log and the export's own header."""
        out: dict[str, Any] = {}
        if self.date_from:
            out["from"] = self.date_from.isoformat()
        if self.date_to:
            out["to"] = self.date_to.isoformat()
        if self.statuses:
            order = [s.value for s in CaseStatus]
            out["status"] = sorted(self.statuses, key=order.index)
        if self.citizenship:
            out["citizenship"] = self.citizenship
        if self.region:
            out["region"] = self.region
        return out


def _case_condition(flt: ExportFilter, alias: str = "c") -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    if flt.date_from:
        parts.append(f"{alias}.created_at >= ?")
        params.append(flt.date_from.isoformat())
    if flt.date_to:
        # Timestamps are ISO strings in UTC: everything before the next day.
        parts.append(f"{alias}.created_at < ?")
        params.append((flt.date_to + timedelta(days=1)).isoformat())
    if flt.statuses:
        parts.append(f"{alias}.status IN ({', '.join('?' * len(flt.statuses))})")
        params += sorted(flt.statuses)
    if flt.citizenship:
        parts.append(f"{alias}.citizenship = ?")
        params.append(flt.citizenship)
    if flt.region:
        parts.append(f"{alias}.region = ?")
        params.append(flt.region)
    return (" AND ".join(parts) or "1"), params


UN_SUBMITTED = """SELECT COUNT(*), COALESCE(SUM(u.urgent = 1), 0) FROM un_submissions u
JOIN cases c ON c.id = u.case_id WHERE u.submitted_on IS NOT NULL AND {where}"""


def _deleted_condition(flt: ExportFilter) -> tuple[str, list[Any]]:
    """The filter on the anonymous counts of deleted cases (their day, status, country)."""
    parts: list[str] = []
    params: list[Any] = []
    if flt.date_from:
        parts.append("d.created_on >= ?")
        params.append(flt.date_from.isoformat())
    if flt.date_to:
        parts.append("d.created_on <= ?")
        params.append(flt.date_to.isoformat())
    if flt.statuses:
        parts.append(f"d.status IN ({', '.join('?' * len(flt.statuses))})")
        params += sorted(flt.statuses)
    if flt.citizenship:
        parts.append("d.citizenship = ?")
        params.append(flt.citizenship)
    if flt.region:  # the anonymous counts keep no region: none of them is in it
        parts.append("0")
    return (" AND ".join(parts) or "1"), params


def _time_condition(flt: ExportFilter, column: str) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    if flt.date_from:
        parts.append(f"{column} >= ?")
        params.append(flt.date_from.isoformat())
    if flt.date_to:
        parts.append(f"{column} < ?")
        params.append((flt.date_to + timedelta(days=1)).isoformat())
    return (" AND ".join(parts) or "1"), params


# --- records -----------------------------------------------------------------------------
class CaseRecord(NamedTuple):
    id: int
    number: str
    status: str
    citizenship: str
    verified: bool
    created_at: datetime
    updated_at: datetime
    purged_at: datetime | None  # personal data removed after the retention period
    answers: dict[str, Any]
    volunteers: tuple[int, ...]
    notes: int


class LetterRecord(NamedTuple):
    id: int
    case_id: int
    case_number: str
    addressee_id: str
    kind: str
    reason: str
    selected: bool
    parent_id: int | None
    trigger: str | None
    language: str | None
    generated_at: datetime | None
    sent_on: date | None
    channel: str | None
    tracking: str | None
    reference: str | None
    registered_on: date | None
    extended_until: date | None
    due_on: date | None
    closed: bool
    replies: int
    form_replies: int
    first_reply_on: date | None
    last_reply_on: date | None
    last_outcome: str | None


class ReplyRecord(NamedTuple):
    id: int
    letter_id: int
    case_number: str
    addressee_id: str
    received_on: date
    outcome: str
    forwarded_to: str | None
    summary: str
    has_file: bool
    created_at: datetime


class EventRecord(NamedTuple):
    id: int
    case_number: str
    at: datetime
    kind: str
    actor_id: int | None
    detail: str  # compact JSON of codes and ids, as stored

    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.detail)
        return data


class AuditRecord(NamedTuple):
    id: int
    at: datetime
    actor_id: int
    action: str
    case_id: int | None
    case_number: str | None
    target_id: int | None
    detail: str  # compact JSON of codes and ids, as stored

    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.detail)
        return data


class NoteRecord(NamedTuple):
    id: int
    case_number: str
    author_id: int
    created_at: datetime
    text: str


class StatsCaseRecord(NamedTuple):
    status: str
    citizenship: str
    created_at: datetime
    region: str  # ISO 3166-2 code or "unknown" (bot.exports.stats.region_of)


class StatsLetterRecord(NamedTuple):
    addressee_id: str
    sent_on: date | None
    closed: bool
    due_on: date | None
    replies: int
    form_replies: int
    first_reply_on: date | None


def parse_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def parse_ids(value: str | None) -> tuple[int, ...]:
    return tuple(sorted(int(x) for x in value.split(","))) if value else ()


# Rows are read by position, in the order of their query's columns: the export's rows
# come from its reader process as tuples, a dossier's as sqlite3.Row.
Row = Sequence[Any]


def case_record(row: Row, cipher: Cipher) -> CaseRecord:
    (
        id_,
        number,
        status,
        citizenship,
        verified,
        created_at,
        updated_at,
        purged_at,
        answers,
        volunteers,
        notes,
    ) = row
    return CaseRecord(
        id_,
        number,
        status,
        citizenship,
        bool(verified),
        datetime.fromisoformat(created_at),
        datetime.fromisoformat(updated_at),
        _time(purged_at),
        load_answers(answers, cipher),
        parse_ids(volunteers),
        int(notes),
    )


def letter_record(row: Row, cipher: Cipher) -> LetterRecord:
    (
        id_,
        case_id,
        case_number,
        addressee_id,
        kind,
        reason,
        selected,
        parent_id,
        trigger,
        language,
        generated_at,
        sent_on,
        channel,
        tracking,
        reference,
        registered_on,
        extended_until,
        due_on,
        closed,
        reply_count,
        form_replies,
        first_reply_on,
        last_reply_on,
        last_outcome,
    ) = row
    return LetterRecord(
        id_,
        case_id,
        case_number,
        addressee_id,
        kind,
        reason,
        bool(selected),
        parent_id,
        trigger,
        language,
        _time(generated_at),
        parse_day(sent_on),
        channel,
        cipher.open_optional(tracking),
        cipher.open_optional(reference),
        parse_day(registered_on),
        parse_day(extended_until),
        parse_day(due_on),
        bool(closed),
        int(reply_count or 0),
        int(form_replies or 0),
        parse_day(first_reply_on),
        parse_day(last_reply_on),
        last_outcome,
    )


def reply_record(row: Row, cipher: Cipher) -> ReplyRecord:
    (
        id_,
        letter_id,
        case_number,
        addressee_id,
        received_on,
        outcome,
        forwarded_to,
        summary,
        file,
        created_at,
    ) = row
    return ReplyRecord(
        id_,
        letter_id,
        case_number,
        addressee_id,
        date.fromisoformat(received_on),
        outcome,
        forwarded_to,
        cipher.open(summary or ""),
        file is not None,
        datetime.fromisoformat(created_at),
    )


def event_record(row: Row, cipher: Cipher) -> EventRecord:
    id_, case_number, at, kind, actor_id, detail = row
    return EventRecord(
        id_, case_number, datetime.fromisoformat(at), kind, actor_id, detail or "{}"
    )


def audit_record(row: Row, cipher: Cipher) -> AuditRecord:
    id_, at, actor_id, action, case_id, case_number, target_id, detail = row
    return AuditRecord(
        id_,
        datetime.fromisoformat(at),
        actor_id,
        action,
        case_id,
        case_number,
        target_id,
        detail or "{}",
    )


def note_record(row: Row, cipher: Cipher) -> NoteRecord:
    id_, case_number, author_id, created_at, text = row
    return NoteRecord(
        id_, case_number, author_id, datetime.fromisoformat(created_at), cipher.open(text)
    )


def stats_case_record(row: Row, cipher: Cipher) -> StatsCaseRecord:
    status, citizenship, created_at, answers = row
    region = case_region(load_answers(answers, cipher)) or "unknown"
    return StatsCaseRecord(status, citizenship, datetime.fromisoformat(created_at), region)


def stats_letter_record(row: Row, cipher: Cipher) -> StatsLetterRecord:
    addressee_id, sent_on, closed, due_on, reply_count, form_replies, first_reply_on = row
    return StatsLetterRecord(
        addressee_id,
        parse_day(sent_on),
        bool(closed),
        parse_day(due_on),
        int(reply_count or 0),
        int(form_replies or 0),
        parse_day(first_reply_on),
    )


# --- queries -----------------------------------------------------------------------------
_CASES = """SELECT c.id, c.number, c.status, c.citizenship, c.verified, c.created_at,
       c.updated_at, c.purged_at, c.answers,
       (SELECT group_concat(a.volunteer_id) FROM assignments a WHERE a.case_id = c.id)
           AS volunteers,
       (SELECT COUNT(*) FROM notes n WHERE n.case_id = c.id) AS notes
FROM cases c WHERE {where} ORDER BY c.id"""

# Per letter: how many replies, how many were form replies, the first and the
# latest reply day, and the outcome of the latest reply.
_REPLY_SUMMARY = """LEFT JOIN (SELECT r.letter_id, COUNT(*) AS reply_count,
                  SUM(r.outcome = 'form') AS form_replies,
                  MIN(r.received_on) AS first_reply_on, MAX(r.received_on) AS last_reply_on
           FROM replies r GROUP BY r.letter_id) rs ON rs.letter_id = l.id"""

_LETTERS = (
    """SELECT l.id, l.case_id, c.number AS case_number, l.addressee_id, l.kind, l.reason,
       l.selected, l.parent_id, l.trigger, l.language, l.generated_at, l.sent_on, l.channel,
       l.tracking, l.reference, l.registered_on, l.extended_until, l.due_on, l.closed,
       rs.reply_count, rs.form_replies, rs.first_reply_on, rs.last_reply_on,
       (SELECT r.outcome FROM replies r WHERE r.letter_id = l.id
        ORDER BY r.received_on DESC, r.id DESC LIMIT 1) AS last_outcome
FROM letters l JOIN cases c ON c.id = l.case_id
"""
    + _REPLY_SUMMARY
    + """
WHERE {where} ORDER BY l.case_id, l.id"""
)

_REPLIES = """SELECT r.id, r.letter_id, c.number AS case_number, l.addressee_id, r.received_on,
       r.outcome, r.forwarded_to, r.summary, r.file, r.created_at
FROM replies r JOIN letters l ON l.id = r.letter_id JOIN cases c ON c.id = r.case_id
WHERE {where} ORDER BY r.case_id, r.received_on, r.id"""

_EVENTS = """SELECT e.id, c.number AS case_number, e.at, e.kind, e.actor_id, e.detail
FROM case_events e JOIN cases c ON c.id = e.case_id
WHERE {where} ORDER BY e.case_id, e.at, e.id"""

_AUDIT = """SELECT a.id, a.at, a.actor_id, a.action, a.case_id, c.number AS case_number,
       a.target_id, a.detail
FROM audit a LEFT JOIN cases c ON c.id = a.case_id
WHERE {where} ORDER BY a.at, a.id"""

_NOTES = """SELECT n.id, c.number AS case_number, n.author_id, n.created_at, n.text
FROM notes n JOIN cases c ON c.id = n.case_id
WHERE {where} ORDER BY n.case_id, n.created_at, n.id"""

_STATS_CASES = """SELECT c.status, c.citizenship, c.created_at, c.answers FROM cases c
WHERE {where}"""

_STATS_LETTERS = (
    """SELECT l.addressee_id, l.sent_on, l.closed, l.due_on,
       rs.reply_count, rs.form_replies, rs.first_reply_on
FROM letters l JOIN cases c ON c.id = l.case_id
"""
    + _REPLY_SUMMARY
    + """
WHERE l.sent_on IS NOT NULL AND {where}"""
)


class ExportReader:
    """One export's view of the database: every query sees the same snapshot.

    The queries run in a process of its own (``_serve``), which steps through the rows
    while the export writes the batch before; this object asks for them and receives
    them, in the one thread the export works in (see ``ExportStore.snapshot``).
    """

    def __init__(self, pipe: Connection, fetched: Callable[[str, int], Any]) -> None:
        self._pipe = pipe
        self._fetched = fetched  # reports each batch (to the event loop)
        self._busy = False  # a query's batches are still on their way

    def _query(self, sql: str, params: Sequence[Any]) -> Iterator[list[tuple[Any, ...]]]:
        if self._busy:
            raise RuntimeError("an earlier query of this export was left unfinished")
        self._busy = True
        self._call(self._pipe.send, (sql, list(params)))
        while (batch := self._call(self._pipe.recv)) is not None:
            if isinstance(batch, _Failed):
                self._busy = False
                raise batch.error
            yield batch
        self._busy = False

    @staticmethod
    def _call(fn: Callable[..., T], *args: Any) -> T:
        try:
            return fn(*args)
        except (EOFError, OSError) as exc:  # killed, say
            raise RuntimeError("the export's reader process stopped") from exc

    def _stream(
        self, name: str, sql: str, params: Sequence[Any]
    ) -> Iterator[list[tuple[Any, ...]]]:
        for rows in self._query(sql, params):
            self._fetched(name, len(rows))
            yield rows

    def cases(self, flt: ExportFilter) -> Iterator[list[tuple[Any, ...]]]:
        """Batches for ``case_record``, in case order."""
        where, params = _case_condition(flt)
        return self._stream("cases", _CASES.format(where=where), params)

    def letters(self, flt: ExportFilter) -> Iterator[list[tuple[Any, ...]]]:
        """Batches for ``letter_record``, grouped by case."""
        where, params = _case_condition(flt)
        return self._stream("letters", _LETTERS.format(where=where), params)

    def replies(self, flt: ExportFilter) -> Iterator[list[tuple[Any, ...]]]:
        where, params = _case_condition(flt)
        return self._stream("replies", _REPLIES.format(where=where), params)

    def events(self, flt: ExportFilter) -> Iterator[list[tuple[Any, ...]]]:
        where, params = _case_condition(flt)
        return self._stream("events", _EVENTS.format(where=where), params)

    def audit(self, flt: ExportFilter) -> Iterator[list[tuple[Any, ...]]]:
        where, params = _time_condition(flt, "a.at")
        return self._stream("audit", _AUDIT.format(where=where), params)

    def notes(self, flt: ExportFilter) -> Iterator[list[tuple[Any, ...]]]:
        where, params = _case_condition(flt)
        return self._stream("notes", _NOTES.format(where=where), params)

    def stats_cases(self, flt: ExportFilter) -> Iterator[list[tuple[Any, ...]]]:
        """Batches for ``stats_case_record``: what the statistics need of each case."""
        where, params = _case_condition(flt)
        return self._stream("stats_cases", _STATS_CASES.format(where=where), params)

    def stats_letters(self, flt: ExportFilter) -> Iterator[list[tuple[Any, ...]]]:
        """Batches for ``stats_letter_record``: sent letters only."""
        where, params = _case_condition(flt)
        return self._stream("stats_letters", _STATS_LETTERS.format(where=where), params)

    def un_submitted(self, flt: ExportFilter) -> tuple[int, int]:
        """Cases submitted to the UN, and how many of them under the urgent procedure."""
        where, params = _case_condition(flt)
        rows = [
            r for batch in self._query(UN_SUBMITTED.format(where=where), params) for r in batch
        ]
        return (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)

    def deleted_cases(self, flt: ExportFilter) -> int:
        """How many cases families deleted (only anonymous counts are kept of them)."""
        where, params = _deleted_condition(flt)
        rows = [
            r
            for batch in self._query(f"SELECT COUNT(*) FROM deleted_cases d WHERE {where}", params)
            for r in batch
        ]
        return int(rows[0][0]) if rows else 0


# --- the reader process --------------------------------------------------------------------
class _Failed(NamedTuple):
    """What a query raised in the reader process, sent in place of its next batch."""

    error: sqlite3.Error


def _serve(path: str, pipe: Connection, batch_size: int) -> None:
    """The reader process: one read-only connection in one read transaction. Each request
    ``(sql, params)`` is answered with the rows in batches of ``batch_size``, then None;
    sending a batch waits until the export takes it, so one batch at most waits here.
    It stops when the export closes its end of the pipe, or is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the export, which stops us
    conn: sqlite3.Connection | None = None
    try:
        while True:
            sql, params = pipe.recv()
            try:
                if conn is None:
                    conn = _begin(path)
                cur = conn.execute(sql, params)
                while rows := cur.fetchmany(batch_size):
                    pipe.send(rows)
            except sqlite3.Error as exc:
                pipe.send(_Failed(exc))
            else:
                pipe.send(None)
    except (EOFError, OSError):
        pass  # the export closed its end of the pipe
    finally:
        if conn is not None:
            conn.close()


def _begin(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("BEGIN")
    except BaseException:
        conn.close()
        raise
    return conn


def _start(path: str, batch_size: int) -> tuple[Connection, BaseProcess]:
    """The reader process. ``spawn``, as the letter worker: a fresh interpreter, with
    nothing of the bot's threads or connections copied (it imports the program's main
    module again, which therefore runs nothing unless it is ``__main__``)."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(
        target=_serve, args=(path, theirs, batch_size), name="izdeu-export-reader", daemon=True
    )
    process.start()
    theirs.close()
    return ours, process


def _stop(pipe: Connection, process: BaseProcess) -> None:
    pipe.close()  # the reader sees its pipe end and stops
    process.join(5)
    if process.is_alive():
        process.kill()
        process.join()


# --- one case ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseDossier:
    """Everything about one case, for its PDF dossier."""

    case: CaseRecord
    events: tuple[EventRecord, ...]
    letters: tuple[LetterRow, ...]
    replies: tuple[Reply, ...]
    notes: tuple[NoteRecord, ...]


# --- synthetic data ----------------------------------------------------------------------------
@dataclass
class SyntheticRows:
    """Rows with explicit ids, written in one transaction by ``insert_synthetic``.

    Tuples follow the column lists in ``ExportStore.insert_synthetic``; the
    personal values are given in clear and sealed here the way real rows are.
    """

    users: list[tuple[Any, ...]] = field(default_factory=list)
    staff: list[tuple[Any, ...]] = field(default_factory=list)
    cases: list[tuple[Any, ...]] = field(default_factory=list)
    letters: list[tuple[Any, ...]] = field(default_factory=list)
    replies: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    notes: list[tuple[Any, ...]] = field(default_factory=list)
    assignments: list[tuple[Any, ...]] = field(default_factory=list)


class ExportStore:
    """Streams for exports and statistics, one case's dossier, and synthetic inserts.

    ``batch_size`` is the number of rows each ``fetchmany`` returns; ``fetches``
    counts the batches per query and ``largest_batch`` the most rows one batch
    held, so tests and benchmarks can see that nothing was read in one piece.
    """

    def __init__(self, db: Database, batch_size: int = BATCH_SIZE) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        self.db = db
        self.batch_size = batch_size
        self.fetches: Counter[str] = Counter()
        self.rows_fetched: Counter[str] = Counter()
        self.largest_batch = 0

    def fetched(self, name: str, rows: int) -> None:
        self.fetches[name] += 1
        self.rows_fetched[name] += rows
        self.largest_batch = max(self.largest_batch, rows)

    @contextlib.asynccontextmanager
    async def snapshot(self, run: Callable[..., Awaitable[Any]]) -> AsyncIterator[ExportReader]:
        """One read transaction, in a reader process of the export's own; the reader is
        used in the thread ``run`` runs calls in (the export's worker). Batches are
        counted (``fetched``) on the event loop."""
        loop = asyncio.get_running_loop()
        pipe, process = await run(_start, str(self.db.path), self.batch_size)

        def fetched(name: str, rows: int) -> None:  # called in the export's worker thread
            loop.call_soon_threadsafe(self.fetched, name, rows)

        try:
            yield ExportReader(pipe, fetched)
        finally:
            await run(_stop, pipe, process)

    async def dossier(self, number: str) -> CaseDossier | None:
        """One case with its timeline, letters, replies and notes (a short locked read)."""
        async with self.db.reading() as conn:
            async with conn.execute(_CASES.format(where="c.number = ?"), (number,)) as cur:
                row = await cur.fetchone()
            if row is None:
                return None
            case_id = row["id"]
            async with conn.execute(_EVENTS.format(where="e.case_id = ?"), (case_id,)) as cur:
                events = await cur.fetchall()
            async with conn.execute(
                "SELECT * FROM letters WHERE case_id = ? ORDER BY id", (case_id,)
            ) as cur:
                letters = await cur.fetchall()
            async with conn.execute(
                "SELECT * FROM replies WHERE case_id = ? ORDER BY received_on, id", (case_id,)
            ) as cur:
                replies = await cur.fetchall()
            async with conn.execute(_NOTES.format(where="n.case_id = ?"), (case_id,)) as cur:
                notes = await cur.fetchall()
        cipher = self.db.cipher
        return CaseDossier(
            case=case_record(row, cipher),
            events=tuple(event_record(e, cipher) for e in events),
            letters=tuple(_letter(r, cipher) for r in letters),
            replies=tuple(_reply(r, cipher) for r in replies),
            notes=tuple(note_record(n, cipher) for n in notes),
        )

    async def case_id(self, number: str) -> int | None:
        async with self.db.reading() as conn:
            async with conn.execute("SELECT id FROM cases WHERE number = ?", (number,)) as cur:
                row = await cur.fetchone()
        return int(row[0]) if row else None

    # --- synthetic data -------------------------------------------------------------------
    async def last_ids(self) -> dict[str, int]:
        """The highest id in each table synthetic rows are added to (0 when empty)."""
        tables = ("cases", "letters", "replies", "case_events", "notes")
        out: dict[str, int] = {}
        async with self.db.reading() as conn:
            for table in tables:
                async with conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}") as cur:
                    row = await cur.fetchone()
                out[table] = int(row[0]) if row else 0
        return out

    async def reserve_case_numbers(self, prefix: str, year: int, count: int) -> int:
        """Advance the case counter by ``count``; the first number reserved."""
        async with self.db.transaction() as conn:
            await conn.execute(
                """INSERT INTO case_counters(prefix, year, last) VALUES (?, ?, ?)
                   ON CONFLICT(prefix, year) DO UPDATE SET last = last + excluded.last""",
                (prefix, year, count),
            )
            async with conn.execute(
                "SELECT last FROM case_counters WHERE prefix = ? AND year = ?", (prefix, year)
            ) as cur:
                row = await cur.fetchone()
        assert row is not None
        return int(row[0]) - count + 1

    async def insert_synthetic(self, rows: SyntheticRows) -> None:
        """Write generated rows with ``executemany``, all in one transaction.

        users: (user_id, chat_id, locale, at); staff: (user_id, role, locale, at);
        cases: (id, number, reporter_id, status, citizenship, answers, verified,
        created_at, updated_at); letters: (id, case_id, addressee_id, kind, reason,
        parent_id, trigger, language, generated_at, sent_on, channel, reference, due_on,
        closed, created_at); replies: (id, letter_id, case_id, received_on, outcome,
        summary, created_at); events: (id, case_id, at, kind, actor_id, detail);
        notes: (id, case_id, author_id, text, created_at);
        assignments: (case_id, volunteer_id, at). Times are datetimes, days dates.
        """

        def ts(value: datetime | None) -> str | None:
            return _ts(value) if value is not None else None

        def d(value: date | None) -> str | None:
            return value.isoformat() if value is not None else None

        cipher = self.db.cipher
        async with self.db.transaction() as conn:
            await conn.executemany(
                """INSERT OR IGNORE INTO users(user_id, chat_id, locale, consent_at,
                                               created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                [(u, c, loc, ts(at), ts(at), ts(at)) for u, c, loc, at in rows.users],
            )
            await conn.executemany(
                """INSERT OR IGNORE INTO staff(user_id, chat_id, role, locale, granted_at)
                   VALUES (?, ?, ?, ?, ?)""",
                [(u, u, role, loc, ts(at)) for u, role, loc, at in rows.staff],
            )
            await conn.executemany(
                """INSERT INTO cases(id, number, reporter_id, status, citizenship, answers,
                                     verified, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    (i, n, r, s, cit, dump_answers(answers, cipher), int(v), ts(c), ts(u))
                    for i, n, r, s, cit, answers, v, c, u in rows.cases
                ],
            )
            await conn.executemany(
                """INSERT INTO letters(id, case_id, addressee_id, kind, reason, selected,
                                       parent_id, trigger, language, generated_at, sent_on,
                                       channel, reference, due_on, closed, created_at,
                                       updated_at)
                   VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    (
                        i,
                        case,
                        a,
                        k,
                        reason,
                        parent,
                        trig,
                        lang,
                        ts(gen),
                        d(sent),
                        ch,
                        cipher.seal_optional(ref),
                        d(due),
                        int(closed),
                        ts(created),
                        ts(created),
                    )
                    for (
                        i,
                        case,
                        a,
                        k,
                        reason,
                        parent,
                        trig,
                        lang,
                        gen,
                        sent,
                        ch,
                        ref,
                        due,
                        closed,
                        created,
                    ) in rows.letters
                ],
            )
            await conn.executemany(
                """INSERT INTO replies(id, letter_id, case_id, received_on, outcome, summary,
                                       created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)""",
                [
                    (i, letter, case, d(on), outcome, cipher.seal(summary), ts(created))
                    for i, letter, case, on, outcome, summary, created in rows.replies
                ],
            )
            await conn.executemany(
                """INSERT INTO case_events(id, case_id, at, kind, actor_id, detail)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                [
                    (i, case, ts(at), kind, actor, _json(detail))
                    for i, case, at, kind, actor, detail in rows.events
                ],
            )
            await conn.executemany(
                "INSERT INTO notes(id, case_id, author_id, text, created_at) VALUES (?, ?, "
                "?, ?, ?)",
                [
                    (i, case, author, cipher.seal(text), ts(at))
                    for i, case, author, text, at in rows.notes
                ],
            )
            await conn.executemany(
                """INSERT OR IGNORE INTO assignments(case_id, volunteer_id, assigned_at)
                   VALUES (?, ?, ?)""",
                [(case, vol, ts(at)) for case, vol, at in rows.assignments],
            )
