"""The XLSX workbook as a caseworker reads it: their language, their time zone, names.

The tables (``bot.exports.tables``) hold codes and ids, which the JSON export
keeps for other programs. A spreadsheet is read by people, so each sheet gets
a translated name and headers, statuses and answers in words, staff by name,
times as real date-time cells in the reader's zone (named in the header)
without microseconds, and no internal ids or raw details.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale

from bot import regions
from bot.audit_sentences import sentence, who
from bot.domain import questions as q
from bot.domain.models import STATUS_CODES, CaseStatus
from bot.exports.dossier import body_name, event_text
from bot.exports.tables import Table
from bot.i18n import N_, Translator
from bot.letters.recommend import REASONS
from bot.readable import week_label
from bot.vocabulary import CHANNEL_NAMES, KIND_NAMES, OUTCOME_NAMES, STATUS_NAMES

# The organisation's zone when no reader's zone is given (the command line's default).
DEFAULT_ZONE = "Asia/Almaty"
Row = Mapping[str, Any]
Getter = Callable[["Presentation", Row], Any]

SHEET_NAMES: Mapping[str, str] = {
    "cases": N_("Cases"),
    "letters": N_("Letters"),
    "replies": N_("Replies"),
    "events": N_("Events"),
    "audit": N_("Audit"),
    "stats": N_("Statistics"),
}
COUNTRIES: Mapping[str, str] = {
    "KZ": N_("Kazakhstan"),
    "KG": N_("Kyrgyzstan"),
    "other": N_("Other country"),
}
METRICS: Mapping[str, str] = {
    "cases": N_("Cases"),
    "cases_by_status": N_("Cases by status"),
    "cases_by_citizenship": N_("Cases by citizenship"),
    "cases_by_region": N_("Cases by region"),
    "new_cases_per_week": N_("New cases per week"),
    "letters_sent": N_("Letters sent per body"),
    "reply_rate": N_("Reply rate"),
    "median_days_to_first_reply": N_("Median days to the first reply"),
    "form_reply_share": N_("Share of form replies"),
    "overdue_letters": N_("Overdue letters"),
    "deleted_cases": N_("Deleted by families"),
    "submitted_to_un": N_("Submitted to the UN"),
}
TRIGGERS: Mapping[str, str] = {
    "silence": N_("no answer in time"),
    "form_reply": N_("a form reply"),
    "refusal": N_("a refusal"),
}


@dataclass
class Presentation:
    """How one reader sees the workbook: ``t`` their language, ``tz`` their zone,
    ``names`` the staff by id."""

    t: Translator
    tz: str
    names: Mapping[int, str] = field(default_factory=dict)
    # Words looked up once per export, not once per row: bodies, languages.
    _bodies: dict[str, str] = field(default_factory=dict)
    _languages: dict[str, str] = field(default_factory=dict)

    def sheet_name(self, table: str) -> str:
        return self.t(SHEET_NAMES[table]) if table in SHEET_NAMES else table

    def columns(self, table: Table) -> list[tuple[str, Getter]]:
        return [(self.header(label, getter), getter) for label, getter in SHEETS[table.name]]

    def header(self, label: str, getter: Getter) -> str:
        text = self.t(label)
        if getattr(getter, "is_time", False):  # the zone of the times, once per column
            text += f" ({self.zone_name})"
        return text

    @property
    def zone_name(self) -> str:
        from babel.dates import get_timezone_location

        from bot.vocabulary import TIMEZONE_NAMES

        if self.tz in TIMEZONE_NAMES:
            return self.t(TIMEZONE_NAMES[self.tz])
        return get_timezone_location(self.tz, locale=self.t.locale, return_city=True)

    def row(self, table: Table, values: Sequence[Any]) -> list[Any]:
        named = dict(zip(table.columns, values))
        return [getter(self, named) for _label, getter in SHEETS[table.name]]

    def stats_row(self, metric: str, key: str, value: Any) -> list[Any]:
        """A line of the statistics sheet: the figure, what it is of, the value."""
        t = self.t
        if key == "total":
            of = t("total")
        elif metric == "submitted_to_un":
            of = t("under the urgent procedure")
        elif metric == "cases_by_status" and key in STATUS_CODES:
            of = t(STATUS_NAMES[CaseStatus(key)])
        elif metric == "cases_by_citizenship":
            of = t(COUNTRIES[key]) if key in COUNTRIES else key
        elif metric == "new_cases_per_week":
            of = week_label(t, key)
        elif metric == "cases_by_region":
            of = t("Unknown") if key == "unknown" else regions.name(key, t.locale)
        else:
            of = body_name(t, key) or key
        return [t(METRICS[metric]) if metric in METRICS else metric, of, value]

    # --- values -------------------------------------------------------------------
    def time(self, value: Any) -> datetime | None:
        """A moment as the reader's wall-clock time, to the second (a spreadsheet cell
        has no zone: the header names it)."""
        if not isinstance(value, datetime):
            return None
        local = value.astimezone(ZoneInfo(self.tz)) if value.tzinfo else value
        return local.replace(tzinfo=None, microsecond=0)

    def yes_no(self, value: Any) -> str:
        return self.t("yes") if value else self.t("no")

    def person(self, user_id: Any) -> str | None:
        if user_id is None:
            return None
        if user_id in self.names or user_id == 0:
            return who(self.t, int(user_id), self.names)
        return self.t("the family")

    def choice(self, key: str, value: Any) -> str | None:
        """An answer given by a button, in words; a list (several choices) joined."""
        if value in (None, ""):
            return None
        values = value if isinstance(value, (list, tuple)) else str(value).split(",")
        question = q.BY_KEY.get(key)
        shown = []
        for v in values:
            label = question.choice_label(str(v)) if question else None
            shown.append(self.t(label) if label else str(v))
        return ", ".join(shown)

    def coded(self, names: Mapping[str, str], value: Any) -> str | None:
        if value in (None, ""):
            return None
        return self.t(names[value]) if value in names else str(value)

    def language(self, code: Any) -> str | None:
        if not code:
            return None
        key = str(code)
        if key not in self._languages:
            self._languages[key] = Locale.parse(key).get_display_name(self.t.locale) or key
        return self._languages[key]

    def body(self, addressee_id: Any) -> str | None:
        if not addressee_id:
            return None
        key = str(addressee_id)
        if key not in self._bodies:
            self._bodies[key] = body_name(self.t, key) or key
        return self._bodies[key]


def _col(name: str) -> Getter:
    return lambda p, r: r.get(name)


def _time(name: str) -> Getter:
    def get(p: Presentation, r: Row) -> Any:
        return p.time(r.get(name))

    get.is_time = True  # type: ignore[attr-defined]
    return get


def _day(name: str) -> Getter:
    return lambda p, r: r.get(name) if isinstance(r.get(name), date) else None


def _yes_no(name: str) -> Getter:
    return lambda p, r: p.yes_no(r.get(name))


def _choice(name: str, key: str) -> Getter:
    return lambda p, r: p.choice(key, r.get(name))


def _coded(name: str, names: Mapping[str, str]) -> Getter:
    return lambda p, r: p.coded(names, r.get(name))


def _region(name: str) -> Getter:
    return lambda p, r: regions.name(r[name], p.t.locale) if r.get(name) else None


def _status(p: Presentation, r: Row) -> str | None:
    code = r.get("status")
    return p.t(STATUS_NAMES[CaseStatus(code)]) if code in STATUS_CODES else code


def _volunteers(p: Presentation, r: Row) -> str | None:
    return ", ".join(who(p.t, v, p.names) for v in r.get("volunteer_ids") or ()) or None


def _body(name: str) -> Getter:
    return lambda p, r: p.body(r.get(name))


def _kind(p: Presentation, r: Row) -> str:
    kind = KIND_NAMES.get(str(r.get("kind")))
    return p.t(kind) if kind else p.t("First letter")


def _detail(r: Row) -> Mapping[str, Any]:
    """An event's or audit entry's details (stored as compact JSON)."""
    detail = r.get("detail")
    if isinstance(detail, str):
        try:
            detail = json.loads(detail or "{}")
        except ValueError:
            return {}
    return detail if isinstance(detail, Mapping) else {}


def _event(p: Presentation, r: Row) -> str:
    return event_text(p.t, str(r.get("kind")), _detail(r))


def _audit(p: Presentation, r: Row) -> str:
    return sentence(
        p.t,
        str(r.get("action")),
        int(r.get("actor_id") or 0),
        r.get("case_number"),
        r.get("target_id"),
        _detail(r),
        p.names,
    )


SHEETS: Mapping[str, list[tuple[str, Getter]]] = {
    "cases": [
        (N_("Case number"), _col("number")),
        (N_("Status"), _status),
        (N_("Citizenship"), _coded("citizenship", COUNTRIES)),
        (N_("Country"), _col("citizenship_other")),
        (N_("Checked with the family"), _yes_no("verified")),
        (N_("Reported"), _time("created_at")),
        (N_("Updated"), _time("updated_at")),
        (N_("Personal data removed"), _time("purged_at")),
        (N_("Applicant's full name"), _col("reporter_name")),
        (N_("Relationship"), _choice("reporter_relation", "r_rel")),
        (N_("Applicant's phone"), _col("reporter_phone")),
        (N_("Applicant's e-mail address"), _col("reporter_email")),
        (N_("Applicant's IIN/PIN"), _col("reporter_id")),
        (N_("Missing person"), _col("missing_name")),
        (N_("Name in the passport"), _col("missing_name_latin")),
        (N_("Date of birth"), _day("missing_birth_date")),
        (N_("Gender"), _choice("missing_gender", "m_gender")),
        (N_("IIN/PIN"), _col("missing_id")),
        (N_("Passport"), _col("missing_passport")),
        (N_("Last contact"), _day("last_contact_date")),
        (N_("How"), _choice("last_contact_channel", "e_how")),
        (N_("Region"), _region("last_region")),
        (N_("Last known place"), _col("last_place")),
        (N_("What is known"), _choice("what_happened", "e_what")),
        (N_("Believed responsible"), _choice("responsible", "e_resp")),
        (N_("Names"), _col("responsible_text")),
        (N_("Unit or place"), _col("unit")),
        (N_("Believed taken to"), _region("taken_region")),
        (N_("Signed a contract"), _choice("contract", "e_contract")),
        (N_("Renounced citizenship"), _choice("renounced", "e_renounced")),
        (N_("The family's account"), _col("story")),
        (N_("Files"), _col("evidence_files")),
        (N_("Volunteers"), _volunteers),
        (N_("Notes"), _col("notes")),
    ],
    "letters": [
        (N_("Case number"), _col("case_number")),
        (N_("Letter No."), _col("letter_id")),
        (N_("Addressee"), _body("addressee")),
        (N_("Letter"), _kind),
        (N_("Why this body"), _coded("reason", REASONS)),
        (N_("In reply to letter No."), _col("parent_id")),
        (N_("Reason for the letter"), _coded("trigger", TRIGGERS)),
        (N_("Language"), lambda p, r: p.language(r.get("language"))),
        (N_("Prepared"), _time("generated_at")),
        (N_("Sent on"), _day("sent_on")),
        (N_("How it was sent"), _coded("channel", CHANNEL_NAMES)),
        (N_("Tracking number"), _col("tracking")),
        (N_("Registration number"), _col("reference")),
        (N_("Registered on"), _day("registered_on")),
        (N_("Term extended until"), _day("extended_until")),
        (N_("Answer due"), _day("due_on")),
        (N_("Answered"), _yes_no("closed")),
        (N_("Overdue"), _yes_no("overdue")),
        (N_("Replies"), _col("replies")),
        (N_("Last reply"), _day("last_reply_on")),
        (N_("Last reply says"), _coded("last_reply_outcome", OUTCOME_NAMES)),
    ],
    "replies": [
        (N_("Case number"), _col("case_number")),
        (N_("Letter No."), _col("letter_id")),
        (N_("Addressee"), _body("addressee")),
        (N_("Received on"), _day("received_on")),
        (N_("The reply says"), _coded("outcome", OUTCOME_NAMES)),
        (N_("Forwarded to"), _body("forwarded_to")),
        (N_("Summary"), _col("summary")),
        (N_("A copy was sent"), _yes_no("has_file")),
        (N_("Logged"), _time("created_at")),
    ],
    "events": [
        (N_("Case number"), _col("case_number")),
        (N_("Time"), _time("at")),
        (N_("What happened"), _event),
        (N_("Who"), lambda p, r: p.person(r.get("actor_id"))),
    ],
    "audit": [
        (N_("Time"), _time("at")),
        (N_("Who"), lambda p, r: p.person(r.get("actor_id"))),
        (N_("What"), _audit),
        (N_("Case number"), _col("case_number")),
    ],
}
