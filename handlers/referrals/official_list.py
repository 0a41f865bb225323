"""Read an official participation list (CSV or XLSX from the quiz site) row by row.

Headers are found by meaning (Vietnamese, with or without marks); CSV may be UTF-8 with or
without BOM, separated by `,`, `;` or tabs. Rows are streamed: memory does not grow with
the file.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

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


class ListError(Exception):
    """The file cannot be read as a list: `kind` names the problem, `row` where it was."""

    def __init__(self, kind: str, row: int | None = None, detail: str = "") -> None:
        super().__init__(kind)
        self.kind = kind
        self.row = row
        self.detail = detail


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


def _csv_cells(stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        head = [line for line in (text.readline() for _ in range(HEADER_SCAN_ROWS)) if line]
        counts = {d: sum(line.count(d) for line in head) for d in (",", ";", "\t")}
        delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
        reader = csv.reader(_chain(head, text), delimiter=delimiter)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ListError("broken_csv", row=reader.line_num, detail=str(exc)) from exc
            yield reader.line_num, row
    except UnicodeDecodeError as exc:
        raise ListError("encoding") from exc
    finally:
        text.detach()


def _chain(head: list[str], rest: IO[str]) -> Iterator[str]:
    yield from head
    yield from rest


def _xlsx_cells(stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

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
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(v) for v in values]
    finally:
        book.close()


def read_list(stream: IO[bytes], filename: str) -> Iterator[ListRow]:
    """Yield the data rows of an official list; raise ListError on an unreadable file."""
    head = stream.read(2048)
    stream.seek(0)
    if not head:
        raise ListError("empty")
    kind = sniff_kind(head, filename)
    cells = _xlsx_cells(stream) if kind == "xlsx" else _csv_cells(stream)
    return _rows_from(cells)


def open_list(source: bytes | Path) -> IO[bytes]:
    """Return a binary stream over a list given as bytes or as a file path."""
    if isinstance(source, bytes):
        return io.BytesIO(source)
    return source.open("rb")
