"""The three catalogs are complete, consistent with the code, and used at runtime."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALES, LOCALES_DIR, Catalogs

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
KEYWORDS = {"N_": None, "gettext": None, "ngettext": (1, 2), "t": None, "_": None}
PLURAL_FORMS = {
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);",
    "kk": "nplurals=2; plural=(n != 1);",
    "ky": "nplurals=2; plural=(n != 1);",
}
# Letters each language has and Russian does not: a catalog with none of them is
# not really Kazakh or Kyrgyz.
OWN_LETTERS = {"kk": set("әғқңөұүһі"), "ky": set("ңөү")}


def load(locale: str):
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=locale)


def source_messages() -> set[str]:
    """Every translatable string in the code, extracted the way pybabel does."""
    found: set[str] = set()
    for package in ("bot", "handlers"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package,
            method_map=[("**.py", "python")],
            keywords={"N_": None, "gettext": None, "ngettext": (1, 2), "t": None},
        ):
            found.add(message if isinstance(message, str) else message[0])
    # The desk's pages (Jinja2) call the same translator, ``t("...")``.
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "templates" / "web",
        method_map=[("**.j2", "jinja2")],
        keywords={"t": None},
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete_and_not_fuzzy(locale: str) -> None:
    catalog = load(locale)
    assert catalog.plural_forms == PLURAL_FORMS[locale]
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if any(not s.strip() for s in strings):
            problems.append(f"untranslated: {message.id!r}")
        if isinstance(message.id, (list, tuple)) and len(strings) != catalog.num_plurals:
            problems.append(f"plural forms: {message.id!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_are_the_same_as_in_the_source(locale: str) -> None:
    problems = []
    for message in load(locale):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            if set(PLACEHOLDER.findall(s)) != wanted:
                problems.append(f"{message.id!r}: {s!r}")
    assert not problems, "\n".join(problems)


def test_catalogs_are_not_stale() -> None:
    """Every string in the code is in every catalog, and no catalog keeps strings the code lost."""
    in_code = source_messages()
    for locale in LOCALES:
        ids = {m.id if isinstance(m.id, str) else m.id[0] for m in load(locale) if m.id}
        missing = in_code - ids
        obsolete = ids - in_code
        assert not missing, (
            f"{locale}: not in the catalog (run make catalogs): {sorted(missing)[:5]}"
        )
        assert not obsolete, f"{locale}: no longer in the code: {sorted(obsolete)[:5]}"


@pytest.mark.parametrize("locale", ["kk", "ky"])
def test_kazakh_and_kyrgyz_use_their_own_letters(locale: str) -> None:
    text = " ".join(str(m.string) for m in load(locale) if m.id)
    assert OWN_LETTERS[locale] <= set(text.lower())


def test_runtime_catalogs_are_the_po_files() -> None:
    """What the bot shows is compiled from the .po files at start, never an older copy."""
    catalogs = Catalogs()
    for locale in LOCALES:
        translator = catalogs.get(locale)
        for message in load(locale):
            if message.id and isinstance(message.id, str):
                assert translator.gettext(message.id) == message.string
        assert translator.ngettext("{n} file", "{n} files", 5)


def test_russian_plurals_have_three_forms() -> None:
    t = Catalogs().get("ru")
    forms = {t.ngettext("{n} file", "{n} files", n) for n in (1, 3, 5)}
    assert len(forms) == 3


def test_dates_are_formatted_for_the_reader() -> None:
    from datetime import date

    catalogs = Catalogs()
    day = date(2026, 3, 5)
    assert catalogs.get("ru").date(day).startswith("5 марта 2026")
    assert "наурыз" in catalogs.get("kk").date(day)
    assert "март" in catalogs.get("ky").date(day)
