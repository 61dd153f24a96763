"""What people receive, read the way they read it: checks for scripted journeys.

A ``Reading`` listens to the local Bot API stand-in and keeps, for every chat,
every text, caption, button label and file name the bot sent, and the text of
every PDF, DOCX, XLSX and CSV file. ``problems()`` then reads all of it as the
person in that chat would and lists what they should never see:

- a Latin-script word in Kazakh, Russian or Kyrgyz text outside a short
  allow-list (commands, case numbers, e-mail addresses, links, file types);
- text in another language than the reader's (the family's own words and
  letters, which follow the addressee, are exempt);
- an internal code or a snake_case identifier;
- a raw Telegram id;
- an unrendered placeholder;
- doubled punctuation;
- a time of day that is not a moment of the journey in the reader's zone.

A journey declares each reader (chat id, language, time zone) and the words
people typed (``own``), which may appear anywhere in any script.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.messages.pofile import read_po

from bot.clock import Clock
from bot.i18n import LANGUAGE_NAMES, LOCALES, LOCALES_DIR, default_catalogs
from handlers.localapi import Call, LocalBotAPI

# Latin words a reader of any language may see: the bot's name, file types, the messenger.
ALLOWED_LATIN = frozenset({"Izdeu", "PDF", "DOCX", "XLSX", "CSV", "ZIP", "JSON", "Telegram", "MB"})
_LAW_NUMBER = r"№\s*\d+-[IVXLC]+\b"  # Kazakh laws are numbered by convocation: № 94-V
# A command as typed: the role words /invite takes, the filters /export takes.
_COMMAND = (
    r"/[a-z_]+(?:@\w+)?(?: (?:volunteer|caseworker)\b)?"
    r"(?: [a-z]+=[\w.-]+)*"
)
_CASE_NUMBER = r"\b(?:KZ|KG|XX|OT)-\d{4}-\d{3,}\b"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_URL = r"https?://\S+"
_FILE_NAME = r"\b[\w.-]+\.(?:pdf|docx|xlsx|csv|zip|json|png)\b"
_EXEMPT = re.compile("|".join((_URL, _EMAIL, _FILE_NAME, _COMMAND, _CASE_NUMBER, _LAW_NUMBER)))
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
_PLACEHOLDER = re.compile(r"\{[a-z_0-9]*\}|%\(\w+\)s|%s|\{\{|\}\}|\bNone\b|\bnan\b")
_DOUBLED = re.compile(
    r"(?<![.…])\.\.(?![.…])|,,|;;|::|\?\?|!!"
    r"|\s[.,;:!?](?![\d.])|[.,]\s*\.(?!\.)"
)
_TIME = re.compile(r"(?<![\d:.])(\d{1,2}):(\d{2})(?::\d{2})?(?![\d:])")
_MICROSECONDS = re.compile(r"\d{2}:\d{2}:\d{2}\.\d+")
# What stands in for exempt words while reading: neither a letter nor punctuation.
MARK = "◇"
# Letters only Kazakh or Kyrgyz have: a Russian reader should see none of them.
TURKIC_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
# Local hours the bot names as a schedule (reminders at 10:00, quiet 21:00-09:00).
SCHEDULE_TIMES = frozenset({"10:00", "09:00", "9:00", "21:00"})


@dataclass(frozen=True)
class Reader:
    """A person in one chat: the language they chose and the zone they live in."""

    chat_id: int
    locale: str
    tz: str
    name: str = ""


@dataclass
class Piece:
    """One thing one person received: a text, a button label, a file name or a file's text."""

    chat_id: int
    kind: str  # text, button, file name, file
    text: str
    source: str  # the Bot API method, and the file name for files
    at: datetime
    letter: bool = False  # a letter: its language follows the addressee


@dataclass
class Reading:
    """Collects what the bot sends while a journey runs; see the module docstring."""

    api: LocalBotAPI
    clock: Clock
    readers: dict[int, Reader] = field(default_factory=dict)
    own: set[str] = field(default_factory=set)
    # Texts meant for readers of every language: the language picker, language names.
    multilingual: set[str] = field(default_factory=set)
    ids: set[int] = field(default_factory=set)
    pieces: list[Piece] = field(default_factory=list)
    moments: list[datetime] = field(default_factory=list)
    extra_moments: list[timedelta] = field(default_factory=list)
    is_letter: Callable[[Call], bool] = lambda call: False
    # Chats whose files are not opened (already read by another journey): saves seconds.
    skip_files: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.api.listeners.append(self._record)
        self.multilingual.update(LANGUAGE_NAMES.values())
        catalogs = default_catalogs()
        self.multilingual.add(
            "\n".join(catalogs.get(loc)("Choose your language:") for loc in LOCALES)
        )
        for code in LOCALES:  # each language named in itself (the letter language picker)
            name = Locale.parse(code).get_display_name(code) or code
            self.multilingual.update({name, name.capitalize()})

    @staticmethod
    def _without(text: str, words: set[str]) -> str:
        for word in sorted(words, key=len, reverse=True):
            text = text.replace(word, MARK)
        return text

    def reader(self, chat_id: int, locale: str, tz: str) -> Reader:
        self.readers[chat_id] = Reader(chat_id, locale, tz)
        self.ids.add(chat_id)
        return self.readers[chat_id]

    def typed(self, *words: str) -> None:
        """Words people typed, allowed anywhere (the family's own words)."""
        self.own.update(w for w in words if w)

    # --- collecting ------------------------------------------------------------
    def _record(self, call: Call) -> None:
        now = self.clock.now()
        self.moments.append(now)
        chat = call.chat_id
        if chat is None:
            return
        letter = self.is_letter(call)
        if call.text:
            self.pieces.append(Piece(chat, "text", call.text, call.method, now, letter))
        for label, _data in call.buttons():
            self.pieces.append(Piece(chat, "button", label, call.method, now))
        media = call.params.get("media")
        if call.method == "sendMediaGroup" and media:
            import json

            items = json.loads(media) if isinstance(media, str) else media
            for item in items:
                if item.get("caption"):
                    self.pieces.append(Piece(chat, "text", item["caption"], call.method, now))
        for name, data, _mime in call.files.values():
            self.pieces.append(Piece(chat, "file name", name, call.method, now))
            if chat in self.skip_files:
                continue
            for text in document_texts(name, data):
                self.pieces.append(Piece(chat, "file", text, f"{call.method} {name}", now, letter))

    def texts(self, chat_id: int, kind: str | None = None) -> list[str]:
        return [
            p.text
            for p in self.pieces
            if p.chat_id == chat_id and (kind is None or p.kind == kind)
        ]

    # --- reading -----------------------------------------------------------------
    def problems(self) -> list[str]:
        found: list[str] = []
        times = self._allowed_times()
        words: dict[int, set[str]] = {}
        for piece in self.pieces:  # the words of texts (not of labels, which may be cut)
            if piece.kind != "button":
                words.setdefault(piece.chat_id, set()).update(re.findall(r"\w+", piece.text))
        for piece in self.pieces:
            reader = self.readers.get(piece.chat_id)
            if reader is None:
                continue
            problems = self.check(piece, reader, times.get(reader.tz, set()))
            if piece.kind == "button" and cut_mid_word(
                piece.text, words.get(piece.chat_id, set())
            ):
                problems.append("cut mid-word")
            for problem in problems:
                found.append(
                    f"[{reader.locale} {piece.chat_id} {piece.kind} {piece.source}] "
                    f"{problem}: {_excerpt(piece.text)}"
                )
        return list(dict.fromkeys(found))

    def check(self, piece: Piece, reader: Reader, times: set[str]) -> list[str]:
        text = self._without_own(piece.text)
        out: list[str] = []
        bare = _EXEMPT.sub(MARK, text)
        for number in self.ids:
            if re.search(rf"(?<![\d\w-]){number}(?![\d\w])", bare):
                out.append(f"raw Telegram id {number}")
        out += [f"placeholder {m!r}" for m in _PLACEHOLDER.findall(text)]
        if piece.kind == "file name":  # ASCII by design, so that every system can keep it
            return out
        out += [f"Latin word {w!r}" for w in latin_words(text)]
        if not piece.letter and text not in self.multilingual:
            seen = self._without(text, self.multilingual)
            out += [f"not {reader.locale}: {w!r}" for w in foreign(seen, reader.locale)]
        out += [f"identifier {m!r}" for m in _SNAKE.findall(bare)]
        out += [f"doubled punctuation {m!r}" for m in _DOUBLED.findall(bare)]
        out += [f"microseconds {m!r}" for m in _MICROSECONDS.findall(text)]
        for hour, minute in _TIME.findall(bare):
            shown = f"{int(hour):02d}:{minute}"
            if shown not in times and shown not in SCHEDULE_TIMES and int(hour) < 24:
                out.append(f"time {shown} is not in {reader.tz}")
        return out

    def _without_own(self, text: str) -> str:
        return self._without(text, self.own)

    def _allowed_times(self) -> dict[str, set[str]]:
        """HH:MM of every moment of the journey (and moments derived from them, such as
        an invitation's expiry) in every reader's zone."""
        zones = {r.tz for r in self.readers.values()}
        spans = [timedelta(0)] + self.extra_moments
        moments = set(self.moments)
        return {
            tz: {
                (m + d).astimezone(ZoneInfo(tz)).strftime("%H:%M") for m in moments for d in spans
            }
            for tz in zones
        }


def cut_mid_word(label: str, known: set[str]) -> bool:
    """A shortened label ("…") whose last word appears nowhere whole in what the same
    person received: it was cut inside a word."""
    if not label.endswith("…"):
        return False
    found = re.findall(r"\w+", label[:-1])
    if not found:
        return False
    last = found[-1]
    return last not in body_name_words() and not any(
        w == last for w in known if not w.endswith("…")
    )


@lru_cache(maxsize=1)
def body_name_words() -> frozenset[str]:
    """Every word of every body's name in every language: a label that ends with one was
    cut between words, even if the reader never saw the whole name in a text."""
    from bot.letters.directory import load_directory

    return frozenset(
        w
        for body in load_directory().values()
        for name in body.names.values()
        for w in re.findall(r"\w+", name)
    )


def latin_words(text: str) -> list[str]:
    """Latin words outside commands, case numbers, addresses, links and file types."""
    return [w for w in _LATIN_WORD.findall(_EXEMPT.sub(" ", text)) if w not in ALLOWED_LATIN]


def foreign(text: str, locale: str) -> list[str]:
    """Words or phrases of another of the three languages in ``text``."""
    if locale == "ru":
        return [w for w in re.findall(r"\w+", text) if TURKIC_LETTERS & set(w)][:3]
    found = []
    for other in LOCALES:
        if other == locale:
            continue
        found += [s for s in _phrases(other, locale) if s in text]
    return found


@cache
def _catalog_strings(locale: str) -> frozenset[str]:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    out: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        out.update(s for s in strings if s)
    return frozenset(out)


@cache
def _phrases(other: str, reader: str) -> tuple[str, ...]:
    """Phrases of ``other``'s catalog (between placeholders and line ends) of four words
    or more that the reader's catalog does not also hold: seeing one means the reader
    got a text in ``other``."""
    mine = "\n".join(_catalog_strings(reader))
    pieces: set[str] = set()
    for text in _catalog_strings(other):
        for part in re.split(r"\{[a-z_]+\}|\n|[.:;!?]", text):
            part = part.strip(' ,·—()«»"')
            if len(part.split()) >= 4 and part not in mine:
                pieces.add(part)
    return tuple(sorted(pieces))


def _excerpt(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


# --- the text of files -------------------------------------------------------------------
def document_texts(name: str, data: bytes) -> list[str]:
    """The text a person reads in a file, by its kind; images and JSON (data for other
    programs, codes by design) have none."""
    lower = name.lower()
    if lower.endswith(".pdf"):
        return [pdf_text(data)]
    if lower.endswith(".docx"):
        return [docx_text(data)]
    if lower.endswith(".xlsx"):
        return xlsx_texts(data)
    return []  # CSV (in a ZIP) and JSON carry codes and ids for other programs, by design


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(lines)


def xlsx_texts(data: bytes) -> list[str]:
    """Each sheet as lines of cells; date-times as the spreadsheet shows them."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    out = []
    for sheet in book.worksheets:
        lines = [sheet.title]
        for row in sheet.iter_rows(values_only=True):
            lines.append(" | ".join(cell_text(v) for v in row if v is not None))
        out.append("\n".join(lines))
    return out


def cell_text(value: object) -> str:
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()  # a date cell (openpyxl reads dates as datetimes)
    if isinstance(value, datetime):
        stamp = value.strftime("%Y-%m-%d %H:%M:%S")
        return stamp + (f".{value.microsecond:06d}" if value.microsecond else "")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)  # True/False: Latin, caught as a code
    return str(value)
