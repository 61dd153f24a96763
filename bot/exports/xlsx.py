"""A streaming XLSX (Office Open XML spreadsheet) package, written here.

Why not a library: an export of 100,000 cases is about ten million cells. openpyxl's
public API builds a cell object for each and takes minutes for that; the export is
held to half a minute (``bench/exports.py``), and reaching into openpyxl's private
worksheet writer to go faster broke with its releases. The format needed here is
small: sheets of inline text, numbers, booleans, dates and date-times, a bold
header row, a frozen header, column widths, an autofilter, and a "quote prefix"
style that keeps a text such as "+77011234567" or "=1+1" text, shown as typed,
also after the cell is edited. Each sheet streams to a temporary file; the package
is zipped at the end. The files are read back with openpyxl in the tests.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter  # public helper: column number to letters

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Cell styles (indexes into cellXfs below).
BOLD, DAY, TIME, QUOTED = 1, 2, 3, 4
STYLES = f"""{XML_HEAD}<styleSheet xmlns="{MAIN_NS}">
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>
<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill>
<fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
_EPOCH = datetime(1899, 12, 30)
_DAY_EPOCH = date(1899, 12, 30)


def serial(value: date) -> float | int:
    """A date or a (naive, local) date-time as a spreadsheet day number."""
    if isinstance(value, datetime):
        delta = value.replace(tzinfo=None) - _EPOCH
        return delta.days + delta.seconds / 86400
    return (value - _DAY_EPOCH).days


_SPECIAL = re.compile("[&<>\r]")


def text_xml(text: str) -> str:
    """Text as XML character data (the caller has removed characters XML cannot hold)."""
    if _SPECIAL.search(text) is None:  # most texts: nothing to escape
        return text
    return escape(text, {"\r": "&#13;"})


@dataclass
class Sheet:
    """One worksheet being written: rows go straight to its temporary file."""

    title: str
    path: str
    width: int
    rows: int = 0
    _fh: Any = None
    _refs: list[str] = field(default_factory=list)

    def open(self, widths: Sequence[float]) -> None:
        self._refs = [get_column_letter(i) for i in range(1, self.width + 1)]
        self._fh = open(self.path, "w", encoding="utf-8")
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
            for i, w in enumerate(widths, 1)
        )
        self._fh.write(
            f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}"><sheetViews>'
            '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
        )

    def append(self, values: Sequence[Any], style: int = 0) -> None:
        """One row. Values: None, str (``(text, quoted)`` for a text that must stay text),
        bool, int, float, date, naive date-time."""
        self.rows += 1
        r = str(self.rows)
        cells = [f'<row r="{r}">']
        for ref, v in zip(self._refs, values):
            if v is None:
                continue
            at = f'r="{ref}{r}"'
            cls = v.__class__
            if cls is str:
                s = f' s="{style}"' if style else ""
                cells.append(
                    f'<c {at}{s} t="inlineStr"><is><t xml:space="preserve">'
                    f"{text_xml(v)}</t></is></c>"
                )
            elif cls is tuple:  # (text, True): quote prefix
                cells.append(
                    f'<c {at} s="{QUOTED}" t="inlineStr"><is>'
                    f'<t xml:space="preserve">{text_xml(v[0])}</t></is></c>'
                )
            elif cls is bool:
                cells.append(f'<c {at} t="b"><v>{int(v)}</v></c>')
            elif cls is int or cls is float:
                cells.append(f"<c {at}><v>{v!r}</v></c>")
            elif cls is datetime:
                cells.append(f'<c {at} s="{TIME}"><v>{serial(v)!r}</v></c>')
            elif cls is date:
                cells.append(f'<c {at} s="{DAY}"><v>{serial(v)}</v></c>')
            else:
                raise TypeError(f"no cell for {cls.__name__}")
        cells.append("</row>")
        self._fh.write("".join(cells))

    @property
    def filter_ref(self) -> str:
        return f"A1:{get_column_letter(self.width)}{max(self.rows, 1)}"

    @property
    def absolute_ref(self) -> str:
        return f"$A$1:${get_column_letter(self.width)}${max(self.rows, 1)}"

    def close(self) -> None:
        if self._fh is None:
            return
        self._fh.write(f'</sheetData><autoFilter ref="{self.filter_ref}"/></worksheet>')
        self._fh.close()
        self._fh = None

    def abandon(self) -> None:
        """Close the file without finishing the sheet (the workbook is being thrown away)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None


class Workbook:
    """Sheets streamed to a private temporary folder, zipped into ``out`` by ``save``."""

    def __init__(self, properties: Mapping[str, str] | None = None) -> None:
        self.properties = dict(properties or {})
        self.sheets: list[Sheet] = []
        self._dir = tempfile.mkdtemp(prefix="izdeu-xlsx-")
        os.chmod(self._dir, 0o700)

    def add_sheet(self, title: str, headers: Sequence[str], widths: Sequence[float]) -> Sheet:
        if self.sheets:
            self.sheets[-1].close()
        sheet = Sheet(
            title, os.path.join(self._dir, f"sheet{len(self.sheets) + 1}.xml"), len(headers)
        )
        sheet.open(widths)
        sheet.append(list(headers), BOLD)
        self.sheets.append(sheet)
        return sheet

    def save(self, out: BinaryIO | str | os.PathLike[str]) -> None:
        try:
            for sheet in self.sheets:
                sheet.close()
            with zipfile.ZipFile(
                out, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1
            ) as archive:
                for name, text in self._parts().items():
                    archive.writestr(name, text)
                for i, sheet in enumerate(self.sheets, 1):
                    archive.write(sheet.path, f"xl/worksheets/sheet{i}.xml")
        finally:
            self.discard()

    def discard(self) -> None:
        for sheet in self.sheets:
            sheet.abandon()
        shutil.rmtree(self._dir, ignore_errors=True)

    def _parts(self) -> dict[str, str]:
        n = len(self.sheets)
        sheets = "".join(
            f'<sheet name={quoteattr(s.title)} sheetId="{i}" r:id="rId{i}"/>'
            for i, s in enumerate(self.sheets, 1)
        )
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"{text_xml(_quoted(s.title))}!{s.absolute_ref}"
            "</definedName>"
            for i, s in enumerate(self.sheets)
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, n + 1)
        )
        props = "".join(
            f"<dc:{k}>{text_xml(v)}</dc:{k}>"
            for k, v in self.properties.items()
            if k in ("title", "creator", "description")
        )
        return {
            "[Content_Types].xml": (
                f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                'content-types"><Default Extension="rels" ContentType="application/'
                'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
                'sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="'
                'application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                '<Override PartName="/docProps/core.xml" ContentType="application/'
                f'vnd.openxmlformats-package.core-properties+xml"/>{overrides}</Types>'
            ),
            "_rels/.rels": (
                f'{XML_HEAD}<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
                f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/><Relationship '
                'Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
                'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
                "</Relationships>"
            ),
            "docProps/core.xml": (
                f'{XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
                'package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/'
                f'elements/1.1/">{props}</cp:coreProperties>'
            ),
            "xl/workbook.xml": (
                f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><bookViews>'
                f"<workbookView/></bookViews><sheets>{sheets}</sheets>"
                f"<definedNames>{names}</definedNames></workbook>"
            ),
            "xl/_rels/workbook.xml.rels": (
                f'{XML_HEAD}<Relationships xmlns="{PKG_REL_NS}">{rels}<Relationship '
                f'Id="rId{n + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
                "</Relationships>"
            ),
            "xl/styles.xml": STYLES,
        }


def _quoted(title: str) -> str:
    """A sheet name as a formula reference writes it: 'Дела', quotes doubled."""
    return "'" + title.replace("'", "''") + "'"
