"""Statistics of cases and letters, as plain data.

They are folded from the same streamed rows as the exports (cases, then sent
letters), so the numbers in the ``stats`` sheet of a workbook always match its
other sheets. Nothing here reads the database or knows about languages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bot.domain.models import CaseStatus
from bot.regions import case_region as region_code
from bot.storage.exports import CITIZENSHIPS

UNKNOWN_REGION = "unknown"


def region_of(answers: Mapping[str, Any]) -> str:
    """The ISO 3166-2 code of a case's last known region, or "unknown".

    The code picked from the list, never a fragment of free text: "станица Молькино"
    and "Молькино ауылы" are one region, Krasnodar Krai (see ``bot.regions``)."""
    return region_code(answers) or UNKNOWN_REGION


def case_region(answers: Mapping[str, Any]) -> str:
    """The region statistics count a case in (stored in ``cases.region`` by the batch job
    and the retention clean-up; a new case gets its code, or "", when it is created)."""
    return region_of(answers)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class BodyStats:
    """One body's record: how many letters it got and how it answered."""

    body: str  # addressee id (bot/data/addressees.json)
    sent: int  # letters sent to it
    replied: int  # sent letters with at least one reply
    replies: int  # replies received
    form_replies: int  # replies that answered nothing (outcome "form")
    overdue: int  # sent, not closed, deadline passed
    median_days_to_first_reply: float | None

    @property
    def reply_rate(self) -> float | None:
        return self.replied / self.sent if self.sent else None

    @property
    def form_share(self) -> float | None:
        return self.form_replies / self.replies if self.replies else None


@dataclass(frozen=True)
class Statistics:
    today: date  # "overdue" means a deadline before this day
    filters: Mapping[str, Any]
    cases: int
    by_status: Mapping[str, int]  # every status, in the ladder's order, zeros included
    by_citizenship: Mapping[str, int]  # KZ, KG, other
    by_region: Mapping[str, int]  # ISO 3166-2 codes, most cases first; "unknown" if none
    bodies: tuple[BodyStats, ...]  # most letters sent first
    overdue: int
    weekly: tuple[tuple[str, int], ...]  # ("2026-W47", new cases), no gaps between weeks
    deleted_cases: int = 0  # deleted by their families; only these counts remain of them
    un_submitted: int = 0  # cases submitted to the UN Working Group
    un_urgent: int = 0  # of them under its urgent procedure

    @property
    def letters_sent(self) -> dict[str, int]:
        return {b.body: b.sent for b in self.bodies}

    def rows(self) -> Iterator[tuple[str, str, int | float | None]]:
        """(metric, key, value): the long form used by the ``stats`` sheet and CSV."""
        yield "cases", "total", self.cases
        for key, n in self.by_status.items():
            yield "cases_by_status", key, n
        for key, n in self.by_citizenship.items():
            yield "cases_by_citizenship", key, n
        for key, n in self.by_region.items():
            yield "cases_by_region", key, n
        for week, n in self.weekly:
            yield "new_cases_per_week", week, n
        for b in self.bodies:
            yield "letters_sent", b.body, b.sent
        for b in self.bodies:
            yield "reply_rate", b.body, _round(b.reply_rate)
        for b in self.bodies:
            yield "median_days_to_first_reply", b.body, b.median_days_to_first_reply
        for b in self.bodies:
            yield "form_reply_share", b.body, _round(b.form_share)
        for b in self.bodies:
            yield "overdue_letters", b.body, b.overdue
        yield "overdue_letters", "total", self.overdue
        yield "deleted_cases", "total", self.deleted_cases
        yield "submitted_to_un", "total", self.un_submitted
        yield "submitted_to_un", "urgent", self.un_urgent

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "filters": dict(self.filters),
            "cases": self.cases,
            "by_status": dict(self.by_status),
            "by_citizenship": dict(self.by_citizenship),
            "by_region": dict(self.by_region),
            "weekly": [{"week": w, "cases": n} for w, n in self.weekly],
            "bodies": [
                {
                    "body": b.body,
                    "sent": b.sent,
                    "replied": b.replied,
                    "reply_rate": _round(b.reply_rate),
                    "replies": b.replies,
                    "form_replies": b.form_replies,
                    "form_share": _round(b.form_share),
                    "median_days_to_first_reply": b.median_days_to_first_reply,
                    "overdue": b.overdue,
                }
                for b in self.bodies
            ],
            "overdue": self.overdue,
            "deleted_cases": self.deleted_cases,
            "submitted_to_un": self.un_submitted,
            "submitted_to_un_urgent": self.un_urgent,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _median(histogram: Counter[int]) -> float | None:
    """The median of values given as value -> count (bounded memory for any volume)."""
    total = sum(histogram.values())
    if not total:
        return None
    lower_rank, upper_rank = (total - 1) // 2, total // 2
    seen = 0
    lower = upper = None
    for value in sorted(histogram):
        seen += histogram[value]
        if lower is None and seen > lower_rank:
            lower = value
        if seen > upper_rank:
            upper = value
            break
    assert lower is not None and upper is not None
    return (lower + upper) / 2


@dataclass
class _Body:
    sent: int = 0
    replied: int = 0
    replies: int = 0
    form_replies: int = 0
    overdue: int = 0
    days: Counter[int] = field(default_factory=Counter)


class StatsBuilder:
    """Accumulates statistics from streamed cases and sent letters."""

    def __init__(self, today: date, filters: Mapping[str, Any] | None = None) -> None:
        self.today = today
        self.filters = dict(filters or {})
        self.cases = 0
        self.status: Counter[str] = Counter()
        self.citizenship: Counter[str] = Counter()
        self.region: Counter[str] = Counter()
        self.days: Counter[date] = Counter()
        self.bodies: dict[str, _Body] = {}
        self.deleted_cases = 0
        self.un_submitted = self.un_urgent = 0

    def add_case(
        self, status: str, citizenship: str, created_at: datetime, region: str | None
    ) -> None:
        """``region`` is the case's region code (``region_of``)."""
        self.cases += 1
        self.status[status] += 1
        self.citizenship[citizenship] += 1
        self.region[region or UNKNOWN_REGION] += 1
        self.days[created_at.date()] += 1

    def add_letter(
        self,
        addressee_id: str,
        sent_on: date | None,
        closed: bool,
        due_on: date | None,
        replies: int,
        form_replies: int,
        first_reply_on: date | None,
    ) -> None:
        if sent_on is None:
            return
        body = self.bodies.get(addressee_id)
        if body is None:
            body = self.bodies[addressee_id] = _Body()
        body.sent += 1
        body.replies += replies
        body.form_replies += form_replies
        if first_reply_on is not None:
            body.replied += 1
            body.days[max(0, (first_reply_on - sent_on).days)] += 1
        if not closed and due_on is not None and due_on < self.today:
            body.overdue += 1

    def add_case_counts(
        self, status: str, citizenship: str, day: date, region: str, n: int
    ) -> None:
        """``n`` cases of one kind at once, as counted in SQL."""
        self.cases += n
        self.status[status] += n
        self.citizenship[citizenship] += n
        self.region[region] += n
        self.days[day] += n

    def add_body_counts(
        self,
        addressee_id: str,
        *,
        sent: int = 0,
        overdue: int = 0,
        replies: int = 0,
        form_replies: int = 0,
        first_reply_days: Mapping[int, int] | None = None,
    ) -> None:
        """Letters of one body at once, as counted in SQL; ``first_reply_days`` maps days
        from sending to the first reply to how many letters took that long."""
        body = self.bodies.get(addressee_id)
        if body is None:
            body = self.bodies[addressee_id] = _Body()
        body.sent += sent
        body.overdue += overdue
        body.replies += replies
        body.form_replies += form_replies
        for days, n in (first_reply_days or {}).items():
            body.replied += n
            body.days[max(0, days)] += n

    def result(self) -> Statistics:
        by_status = {s.value: self.status.get(s.value, 0) for s in CaseStatus}
        for key, n in sorted(self.status.items()):  # a status this version does not know
            by_status.setdefault(key, n)
        by_citizenship = {c: self.citizenship.get(c, 0) for c in CITIZENSHIPS}
        for key, n in sorted(self.citizenship.items()):
            by_citizenship.setdefault(key, n)
        by_region = dict(sorted(self.region.items(), key=lambda kv: (-kv[1], kv[0])))
        bodies = tuple(
            sorted(
                (
                    BodyStats(
                        body=key,
                        sent=b.sent,
                        replied=b.replied,
                        replies=b.replies,
                        form_replies=b.form_replies,
                        overdue=b.overdue,
                        median_days_to_first_reply=_median(b.days),
                    )
                    for key, b in self.bodies.items()
                ),
                key=lambda b: (-b.sent, b.body),
            )
        )
        return Statistics(
            today=self.today,
            filters=self.filters,
            cases=self.cases,
            by_status=by_status,
            by_citizenship=by_citizenship,
            by_region=by_region,
            bodies=bodies,
            overdue=sum(b.overdue for b in bodies),
            weekly=self._weekly(),
            deleted_cases=self.deleted_cases,
            un_submitted=self.un_submitted,
            un_urgent=self.un_urgent,
        )

    def _weekly(self) -> tuple[tuple[str, int], ...]:
        if not self.days:
            return ()
        weeks: Counter[str] = Counter()
        for day, n in self.days.items():
            weeks[iso_week(day)] += n
        first, last = min(self.days), max(self.days)
        monday = first - timedelta(days=first.weekday())
        out = []
        while monday <= last:
            key = iso_week(monday)
            out.append((key, weeks.get(key, 0)))
            monday += timedelta(days=7)
        return tuple(out)
