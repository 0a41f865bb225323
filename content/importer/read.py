"""Read a plan file into its paragraphs: one string per paragraph, in reading order.

.txt: one paragraph per non-empty line. .docx: the paragraphs of word/document.xml; layout
tables (the two-column header, the signature) flattened row by row, cell by cell (each
paragraph of a cell is a paragraph); a table of the plan's content (three columns or more, or
more rows than a header has) gives one paragraph per row, each cell after its column's
heading ("Nội dung: …; Thời gian: …; Đơn vị thực hiện: …"), the running-number column left
out. .pdf
with a text layer: the lines of each page reflowed into paragraphs. Text is NFC, with
non-breaking spaces and tabs made plain spaces.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from content.archive import MB, ArchiveLimits, ArchiveRefused, check_archive
from content.importer.errors import PlanError
from content.text import fold, nfc

SUFFIXES = (".txt", ".docx", ".pdf")
# A plan is a few dozen pages: these limits stop a hostile file before it is parsed.
MAX_BYTES = 30 * MB
MAX_PDF_PAGES = 500
DOCX_LIMITS = ArchiveLimits(max_members=2_000, max_total=100 * MB, max_member=50 * MB)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SPACES_RE = re.compile(r"[ \t\u00a0\u2002-\u200b\u202f\u3000]+")
# A line that opens a paragraph of its own in a reflowed PDF page.
_BULLET_LINE_RE = re.compile(r"^[-–—•+∙·]\s?\S")
_OPENER_RE = re.compile(
    r"^(?:[IVXL]{1,6}[.:/]\s|\d{1,2}(?:\.\d{1,2})*[.)]\s|[a-zđ]\)\s"
    r"|Căn cứ\b|Thực hiện\b|Nơi nhận|Số\s*:|[^,.;:]{2,40}, ngày\b)"
)
_NUMBER_LINE_RE = re.compile(r"^Số\s*:")
# A PDF line shorter than this share of the longest line ends its paragraph.
SHORT_LINE = 0.75


@dataclass
class PlanText:
    """The paragraphs read from a file and notes for the admin (catalog key, params)."""

    paragraphs: list[str]
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def clean_line(line: str) -> str:
    """Return a line in NFC with runs of spaces, tabs and NBSP made one plain space."""
    return _SPACES_RE.sub(" ", nfc(line)).strip()


# "“*Cả nước chung sức …*”", "**“dân chủ, …”**", "(*theo Quyết định …*)": emphasis marks of a
# text exported from Word, not words of the plan; a lone "(*)" stays.
_EMPHASIS_RE = re.compile(r"(?<![\w*])\*{1,2}(?=[^\s*])(.+?)(?<=[^\s*])\*{1,2}(?![\w*])")


def strip_emphasis(text: str) -> str:
    """Return the text without the asterisks marking emphasis around a run of words."""
    return _EMPHASIS_RE.sub(r"\1", text) if "*" in text else text


def read_plan(path: Path) -> PlanText:
    """Return the paragraphs of a plan file; raise PlanError when it cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise PlanError("importer.bad_suffix", file=path.name, suffixes=", ".join(SUFFIXES))
    try:
        if path.stat().st_size > MAX_BYTES:
            raise PlanError("importer.too_big", file=path.name, max_mb=MAX_BYTES // MB)
        data = path.read_bytes()
    except OSError:
        raise PlanError("importer.no_file", file=str(path)) from None
    return read_bytes(path.name, data)


def read_bytes(name: str, data: bytes) -> PlanText:
    """Return the paragraphs of a plan given as bytes; the name's suffix tells the format."""
    if len(data) > MAX_BYTES:
        raise PlanError("importer.too_big", file=name, max_mb=MAX_BYTES // MB)
    if not data.strip():
        raise PlanError("importer.empty", file=name)
    suffix = Path(name).suffix.lower()
    notes: list[tuple[str, dict[str, Any]]] = []
    if suffix == ".docx":
        paragraphs, tables, rows = _docx_paragraphs(name, data)
        if tables:
            notes.append(("importer.warn_tables", {"count": tables}))
        if rows:
            notes.append(("importer.warn_table_rows", {"count": rows}))
    elif suffix == ".pdf":
        paragraphs = _pdf_paragraphs(name, data)
    else:
        paragraphs = _text_paragraphs(name, data)
    paragraphs = [p for p in (strip_emphasis(clean_line(p)) for p in paragraphs) if p]
    if not paragraphs:
        raise PlanError("importer.empty", file=name)
    return PlanText(paragraphs, notes)


def _text_paragraphs(name: str, data: bytes) -> list[str]:
    if data.startswith((b"%PDF", b"PK\x03\x04")):
        raise PlanError("importer.binary", file=name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise PlanError("importer.binary", file=name) from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PlanError("importer.not_utf8", file=name) from None
    controls = sum(1 for ch in text[:65536] if ch < " " and ch not in "\t\n\r\f")
    if "\x00" in text or controls > 8:
        raise PlanError("importer.binary", file=name)
    return text.splitlines()


def _docx_paragraphs(name: str, data: bytes) -> tuple[list[str], int, int]:
    try:
        check_archive(io.BytesIO(data), DOCX_LIMITS)
    except ArchiveRefused as exc:
        raise PlanError("importer.docx_too_big", file=name, max_mb=exc.limit // MB) from None
    except (zipfile.BadZipFile, OSError):
        raise PlanError("importer.bad_docx", file=name) from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("word/document.xml")
        root = ElementTree.fromstring(xml)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        raise PlanError("importer.bad_docx", file=name) from None
    body = root.find(f"{_W}body")
    if body is None:
        raise PlanError("importer.bad_docx", file=name)
    out: list[str] = []
    rows = _docx_block(body, out)
    return out, sum(1 for _ in body.iter(f"{_W}tbl")), rows


def _docx_block(element: ElementTree.Element, out: list[str]) -> int:
    """Append the paragraphs of a body or table cell; return how many rows of content
    tables became paragraphs."""
    rows = 0
    for child in element:
        if child.tag == f"{_W}p":
            out.extend(_docx_text(child).split("\n"))
        elif child.tag == f"{_W}tbl":
            grid = _table_grid(child)
            if _is_layout(grid):
                for row in child.iter(f"{_W}tr"):
                    for cell in row.findall(f"{_W}tc"):
                        rows += _docx_block(cell, out)
            else:
                lines = table_rows(grid)
                out.extend(lines)
                rows += len(lines)
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                rows += _docx_block(content, out)
    return rows


# Header words of a layout table: the national motto, the signature, "Nơi nhận".
_LAYOUT_WORDS = ("cong hoa xa hoi chu nghia", "doc lap - tu do", "noi nhan")
# The running-number column of a table ("STT", "TT").
_COUNTER_HEADINGS = ("stt", "tt", "so tt", "so thu tu")
_COUNTER_RE = re.compile(r"^(?:\d{1,3}|[IVXL]{1,6}|[a-zđ])[.)]?$")
# A row whose cells are this short (in words) may be the column headings.
HEADING_CELL_WORDS = 8


def _cell_text(cell: ElementTree.Element) -> str:
    parts: list[str] = []
    for paragraph in cell.iter(f"{_W}p"):
        text = clean_line(_docx_text(paragraph).replace("\n", " "))
        if text:
            parts.append(text)
    return " ".join(parts)


def _table_grid(table: ElementTree.Element) -> list[list[str]]:
    """Return the table's rows as lists of cell texts, one per grid column: a cell spanning
    columns fills each of them, a cell merged with the one above repeats its text."""
    grid: list[list[str]] = []
    for row in table.findall(f"{_W}tr"):
        cells: list[str] = []
        for cell in row.findall(f"{_W}tc"):
            props = cell.find(f"{_W}tcPr")
            span, merged = 1, False
            if props is not None:
                span_el = props.find(f"{_W}gridSpan")
                if span_el is not None:
                    try:
                        span = max(1, min(50, int(span_el.get(f"{_W}val", "1"))))
                    except ValueError:
                        span = 1
                merge_el = props.find(f"{_W}vMerge")
                merged = merge_el is not None and merge_el.get(f"{_W}val") != "restart"
            column = len(cells)
            above = grid[-1][column] if merged and grid and column < len(grid[-1]) else None
            text = above if above is not None else _cell_text(cell)
            cells.extend([text] * span)
        grid.append(cells)
    return grid


def _is_layout(grid: list[list[str]]) -> bool:
    """A table that lays out the header or the signature, not content of the plan."""
    text = fold(" ".join(c for row in grid for c in row))
    if any(word in text for word in _LAYOUT_WORDS):
        return True
    columns = max((len(row) for row in grid), default=0)
    return columns <= 1 or (columns == 2 and len(grid) <= 3)


def _is_heading_row(row: list[str]) -> bool:
    filled = [c for c in row if c]
    return len(filled) >= 2 and all(
        len(c.split()) <= HEADING_CELL_WORDS and not c[:1].isdigit() for c in filled)


def table_rows(grid: list[list[str]]) -> list[str]:
    """Return one paragraph per content row: "Heading: cell; Heading: cell" when the first
    row names the columns, else the cells joined by "; "; the running-number column and
    empty cells left out, the same text spanning columns written once."""
    out: list[str] = []
    # A caption merged over the whole first row ("Bảng phân công nhiệm vụ") is a paragraph
    # of its own; the column headings come after it.
    while grid and len(grid[0]) > 1 and len(set(grid[0])) == 1:
        if grid[0][0]:
            out.append(grid[0][0])
        grid = grid[1:]
    if not grid:
        return out
    headings = grid[0] if _is_heading_row(grid[0]) else None
    rows = grid[1:] if headings else grid
    skip = {i for i, h in enumerate(headings or []) if fold(h).strip(" .") in _COUNTER_HEADINGS}
    firsts = [row[0] for row in rows if row and row[0]]
    if firsts and all(_COUNTER_RE.match(c) for c in firsts):
        skip.add(0)  # running numbers ("1.", "II") would read as items of the plan
    for row in rows:
        parts: list[str] = []
        seen: set[str] = set()
        for i, cell in enumerate(row):
            if not cell or i in skip or cell in seen:
                continue
            seen.add(cell)
            heading = headings[i] if headings and i < len(headings) else ""
            parts.append(f"{heading}: {cell}" if heading and heading != cell else cell)
        if parts:
            out.append("; ".join(parts))
    return out


def _docx_text(paragraph: ElementTree.Element) -> str:
    parts: list[str] = []
    for node in paragraph.iter():
        if node.tag == f"{_W}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{_W}tab":
            parts.append(" ")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
    return "".join(parts)


def _pdf_paragraphs(name: str, data: bytes) -> list[str]:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - pypdf is a dependency
        raise PlanError("importer.bad_pdf", file=name) from None
    try:
        reader = PdfReader(io.BytesIO(data))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise PlanError("importer.too_many_pages", file=name, pages=len(reader.pages),
                            max_pages=MAX_PDF_PAGES)
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, TypeError, KeyError, OSError):
        raise PlanError("importer.bad_pdf", file=name) from None
    if not any(page.strip() for page in pages):
        raise PlanError("importer.scanned_pdf", file=name, pages=len(pages))
    lines = [clean_line(line) for page in pages for line in page.splitlines()]
    return reflow(lines)


def reflow(lines: list[str]) -> list[str]:
    """Join the wrapped lines of PDF pages into paragraphs.

    A line opens a new paragraph after a blank line, after a short line (the last line of a
    paragraph is shorter than the others: under SHORT_LINE of the longest line), after a
    line in capitals, and when it starts like a section, item, "Căn cứ", "Thực hiện", "Số:",
    a place and date line or "Nơi nhận", or with a bullet after a line ending a sentence;
    otherwise it continues the line above.
    """
    longest = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    current = ""
    last = ""
    for line in lines:
        if not line:
            if current:
                paragraphs.append(current)
            current = last = ""
            continue
        if current and not _ends_paragraph(last, longest) and not _opens_paragraph(line, last):
            current = f"{current} {line}"
            last = line
            continue
        if current:
            paragraphs.append(current)
        current = last = line
    if current:
        paragraphs.append(current)
    return paragraphs


def _is_caps(text: str) -> bool:
    return any(ch.isalpha() for ch in text) and text == text.upper()


def _ends_paragraph(line: str, longest: int) -> bool:
    return len(line) < SHORT_LINE * longest or _is_caps(line) or bool(_NUMBER_LINE_RE.match(line))


def _opens_paragraph(line: str, previous: str) -> bool:
    if _BULLET_LINE_RE.match(line):
        # "- an ninh" may be a dash of the sentence above cut at the line's end.
        return previous.endswith((".", ";", ":", "!", "?", "…"))
    return bool(_OPENER_RE.match(line)) or _is_caps(line)
