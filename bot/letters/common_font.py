"""The common cut of the shipped fonts: what ``make fonts`` writes next to them.

fpdf2 subsets the whole font file into every document it writes, and the time that takes
grows with the glyphs of the file, not with those the document uses: DejaVu Sans has about
6,200. Letters, dossiers and the desk's documents are written in Kazakh, Kyrgyz, Russian
and English, with names in Latin or Cyrillic letters; the ranges below draw all of that
with about 1,500 glyphs. The outlines, widths and hinting are DejaVu's own, untouched; the
tables fpdf2 drops from every document anyway (layout, kerning, FontForge's timestamp) are
left out of the file. ``bot.letters.pdf`` takes the whole fonts for a document with any
other character.

Run ``python -m bot.letters.common_font`` (``make fonts``) after replacing the fonts.
"""

from __future__ import annotations

from pathlib import Path

from fontTools import subset  # type: ignore[import-untyped]  # fontTools ships no types
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from bot.letters.pdf import COMMON_FONT_FILES, FONT_FILES, FONTS_DIR

# Inclusive ranges of code points.
COMMON_RANGES = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x024F),  # Latin-1 Supplement, Latin Extended-A and -B
    (0x0250, 0x02FF),  # IPA extensions (Azerbaijani ə) and modifier letters (Uzbek ʻ)
    (0x0300, 0x036F),  # combining accents
    (0x0400, 0x052F),  # Cyrillic and its supplement: Kazakh, Kyrgyz, Tajik, Uzbek
    (0x2000, 0x206F),  # general punctuation: dashes, quotes, bullets, ellipsis
    (0x20A0, 0x20CF),  # currency signs: ₸ ₽ ₴ €
    (0x2100, 0x214F),  # letterlike symbols: №, ™
    (0x2190, 0x21FF),  # arrows (↩ of the chat's buttons)
    (0x2212, 0x2215),  # minus, slashes
    (0x2260, 0x2265),  # ≠ ≤ ≥
    (0x25A0, 0x25CF),  # squares and circles
    (0x2610, 0x2612),  # ballot boxes ☐ ☑ ☒
    (0x2713, 0x2718),  # check and cross marks ✓ ✔ ✖
    (0xFFFD, 0xFFFD),  # the replacement character
)
DROPPED_TABLES = ("FFTM", "GDEF", "GPOS", "GSUB", "MATH", "kern")


def common_code_points() -> list[int]:
    return [cp for low, high in COMMON_RANGES for cp in range(low, high + 1)]


def cut(source: Path, target: Path) -> int:
    """Write the common cut of the font ``source`` to ``target``; its number of glyphs."""
    font = TTFont(str(source), recalcTimestamp=False)
    options = subset.Options()
    options.drop_tables += list(DROPPED_TABLES)
    options.layout_features = []
    options.name_IDs = ["*"]  # the copyright and licence notices stay in the file
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recommended_glyphs = True
    options.glyph_names = True
    options.hinting = True
    options.legacy_kern = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=common_code_points())
    subsetter.subset(font)
    font.save(str(target))
    return len(font.getGlyphOrder())


def main() -> None:
    for style, name in FONT_FILES.items():
        glyphs = cut(FONTS_DIR / name, FONTS_DIR / COMMON_FONT_FILES[style])
        print(f"{COMMON_FONT_FILES[style]}: {glyphs} glyphs")


if __name__ == "__main__":
    main()
