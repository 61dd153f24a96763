"""The exported tables: their columns, and one row of each built from a record.

Rows are tuples of plain values (``str``, ``int``, ``bool``, ``date``, aware
``datetime`` in UTC, ``tuple`` of ids, ``dict`` of codes, or ``None``); each
writer formats them its own way. Identity numbers are masked here, unless the
export is a full one, so no writer can forget it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any, AsyncIterator, Callable, Mapping

from bot.readable import IDENTITY_KEYS, mask  # noqa: F401 (re-exported)
from bot.storage import exports as s
from bot.storage.crypto import Cipher
from bot.storage.exports import ExportFilter, ExportReader

@dataclass(frozen=True)
class RowContext:
    full: bool  # identity numbers in clear
    today: date  # for "overdue"


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    stream: Callable[[ExportReader, ExportFilter], AsyncIterator[list[sqlite3.Row]]]
    record: Callable[[sqlite3.Row, Cipher], Any]  # decodes (and opens) one row
    row: Callable[[Any, RowContext], tuple[Any, ...]]
    # The JSON object of a record: the row by column name, plus nested details.
    extra: Callable[[Any, RowContext], Mapping[str, Any]] | None = None

    def as_object(self, record: Any, ctx: RowContext) -> dict[str, Any]:
        obj = dict(zip(self.columns, self.row(record, ctx)))
        if self.extra is not None:
            obj.update(self.extra(record, ctx))
        return obj


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
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
    "number", "status", "citizenship", "citizenship_other", "verified", "created_at",
    "updated_at", "purged_at", "reporter_name", "reporter_relation", "reporter_phone", "reporter_email",
    "reporter_id", "missing_name", "missing_name_latin", "missing_birth_date", "missing_gender",
    "missing_id", "missing_passport", "last_contact_date", "last_contact_channel", "last_place",
    "what_happened", "responsible", "responsible_text", "unit", "contract", "renounced",
    "story", "evidence_files", "volunteer_ids", "notes",
)


def case_row(rec: s.CaseRecord, ctx: RowContext) -> tuple[Any, ...]:
    a = rec.answers
    ident: Callable[[str | None], str | None] = _keep if ctx.full else mask
    evidence = a.get("evidence") or ()
    return (
        rec.number, rec.status, rec.citizenship, _text(a.get("m_cit_other")), rec.verified,
        rec.created_at, rec.updated_at, rec.purged_at, _text(a.get("r_name")), _text(a.get("r_rel")),
        _text(a.get("r_phone")), _text(a.get("r_email")), ident(_text(a.get("r_id"))),
        _text(a.get("m_name")), _text(a.get("m_latin")), _answer_date(a.get("m_birth")),
        _text(a.get("m_gender")), ident(_text(a.get("m_id"))),
        ident(_text(a.get("m_passport"))), _answer_date(a.get("e_date")),
        _text(a.get("e_how")), _text(a.get("e_place")), _text(a.get("e_what")),
        _text(a.get("e_resp")), _text(a.get("e_resp_text")), _text(a.get("e_unit")),
        _text(a.get("e_contract")), _text(a.get("e_renounced")), _text(a.get("e_story")),
        len(evidence), rec.volunteers, rec.notes,
    )


def _keep(value: str | None) -> str | None:
    return value


def case_extra(rec: s.CaseRecord, ctx: RowContext) -> dict[str, Any]:
    """What JSON adds to a case: every other answer, without Telegram's file ids."""
    a = rec.answers
    return {
        "reporter_gender": _text(a.get("r_gender")),
        "reporter_address": _text(a.get("r_addr")),
        "missing_photo": isinstance(a.get("m_photo"), dict),
        "evidence": [
            {"kind": e.get("kind"), "file_name": e.get("file_name"),
             "description": e.get("description") or None, "mime": e.get("mime"),
             "size": e.get("size")}
            for e in a.get("evidence") or () if isinstance(e, dict)
        ],
        "actions": [
            {"body": x.get("body"), "body_text": x.get("body_text") or None,
             "date": x.get("date") or None, "outcome": x.get("outcome"),
             "reply": x.get("reply") or None}
            for x in a.get("actions") or () if isinstance(x, dict)
        ],
    }


# --- letters, replies, events, audit, notes --------------------------------------------------
LETTER_COLUMNS = (
    "case_number", "letter_id", "addressee", "kind", "reason", "selected", "parent_id",
    "trigger", "language", "generated_at", "sent_on", "channel", "tracking", "reference",
    "registered_on", "extended_until", "due_on", "closed", "overdue", "replies",
    "last_reply_on", "last_reply_outcome",
)


def letter_row(rec: s.LetterRecord, ctx: RowContext) -> tuple[Any, ...]:
    overdue = bool(rec.sent_on and not rec.closed and rec.due_on and rec.due_on < ctx.today)
    return (
        rec.case_number, rec.id, rec.addressee_id, rec.kind, rec.reason or None, rec.selected,
        rec.parent_id, rec.trigger, rec.language, rec.generated_at, rec.sent_on, rec.channel,
        rec.tracking, rec.reference, rec.registered_on, rec.extended_until, rec.due_on,
        rec.closed, overdue, rec.replies, rec.last_reply_on, rec.last_outcome,
    )


REPLY_COLUMNS = (
    "case_number", "reply_id", "letter_id", "addressee", "received_on", "outcome",
    "forwarded_to", "summary", "has_file", "created_at",
)


def reply_row(rec: s.ReplyRecord, ctx: RowContext) -> tuple[Any, ...]:
    return (rec.case_number, rec.id, rec.letter_id, rec.addressee_id, rec.received_on,
            rec.outcome, rec.forwarded_to, rec.summary or None, rec.has_file, rec.created_at)


EVENT_COLUMNS = ("case_number", "at", "kind", "actor_id", "detail")


def event_row(rec: s.EventRecord, ctx: RowContext) -> tuple[Any, ...]:
    return (rec.case_number, rec.at, rec.kind, rec.actor_id, rec.detail)


def detail_extra(rec: s.EventRecord | s.AuditRecord, ctx: RowContext) -> dict[str, Any]:
    """JSON carries the details as an object, the spreadsheets as compact JSON text."""
    return {"detail": rec.data()}


AUDIT_COLUMNS = ("audit_id", "at", "actor_id", "action", "case_id", "case_number",
                 "target_id", "detail")


def audit_row(rec: s.AuditRecord, ctx: RowContext) -> tuple[Any, ...]:
    return (rec.id, rec.at, rec.actor_id, rec.action, rec.case_id, rec.case_number,
            rec.target_id, rec.detail)


NOTE_COLUMNS = ("case_number", "note_id", "author_id", "created_at", "text")


def note_row(rec: s.NoteRecord, ctx: RowContext) -> tuple[Any, ...]:
    return (rec.case_number, rec.id, rec.author_id, rec.created_at, rec.text)


CASES = Table("cases", CASE_COLUMNS, ExportReader.cases, s.case_record, case_row, case_extra)
LETTERS = Table("letters", LETTER_COLUMNS, ExportReader.letters, s.letter_record, letter_row)
REPLIES = Table("replies", REPLY_COLUMNS, ExportReader.replies, s.reply_record, reply_row)
EVENTS = Table("events", EVENT_COLUMNS, ExportReader.events, s.event_record, event_row,
               detail_extra)
AUDIT = Table("audit", AUDIT_COLUMNS, ExportReader.audit, s.audit_record, audit_row,
              detail_extra)
NOTES = Table("notes", NOTE_COLUMNS, ExportReader.notes, s.note_record, note_row)

# The tables of the XLSX workbook and of the CSV bundle, in order (plus "stats").
TABLES: Mapping[str, Table] = {t.name: t for t in (CASES, LETTERS, REPLIES, EVENTS, AUDIT)}
# JSON carries everything: the same tables and the caseworkers' notes.
JSON_TABLES: Mapping[str, Table] = {**TABLES, "notes": NOTES}
STATS_TABLE = "stats"
STATS_COLUMNS = ("metric", "key", "value")
