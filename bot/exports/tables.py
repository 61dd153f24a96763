"""The exported tables: their columns, and one row of each built from a record.

Rows are tuples of plain values (``str``, ``int``, ``bool``, ``date``, aware
``datetime`` in UTC, ``tuple`` of ids, ``dict`` of codes, or ``None``); each
writer formats them its own way. Identity numbers are masked here, unless the
export is a full one, so no writer can forget it.

CSV has a faster way in as well: a table's ``csv`` function turns a batch of
database rows straight into columns of stored values, each tagged with a
``Cell`` kind (a time stays the text the database holds, instead of becoming
a ``datetime`` only to be written back as text). The CSV writer renders the
kinds, and falls back to the records and rows above for any batch holding a
value it does not expect, so both ways write the same file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from bot.exports.stats import StatsBuilder
from bot.readable import IDENTITY_KEYS, mask  # noqa: F401 (re-exported)
from bot.regions import case_region
from bot.storage import exports as s
from bot.storage.crypto import Cipher
from bot.storage.exports import ExportFilter, ExportReader, parse_day, parse_ids
from bot.storage.store import load_answers


@dataclass(frozen=True)
class RowContext:
    full: bool  # identity numbers in clear
    today: date  # for "overdue"


class Cell(Enum):
    """What a CSV column holds, so the writer can render a whole column at once."""

    TEXT = "text"  # str or None: neutralised against formulas, quoted as CSV needs
    PLAIN = "plain"  # str already in its final form (ids joined by commas): quoted only
    INT = "int"  # int or None
    BOOL = "bool"  # any value, written "true" or "false" by its truth
    TIME = "time"  # a stored time (``store._ts``: UTC, microseconds) or None
    DAY = "day"  # a stored ISO day or None


Column = tuple[Cell, Sequence[Any]]
# rows of a batch, cipher, context, and the statistics to feed (None: none wanted)
CsvColumns = Callable[[Sequence[s.Row], Cipher, RowContext, StatsBuilder | None], list[Column]]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    stream: Callable[[ExportReader, ExportFilter], Iterator[list[tuple[Any, ...]]]]
    record: Callable[[s.Row, Cipher], Any]  # decodes (and opens) one row
    row: Callable[[Any, RowContext], tuple[Any, ...]]
    # The JSON object of a record: the row by column name, plus nested details.
    extra: Callable[[Any, RowContext], Mapping[str, Any]] | None = None
    # The CSV columns of a batch of database rows, in ``columns`` order (see ``Cell``).
    csv: CsvColumns | None = None

    def as_object(self, record: Any, ctx: RowContext) -> dict[str, Any]:
        obj = dict(zip(self.columns, self.row(record, ctx)))
        if self.extra is not None:
            obj.update(self.extra(record, ctx))
        return obj


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (list, tuple)):  # several choices ("what happened"): their codes
        return ",".join(str(v) for v in value) or None
    return value if isinstance(value, str) else str(value)


def _answer_date(value: object) -> date | str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:  # never expected: the validators store ISO dates
        return str(value)


# --- cases ---------------------------------------------------------------------------------
CASE_COLUMNS = (
    "number",
    "status",
    "citizenship",
    "citizenship_other",
    "verified",
    "created_at",
    "updated_at",
    "purged_at",
    "reporter_name",
    "reporter_relation",
    "reporter_phone",
    "reporter_email",
    "reporter_id",
    "missing_name",
    "missing_name_latin",
    "missing_birth_date",
    "missing_gender",
    "missing_id",
    "missing_passport",
    "last_contact_date",
    "last_contact_channel",
    "last_place",
    "last_region",
    "what_happened",
    "responsible",
    "responsible_text",
    "unit",
    "taken_region",
    "contract",
    "renounced",
    "story",
    "evidence_files",
    "volunteer_ids",
    "notes",
)


def case_row(rec: s.CaseRecord, ctx: RowContext) -> tuple[Any, ...]:
    a = rec.answers
    ident: Callable[[str | None], str | None] = _keep if ctx.full else mask
    evidence = a.get("evidence") or ()
    return (
        rec.number,
        rec.status,
        rec.citizenship,
        _text(a.get("m_cit_other")),
        rec.verified,
        rec.created_at,
        rec.updated_at,
        rec.purged_at,
        _text(a.get("r_name")),
        _text(a.get("r_rel")),
        _text(a.get("r_phone")),
        _text(a.get("r_email")),
        ident(_text(a.get("r_id"))),
        _text(a.get("m_name")),
        _text(a.get("m_latin")),
        _answer_date(a.get("m_birth")),
        _text(a.get("m_gender")),
        ident(_text(a.get("m_id"))),
        ident(_text(a.get("m_passport"))),
        _answer_date(a.get("e_date")),
        _text(a.get("e_how")),
        _text(a.get("e_place")),
        case_region(a),
        _text(a.get("e_what")),
        _text(a.get("e_resp")),
        _text(a.get("e_resp_text")),
        _text(a.get("e_unit")),
        _text(a.get("e_taken_region")),
        _text(a.get("e_contract")),
        _text(a.get("e_renounced")),
        _text(a.get("e_story")),
        len(evidence),
        rec.volunteers,
        rec.notes,
    )


def _keep(value: str | None) -> str | None:
    return value


def _optional(values: Sequence[Any]) -> list[Any]:
    """Empty values as None, as ``_time``, ``parse_day`` and ``_answer_date`` read them."""
    return [v or None for v in values]


def case_csv(
    rows: Sequence[s.Row], cipher: Cipher, ctx: RowContext, stats: StatsBuilder | None
) -> list[Column]:
    """``case_row`` by column, for a batch: each answer is opened and decoded once."""
    (
        _,
        numbers,
        statuses,
        citizenships,
        verified,
        created,
        updated,
        purged,
        sealed,
        volunteers,
        notes,
    ) = zip(*rows)
    answers = [load_answers(v, cipher) for v in sealed]
    if stats is not None:
        for status, citizenship, at, a in zip(statuses, citizenships, created, answers):
            stats.add_case(status, citizenship, datetime.fromisoformat(at), case_region(a))

    def answer(key: str) -> list[Any]:
        return [a.get(key) for a in answers]

    def identity(key: str) -> list[Any]:
        values = answer(key)
        return values if ctx.full else [mask(v) if v.__class__ is str else v for v in values]

    text, day = Cell.TEXT, Cell.DAY
    return [
        (text, numbers),
        (text, statuses),
        (text, citizenships),
        (text, answer("m_cit_other")),
        (Cell.BOOL, verified),
        (Cell.TIME, created),
        (Cell.TIME, updated),
        (Cell.TIME, _optional(purged)),
        (text, answer("r_name")),
        (text, answer("r_rel")),
        (text, answer("r_phone")),
        (text, answer("r_email")),
        (text, identity("r_id")),
        (text, answer("m_name")),
        (text, answer("m_latin")),
        (day, _optional(answer("m_birth"))),
        (text, answer("m_gender")),
        (text, identity("m_id")),
        (text, identity("m_passport")),
        (day, _optional(answer("e_date"))),
        (text, answer("e_how")),
        (text, answer("e_place")),
        (text, [case_region(a) for a in answers]),
        (text, answer("e_what")),
        (text, answer("e_resp")),
        (text, answer("e_resp_text")),
        (text, answer("e_unit")),
        (text, answer("e_taken_region")),
        (text, answer("e_contract")),
        (text, answer("e_renounced")),
        (text, answer("e_story")),
        (Cell.INT, [len(a.get("evidence") or ()) for a in answers]),
        (Cell.PLAIN, [",".join(map(str, parse_ids(v))) for v in volunteers]),
        (Cell.INT, notes),
    ]


def case_extra(rec: s.CaseRecord, ctx: RowContext) -> dict[str, Any]:
    """What JSON adds to a case: every other answer, without Telegram's file ids."""
    a = rec.answers
    return {
        "reporter_gender": _text(a.get("r_gender")),
        "reporter_address": _text(a.get("r_addr")),
        "missing_photo": isinstance(a.get("m_photo"), dict),
        "evidence": [
            {
                "kind": e.get("kind"),
                "file_name": e.get("file_name"),
                "description": e.get("description") or None,
                "mime": e.get("mime"),
                "size": e.get("size"),
            }
            for e in a.get("evidence") or ()
            if isinstance(e, dict)
        ],
        "actions": [
            {
                "body": x.get("body"),
                "body_text": x.get("body_text") or None,
                "date": x.get("date") or None,
                "outcome": x.get("outcome"),
                "reply": x.get("reply") or None,
            }
            for x in a.get("actions") or ()
            if isinstance(x, dict)
        ],
    }


# --- letters, replies, events, audit, notes --------------------------------------------------
LETTER_COLUMNS = (
    "case_number",
    "letter_id",
    "addressee",
    "kind",
    "reason",
    "selected",
    "parent_id",
    "trigger",
    "language",
    "generated_at",
    "sent_on",
    "channel",
    "tracking",
    "reference",
    "registered_on",
    "extended_until",
    "due_on",
    "closed",
    "overdue",
    "replies",
    "last_reply_on",
    "last_reply_outcome",
)


def letter_row(rec: s.LetterRecord, ctx: RowContext) -> tuple[Any, ...]:
    overdue = bool(rec.sent_on and not rec.closed and rec.due_on and rec.due_on < ctx.today)
    return (
        rec.case_number,
        rec.id,
        rec.addressee_id,
        rec.kind,
        rec.reason or None,
        rec.selected,
        rec.parent_id,
        rec.trigger,
        rec.language,
        rec.generated_at,
        rec.sent_on,
        rec.channel,
        rec.tracking,
        rec.reference,
        rec.registered_on,
        rec.extended_until,
        rec.due_on,
        rec.closed,
        overdue,
        rec.replies,
        rec.last_reply_on,
        rec.last_outcome,
    )


def letter_csv(
    rows: Sequence[s.Row], cipher: Cipher, ctx: RowContext, stats: StatsBuilder | None
) -> list[Column]:
    """``letter_row`` by column, for a batch."""
    (
        ids,
        _,
        numbers,
        addressees,
        kinds,
        reasons,
        selected,
        parents,
        triggers,
        languages,
        generated,
        sent,
        channels,
        tracking,
        reference,
        registered,
        extended,
        due,
        closed,
        replies,
        form_replies,
        first_replies,
        last_replies,
        outcomes,
    ) = zip(*rows)
    sent_days = [parse_day(v) for v in sent]
    due_days = [parse_day(v) for v in due]
    today = ctx.today
    overdue = [
        bool(s_ and not c and d and d < today) for s_, c, d in zip(sent_days, closed, due_days)
    ]
    if stats is not None:
        for a, s_, c, d, n, f, first in zip(
            addressees, sent_days, closed, due_days, replies, form_replies, first_replies
        ):
            stats.add_letter(a, s_, bool(c), d, int(n or 0), int(f or 0), parse_day(first))
    text, day = Cell.TEXT, Cell.DAY
    return [
        (text, numbers),
        (Cell.INT, ids),
        (text, addressees),
        (text, kinds),
        (text, reasons),
        (Cell.BOOL, selected),
        (Cell.INT, parents),
        (text, triggers),
        (text, languages),
        (Cell.TIME, _optional(generated)),
        (day, _optional(sent)),
        (text, channels),
        (text, [cipher.open_optional(v) for v in tracking]),
        (text, [cipher.open_optional(v) for v in reference]),
        (day, _optional(registered)),
        (day, _optional(extended)),
        (day, _optional(due)),
        (Cell.BOOL, closed),
        (Cell.BOOL, overdue),
        (Cell.INT, [int(n or 0) for n in replies]),
        (day, _optional(last_replies)),
        (text, outcomes),
    ]


REPLY_COLUMNS = (
    "case_number",
    "reply_id",
    "letter_id",
    "addressee",
    "received_on",
    "outcome",
    "forwarded_to",
    "summary",
    "has_file",
    "created_at",
)


def reply_row(rec: s.ReplyRecord, ctx: RowContext) -> tuple[Any, ...]:
    return (
        rec.case_number,
        rec.id,
        rec.letter_id,
        rec.addressee_id,
        rec.received_on,
        rec.outcome,
        rec.forwarded_to,
        rec.summary or None,
        rec.has_file,
        rec.created_at,
    )


def reply_csv(
    rows: Sequence[s.Row], cipher: Cipher, ctx: RowContext, stats: StatsBuilder | None
) -> list[Column]:
    """``reply_row`` by column, for a batch."""
    (
        ids,
        letters,
        numbers,
        addressees,
        received,
        outcomes,
        forwarded,
        summaries,
        files,
        created,
    ) = zip(*rows)
    return [
        (Cell.TEXT, numbers),
        (Cell.INT, ids),
        (Cell.INT, letters),
        (Cell.TEXT, addressees),
        (Cell.DAY, received),
        (Cell.TEXT, outcomes),
        (Cell.TEXT, forwarded),
        (Cell.TEXT, [cipher.open(v or "") for v in summaries]),
        (Cell.BOOL, [f is not None for f in files]),
        (Cell.TIME, created),
    ]


EVENT_COLUMNS = ("case_number", "at", "kind", "actor_id", "detail")


def event_row(rec: s.EventRecord, ctx: RowContext) -> tuple[Any, ...]:
    return (rec.case_number, rec.at, rec.kind, rec.actor_id, rec.detail)


def detail_extra(rec: s.EventRecord | s.AuditRecord, ctx: RowContext) -> dict[str, Any]:
    """JSON carries the details as an object, the spreadsheets as compact JSON text."""
    return {"detail": rec.data()}


def event_csv(
    rows: Sequence[s.Row], cipher: Cipher, ctx: RowContext, stats: StatsBuilder | None
) -> list[Column]:
    """``event_row`` by column, for a batch."""
    _, numbers, at, kinds, actors, details = zip(*rows)
    return [
        (Cell.TEXT, numbers),
        (Cell.TIME, at),
        (Cell.TEXT, kinds),
        (Cell.INT, actors),
        (Cell.TEXT, [d or "{}" for d in details]),
    ]


AUDIT_COLUMNS = (
    "audit_id",
    "at",
    "actor_id",
    "action",
    "case_id",
    "case_number",
    "target_id",
    "detail",
)


def audit_row(rec: s.AuditRecord, ctx: RowContext) -> tuple[Any, ...]:
    return (
        rec.id,
        rec.at,
        rec.actor_id,
        rec.action,
        rec.case_id,
        rec.case_number,
        rec.target_id,
        rec.detail,
    )


def audit_csv(
    rows: Sequence[s.Row], cipher: Cipher, ctx: RowContext, stats: StatsBuilder | None
) -> list[Column]:
    """``audit_row`` by column, for a batch."""
    ids, at, actors, actions, cases, numbers, targets, details = zip(*rows)
    return [
        (Cell.INT, ids),
        (Cell.TIME, at),
        (Cell.INT, actors),
        (Cell.TEXT, actions),
        (Cell.INT, cases),
        (Cell.TEXT, numbers),
        (Cell.INT, targets),
        (Cell.TEXT, [d or "{}" for d in details]),
    ]


NOTE_COLUMNS = ("case_number", "note_id", "author_id", "created_at", "text")


def note_row(rec: s.NoteRecord, ctx: RowContext) -> tuple[Any, ...]:
    return (rec.case_number, rec.id, rec.author_id, rec.created_at, rec.text)


CASES = Table(
    "cases", CASE_COLUMNS, ExportReader.cases, s.case_record, case_row, case_extra, case_csv
)
LETTERS = Table(
    "letters", LETTER_COLUMNS, ExportReader.letters, s.letter_record, letter_row, csv=letter_csv
)
REPLIES = Table(
    "replies", REPLY_COLUMNS, ExportReader.replies, s.reply_record, reply_row, csv=reply_csv
)
EVENTS = Table(
    "events",
    EVENT_COLUMNS,
    ExportReader.events,
    s.event_record,
    event_row,
    detail_extra,
    event_csv,
)
AUDIT = Table(
    "audit", AUDIT_COLUMNS, ExportReader.audit, s.audit_record, audit_row, detail_extra, audit_csv
)
NOTES = Table("notes", NOTE_COLUMNS, ExportReader.notes, s.note_record, note_row)

# The tables of the XLSX workbook and of the CSV bundle, in order (plus "stats").
TABLES: Mapping[str, Table] = {t.name: t for t in (CASES, LETTERS, REPLIES, EVENTS, AUDIT)}
# JSON carries everything: the same tables and the caseworkers' notes.
JSON_TABLES: Mapping[str, Table] = {**TABLES, "notes": NOTES}
STATS_TABLE = "stats"
STATS_COLUMNS = ("metric", "key", "value")
