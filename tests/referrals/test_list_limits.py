"""Hostile official lists are refused with a clear reason instead of spinning or eating memory.

The files are built here, in tmp_path: an XLSX of a few KB declaring A1:XFD1048576, one with
3 million shared strings, one with a 300 MB cell; CSVs past the row, column and cell limits.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest

from content.messages import Messages
from handlers.referrals.official_list import ListError, ListLimits, read_list

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="DS" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>Họ và tên</t></is></c>'
              '<c r="B1" t="inlineStr"><is><t>SĐT</t></is></c></row>')
DATA_ROW = ('<row r="2"><c r="A2" t="inlineStr"><is><t>Nguyễn Văn An</t></is></c>'
            '<c r="B2" t="inlineStr"><is><t>0987654321</t></is></c></row>')
MB = 1_000_000


def write_xlsx(path: Path, sheet: Iterable[str], shared: Iterable[str] = ()) -> Path:
    """Write a minimal XLSX whose sheet and shared strings parts are streamed in pieces."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, pieces in (("xl/worksheets/sheet1.xml", sheet),
                             ("xl/sharedStrings.xml", shared)):
            with archive.open(name, "w", force_zip64=True) as part:
                for piece in pieces:
                    part.write(piece.encode("utf-8"))
    return path


def rows(path: Path, limits: ListLimits | None = None) -> list[tuple[int, tuple[str, ...]]]:
    with path.open("rb") as stream:
        found = read_list(stream, path.name) if limits is None else \
            read_list(stream, path.name, limits)
        return [(r.number, r.accounts) for r in found]


def refusal(path: Path, limits: ListLimits | None = None) -> ListError:
    with pytest.raises(ListError) as error:
        rows(path, limits)
    return error.value


def empty_shared() -> list[str]:
    return ['<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" count="0" uniqueCount="0"></sst>']


def test_a_small_list_declaring_the_whole_sheet_reads_only_its_cells(tmp_path: Path) -> None:
    sheet = [SHEET_HEAD, '<dimension ref="A1:XFD1048576"/><sheetData>', HEADER_ROW, DATA_ROW,
             "</sheetData></worksheet>"]
    path = write_xlsx(tmp_path / "ds.xlsx", sheet, empty_shared())
    assert path.stat().st_size < 2500
    assert rows(path) == [(2, ("0987654321",))]


def test_a_cell_in_the_last_row_and_column_is_refused_not_padded(tmp_path: Path) -> None:
    far = ('<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')
    sheet = [SHEET_HEAD, '<dimension ref="A1:XFD1048576"/><sheetData>', HEADER_ROW, DATA_ROW,
             far, "</sheetData></worksheet>"]
    error = refusal(write_xlsx(tmp_path / "xa.xlsx", sheet, empty_shared()))
    assert error.kind == "too_many_rows"


def test_three_million_shared_strings_are_refused_before_parsing(tmp_path: Path) -> None:
    def shared() -> Iterable[str]:
        yield ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats'
               '.org/spreadsheetml/2006/main" count="3000000" uniqueCount="3000000">')
        for block in range(300):
            yield "".join(f"<si><t>s{block}-{n}</t></si>" for n in range(10_000))
        yield "</sst>"

    sheet = [SHEET_HEAD, "<sheetData>", HEADER_ROW, '<row r="2"><c r="A2" t="s"><v>2999999</v>'
             "</c></row></sheetData></worksheet>"]
    error = refusal(write_xlsx(tmp_path / "strings.xlsx", sheet, shared()))
    assert error.kind == "xlsx_too_big"


def test_a_300_mb_cell_is_refused_before_parsing(tmp_path: Path) -> None:
    def sheet() -> Iterable[str]:
        yield SHEET_HEAD + "<sheetData>" + HEADER_ROW
        yield '<row r="2"><c r="A2" t="inlineStr"><is><t>'
        chunk = "A" * MB
        for _ in range(300):
            yield chunk
        yield "</t></is></c></row></sheetData></worksheet>"

    path = write_xlsx(tmp_path / "cell.xlsx", sheet(), empty_shared())
    assert path.stat().st_size < 5 * MB  # small on disk, 300 MB inflated
    error = refusal(path)
    assert error.kind == "xlsx_too_big"


def test_a_long_cell_inside_the_zip_limits_is_refused_with_its_row(tmp_path: Path) -> None:
    sheet = [SHEET_HEAD, "<sheetData>", HEADER_ROW,
             '<row r="2"><c r="A2" t="inlineStr"><is><t>', "B" * 5000,
             '</t></is></c><c r="B2"><v>987654321</v></c></row></sheetData></worksheet>']
    error = refusal(write_xlsx(tmp_path / "long.xlsx", sheet, empty_shared()))
    assert (error.kind, error.row) == ("cell_too_big", 2)


def test_csv_past_the_row_limit_stops_with_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("SĐT\n" + "".join(f"09{n:08d}\n" for n in range(30)), encoding="utf-8")
    assert len(rows(path, ListLimits(max_rows=40))) == 30
    error = refusal(path, ListLimits(max_rows=20))
    assert error.kind == "too_many_rows"
    assert error.params["max_rows"] == "20"


def test_csv_with_too_many_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("SĐT," + ",".join(f"c{n}" for n in range(500)) + "\n0987654321\n",
                    encoding="utf-8")
    error = refusal(path)
    assert (error.kind, error.row) == ("too_many_columns", 1)


def test_trailing_empty_columns_do_not_count(tmp_path: Path) -> None:
    path = tmp_path / "padded.csv"
    path.write_text("SĐT" + "," * 500 + "\n0987654321" + "," * 500 + "\n", encoding="utf-8")
    assert rows(path) == [(2, ("0987654321",))]


def test_csv_with_a_huge_cell_is_refused_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "cell.csv"
    path.write_text("SĐT;Ghi chú\n0987654321;" + "x" * 300_000 + "\n", encoding="utf-8")
    error = refusal(path)
    assert (error.kind, error.row) == ("cell_too_big", 2)


def test_a_file_over_the_byte_limit_is_refused_before_reading() -> None:
    data = b"SDT\n" + b"0987654321\n" * 2000
    with pytest.raises(ListError) as error:
        list(read_list(io.BytesIO(data), "ds.csv", ListLimits(max_bytes=10_000)))
    assert error.value.kind == "file_too_big"


@pytest.mark.parametrize("kind", ["file_too_big", "xlsx_too_big", "too_many_rows",
                                  "too_many_columns", "cell_too_big"])
def test_every_refusal_has_a_vietnamese_message(kind: str) -> None:
    text = Messages.load().t(f"ref.import.err.{kind}", row=7, week=2, max_mb=50,
                             max_rows="200.000", max_columns=200, max_cell="2.000")
    assert "{" not in text and "Bạn" in text
