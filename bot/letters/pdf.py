"""Printable A4 PDF of a letter, with the DejaVu Sans font shipped in ``fonts/``.

The font is embedded (subset), so Kazakh and Kyrgyz letters print the same on
every machine; no system font is ever used. Parsing a TTF costs tens of
milliseconds, so the parsed font is kept between documents: each document gets
a copy that shares the read-only tables (character map, widths) and opens its
own lazily loaded font file for subsetting, because fpdf2 subsets the font in
place when it writes the file.
"""

from __future__ import annotations

import copy
import io
import logging
import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, time
from functools import cache
from pathlib import Path

from fontTools import ttLib  # type: ignore[import-untyped]  # fontTools ships no types
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import SubsetMap, TTFFont

from bot.letters.markup import numbered
from bot.letters.model import Letter

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVuSans"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# The same fonts cut down to Latin, Cyrillic and common punctuation and symbols
# (``bot.letters.common_font``): about 1,500 glyphs instead of 6,200, so fpdf2's subsetting
# of the font into each document takes a fraction of the time (a letter's PDF 65 ms instead
# of 112). A document with a character beyond them takes the whole fonts.
COMMON_FONT_FILES = {"": "DejaVuSans-Common.ttf", "B": "DejaVuSans-Bold-Common.ttf"}

LOGGER = logging.getLogger(__name__)

# Layout, in millimetres.
MARGIN_LEFT = 25.0
MARGIN_RIGHT = 15.0
MARGIN_TOP = 18.0
MARGIN_BOTTOM = 18.0
BLOCK_X = 110.0  # left edge of the addressee and applicant blocks (top right)
FONT_SIZE = 11.0
LINE = 5.4
PARAGRAPH_GAP = 2.2
NUMBER_WIDTH = 7.0


def font_path(style: str = "") -> Path:
    return FONTS_DIR / FONT_FILES[style]


@cache
def _font_bytes(name: str) -> bytes:
    return (FONTS_DIR / name).read_bytes()


_prototypes: dict[str, TTFFont] = {}
_lock = threading.Lock()


def _prototype(name: str, style: str) -> TTFFont:
    """The parsed font file ``name``, as ``add_font`` loads it for ``style``."""
    with _lock:
        proto = _prototypes.get(name)
        if proto is None:
            scratch = FPDF()
            scratch.add_font(FAMILY, style, str(FONTS_DIR / name))
            font = scratch.fonts[f"{FAMILY.lower()}{style}"]
            assert isinstance(font, TTFFont)  # add_font loaded a TrueType file
            proto = _prototypes[name] = font
        return proto


def warm_up() -> None:
    """Parse the fonts once ahead of the first letter (about 100 ms a file)."""
    for files in (COMMON_FONT_FILES, FONT_FILES):
        for style, name in files.items():
            _prototype(name, style)


@cache
def _common_characters() -> frozenset[int]:
    """The code points both styles of the common cut draw."""
    regular, bold = (_prototype(n, s).cmap for s, n in COMMON_FONT_FILES.items())
    return frozenset(regular) & frozenset(bold)


def attach_fonts(pdf: FPDF, texts: Iterable[str] | None) -> None:
    """Give ``pdf`` the family in both styles: the common cut when it draws every
    character of ``texts`` (what the document will show, after ``printable``), the
    whole fonts otherwise or when the texts are not known in advance (``None``)."""
    common = _common_characters()
    fits = texts is not None and all(
        ord(ch) in common for text in texts for ch in text if ch != "\n"
    )
    for style, name in (COMMON_FONT_FILES if fits else FONT_FILES).items():
        _attach_font(pdf, style, name)


def _attach_font(pdf: FPDF, style: str, name: str) -> None:
    """Give ``pdf`` the font file ``name`` as ``style``, reusing the parsed tables."""
    fontkey = f"{FAMILY.lower()}{style}"
    try:
        proto = _prototype(name, style)
        font = copy.copy(proto)
        font.ttfont = ttLib.TTFont(io.BytesIO(_font_bytes(name)), recalcTimestamp=False, lazy=True)
        font.i = len(pdf.fonts) + 1
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.subset = SubsetMap(font)
        pdf.fonts[fontkey] = font
    except Exception:  # pragma: no cover - a different fpdf2 layout: parse afresh
        LOGGER.debug("font cache unavailable, loading %s", fontkey, exc_info=True)
        pdf.fonts.pop(fontkey, None)
        pdf.add_font(FAMILY, style, str(FONTS_DIR / name))


def _cleaned(letter: Letter) -> Letter:
    def lines(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(printable(v) for v in values)

    return replace(
        letter,
        title=printable(letter.title),
        subtitle=printable(letter.subtitle),
        to_lines=lines(letter.to_lines),
        from_lines=lines(letter.from_lines),
        body=lines(letter.body),
        requests_intro=printable(letter.requests_intro),
        requests=lines(letter.requests),
        closing=lines(letter.closing),
        attachments_intro=printable(letter.attachments_intro),
        attachments=lines(letter.attachments),
        place_date=printable(letter.place_date),
        signature=printable(letter.signature),
    )


class _LetterPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.cell(0, 4, f"{self.page_no()}/{{nb}}", align=Align.C)


def printable(text: str) -> str:
    """Drop characters the font cannot draw (emoji in a family's story, for example),
    so the PDF never shows empty boxes."""
    cmap = _prototype(FONT_FILES[""], "").cmap
    if all(ord(ch) in cmap or ch == "\n" for ch in text):
        return text
    return "".join(ch for ch in text if ch == "\n" or ord(ch) in cmap)


def _texts(letter: Letter) -> Iterator[str]:
    """Every text the letter's PDF shows (the page numbers are digits and a slash)."""
    yield from (letter.title, letter.subtitle, letter.requests_intro, letter.attachments_intro)
    yield from (letter.place_date, letter.signature)
    for lines in (letter.to_lines, letter.from_lines, letter.body, letter.requests):
        yield from lines
    yield from letter.closing
    yield from letter.attachments


def letter_pdf(letter: Letter) -> bytes:
    """The letter as an A4 PDF: addressee and applicant top right, centred title,
    body, numbered requests, attachments, date and signature, pages numbered "1/2"."""
    letter = _cleaned(letter)
    pdf = _LetterPDF(format="A4", unit="mm")
    attach_fonts(pdf, _texts(letter))
    pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
    pdf.set_auto_page_break(True, margin=MARGIN_BOTTOM)
    pdf.set_title(" ".join(x for x in (letter.title, letter.subtitle) if x))
    pdf.set_lang(letter.language)
    pdf.set_creator("Izdeu")
    if letter.issued:
        pdf.set_creation_date(datetime.combine(letter.issued, time(12), tzinfo=UTC))
    pdf.add_page()
    width = pdf.w - MARGIN_LEFT - MARGIN_RIGHT

    def block(lines: tuple[str, ...]) -> None:
        pdf.set_font(FAMILY, "", FONT_SIZE)
        for line in lines:
            pdf.set_x(BLOCK_X)
            pdf.multi_cell(
                pdf.w - MARGIN_RIGHT - BLOCK_X,
                LINE,
                line,
                align=Align.L,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )

    def paragraph(text: str, align: Align = Align.J) -> None:
        pdf.set_font(FAMILY, "", FONT_SIZE)
        for k, line in enumerate(text.split("\n")):
            pdf.set_x(MARGIN_LEFT + (4.0 if k else 0.0))
            pdf.multi_cell(
                width - (4.0 if k else 0.0),
                LINE,
                line,
                align=align,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
        pdf.ln(PARAGRAPH_GAP)

    def numbered_list(intro: str, items: tuple[str, ...]) -> None:
        if not items:
            return
        pdf.set_font(FAMILY, "", FONT_SIZE)
        if intro:
            pdf.multi_cell(width, LINE, intro, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(0.8)
        for label in numbered(items):
            number, text = label.split(" ", 1)
            pdf.set_x(MARGIN_LEFT)
            pdf.cell(NUMBER_WIDTH, LINE, number)
            pdf.multi_cell(
                width - NUMBER_WIDTH,
                LINE,
                text,
                align=Align.J,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            pdf.ln(0.8)
        pdf.ln(PARAGRAPH_GAP)

    block(letter.to_lines)
    pdf.ln(4)
    block(letter.from_lines)
    pdf.ln(8)

    pdf.set_font(FAMILY, "B", FONT_SIZE + 2)
    pdf.multi_cell(
        width, LINE + 1, letter.title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    if letter.subtitle:
        pdf.set_font(FAMILY, "", FONT_SIZE)
        pdf.multi_cell(
            width, LINE, letter.subtitle, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    pdf.ln(5)

    for text in letter.body:
        paragraph(text)
    numbered_list(letter.requests_intro, letter.requests)
    for text in letter.closing:
        paragraph(text)
    numbered_list(letter.attachments_intro, letter.attachments)

    # Keep the date and the signature together on one page.
    if pdf.get_y() + 3 * LINE > pdf.h - MARGIN_BOTTOM:
        pdf.add_page()
    pdf.ln(4)
    pdf.set_font(FAMILY, "", FONT_SIZE)
    if letter.place_date:
        pdf.multi_cell(
            width, LINE, letter.place_date, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.ln(3)
    if letter.signature:
        pdf.multi_cell(
            width, LINE, letter.signature, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    return bytes(pdf.output())
