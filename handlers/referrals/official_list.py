"""Read an official participation list (CSV or XLSX from the quiz site) row by row.

Headers are found by meaning (Vietnamese, with or without marks); CSV may be UTF-8 with or
without BOM, separated by `,`, `;` or tabs. Rows are streamed: memory does not grow with
the file. Every read is bounded (`ListLimits`): bytes, rows, columns, characters in a cell
and, for XLSX, the sizes the zip declares (checked before openpyxl parses anything), so a
hostile file is refused quickly with a clear reason instead of spinning or eating memory.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from content.archive import MB, ArchiveLimits, ArchiveRefused, check_archive
from content.text import fold

HEADER_SCAN_ROWS = 20
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls (and .doc)
OTHER_MAGICS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"\x1f\x8b")
# Folded header words that name a column holding the quiz account (phone, email, login).
ACCOUNT_HEADERS = (
    "so dien thoai", "dien thoai", "sdt", "so dt", "dt di dong", "di dong", "phone", "mobile",
    "email", "e-mail", "e mail", "thu dien tu", "tai khoan", "ten dang nhap", "username",
    "user name", "login", "account",
)
NAME_HEADERS = ("ho va ten", "ho ten", "ten thi sinh", "ten nguoi du thi", "full name",
                "fullname", "name")


def _xlsx_archive_limits() -> ArchiveLimits:
    # A list of 200,000 rows written by Excel has a sheet of about 30 MB and shared strings
    # (names, e-mails) of about 15 MB; 3 million strings or one 300 MB cell pass these.
    return ArchiveLimits(max_members=500, max_total=160 * MB, max_member=64 * MB,
                         member_caps={"xl/sharedStrings": 24 * MB})


@dataclass(frozen=True, slots=True)
class ListLimits:
    """How much of a list the reader accepts before it stops with a clear reason."""

    max_bytes: int = 50 * MB
    max_rows: int = 200_000
    max_columns: int = 200
    max_cell: int = 2_000  # characters in one cell
    archive: ArchiveLimits = field(default_factory=_xlsx_archive_limits)


LIMITS = ListLimits()


class ListError(Exception):
    """The file cannot be read as a list: `kind` names the problem, `row` where it was,
    `params` the numbers a message shows (e.g. the limit that was passed)."""

    def __init__(self, kind: str, row: int | None = None, detail: str = "",
                 **params: Any) -> None:
        super().__init__(kind)
        self.kind = kind
        self.row = row
        self.detail = detail
        self.params = params


@dataclass(frozen=True, slots=True)
class ListRow:
    """One data row: its number as a spreadsheet shows it, account cells and a name."""

    number: int
    accounts: tuple[str, ...]
    name: str


@dataclass(frozen=True, slots=True)
class Columns:
    """Where the account columns and the name column are."""

    accounts: tuple[int, ...]
    name: int | None


def map_header(cells: list[str]) -> Columns | None:
    """Return the columns a header row names, or None if it names no account column."""
    accounts: list[int] = []
    name: int | None = None
    for index, cell in enumerate(cells):
        key = " ".join(fold(cell).replace("_", " ").replace(".", " ").split())
        if not key:
            continue
        if any(key == h or key.startswith(h + " ") or key.endswith(" " + h)
               for h in ACCOUNT_HEADERS):
            accounts.append(index)
        elif name is None and any(key == h or key.startswith(h + " ") for h in NAME_HEADERS):
            name = index
    return Columns(tuple(accounts), name) if accounts else None


def cell_text(value: Any) -> str:
    """Return a spreadsheet cell as text (numbers without '.0', dates as dd/mm/yyyy)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def sniff_kind(head: bytes, filename: str) -> str:
    """Tell what a file is from its first bytes: 'xlsx', 'csv', or raise ListError."""
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        raise ListError("old_xls")
    if head.startswith(OTHER_MAGICS) or b"\x00" in head[:1024]:
        raise ListError("wrong_type")
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise ListError("broken_xlsx")
    return "csv"


def _dotted(value: int) -> str:
    """Return 200000 as 200.000, as Vietnamese write numbers."""
    return f"{value:,}".replace(",", ".")


def _bounded(cells: Generator[tuple[int, list[str]], None, None], limits: ListLimits
             ) -> Iterator[tuple[int, list[str]]]:
    """Pass rows on while they stay within the row, column and cell limits."""
    try:
        for count, (number, row) in enumerate(cells, start=1):
            if count > limits.max_rows or number > limits.max_rows + HEADER_SCAN_ROWS:
                raise ListError("too_many_rows", row=number, max_rows=_dotted(limits.max_rows))
            if len(row) > limits.max_columns:
                # Trailing empty cells (a sheet formatted to its last column) are harmless.
                while row and not row[-1]:
                    row.pop()
                if len(row) > limits.max_columns:
                    raise ListError("too_many_columns", row=number,
                                    max_columns=limits.max_columns)
            if any(len(cell) > limits.max_cell for cell in row):
                raise ListError("cell_too_big", row=number, max_cell=_dotted(limits.max_cell))
            yield number, row
    finally:
        cells.close()  # release the reader (and its workbook) while the file is open


def _rows_from(cells: Iterator[tuple[int, list[str]]]) -> Iterator[ListRow]:
    columns: Columns | None = None
    for number, row in cells:
        if columns is None:
            columns = map_header(row)
            if columns is None and number >= HEADER_SCAN_ROWS:
                raise ListError("no_header")
            continue
        if not any(c.strip() for c in row):
            continue
        accounts = tuple(row[i].strip() for i in columns.accounts if i < len(row))
        name = row[columns.name].strip() if columns.name is not None and \
            columns.name < len(row) else ""
        yield ListRow(number, accounts, name)
    if columns is None:
        raise ListError("no_header")


def _csv_cells(stream: IO[bytes], limits: ListLimits
               ) -> Generator[tuple[int, list[str]], None, None]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    lines: Generator[str, None, None] | None = None
    try:
        head = [line for line in (text.readline() for _ in range(HEADER_SCAN_ROWS)) if line]
        counts = {d: sum(line.count(d) for line in head) for d in (",", ";", "\t")}
        delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
        lines = _chain(head, text)
        reader = csv.reader(lines, delimiter=delimiter)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    raise ListError("cell_too_big", row=reader.line_num,
                                    max_cell=_dotted(limits.max_cell)) from exc
                raise ListError("broken_csv", row=reader.line_num, detail=str(exc)) from exc
            yield reader.line_num, row
    except UnicodeDecodeError as exc:
        raise ListError("encoding") from exc
    finally:
        if lines is not None:
            lines.close()  # before the wrapper goes: the lines read through it
        text.detach()


def _chain(head: list[str], rest: IO[str]) -> Generator[str, None, None]:
    yield from head
    # Not `yield from rest`: closing this generator would then close the text wrapper.
    for line in rest:  # noqa: UP028
        yield line


def _xlsx_cells(stream: IO[bytes], limits: ListLimits
                ) -> Generator[tuple[int, list[str]], None, None]:
    from openpyxl import load_workbook

    try:
        check_archive(stream, limits.archive)
    except ArchiveRefused as exc:
        raise ListError("xlsx_too_big", max_mb=exc.limit // MB) from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise ListError("broken_xlsx") from exc
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ListError("broken_xlsx") from exc
    except Exception as exc:  # openpyxl raises its own types for foreign zip files
        raise ListError("broken_xlsx") from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise ListError("no_header")
        # The declared dimension (e.g. A1:XFD1048576) would make openpyxl pad every row to
        # 16,384 columns and emit a million rows: read only the cells that are there.
        reset = getattr(sheet, "reset_dimensions", None)
        if reset is not None:
            reset()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if len(values) > limits.max_columns:
                values = _trimmed(values, limits.max_columns, number)
            yield number, [cell_text(v) for v in values]
    finally:
        book.close()


def _trimmed(values: tuple[Any, ...], max_columns: int, number: int) -> tuple[Any, ...]:
    """Drop trailing empty cells; raise ListError if the row still has too many columns."""
    end = len(values)
    while end > max_columns and values[end - 1] is None:
        end -= 1
    if end > max_columns:
        raise ListError("too_many_columns", row=number, max_columns=max_columns)
    return values[:end]


def _size_of(stream: IO[bytes]) -> int:
    position = stream.tell()
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(position)
    return size


def check_size(stream: IO[bytes], limits: ListLimits = LIMITS) -> None:
    """Raise ListError when the file is larger than the limit (before reading it)."""
    if _size_of(stream) > limits.max_bytes:
        raise ListError("file_too_big", max_mb=limits.max_bytes // MB)


def read_list(stream: IO[bytes], filename: str, limits: ListLimits = LIMITS
              ) -> Iterator[ListRow]:
    """Yield the data rows of an official list; raise ListError on an unreadable file
    or one that passes the limits."""
    check_size(stream, limits)
    head = stream.read(2048)
    stream.seek(0)
    if not head:
        raise ListError("empty")
    kind = sniff_kind(head, filename)
    cells = _xlsx_cells(stream, limits) if kind == "xlsx" else _csv_cells(stream, limits)
    return _rows_from(_bounded(cells, limits))


def open_list(source: bytes | Path) -> IO[bytes]:
    """Return a binary stream over a list given as bytes or as a file path."""
    if isinstance(source, bytes):
        return io.BytesIO(source)
    return source.open("rb")
