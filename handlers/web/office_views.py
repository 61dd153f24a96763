"""What the office pages show, built from the core's plain data in the reader's language:
dates and numbers through Babel, times in the reader's zone, staff by name, bodies by
their name in the reader's language, the audit log as sentences."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from bot.audit_sentences import sentence
from bot.exports.dossier import body_name
from bot.exports.stats import Statistics
from bot.exports.svg import desk_charts, svg
from bot.i18n import N_, Translator
from bot.services.staff import AuditPage, DueCursor, DuePage, InvitationList, Member
from bot.vocabulary import ROLE_NAMES

EXPORT_NAMES = {
    "xlsx": N_("Workbook (XLSX), for people"),
    "csv": N_("Tables (CSV in a ZIP), for other programs"),
    "json": N_("Everything (JSON), for other programs"),
    "stats": N_("Statistics report (PDF)"),
}


@dataclass(frozen=True)
class DueRow:
    case_number: str
    body: str
    due: str
    overdue: bool
    estimated: bool  # counted from an estimated delivery (not yet known)


@dataclass(frozen=True)
class ChartView:
    key: str
    title: str
    svg: str  # markup, every text in it escaped
    rows: list[tuple[str, str]]  # (label, figure): the same numbers as a table


@dataclass(frozen=True)
class Line:
    when: str
    text: str


@dataclass(frozen=True)
class MemberRow:
    user_id: int
    name: str
    role: str
    removable: bool


@dataclass(frozen=True)
class InvitationRow:
    code: str
    role: str
    made_by: str
    expires: str


def unnamed(t: Translator, name: str | None = None) -> str:
    return name or t("A staff member without a recorded name")


def due_rows(t: Translator, due: DuePage, today: date) -> list[DueRow]:
    rows = []
    for item in due.items:
        letter = item.letter
        day = letter.due_on or today
        rows.append(
            DueRow(
                item.case_number,
                body_name(t, letter.addressee_id),
                t.date(day, "medium"),
                day < today,
                letter.registered_on is None and letter.delivered_on is None,
            )
        )
    return rows


def due_pages(due: DuePage, volunteer: int | None, page_no: int) -> tuple[str, str]:
    """The query strings of the previous and next pages ('' when there is none); ``n``
    is the page's number, which tells whether letters follow."""
    if not due.items:
        return "", ""
    base = {"volunteer": str(volunteer)} if volunteer is not None else {}
    first, last = due.items[0].letter, due.items[-1].letter
    prev = nxt = ""
    if page_no > 0:
        back = DueCursor(str(first.due_on), first.id, forward=False)
        prev = "?" + urlencode({**base, "before": _cursor(back), "n": page_no - 1})
    if (page_no + 1) * due.page_size < due.total:
        ahead = DueCursor(str(last.due_on), last.id)
        nxt = "?" + urlencode({**base, "after": _cursor(ahead), "n": page_no + 1})
    return prev, nxt


def _cursor(cursor: DueCursor) -> str:
    return f"{cursor.due_on}.{cursor.letter_id}"


def charts(t: Translator, stats: Statistics) -> list[ChartView]:
    found = []
    for chart in desk_charts(stats, t):
        figures = [f"{t.number(v)}{' %' if chart.percent else ''}" for v in chart.values]
        found.append(
            ChartView(
                chart.key,
                chart.title,
                svg(chart, t.number, t("No data")),
                list(zip(chart.labels, figures, strict=True)),
            )
        )
    return found


def export_name(t: Translator, code: str) -> str:
    return t(EXPORT_NAMES[code]) if code in EXPORT_NAMES else code


def audit_lines(t: Translator, page: AuditPage, tz: str) -> list[Line]:
    return [
        Line(
            t.datetime(e.at, "short", tz=tz),
            sentence(
                t,
                e.action,
                e.actor_id,
                e.case_number,
                e.target_id,
                e.detail,
                page.names,
                e.reporter_id,
            ),
        )
        for e in page.entries
    ]


def role_name(t: Translator, role: str) -> str:
    return t(ROLE_NAMES[role]) if role in ROLE_NAMES else role


def member_rows(t: Translator, members: Sequence[Member]) -> list[MemberRow]:
    return [
        MemberRow(m.user_id, unnamed(t, m.name), role_name(t, m.role), m.removable)
        for m in members
    ]


def invitation_rows(t: Translator, found: InvitationList, tz: str) -> list[InvitationRow]:
    return [
        InvitationRow(
            i.code,
            role_name(t, i.role),
            unnamed(t, found.names.get(i.created_by)),
            t.datetime(i.expires_at, "short", tz=tz),
        )
        for i in found.invitations
    ]
