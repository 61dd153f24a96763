"""The common cut of the fonts: what it draws, that it draws it as the whole fonts do, and
that a document with any other character still gets the whole fonts."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from fpdf import FPDF
from pypdf import PdfReader

from bot.letters import letter_pdf, render_letter
from bot.letters.common_font import cut
from bot.letters.pdf import COMMON_FONT_FILES, FONT_FILES, FONTS_DIR, attach_fonts, printable
from bot.letters.sample import SAMPLE_TODAY, sample_reports

ROOT = Path(__file__).resolve().parent.parent


def common_characters() -> set[str]:
    regular, bold = (TTFont(str(FONTS_DIR / name)) for name in COMMON_FONT_FILES.values())
    return {chr(cp) for cp in set(regular.getBestCmap()) & set(bold.getBestCmap())}


def shipped_texts() -> str:
    """Every letter template, message catalog and data file the bot writes from."""
    files = [
        *sorted((ROOT / "templates").rglob("*.j2")),
        *sorted((ROOT / "templates").rglob("*.txt")),
        *sorted((ROOT / "locales").glob("*/LC_MESSAGES/messages.po")),
        *sorted((ROOT / "bot" / "data").glob("*.json")),
    ]
    assert len(files) > 10
    return "".join(f.read_text(encoding="utf-8") for f in files)


@pytest.mark.parametrize("style", sorted(FONT_FILES))
def test_the_shipped_cut_is_what_the_command_writes(style: str, tmp_path: Path) -> None:
    """A replaced font without `make fonts` would leave a stale cut behind."""
    target = tmp_path / "cut.ttf"
    cut(FONTS_DIR / FONT_FILES[style], target)
    assert target.read_bytes() == (FONTS_DIR / COMMON_FONT_FILES[style]).read_bytes()


def test_the_cut_draws_every_character_of_templates_catalogs_and_data() -> None:
    common = common_characters()
    missing = sorted({ch for ch in shipped_texts() if ch.isprintable() and ch not in common})
    assert missing == []
    for ch in "әғқңөұүһіӘҒҚҢӨҰҮҺІ" + "№«»—–…“”„’₸₽€":
        assert ch in common, ch


@pytest.mark.parametrize("style", sorted(FONT_FILES))
def test_the_cut_draws_each_character_as_the_whole_font(style: str) -> None:
    whole = TTFont(str(FONTS_DIR / FONT_FILES[style]))
    part = TTFont(str(FONTS_DIR / COMMON_FONT_FILES[style]))
    whole_map, part_map = whole.getBestCmap(), part.getBestCmap()
    assert 1000 < len(part_map) < len(whole_map) / 3
    for cp, name in part_map.items():
        assert whole_map[cp] == name
        assert part["hmtx"][name] == whole["hmtx"][name], hex(cp)
        a, b = part["glyf"][name], whole["glyf"][name]
        assert a.getCoordinates(part["glyf"])[0] == b.getCoordinates(whole["glyf"])[0], hex(cp)


def glyphs_of(texts: list[str] | None) -> int:
    """How many glyphs the regular font ``attach_fonts`` gave the document has."""
    pdf = FPDF()
    attach_fonts(pdf, texts)
    return int(pdf.fonts["dejavusans"].ttfont["maxp"].numGlyphs)


def test_a_document_beyond_the_cut_gets_the_whole_fonts() -> None:
    whole = TTFont(str(FONTS_DIR / FONT_FILES[""]))["maxp"].numGlyphs
    assert glyphs_of(["Сейітова Зуһра Әбілқызы", "Төлөгөнова Айгүл", "Rahimova O‘g‘iljon"]) < 1600
    assert glyphs_of(["Сейітова", "გიორგი ბერიძე"]) == whole  # a Georgian name
    assert glyphs_of(None) == whole  # texts not known in advance


@pytest.mark.parametrize("name", ["Құрманғазыұлы Әлібек", "Ἀλέξανδρος Παπαδόπουλος", "გიორგი"])
def test_a_letter_prints_a_name_in_any_script_the_fonts_have(name: str) -> None:
    report = replace(sample_reports()["kz_male"], missing_name=name)
    letter = render_letter(
        "consular_request", "embassy_kz", report, "ru", case_number="KZ-1", today=SAMPLE_TODAY
    )
    assert printable(name) == name
    data = letter_pdf(letter)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert name in text.replace("\n", " ")
