"""Editable .docx of a letter (python-docx), laid out like the PDF.

Word files do not embed fonts; Times New Roman is used because it covers the
Kazakh and Kyrgyz letters and is what officials expect.
"""

from __future__ import annotations

import io
from datetime import datetime, time

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from bot.letters.model import Letter

FONT_NAME = "Times New Roman"
FONT_SIZE = Pt(12)
BLOCK_INDENT = Cm(8.5)  # addressee and applicant blocks sit on the right


def _set_font(style) -> None:  # type: ignore[no-untyped-def]
    style.font.name = FONT_NAME
    style.font.size = FONT_SIZE
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT_NAME)


def _field(paragraph, instruction: str) -> None:  # type: ignore[no-untyped-def]
    """Append a Word field (PAGE, NUMPAGES) to ``paragraph``."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = instruction
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    placeholder = OxmlElement("w:t")
    placeholder.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate, placeholder, end):
        run.element.append(element)


def letter_docx(letter: Letter) -> bytes:
    """The letter as a .docx with the same parts and order as the PDF."""
    doc = Document()
    _set_font(doc.styles["Normal"])
    normal = doc.styles["Normal"].paragraph_format
    normal.space_after = Pt(4)
    normal.space_before = Pt(0)

    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(1.8), Cm(1.8)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(footer, "PAGE")
    footer.add_run("/")
    _field(footer, "NUMPAGES")

    props = doc.core_properties
    props.title = " ".join(x for x in (letter.title, letter.subtitle) if x)
    props.language = letter.language
    props.author = ""
    if letter.issued:
        props.created = datetime.combine(letter.issued, time(12))

    def block(lines: tuple[str, ...]) -> None:
        for line in lines:
            p = doc.add_paragraph(line)
            p.paragraph_format.left_indent = BLOCK_INDENT
            p.paragraph_format.space_after = Pt(0)

    def paragraph(text: str) -> None:
        lines = text.split("\n")
        p = doc.add_paragraph(lines[0])
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = Cm(1.25)
        for line in lines[1:]:
            sub = doc.add_paragraph(line)
            sub.paragraph_format.left_indent = Cm(1.25)
            sub.paragraph_format.space_after = Pt(0)

    def numbered_list(intro: str, items: tuple[str, ...]) -> None:
        if not items:
            return
        if intro:
            doc.add_paragraph(intro).paragraph_format.space_after = Pt(2)
        for i, item in enumerate(items, 1):
            p = doc.add_paragraph(f"{i}.\t{item}")
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            fmt = p.paragraph_format
            fmt.left_indent = Cm(0.75)
            fmt.first_line_indent = Cm(-0.75)
            fmt.tab_stops.add_tab_stop(Cm(0.75))
            fmt.space_after = Pt(2)

    block(letter.to_lines)
    doc.add_paragraph()
    block(letter.from_lines)
    doc.add_paragraph()

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(0)
    run = title.add_run(letter.title)
    run.bold = True
    run.font.size = Pt(13)
    if letter.subtitle:
        sub = doc.add_paragraph(letter.subtitle)
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph()

    for text in letter.body:
        paragraph(text)
    numbered_list(letter.requests_intro, letter.requests)
    for text in letter.closing:
        paragraph(text)
    numbered_list(letter.attachments_intro, letter.attachments)

    doc.add_paragraph()
    if letter.place_date:
        doc.add_paragraph(letter.place_date)
    if letter.signature:
        sign = doc.add_paragraph(letter.signature)
        sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
