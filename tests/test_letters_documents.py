"""Letters as documents: PDF (fonts, Kazakh and Kyrgyz letters), DOCX, samples."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
from docx import Document
from fontTools.ttLib import TTFont
from pypdf import PdfReader

import bot.letters.sample as sample_module
from bot.letters import (
    Letter,
    available_languages,
    kinds_for,
    letter_docx,
    letter_pdf,
    load_directory,
    regional_offices,
    render_letter,
)
from bot.letters.pdf import FONTS_DIR, font_path
from bot.letters.render import letter_kinds, template_languages
from bot.letters.sample import SAMPLE_TODAY, render_samples, sample_earlier, sample_reports

SAMPLES = sample_reports()
DIRECTORY = load_directory()
KAZAKH = "әғқңөұүһі"
KYRGYZ = "ңөү"
NEEDED_GLYPHS = KAZAKH + KAZAKH.upper() + "№«»—"


def render(kind: str, addressee_id: str, sample: str, language: str) -> Letter:
    addressee = DIRECTORY[addressee_id]
    earlier = () if kind == addressee.letter_kind else sample_earlier(addressee)
    return render_letter(
        kind,
        addressee_id,
        SAMPLES[sample],
        language,
        case_number="KZ-2026-0042",
        today=SAMPLE_TODAY,
        earlier=earlier,
    )


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# One letter per template (kind x language), with a sample that fits the language.
TEMPLATES = []
for _kind in letter_kinds():
    for _lang in template_languages(_kind):
        _body = next(
            a
            for a in (*DIRECTORY.values(), *regional_offices().values())
            if _kind in kinds_for(a) and _lang in available_languages(_kind, a)
        )
        _sample = {"kk": "kz_male", "ky": "kg_male"}.get(
            _lang, "kz_male" if _body.country != "KG" else "kg_female"
        )
        TEMPLATES.append((_kind, _body.id, _sample, _lang))


def test_shipped_font_covers_kazakh_kyrgyz_and_typography() -> None:
    assert (FONTS_DIR / "LICENSE_DEJAVU").is_file()
    for style in ("", "B"):
        cmap = TTFont(str(font_path(style))).getBestCmap()
        missing = [ch for ch in NEEDED_GLYPHS if ord(ch) not in cmap]
        assert missing == [], (style, missing)


@pytest.mark.parametrize(
    ("kind", "addressee_id", "sample", "language"),
    TEMPLATES,
    ids=[f"{k}-{lang}" for k, _, _, lang in TEMPLATES],
)
def test_every_template_prints_to_pdf_and_docx(
    kind: str,
    addressee_id: str,
    sample: str,
    language: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    letter = render(kind, addressee_id, sample, language)
    with caplog.at_level(logging.DEBUG, logger="fpdf"):
        data = letter_pdf(letter)
    assert not [
        r for r in caplog.records if r.name.startswith("fpdf") and r.levelno >= logging.WARNING
    ], caplog.text
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    text = squash(pdf_text(data))
    assert SAMPLES[sample].reporter_name in text
    assert squash(letter.title) in text
    pages = len(reader.pages)
    assert f"1/{pages}" in text and f"{pages}/{pages}" in text
    if language == "kk":
        for ch in KAZAKH:
            assert ch in text, (ch, kind)
    if language == "ky":
        for ch in KYRGYZ:
            assert ch in text, (ch, kind)

    document = Document(io.BytesIO(letter_docx(letter)))
    paragraphs = [p.text for p in document.paragraphs]
    assert letter.title in paragraphs
    for i, request in enumerate(letter.requests, 1):
        assert f"{i}.\t{request}" in paragraphs
    assert letter.signature in paragraphs
    assert document.core_properties.language == language


def test_pdf_keeps_every_word_of_a_kazakh_letter() -> None:
    letter = render("consular_request", "embassy_kz", "kz_male", "kk")
    text = squash(pdf_text(letter_pdf(letter)))
    for word in (
        "Қазақстан",
        "Республикасының",
        "Елшісіне",
        "Өтініш",
        "ұлым",
        "ЖСН",
        "Сейітова Зуһра Әбілқызы",
        "Әлібек Құрманғазыұлы",
        "қолы",
    ):
        assert word.lower() in text.lower(), word


def test_documents_of_two_letters_do_not_leak_into_each_other() -> None:
    kk = render("consular_request", "embassy_kz", "kz_male", "kk")
    ru = render("tracing_request", "icrc", "other", "ru")
    first, second, again = letter_pdf(kk), letter_pdf(ru), letter_pdf(kk)
    assert "Рахимова" not in pdf_text(again) and "Рахимова" in pdf_text(second)
    assert squash(pdf_text(first)) == squash(pdf_text(again))


def test_render_samples_writes_txt_pdf_and_docx(tmp_path: Path, monkeypatch) -> None:
    few = {k: v for k, v in DIRECTORY.items() if k in ("embassy_kg", "investigative_committee")}
    monkeypatch.setattr(sample_module, "load_directory", lambda: few)
    paths = render_samples(tmp_path / "out")
    names = {p.name for p in paths}
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    assert all(name.isascii() for name in names)
    assert "SAMPLE-2026-0001_embassy-kg_consular-request_ky.pdf" in names
    assert "SAMPLE-2026-0001_investigative-committee_crime-report_ru.docx" in names
    expected = (
        sum(len(available_languages(kind, a)) for a in few.values() for kind in kinds_for(a)) * 3
    )
    assert len(paths) == expected
    txt = tmp_path / "out" / "SAMPLE-2026-0001_embassy-kg_consular-request_ky.txt"
    assert "Төлөгөнова Айгүл Асановна" in txt.read_text(encoding="utf-8")


def test_samples_cover_both_countries_genders_and_ids() -> None:
    reports = list(SAMPLES.values())
    assert {r.citizenship for r in reports} == {"KZ", "KG", "other"}
    assert {r.missing_gender for r in reports} == {"m", "f"}
    assert {r.reporter_gender for r in reports} == {"m", "f"}
    assert any(len(r.reporter_id_number) == 12 for r in reports)  # IIN
    assert any(len(r.missing_id_number) == 14 for r in reports)  # PIN
    assert any(r.unit for r in reports) and any(not r.unit for r in reports)
    letters = "".join(r.reporter_name + r.missing_name for r in reports)
    for ch in KAZAKH + KYRGYZ:
        assert ch in letters.lower(), ch


def test_odd_characters_in_free_text_break_neither_pdf_nor_docx(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from dataclasses import replace

    report = replace(
        SAMPLES["kz_male"],
        story="Ұлым жоқ 🙏\x07 @to\nкөмектесіңіздер\x00 ☎",
        responsible_text="Руслан\u200b (тел. скрыт)",
    )
    letter = render_letter(
        "consular_request", "embassy_kz", report, "kk", case_number="KZ-1", today=SAMPLE_TODAY
    )
    assert "\x07" not in letter.text and "\x00" not in letter.text
    assert "Ұлым жоқ 🙏 @to көмектесіңіздер" in letter.text  # mid-line: not a marker
    with caplog.at_level(logging.DEBUG, logger="fpdf"):
        data = letter_pdf(letter)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert "көмектесіңіздер" in pdf_text(data)
    Document(io.BytesIO(letter_docx(letter)))
