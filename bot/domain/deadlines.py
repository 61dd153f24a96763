"""Answer deadlines for letters and the escalation ladder when a body fails to answer.

Pure functions over two data files in ``bot/data/``:

- ``deadline_rules.json``: the statutory answer terms (59-FZ, UPK arts. 124 and 144, the
  Prosecutor General's Instruction No. 45, the Kazakh APPK art. 76, Kyrgyz Law No. 67) and a
  non-legal follow-up check for the ICRC. Each rule carries its source and a confidence mark
  (V = norm text seen, S = secondary source, U = unverified).
- ``escalation.json``: for each addressee kind and trigger (silence, form reply, refusal, no
  decision on a crime report) the next step, chosen by the number of earlier attempts.

Working days follow the public-holiday calendars of the ``holidays`` library for RU, KZ and
KG, including the observed and transferred days off it provides and the weekend days it lists
as working days (``weekend_workdays``: e.g. Saturday 1 November 2025 in Russia). The library's
calendars are only as current as the installed version; a transfer decreed after its release
is not known.

Nothing here reads the clock: every date is passed in.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import holidays

UNITS = ("calendar_days", "working_days")
EXTENSION_MODES = ("additional", "total")
STARTS = ("registration", "receipt")
CHANNELS = ("post", "registered", "email", "online", "in_person")
CONFIDENCE = ("V", "S", "U")
TRIGGERS = ("silence", "form_reply", "refusal", "no_decision")
ACTIONS = ("repeat", "complain")
PURPOSES = ("appeal", "crime_report", "procedural_complaint")
SAME = "same"

# How the start of the term was established (Deadline.basis).
BASIS_REGISTERED = "registered"  # the body's registration date is known
BASIS_DELIVERED = "delivered"  # the delivery (receipt) date is known
BASIS_SENT = "sent"  # only the sending date: delivery assumed from the channel

RULES_FILE = "deadline_rules.json"
LADDER_FILE = "escalation.json"


# --------------------------------------------------------------------------- data files


def _data_text(name: str) -> str:
    """Read a file shipped in ``bot/data`` (works from a checkout and an installed package)."""
    package = __name__.rsplit(".", 2)[0]  # "bot"
    return (resources.files(package) / "data" / name).read_text(encoding="utf-8")


def _read_json(path: Path | None, default_name: str) -> Any:
    text = Path(path).read_text(encoding="utf-8") if path is not None else _data_text(default_name)
    return json.loads(text)


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class ExtensionRule:
    """An extension the law allows. ``amount`` None: the body's stated length, no known cap."""

    amount: int | None
    unit: str  # calendar_days | working_days | months
    mode: str  # additional: on top of the term; total: the whole term from the start
    source: str
    confidence: str
    note: str = ""


@dataclass(frozen=True)
class FilingLimit:
    """A time limit for filing the complaint at all (e.g. 1-FKZ art. 17: one year)."""

    years: int
    source: str
    confidence: str
    counted_from: str = ""

    def ends(self, since: date) -> date:
        """Last day to file when the violation (or learning of it) happened on ``since``."""
        return _add_months(since, 12 * self.years)


@dataclass(frozen=True)
class DeadlineRule:
    id: str
    source: str
    unit: str  # calendar_days | working_days
    amount: int
    country: str  # whose holidays count: RU, KZ, KG
    start: str  # registration | receipt
    registration_days: int
    extensions: tuple[ExtensionRule, ...]
    legal: bool
    confidence: str  # V / S / U for the answer term itself
    title: str = ""
    registration_unit: str = "calendar_days"
    registration_source: str = ""
    registration_confidence: str | None = None
    # Calendar days from sending to receipt, per channel, as (channel, days) pairs.
    assumed_delivery_days: tuple[tuple[str, int], ...] = ()
    filing_limit: FilingLimit | None = None
    # Basis and confidence for moving a last day off a non-working day (calendar-day terms).
    rollover_basis: str | None = None
    rollover_confidence: str | None = None
    notes: str = ""

    @property
    def filing_limit_years(self) -> int | None:
        return self.filing_limit.years if self.filing_limit else None

    def delivery_days(self, channel: str) -> int:
        for name, days in self.assumed_delivery_days:
            if name == channel:
                return days
        raise ValueError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")


def _check(cond: bool, where: str, message: str) -> None:
    if not cond:
        raise ValueError(f"{where}: {message}")


def _nonneg_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _parse_extension(raw: Mapping[str, Any], where: str) -> ExtensionRule:
    amount: Any
    unit: Any
    if "months" in raw:
        amount, unit = raw["months"], "months"
        _check(raw.get("unit", "months") == "months", where, "'months' needs unit 'months'")
    else:
        amount, unit = raw.get("days"), raw.get("unit")
        _check(unit in ("calendar_days", "working_days"), where, f"bad unit {unit!r}")
    _check(amount is None or (_nonneg_int(amount) and amount > 0), where, "bad amount")
    mode = raw.get("mode", "additional")
    _check(mode in EXTENSION_MODES, where, f"bad mode {mode!r}")
    _check(amount is not None or mode == "additional", where, "an open extension is additional")
    confidence: Any = raw.get("confidence")
    _check(confidence in CONFIDENCE, where, f"bad confidence {confidence!r}")
    _check(bool(raw.get("source")), where, "missing source")
    return ExtensionRule(
        amount=amount,
        unit=unit,
        mode=mode,
        source=str(raw["source"]),
        confidence=confidence,
        note=str(raw.get("note", "")),
    )


def _parse_rule(rule_id: str, raw: Mapping[str, Any], delivery: Mapping[str, int]) -> DeadlineRule:
    where = f"rule {rule_id}"
    for key in ("source", "unit", "amount", "country", "start", "legal", "confidence"):
        _check(key in raw, where, f"missing {key!r}")
    _check(raw["unit"] in UNITS, where, f"bad unit {raw['unit']!r}")
    _check(_nonneg_int(raw["amount"]) and raw["amount"] > 0, where, "amount must be > 0")
    _check(raw["start"] in STARTS, where, f"bad start {raw['start']!r}")
    _check(raw["confidence"] in CONFIDENCE, where, f"bad confidence {raw['confidence']!r}")
    _check(isinstance(raw["legal"], bool), where, "legal must be true or false")
    country = str(raw["country"]).upper()
    _check(country in holidays.list_supported_countries(), where, f"bad country {country!r}")
    reg_days = raw.get("registration_days", 0) or 0
    _check(_nonneg_int(reg_days), where, "bad registration_days")
    reg_unit = raw.get("registration_unit", "calendar_days")
    _check(reg_unit in UNITS, where, f"bad registration_unit {reg_unit!r}")
    reg_conf = raw.get("registration_confidence")
    _check(reg_conf is None or reg_conf in CONFIDENCE, where, "bad registration_confidence")

    merged = {k: v for k, v in delivery.items() if not k.startswith("_")}
    merged.update({k: v for k, v in raw.get("assumed_delivery_days", {}).items() if k[:1] != "_"})
    for channel in CHANNELS:
        _check(_nonneg_int(merged.get(channel)), where, f"no delivery days for {channel!r}")

    limit = None
    if raw.get("filing_limit"):
        fl = raw["filing_limit"]
        _check(_nonneg_int(fl.get("years")) and fl["years"] > 0, where, "bad filing_limit.years")
        _check(fl.get("confidence") in CONFIDENCE, where, "bad filing_limit.confidence")
        limit = FilingLimit(
            years=fl["years"],
            source=str(fl.get("source", "")),
            confidence=fl["confidence"],
            counted_from=str(fl.get("from", "")),
        )

    rollover = raw.get("rollover") or {}
    if rollover:
        _check(rollover.get("confidence") in CONFIDENCE, where, "bad rollover.confidence")

    return DeadlineRule(
        id=rule_id,
        title=str(raw.get("title", "")),
        source=str(raw["source"]),
        unit=raw["unit"],
        amount=raw["amount"],
        country=country,
        start=raw["start"],
        registration_days=reg_days,
        registration_unit=reg_unit,
        registration_source=str(raw.get("registration_source", "")),
        registration_confidence=reg_conf,
        extensions=tuple(
            _parse_extension(ext, f"{where} extension {i}")
            for i, ext in enumerate(raw.get("extensions", []))
        ),
        legal=raw["legal"],
        confidence=raw["confidence"],
        assumed_delivery_days=tuple((c, int(merged[c])) for c in CHANNELS),
        filing_limit=limit,
        rollover_basis=rollover.get("basis"),
        rollover_confidence=rollover.get("confidence"),
        notes=str(raw.get("notes", "")),
    )


def load_rules(path: Path | None = None) -> dict[str, DeadlineRule]:
    """Read and validate the deadline rules (default: the packaged ``deadline_rules.json``)."""
    data = _read_json(path, RULES_FILE)
    delivery = data.get("assumed_delivery_days", {})
    return {rid: _parse_rule(rid, raw, delivery) for rid, raw in data["rules"].items()}


@lru_cache(maxsize=1)
def _default_rules() -> Mapping[str, DeadlineRule]:
    return load_rules()


def warm_up(today: date) -> None:
    """Load the rules and this year's and next year's calendars of every country they use.

    Called once at start-up: the first deadline otherwise loads them while a chat waits.
    The holidays package imports all of its ~250 country modules on first use, so that
    first deadline stalled the event loop for 80-330 ms."""
    for country in sorted({rule.country for rule in _default_rules().values()}):
        for year in (today.year, today.year + 1):
            _calendar(country, year)


# --------------------------------------------------------------------------- calendars


@cache
def _calendar(country: str, year: int) -> tuple[frozenset[date], frozenset[date], frozenset[int]]:
    """(days off, weekend days that are working days, weekend weekdays) for one country-year."""
    try:
        table = holidays.country_holidays(country, years=year)
    except NotImplementedError as exc:
        raise ValueError(f"no holiday calendar for country {country!r}") from exc
    days_off = frozenset(d for d in table if d.year == year)
    # Transferred working days on a weekend (Russia's working Saturdays and the like).
    # ``weekend_workdays`` may also hold other years' dates, hence the filter.
    workdays = frozenset(d for d in getattr(table, "weekend_workdays", ()) if d.year == year)
    weekend = frozenset(getattr(table, "weekend", None) or (5, 6))
    return days_off, workdays, weekend


def is_working_day(day: date, country: str) -> bool:
    """Mon-Fri and not a public holiday (incl. observed / transferred days off) of ``country``;
    a weekend day the calendar turns into a working day counts as a working day."""
    days_off, workdays, weekend = _calendar(country.upper(), day.year)
    if day.weekday() in weekend:
        return day in workdays
    return day not in days_off


def add_working_days(start: date, n: int, country: str) -> date:
    """The n-th working day after ``start`` (``start`` itself not counted).

    Negative ``n`` counts backwards (the |n|-th working day before ``start``); 0 returns
    ``start`` unchanged.
    """
    step = timedelta(days=1 if n >= 0 else -1)
    day, left = start, abs(n)
    while left:
        day += step
        if is_working_day(day, country):
            left -= 1
    return day


def next_working_day(day: date, country: str) -> date:
    """``day`` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day, country):
        day += timedelta(days=1)
    return day


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _term_end(start: date, amount: int, unit: str, country: str) -> tuple[date, date]:
    """(last day as counted, last day moved to a working day) for a term from ``start``.

    Calendar-day and month terms: the count starts the day after ``start``; a last day that
    falls on a non-working day moves to the next working day. That is the general rule for
    procedural terms in RU (UPK art. 128 p. 2; Civil Code art. 193), KZ and KG; for 59-FZ,
    which has no such clause, it is applied as an assumption (see each rule's ``rollover``).
    Working-day terms always end on a working day.
    """
    if unit == "working_days":
        end = add_working_days(start, amount, country)
        return end, end
    raw = _add_months(start, amount) if unit == "months" else start + timedelta(days=amount)
    return raw, next_working_day(raw, country)


# --------------------------------------------------------------------------- deadlines


@dataclass(frozen=True)
class Extension:
    """A body announced an extension: the deadline moves to ``until`` or by ``days``
    (in the rule's unit), capped at the maximum the rule allows."""

    until: date | None = None
    days: int | None = None

    def __post_init__(self) -> None:
        if (self.until is None) == (self.days is None):
            raise ValueError("give exactly one of until= or days=")
        if self.days is not None and not (_nonneg_int(self.days) and self.days > 0):
            raise ValueError("extension days must be a positive integer")


@dataclass(frozen=True)
class Deadline:
    due: date
    rule: DeadlineRule
    basis: str  # registered | delivered | sent
    start: date  # the day the term is counted from (not itself counted)
    amount: int  # the term actually used (after overrides)
    unadjusted: date  # last day before moving it off a non-working day
    channel: str | None = None
    extended: bool = False
    capped: bool = False  # an announced extension went beyond what the rule allows
    max_due: date | None = None  # latest due date the rule's extensions allow; None: no cap
    assumptions: tuple[str, ...] = ()

    @property
    def moved(self) -> bool:
        return self.due != self.unadjusted

    def is_overdue(self, on: date) -> bool:
        return on > self.due

    def reminders(self, prepare_days: int = 3) -> tuple[date, date]:
        return reminder_dates(self.due, prepare_days, country=self.rule.country)

    @property
    def params(self) -> dict[str, Any]:
        """Values for a human explanation ("30 days from registration on ..., 59-FZ ...")."""
        rule = self.rule
        return {
            "rule": rule.id,
            "source": rule.source,
            "confidence": rule.confidence,
            "legal": rule.legal,
            "amount": self.amount,
            "unit": rule.unit,
            "country": rule.country,
            "start_kind": rule.start,
            "basis": self.basis,
            "start": self.start,
            "channel": self.channel,
            "assumed_delivery_days": (
                rule.delivery_days(self.channel)
                if self.basis == BASIS_SENT and self.channel is not None
                else None
            ),
            "registration_days": rule.registration_days if self.basis != BASIS_REGISTERED else 0,
            "due": self.due,
            "moved_from": self.unadjusted if self.moved else None,
            "rollover_basis": rule.rollover_basis if self.moved else None,
            "extended": self.extended,
            "capped": self.capped,
            "max_due": self.max_due,
            "assumptions": self.assumptions,
        }


def _effective_amount(
    rule: DeadlineRule, overrides: Mapping[str, int] | None, known: Mapping[str, DeadlineRule]
) -> int:
    if not overrides:
        return rule.amount
    for key, value in overrides.items():
        if key not in known:
            raise ValueError(f"override for unknown rule {key!r}")
        if not (_nonneg_int(value) and value > 0):
            raise ValueError(f"override for {key!r} must be a positive integer")
    return overrides.get(rule.id, rule.amount)


def _max_due(rule: DeadlineRule, start: date, amount: int, base_due: date) -> date | None:
    """The latest due date the rule's extensions allow (None if one of them has no cap).
    A legal rule without extensions allows none: the cap is the base due date."""
    if not rule.extensions:
        return base_due if rule.legal else None
    best = base_due
    for ext in rule.extensions:
        if ext.amount is None:
            return None
        if ext.mode == "total":
            _, end = _term_end(start, ext.amount, ext.unit, rule.country)
        elif ext.unit == rule.unit:
            _, end = _term_end(start, amount + ext.amount, rule.unit, rule.country)
        else:  # more time in another unit, counted from the end of the ordinary term
            _, end = _term_end(base_due, ext.amount, ext.unit, rule.country)
        best = max(best, end)
    return best


def answer_due(
    rule_id: str,
    sent_on: date,
    *,
    delivered_on: date | None = None,
    registered_on: date | None = None,
    extension: Extension | None = None,
    overrides: Mapping[str, int] | None = None,
    channel: str = "post",
    rules: Mapping[str, DeadlineRule] | None = None,
) -> Deadline:
    """When the answer to a letter is due.

    Start of the count, best evidence first:
    - rules counted from registration: ``registered_on``; else ``delivered_on`` plus the
      registration allowance; else ``sent_on`` plus the assumed delivery time of ``channel``
      plus the registration allowance;
    - rules counted from receipt: ``delivered_on``; else ``registered_on`` (a body does not
      register a letter before it arrives, so this is the nearest known date); else ``sent_on``
      plus the assumed delivery time.
    A registration allowance in calendar days that ends on a non-working day moves to the next
    working day (the later date avoids complaining before the term has really run out).

    ``overrides`` maps rule ids to a different term (e.g. ``{"kg_law67": 10}``).
    """
    known = rules if rules is not None else _default_rules()
    try:
        rule = known[rule_id]
    except KeyError:
        raise ValueError(f"unknown deadline rule {rule_id!r}") from None
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
    if delivered_on is not None and delivered_on < sent_on:
        raise ValueError("delivered_on is before sent_on")
    if registered_on is not None and registered_on < (delivered_on or sent_on):
        raise ValueError("registered_on is before the letter was sent or delivered")
    amount = _effective_amount(rule, overrides, known)
    country = rule.country
    assumptions: list[str] = []

    def registration(received: date) -> date:
        if not rule.registration_days:
            return received
        assumptions.append("registration_allowance")
        _, end = _term_end(received, rule.registration_days, rule.registration_unit, country)
        return end

    def assumed_receipt() -> date:
        assumptions.append("delivery_assumed")
        return sent_on + timedelta(days=rule.delivery_days(channel))

    if rule.start == "registration":
        if registered_on is not None:
            start, basis = registered_on, BASIS_REGISTERED
        elif delivered_on is not None:
            start, basis = registration(delivered_on), BASIS_DELIVERED
        else:
            start, basis = registration(assumed_receipt()), BASIS_SENT
    else:
        if delivered_on is not None:
            start, basis = delivered_on, BASIS_DELIVERED
        elif registered_on is not None:
            start, basis = registered_on, BASIS_REGISTERED
        else:
            start, basis = assumed_receipt(), BASIS_SENT

    unadjusted, due = _term_end(start, amount, rule.unit, country)
    if overrides and rule.id in overrides:
        assumptions.append("term_overridden")
    max_due = _max_due(rule, start, amount, due)
    extended = capped = False

    if extension is not None:
        extended = True
        if extension.until is not None:
            raw = extension.until
            wanted = next_working_day(raw, country)
        else:
            assert extension.days is not None  # Extension holds exactly one of until, days
            raw, wanted = _term_end(start, amount + extension.days, rule.unit, country)
        if wanted > due:
            unadjusted, due = raw, wanted
        if max_due is not None and due > max_due:
            capped = True
            due = unadjusted = max_due
        if max_due is None:
            assumptions.append("extension_uncapped")

    if due != unadjusted and rule.rollover_confidence != "V":
        assumptions.append("moved_off_non_working_day")

    return Deadline(
        due=due,
        rule=rule,
        basis=basis,
        start=start,
        amount=amount,
        unadjusted=unadjusted,
        channel=channel if basis == BASIS_SENT else None,
        extended=extended,
        capped=capped,
        max_due=max_due,
        assumptions=tuple(assumptions),
    )


def reminder_dates(due: date, prepare_days: int = 3, *, country: str = "RU") -> tuple[date, date]:
    """(day to start preparing the follow-up: ``prepare_days`` working days before ``due`` in
    ``country``, the due date itself). Pass the rule's country (``Deadline.reminders`` does)."""
    if prepare_days < 0:
        raise ValueError("prepare_days must not be negative")
    return add_working_days(due, -prepare_days, country), due


# --------------------------------------------------------------------------- escalation


@dataclass(frozen=True)
class NextStep:
    action: str  # repeat | complain
    to: str  # addressee kind, or "same"
    letter: str  # letter kind id
    why: str
    trigger: str
    attempt: int = 0  # how many earlier attempts led to this step

    def addressee(self, current: str) -> str:
        """The addressee kind the letter goes to, resolving "same"."""
        return current if self.to == SAME else self.to


def _validate_ladder(data: Mapping[str, Any]) -> None:
    addressees: Any = data.get("addressees")
    letters: Any = data.get("letters")
    _check(isinstance(addressees, dict) and bool(addressees), "ladder", "no addressees")
    _check(isinstance(letters, dict) and bool(letters), "ladder", "no letters")
    for kind, entry in addressees.items():
        where = f"ladder {kind}"
        _check(isinstance(entry.get("rules", {}), dict), where, "rules must be a mapping")
        for trigger, steps in entry.get("triggers", {}).items():
            _check(trigger in TRIGGERS, where, f"unknown trigger {trigger!r}")
            _check(isinstance(steps, list), where, f"{trigger} steps must be a list")
            for i, step in enumerate(steps):
                at = f"{where} {trigger}[{i}]"
                _check(step.get("action") in ACTIONS, at, f"bad action {step.get('action')!r}")
                to = step.get("to")
                _check(to == SAME or to in addressees, at, f"unknown addressee {to!r}")
                _check(
                    (step["action"] == "repeat") == (to == SAME),
                    at,
                    "a repeat goes to the same body, a complaint to another",
                )
                _check(step.get("letter") in letters, at, f"unknown letter {step.get('letter')!r}")
                _check(bool(step.get("why")), at, "missing why")
    for family in data.get("families", []):
        _check(family in addressees, "ladder families", f"{family!r} has no ladder entry")
    for kind, purpose in data.get("purposes", {}).items():
        _check(purpose in PURPOSES, "ladder purposes", f"{kind}: bad purpose {purpose!r}")


def load_ladder(path: Path | None = None) -> dict[str, Any]:
    """Read and validate the escalation ladder (default: the packaged ``escalation.json``)."""
    data: dict[str, Any] = _read_json(path, LADDER_FILE)
    _validate_ladder(data)
    return data


@lru_cache(maxsize=1)
def _default_ladder() -> dict[str, Any]:
    return load_ladder()


def next_step(
    addressee_kind: str, trigger: str, attempts: int, *, ladder: Mapping[str, Any] | None = None
) -> NextStep | None:
    """The next step after ``trigger`` when ``attempts`` follow-ups for it were already made.

    None when the ladder has no (further) step for this addressee and trigger: the bot has
    nothing more to send and should suggest legal help.
    """
    data = ladder if ladder is not None else _default_ladder()
    if trigger not in TRIGGERS:
        raise ValueError(f"unknown trigger {trigger!r}; expected one of {', '.join(TRIGGERS)}")
    if not _nonneg_int(attempts):
        raise ValueError("attempts must be a non-negative integer")
    entry = _ladder_entry(data, addressee_kind)
    steps = entry.get("triggers", {}).get(trigger, [])
    if attempts >= len(steps):
        return None
    step = steps[attempts]
    return NextStep(
        action=step["action"],
        to=_same_region(data, step["to"], addressee_kind),
        letter=step["letter"],
        why=step["why"],
        trigger=trigger,
        attempt=attempts,
    )


def _same_region(data: Mapping[str, Any], to: str, current: str) -> str:
    """A step to a family of regional offices ("to": "region_prosecutor") from a regional
    office goes to that family's office of the same region: a complaint about the Tomsk
    Committee department goes to the Tomsk prosecutor, who supervises it."""
    families = data.get("families", ())
    if to not in families:
        return to
    for family in families:
        if current.startswith(family + "_"):
            return f"{to}_{current[len(family) + 1 :]}"
    return to


def _ladder_entry(data: Mapping[str, Any], addressee: str) -> Mapping[str, Any]:
    """The ladder entry of a body: its own, or its family's for a regional office (the
    ladder's "families": "region_prosecutor" serves "region_prosecutor_ru_tom")."""
    entries = data["addressees"]
    if addressee in entries:
        return entries[addressee]  # type: ignore[no-any-return]
    for family in data.get("families", ()):
        if addressee.startswith(family + "_") and family in entries:
            return entries[family]  # type: ignore[no-any-return]
    raise ValueError(f"unknown addressee kind {addressee!r}")


def rule_for(addressee_kind: str, purpose: str = "appeal") -> str:
    """The deadline rule id for a letter of ``purpose`` (appeal, crime_report,
    procedural_complaint) to ``addressee_kind``, as listed in the ladder file."""
    rules = _ladder_entry(_default_ladder(), addressee_kind).get("rules", {})
    try:
        rule: str = rules[purpose]  # a rule id, as the ladder file names them
        return rule
    except KeyError:
        raise ValueError(f"{addressee_kind} has no rule for {purpose!r}") from None


def letter_purpose(kind: str) -> str:
    """What a letter of ``kind`` is in law (appeal, crime_report, procedural_complaint),
    from the ladder file's ``purposes``; a kind not listed there is an ordinary appeal."""
    return str(_default_ladder().get("purposes", {}).get(kind, "appeal"))


def rule_for_letter(addressee_kind: str, letter_kind: str) -> str:
    """The deadline rule for a letter of ``letter_kind`` sent to ``addressee_kind``.

    The rule depends on both: a crime report to the Investigative Committee runs on UPK
    art. 144 (3 days), a repeat request or a complaint about silence to the same body on
    59-FZ (30 days), a complaint under UPK art. 124 on art. 124 (3 days) when a prosecutor
    or the Committee decides it, and on the ombudsman's own term when the ombudsman does."""
    purpose = letter_purpose(letter_kind)
    try:
        return rule_for(addressee_kind, purpose)
    except ValueError:
        if purpose == "appeal":
            raise
        return rule_for(addressee_kind, "appeal")
