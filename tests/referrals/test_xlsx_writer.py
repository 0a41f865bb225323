"""The streaming XLSX writer produces workbooks spreadsheet programs read back intact."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from handlers.referrals.xlsx_writer import XlsxWriter, column_letter


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
