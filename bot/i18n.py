"""Translations of the chat interface and locale-aware formatting.

The ``.po`` catalogs under ``locales/`` are the only source: they are compiled
in memory when the bot starts, so a compiled catalog can never be older than
its source. Letters are not translated through gettext; each language has its
own templates (see ``bot.letters``).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.dates import get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LOCALES: tuple[str, ...] = ("kk", "ru", "ky")
DEFAULT_LOCALE = "ru"
DOMAIN = "messages"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"

# Names of the languages in themselves, for the language picker.
LANGUAGE_NAMES: Mapping[str, str] = {"kk": "Қазақша", "ru": "Русский", "ky": "Кыргызча"}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet.

    Module-level constants (question prompts, button labels) are translated
    when they are shown, in the reader's language.
    """
    return message


def pick_locale(language_code: str | None) -> str | None:
    """The supported locale matching Telegram's ``language_code``, if any."""
    if not language_code:
        return None
    base = language_code.replace("_", "-").split("-")[0].lower()
    return base if base in LOCALES else None


def compile_catalog(po_path: Path) -> Translations:
    """Read a ``.po`` file and return it as loaded gettext translations."""
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=po_path.parent.parent.name)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def _fill(text: str, params: Mapping[str, object]) -> str:
    """``text`` with its placeholders filled. A value that ends with a full stop (a long
    date: "11 декабря 2026 г.", "2026 ж.") ends the sentence too: one stop, not two."""
    for name, value in params.items():
        placeholder = "{" + name + "}"
        if isinstance(value, str) and value.endswith(".") and placeholder + "." in text:
            text = text.replace(placeholder + ".", placeholder)
    return text.format(**params)


@dataclass(frozen=True)
class Translator:
    """Gettext and Babel formatting bound to one locale."""

    locale: str
    translations: Translations

    def gettext(self, message: str, **params: object) -> str:
        text = self.translations.gettext(message)
        return _fill(text, params) if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        text = self.translations.ngettext(singular, plural, n)
        return _fill(text, {"n": self.number(n), **params})

    __call__ = gettext

    def date(self, value: date, fmt: str = "long") -> str:
        return _babel_format_date(value, fmt, locale=self.locale)

    def datetime(self, value: datetime, fmt: str = "medium", tz: str | None = None) -> str:
        zone = get_timezone(tz) if tz is not None else None  # as Babel does with a name
        return _babel_format_datetime(value, fmt, tzinfo=zone, locale=self.locale)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.locale)


class Catalogs:
    """All translators, loaded once at start."""

    def __init__(self, locales_dir: Path = LOCALES_DIR) -> None:
        self._by_locale: dict[str, Translator] = {}
        for loc in LOCALES:
            po = locales_dir / loc / "LC_MESSAGES" / f"{DOMAIN}.po"
            if not po.exists():
                raise FileNotFoundError(f"missing catalog {po}")
            self._by_locale[loc] = Translator(loc, compile_catalog(po))

    def get(self, locale: str | None) -> Translator:
        return self._by_locale.get(locale or DEFAULT_LOCALE, self._by_locale[DEFAULT_LOCALE])

    def warm_up(self, now: datetime) -> None:
        """Format a number and dates in every locale once, at start-up: Babel loads a
        locale's data on first use, which would otherwise stall the first chats for
        tens of milliseconds."""
        for translator in self._by_locale.values():
            translator.number(1234.5)
            translator.date(now.date(), "long")
            translator.date(now.date(), "short")
            translator.datetime(now, "short")


@lru_cache(maxsize=1)
def default_catalogs() -> Catalogs:
    return Catalogs()
