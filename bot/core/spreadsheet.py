"""The one XLSX writer of every export: sheets streamed row by row into the zip, safe to open.

Safety: every text is written as an inline string, never as a formula, whatever people
typed; a text that a spreadsheet program would take for a formula once edited (starting
with `=`, `+`, `-`, `@`, tab or carriage return) also gets the "quote prefix" style, so
Excel, LibreOffice and Google Sheets show it as the text it is. Numbers, dates and
date-times are real cells (dates with a Vietnamese day/month/year format).

Speed: openpyxl writes through a pure-Python XML serialiser here (no lxml), about 10 times
slower on exports of 100,000+ rows; this writer keeps memory flat and time short.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO
from xml.sax.saxutils import escape

# What a spreadsheet program may read as a formula or a command when a cell is edited.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_EPOCH = date(1899, 12, 30)
FLUSH_EVERY = 500

# Cell styles (indexes into cellXfs of styles.xml below).
PLAIN, BOLD, DAY, MOMENT, MONEY, WRAP, TEXT = range(7)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_NS}">'
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
    '<numFmt numFmtId="165" formatCode="dd/mm/yyyy hh:mm"/>'
    '<numFmt numFmtId="166" formatCode="#,##0"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="7">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1">'
    '<alignment wrapText="1" vertical="top"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment wrapText="1" vertical="top"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')


@dataclass(frozen=True, slots=True)
class Styled:
    """A value with a style: `Styled(1_500_000, MONEY)`, `Styled(text, WRAP)`, `BOLD`."""

    value: str | int | float | date | None
    style: int


Cell = str | int | float | date | Styled | None


def column_letter(index: int) -> str:
    """Return the column letters of a 0-based index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_LETTERS = [column_letter(i) for i in range(64)]


def looks_like_formula(text: str) -> bool:
    """Tell whether a spreadsheet program could take this text for a formula."""
    return text.startswith(FORMULA_STARTS)


def _serial(value: date) -> float:
    if isinstance(value, datetime):
        day = value.replace(tzinfo=None)
        delta = day - datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400
    return float((value - _EPOCH).days)


def _cell_xml(ref: str, value: str | int | float | date, style: int) -> str:
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, date):
        if style == PLAIN:
            style = MOMENT if isinstance(value, datetime) else DAY
        return f'<c r="{ref}" s="{style}"><v>{_serial(value)}</v></c>'
    if isinstance(value, int | float):
        attr = f' s="{style}"' if style != PLAIN else ""
        return f'<c r="{ref}"{attr}><v>{value}</v></c>'
    text = _ILLEGAL.sub("", str(value))
    if looks_like_formula(text):
        style = TEXT
    attr = f' s="{style}"' if style != PLAIN else ""
    # A bare carriage return would be read back as a line feed: keep it as typed.
    text = escape(text).replace("\r", "&#13;")
    return (f'<c r="{ref}"{attr} t="inlineStr"><is><t xml:space="preserve">{text}'
            f"</t></is></c>")


class SheetStream:
    """One worksheet being written; append rows, then let the workbook close it."""

    def __init__(self, stream: IO[bytes], widths: Sequence[float] = (),
                 freeze_header: bool = False) -> None:
        self._stream = stream
        self._row = 0
        head = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<worksheet xmlns="{_NS}">']
        if freeze_header:
            head.append('<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" '
                        'topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                        '</sheetView></sheetViews>')
        if widths:
            head.append("<cols>" + "".join(
                f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                for i, w in enumerate(widths, start=1)) + "</cols>")
        head.append("<sheetData>")
        self._pending: list[str] = ["".join(head)]

    def append(self, values: Sequence[Cell], style: int = PLAIN) -> None:
        """Write one row (`style` applies to every cell that has none of its own)."""
        self._row += 1
        parts = [f'<row r="{self._row}">']
        for index, value in enumerate(values):
            cell_style = style
            if isinstance(value, Styled):
                plain, cell_style = value.value, value.style
            else:
                plain = value
            if plain is None or plain == "":
                continue
            letter = _LETTERS[index] if index < len(_LETTERS) else column_letter(index)
            parts.append(_cell_xml(f"{letter}{self._row}", plain, cell_style))
        parts.append("</row>")
        self._pending.append("".join(parts))
        if len(self._pending) >= FLUSH_EVERY:
            self._flush()

    def _flush(self) -> None:
        self._stream.write("".join(self._pending).encode())
        self._pending.clear()

    def close(self) -> None:
        """Finish the sheet's XML."""
        self._pending.append("</sheetData></worksheet>")
        self._flush()
        self._stream.close()


class XlsxWriter:
    """A workbook written sheet after sheet into a zip file (one sheet open at a time)."""

    def __init__(self, target: IO[bytes]) -> None:
        self._zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED,
                                    compresslevel=6)
        self._titles: list[str] = []
        self._open: SheetStream | None = None

    def sheet(self, title: str, widths: Sequence[float] = (),
              freeze_header: bool = False) -> SheetStream:
        """Start a new sheet (closing the previous one); optional column widths, and a
        first row that stays in view while scrolling."""
        if self._open is not None:
            self._open.close()
        clean = _SHEET_NAME_BAD.sub(" ", title)[:31] or f"Sheet{len(self._titles) + 1}"
        self._titles.append(clean)
        name = f"xl/worksheets/sheet{len(self._titles)}.xml"
        self._open = SheetStream(self._zip.open(name, "w", force_zip64=True), widths,
                                 freeze_header)
        return self._open

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """A block that raised (a stream that failed or was cancelled) gives the workbook up;
        one that ended normally still calls close() to finish it."""
        if kind is not None:
            self.abort()

    def abort(self) -> None:
        """Give the workbook up half-way (a stream that failed or was cancelled): close the
        open sheet and the zip without the workbook parts, so nothing is left open."""
        if self._open is not None:
            with contextlib.suppress(Exception):
                self._open._stream.close()
            self._open = None
        with contextlib.suppress(Exception):
            self._zip.close()

    def close(self) -> None:
        """Write the workbook parts and close the zip."""
        if self._open is not None:
            self._open.close()
            self._open = None
        if not self._titles:
            self.sheet("Sheet1").close()
            self._open = None
        count = len(self._titles)
        sheets = "".join(f'<sheet name="{escape(t, {chr(34): "&quot;"})}" sheetId="{i}" '
                         f'r:id="rId{i}"/>' for i, t in enumerate(self._titles, start=1))
        self._zip.writestr("xl/workbook.xml",
                           f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                           f'<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}"><sheets>{sheets}'
                           f"</sheets></workbook>")
        self._zip.writestr("xl/styles.xml", _STYLES)
        rels = "".join(f'<Relationship Id="rId{i}" Type="{_DOC}/worksheet" '
                       f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, count + 1))
        rels += f'<Relationship Id="rId{count + 1}" Type="{_DOC}/styles" Target="styles.xml"/>'
        self._zip.writestr("xl/_rels/workbook.xml.rels",
                           f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                           f'<Relationships xmlns="{_PKG_REL}">{rels}</Relationships>')
        self._zip.writestr("_rels/.rels",
                           f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                           f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
                           f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/>'
                           f"</Relationships>")
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, count + 1))
        self._zip.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
            f'officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>')
        self._zip.close()


@dataclass(frozen=True, slots=True)
class Sheet:
    """A whole worksheet at once: a title, bold headers and rows of plain or styled values."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    widths: Sequence[float] = ()


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """Return an XLSX file with one worksheet per sheet (header row kept in view)."""
    out = io.BytesIO()
    book = XlsxWriter(out)
    for sheet in sheets:
        stream = book.sheet(sheet.title, sheet.widths, freeze_header=True)
        stream.append(list(sheet.headers), style=BOLD)
        for row in sheet.rows:
            stream.append(row)
    book.close()
    return out.getvalue()
