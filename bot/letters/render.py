"""Render a letter from a report: Jinja2 template -> markup -> ``Letter``.

Templates live in ``templates/letters/<lang>/<kind>.txt.j2``; each language has
its own wording in ``_base.txt.j2`` (the common frame) and ``_words.j2`` (the
vocabulary tables), so a lawyer who reads that language can review a letter top
to bottom. The markup is described in ``bot.letters.markup``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

from bot import regions
from bot.domain.deadlines import rule_for_letter
from bot.domain.models import Report
from bot.letters.directory import Addressee, load_directory
from bot.letters.markup import layout_text, parse
from bot.letters.model import EarlierLetter, Letter, RenderOptions
from bot.letters.recommend import crime_suspected, military_involved
from bot.letters.translations import localize

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates" / "letters"

# Letters sent after the first one. Kinds about a crime report go only to Russian
# prosecutors, the Investigative Committee and the Russian ombudsman.
FOLLOW_UP_KINDS: tuple[str, ...] = (
    "repeat_request",
    "complaint_silence",
    "complaint_form_reply",
    "complaint_refusal",
    "complaint_crime_report_inaction",
    "complaint_crime_report_refusal",
)
CRIME_FOLLOW_UPS = frozenset({"complaint_crime_report_inaction", "complaint_crime_report_refusal"})
CRIME_FOLLOW_UP_BODIES = frozenset({"prosecutor", "investigative", "ombudsman"})

DATE_PATTERN = "dd.MM.yyyy"
NO_ANSWER = frozenset({"none", "form", "refused"})


class TemplateMissing(LookupError):
    """No template for this letter kind in this language."""


# --------------------------------------------------------------------------- env


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")


def _finalize(value: object) -> object:
    """Every ``{{ value }}``: None prints nothing; free text is one clean line."""
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(_CONTROL.sub(" ", value).split()).lstrip("@")
    return value


def _babel_locale(lang: str) -> str:
    return lang if lang in ("ru", "kk", "ky") else "ru"


@pass_context
def _short_date(ctx: Any, value: date | None) -> str:
    if value is None:
        return ""
    return format_date(value, DATE_PATTERN, locale=_babel_locale(ctx["lang"]))


@pass_context
def _long_date(ctx: Any, value: date | None) -> str:
    if value is None:
        return ""
    return format_date(value, "long", locale=_babel_locale(ctx["lang"]))


def _end(value: object) -> str:
    """Free text as a sentence: add a full stop unless it already ends with one."""
    text = " ".join(str(value or "").split())
    if text and text[-1] not in ".!?…":
        text += "."
    return text


def _gender(code: str) -> str:
    return "f" if code == "f" else "m"


def _pick(table: Mapping[str, Any], key: str, gender: str = "m") -> str:
    """A word from a vocabulary table: by code, then by gender when it has m/f forms."""
    entry = table.get(key)
    if entry is None:
        entry = table.get("other", table.get("unknown", ""))
    if isinstance(entry, Mapping):
        return str(entry.get(gender) or entry.get("m") or "")
    return str(entry)


@lru_cache(maxsize=4)
def _environment(templates_dir: Path = TEMPLATES_DIR) -> Environment:
    return letter_environment(templates_dir)


@lru_cache(maxsize=4)
def letter_environment(templates_dir: Path) -> Environment:
    """The Jinja2 environment of letters from ``templates_dir``: clean one-line values,
    the date filters ``d`` and ``long``, ``end`` (a sentence's stop) and ``pick``. Other
    documents laid out as letters (the UN submission) add their filters to it."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        finalize=_finalize,
    )
    env.filters["d"] = _short_date
    env.filters["long"] = _long_date
    env.filters["end"] = _end
    env.globals["pick"] = _pick
    return env


def compile_templates() -> int:
    """Compile every letter template now (the worker does this when it starts): the
    first use of a template compiles it, 30-40 ms that would otherwise fall on the first
    family to ask for that letter in that language. Returns how many were compiled."""
    env = _environment()
    names = env.list_templates(filter_func=lambda name: name.endswith(".j2"))
    for name in names:
        env.get_template(name)
    return len(names)


def template_exists(kind: str, language: str) -> bool:
    return (TEMPLATES_DIR / language / f"{kind}.txt.j2").is_file()


def template_languages(kind: str) -> list[str]:
    """Every language with a template for ``kind``."""
    return sorted(p.parent.name for p in TEMPLATES_DIR.glob(f"*/{kind}.txt.j2"))


def letter_kinds() -> list[str]:
    """Every kind that has at least one template."""
    return sorted(
        {
            p.name[: -len(".txt.j2")]
            for p in TEMPLATES_DIR.glob("*/*.txt.j2")
            if not p.name.startswith("_")
        }
    )


def kinds_for(addressee: Addressee) -> list[str]:
    """The letter kinds that make sense for this body: its first letter, then follow-ups."""
    kinds = [addressee.letter_kind]
    for kind in FOLLOW_UP_KINDS:
        if kind in CRIME_FOLLOW_UPS and not (
            addressee.country == "RU" and addressee.kind in CRIME_FOLLOW_UP_BODIES
        ):
            continue
        kinds.append(kind)
    return [k for k in kinds if available_languages(k, addressee)]


def available_languages(kind: str, addressee: Addressee) -> list[str]:
    """Languages the body accepts and a template exists for, the body's preference first."""
    return [lang for lang in addressee.languages if template_exists(kind, lang)]


# ----------------------------------------------------------------------- context


def id_kind(number: str) -> str:
    """'iin' for a 12-digit Kazakh IIN, 'pin' for a 14-digit Kyrgyz PIN, else 'id'."""
    digits = re.sub(r"\D", "", number)
    if len(digits) == 12 and digits == number.strip():
        return "iin"
    if len(digits) == 14 and digits == number.strip():
        return "pin"
    return "id"


@dataclass(frozen=True)
class _Person:
    name: str
    gender: str
    relation: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    id_number: str = ""
    id_kind: str = "id"

    def g(self, male: str, female: str) -> str:
        """The form agreeing with this person's gender."""
        return female if self.gender == "f" else male


@dataclass(frozen=True)
class _Missing(_Person):
    latin: str = ""
    birth: date | None = None
    citizenship: str = ""
    citizenship_other: str = ""
    passport: str = ""
    has_photo: bool = False


@dataclass(frozen=True)
class _Event:
    last_date: date | None
    channel: str
    place: str
    whats: tuple[str, ...]  # every code of what happened, in the order the family chose
    story: str
    responsible: str
    responsible_text: str
    unit: str
    contract: str
    renounced: str
    taken_region: str = ""  # named in the letter's language


def _place(report: Report, language: str) -> str:
    """The last known place for a letter: the region named in the letter's language (a
    Russian body reads "Краснодарский край"), then the family's own details."""
    region = regions.name(report.last_region, language) if report.last_region else ""
    details = report.last_place.strip()
    if region and details and region.casefold() not in details.casefold():
        return f"{region}, {details}"
    return details or region


@dataclass(frozen=True)
class _Earlier:
    addressee_id: str
    addressee: Addressee | None
    kind: str
    sent_on: date | None
    reference: str
    outcome: str

    def name(self, lang: str) -> str:
        return self.addressee.name(lang) if self.addressee else self.addressee_id

    @property
    def rule(self) -> str:
        """The rule of the earlier letter's term: it depends on the body and the kind."""
        if self.addressee is None:
            return "ru_crime_report" if self.kind == "crime_report" else ""
        return rule_for_letter(self.addressee.id, self.kind or self.addressee.letter_kind)


# In a protective letter, events told in words of military service or fighting are told
# by what the family knows without them (codes of the "what" tables in _words.j2).
PROTECTED_WHAT = {"mobilised": "lost", "prison": "prison_lost"}


def _protected_what(what: str, protect: bool) -> str:
    return PROTECTED_WHAT.get(what, what) if protect else what


def _context(
    kind: str,
    addressee: Addressee,
    report: Report,
    language: str,
    *,
    today: date,
    options: RenderOptions,
    earlier: Sequence[EarlierLetter],
    directory: Mapping[str, Addressee],
) -> dict[str, Any]:
    applicant = _Person(
        name=report.reporter_name.strip(),
        gender=_gender(report.reporter_gender),
        relation=report.reporter_relation or "other",
        phone=report.reporter_phone,
        email=report.reporter_email,
        address=report.reporter_address,
        id_number=report.reporter_id_number.strip(),
        id_kind=id_kind(report.reporter_id_number),
    )
    missing = _Missing(
        name=report.missing_name.strip(),
        gender=_gender(report.missing_gender),
        latin=report.missing_name_latin,
        birth=report.missing_birth_date,
        citizenship=report.citizenship,
        citizenship_other=report.citizenship_other,
        id_number=report.missing_id_number.strip(),
        id_kind=id_kind(report.missing_id_number),
        passport=report.missing_passport,
        has_photo=report.missing_photo is not None,
    )
    names = options.include_perpetrator and not options.protect
    event = _Event(
        last_date=report.last_contact_date,
        channel=report.last_contact_how,
        place=_place(report, language),
        taken_region=regions.name(report.taken_region, language) if report.taken_region else "",
        whats=tuple(
            dict.fromkeys(
                _protected_what(w, options.protect) for w in (report.whats or ("unknown",))
            )
        ),
        story=report.story if options.include_story else "",
        responsible=(report.responsible or "unknown") if names else "",
        responsible_text=report.responsible_text if names else "",
        unit=report.unit if names else "",
        contract="" if options.protect else (report.contract or "unk"),
        renounced=report.renounced or "unk",
    )
    letters = [
        _Earlier(
            addressee_id=e.addressee_id,
            addressee=directory.get(e.addressee_id),
            kind=e.kind
            or (directory[e.addressee_id].letter_kind if e.addressee_id in directory else ""),
            sent_on=e.sent_on,
            reference=e.reference.strip(),
            outcome=e.outcome or "none",
        )
        for e in earlier
    ]
    return {
        "lang": language,
        "kind": kind,
        "to": addressee,
        "applicant": applicant,
        "missing": missing,
        "event": event,
        "evidence": [
            {"kind": item.kind, "description": item.description.strip()}
            for item in report.evidence
        ],
        "actions": list(report.actions),
        "earlier": letters,
        "options": options,
        "today": today,
        "crime_suspected": crime_suspected(report),
        # Some body already left the family without a real answer.
        "inaction": any(a.outcome in NO_ANSWER for a in report.actions)
        or any(e.outcome in NO_ANSWER for e in letters),
        "military_involved": military_involved(report) and not options.protect,
        # A regional office: written to because he was last seen or taken there.
        "region_role": _region_role(addressee, report),
    }


def _region_role(addressee: Addressee, report: Report) -> str:
    """Why a region's office is written to: "last" (last seen there), "taken" (believed
    taken there), or "" for a body that is not a region's office."""
    if not addressee.region:
        return ""
    if addressee.region == report.last_region:
        return "last"
    return "taken" if addressee.region == report.taken_region else ""


# ------------------------------------------------------------------------ render


def render_letter(
    kind: str,
    addressee_id: str,
    report: Report,
    language: str,
    *,
    case_number: str,
    today: date,
    options: RenderOptions = RenderOptions(),
    earlier: Sequence[EarlierLetter] = (),
    form_evidence: Any = None,
) -> Letter:
    """Render one letter. Raises KeyError for an unknown body and TemplateMissing
    when there is no template for ``kind`` in ``language``."""
    directory = load_directory()
    addressee = directory[addressee_id]
    if not template_exists(kind, language):
        raise TemplateMissing(f"no {language!r} template for {kind!r}")
    # Every word in the letter's language: foreign free text is swapped for its translation,
    # and without one the letter is not made (ForeignText).
    report = localize(report, language, options)
    env = _environment()
    template = env.get_template(f"{language}/{kind}.txt.j2")
    ctx = _context(
        kind,
        addressee,
        report,
        language,
        today=today,
        options=options,
        earlier=earlier,
        directory=directory,
    )
    ctx["case_number"] = case_number
    ctx["form_evidence"] = form_evidence  # after a form reply: bot.replies.evidence
    return letter_from_text(
        template.render(ctx), kind=kind, addressee_id=addressee_id, language=language, issued=today
    )


def letter_from_text(
    rendered: str, *, kind: str, addressee_id: str, language: str, issued: date
) -> Letter:
    """A rendered template (see ``bot.letters.markup``) as a ``Letter``: its parts, and its
    plain text laid out as the PDF and DOCX lay them out."""
    parsed = parse(rendered)
    title_lines = parsed.lines.get("title", [])
    parts: dict[str, Any] = {
        "to_lines": tuple(parsed.lines.get("to", [])),
        "from_lines": tuple(parsed.lines.get("from", [])),
        "title": title_lines[0] if title_lines else "",
        "subtitle": " ".join(title_lines[1:]),
        "body": tuple(parsed.paragraphs.get("body", [])),
        "requests_intro": parsed.intros.get("requests", ""),
        "requests": tuple(parsed.items.get("requests", [])),
        "closing": tuple(parsed.paragraphs.get("closing", [])),
        "attachments_intro": parsed.intros.get("attachments", ""),
        "attachments": tuple(parsed.items.get("attachments", [])),
        "place_date": " ".join(parsed.lines.get("date", [])),
        "signature": " ".join(parsed.lines.get("sign", [])),
    }
    return Letter(
        kind=kind,
        addressee_id=addressee_id,
        language=language,
        text=layout_text(**parts),
        issued=issued,
        **parts,
    )


# ------------------------------------------------------------------ online forms


_LEVELS = (
    re.compile(r"[^\n]*(?:\n+|$)"),  # lines
    re.compile(r".*?(?:[.!?;…]+(?=\s|$)\s*|$)", re.S),  # sentences
    re.compile(r"\S*\s*"),  # words
)


def _segments(text: str, cap: int, level: int = 0) -> list[str]:
    """Cut ``text`` into pieces no longer than ``cap`` (trailing spaces aside),
    at the coarsest boundary that works: line, sentence, word, then character."""
    if len(text.rstrip()) <= cap:
        return [text] if text else []
    if level >= len(_LEVELS):
        return [text[i : i + cap] for i in range(0, len(text), cap)]
    pieces = [p for p in _LEVELS[level].findall(text) if p]
    if len(pieces) <= 1:
        return _segments(text, cap, level + 1)
    out: list[str] = []
    for piece in pieces:
        out.extend(_segments(piece, cap, level + 1))
    return out


def _pack(text: str, cap: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for seg in _segments(text, cap):
        if not current.strip():
            current = seg
        elif len((current + seg).rstrip()) <= cap:
            current += seg
        else:
            chunks.append(current.strip())
            current = seg
    if current.strip():
        chunks.append(current.strip())
    return chunks


def form_chunks(letter: Letter, limit: int) -> list[str]:
    """The letter's text cut for an online reception form.

    Each chunk fits in ``limit`` characters, including its "(1/3) " number; cuts
    fall between paragraphs where possible, else between sentences, else between
    words. A text that fits whole is returned as one chunk without a number.
    """
    text = letter.text.strip()
    if len(text) <= limit:
        return [text]
    width = 1
    while True:
        label = len(f"({'9' * width}/{'9' * width}) ")
        if limit - label < 20:
            raise ValueError(f"limit {limit} is too small to split the letter")
        pieces = _pack(text, limit - label)
        if len(str(len(pieces))) <= width:
            break
        width += 1
    total = len(pieces)
    return [f"({i}/{total}) {piece}" for i, piece in enumerate(pieces, 1)]


# ---------------------------------------------------------------------- files


def _ascii_slug(value: str) -> str:
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^A-Za-z0-9-]+", "-", value.replace("_", "-"))
    return re.sub(r"-{2,}", "-", value).strip("-") or "x"


def file_name(
    case_number: str,
    addressee_id: str,
    language: str,
    ext: str,
    *,
    kind: str | None = None,
) -> str:
    """An ASCII file name, e.g. ``KZ-2026-0042_embassy-kz_ru.pdf``.

    Pass ``kind`` for a follow-up letter so it does not overwrite the first one.
    """
    parts = [_ascii_slug(case_number), _ascii_slug(addressee_id)]
    if kind:
        parts.append(_ascii_slug(kind))
    parts.append(_ascii_slug(language))
    return "_".join(parts) + "." + _ascii_slug(ext.lstrip(".")).lower()


# Output formats live in their own modules; re-exported for one import path.
from bot.letters.pdf import letter_pdf  # noqa: E402
from bot.letters.word import letter_docx  # noqa: E402

__all__ = [
    "EarlierLetter",
    "Letter",
    "RenderOptions",
    "TemplateMissing",
    "available_languages",
    "file_name",
    "form_chunks",
    "kinds_for",
    "letter_docx",
    "letter_kinds",
    "letter_pdf",
    "render_letter",
]
