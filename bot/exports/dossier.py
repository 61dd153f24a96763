"""The content of a case dossier, in the caseworker's language, as plain blocks.

Built from ``bot.domain.questions`` (labels, section titles, choices) and
``bot.vocabulary`` (statuses, channels, outcomes, events) with the translator,
the way the chat shows answers, so the dossier reads like the case card. The
PDF layout is in ``bot.exports.pdf``. Identity numbers are masked unless the
dossier is a full one; Telegram's file ids never appear.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel import Locale

from bot.audit_sentences import who
from bot.domain import questions as q
from bot.domain.questions import Kind, Section
from bot.i18n import N_, Translator
from bot.letters.directory import load_directory
from bot.readable import action_text, file_label, section_title, value_text
from bot.readable import label as answer_label
from bot.services.followup import DEFAULT_TZ
from bot.storage.exports import CaseDossier
from bot.vocabulary import (
    CHANNEL_NAMES,
    EVENT_TEXTS,
    OUTCOME_NAMES,
    STATUS_NAMES,
)
from bot.vocabulary import KIND_NAMES as FOLLOW_UP_NAMES


@dataclass(frozen=True)
class Block:
    """One piece of the dossier: kind is title, line, heading, field, item or text."""

    kind: str
    text: str
    label: str = ""


def status_name(t: Translator, status: str) -> str:
    name = STATUS_NAMES.get(status)  # type: ignore[call-overload]  # StrEnum keys
    return t(name) if name else status


def body_name(t: Translator, addressee_id: str | None) -> str:
    if not addressee_id:
        return ""
    directory = load_directory()
    entry = directory.get(addressee_id)
    return entry.name(t.locale) if entry else addressee_id


def _language(t: Translator, code: str | None) -> str:
    if not code:
        return ""
    try:
        return Locale.parse(code).get_display_name(t.locale) or code
    except (ValueError, TypeError):
        return code


def _when(t: Translator, moment: datetime, tz: str = DEFAULT_TZ) -> str:
    return t.datetime(moment, "short", tz=tz)


def event_text(t: Translator, kind: str, detail: Mapping[str, Any]) -> str:
    template = EVENT_TEXTS.get(kind)
    if template is None:
        return kind  # a kind this version has no words for: its code
    params = {
        "body": body_name(t, detail.get("addressee")),
        "language": _language(t, detail.get("language")),
        "outcome": t(OUTCOME_NAMES.get(str(detail.get("outcome")), N_("reply"))),
        "status": status_name(t, str(detail.get("status") or "")),
        "date": t.date(date.fromisoformat(str(detail["on"])), "long") if detail.get("on") else "",
    }
    return t(template, **params)


def dossier_blocks(
    d: CaseDossier,
    t: Translator,
    *,
    full: bool,
    today: date,
    generated_at: datetime,
    tz: str = DEFAULT_TZ,
    names: Mapping[int, str] | None = None,
) -> list[Block]:
    """The dossier for a caseworker: times in ``tz`` (their zone), staff by ``names``, the
    family's answers labelled for a third person ("Applicant")."""
    case = d.case
    named = {
        i: who(t, i, names or {}) for i in set(case.volunteers) | {n.author_id for n in d.notes}
    }
    answers = case.answers
    blocks = [
        Block("title", t("Case dossier {number}", number=case.number)),
        Block("line", t("Status: {status}", status=status_name(t, case.status))),
        Block("line", t("Reported on {date}", date=t.date(case.created_at.date(), "long"))),
        Block("line", t("Verified: {value}", value=t("Yes") if case.verified else t("No"))),
        Block(
            "line",
            t(
                "Assigned volunteers: {names}",
                names=", ".join(named[v] for v in case.volunteers) or "—",
            ),
        ),
        Block("line", t("Generated on {date}", date=_when(t, generated_at, tz))),
    ]
    if not full:
        blocks.append(Block("line", t("Identity numbers are masked.")))

    for section in Section:
        blocks.append(Block("heading", section_title(t, section, staff=True)))
        for question in q.QUESTIONS:
            if question.section != section or not question.applies(answers):
                continue
            value = answers.get(question.key)
            label = answer_label(t, question.key, staff=True)
            if question.kind in (Kind.EVIDENCE, Kind.ACTIONS):
                items = [x for x in value or () if isinstance(x, Mapping)]
                blocks.append(Block("field", str(len(items)) if items else "—", label))
                describe = file_label if question.kind is Kind.EVIDENCE else action_text
                blocks += [Block("item", f"{i}. {describe(t, x)}") for i, x in enumerate(items, 1)]
                continue
            blocks.append(Block("field", value_text(t, question, value, masked=not full), label))

    blocks.append(Block("heading", t("Timeline of case {number}", number=case.number)))
    for event in d.events:
        blocks.append(
            Block("item", f"{_when(t, event.at, tz)} · {event_text(t, event.kind, event.data())}")
        )

    blocks.append(Block("heading", t("Letters and replies")))
    if not d.letters:
        blocks.append(Block("text", "—"))
    for letter in d.letters:
        title = body_name(t, letter.addressee_id)
        follow_up = FOLLOW_UP_NAMES.get(letter.kind)
        blocks.append(Block("subheading", f"{title} · {t(follow_up)}" if follow_up else title))
        blocks.append(Block("item", _letter_state(t, letter, today)))
        if letter.sent_on:
            channel = CHANNEL_NAMES.get(letter.channel or "post", N_("Ordinary post"))
            blocks.append(
                Block(
                    "item",
                    t(
                        "Sent on {date}, by {channel}.",
                        date=t.date(letter.sent_on, "long"),
                        channel=t(channel),
                    ),
                )
            )
        if letter.tracking:
            blocks.append(Block("item", t("Tracking number: {number}", number=letter.tracking)))
        if letter.reference:
            blocks.append(
                Block("item", t("Registration number: {number}", number=letter.reference))
            )
        for reply in (r for r in d.replies if r.letter_id == letter.id):
            outcome = OUTCOME_NAMES.get(reply.outcome)
            line = t(
                "Reply of {date}: {outcome}",
                date=t.date(reply.received_on, "medium"),
                outcome=t(outcome) if outcome else reply.outcome,
            )
            if reply.forwarded_to:
                line += f" → {body_name(t, reply.forwarded_to)}"
            if reply.summary:
                line += f" «{reply.summary}»"
            blocks.append(Block("item", line))

    blocks.append(Block("heading", t("Notes")))
    if not d.notes:
        blocks.append(Block("text", "—"))
    for note in d.notes:
        blocks.append(
            Block("subheading", f"{_when(t, note.created_at, tz)} · {named[note.author_id]}")
        )
        blocks.append(Block("text", note.text))
    return blocks


def _letter_state(t: Translator, letter: Any, today: date) -> str:
    if letter.closed:
        return t("answered")
    if not letter.sent_on:
        return t("prepared, not sent") if letter.generated_at else t("not prepared yet")
    if letter.due_on and letter.due_on < today:
        return t("no answer, overdue since {date}", date=t.date(letter.due_on, "medium"))
    if letter.due_on:
        return t(
            "sent {sent}, answer due {due}",
            sent=t.date(letter.sent_on, "medium"),
            due=t.date(letter.due_on, "medium"),
        )
    return t("sent {sent}", sent=t.date(letter.sent_on, "medium"))
