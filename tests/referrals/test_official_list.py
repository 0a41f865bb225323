"""Reading official lists: header mapping, encodings, separators, XLSX cells, bad files."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from handlers.referrals.official_list import ListError, map_header, read_list


def rows_of(data: bytes, filename: str = "ds.csv") -> list[tuple[int, tuple[str, ...], str]]:
    return [(r.number, r.accounts, r.name) for r in read_list(io.BytesIO(data), filename)]


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("header", [
    "Số điện thoại", "SĐT", "so dien thoai", "Điện thoại di động", "Email", "E-mail",
    "Tài khoản", "Tên đăng nhập", "TEN_DANG_NHAP", "Số ĐT", "Thư điện tử",
])
def test_account_headers_are_found_by_meaning(header: str) -> None:
    columns = map_header(["STT", "Họ và tên", header, "Đơn vị", "Điểm"])
    assert columns is not None and columns.accounts == (2,) and columns.name == 1


def test_no_account_column_is_not_a_header() -> None:
    assert map_header(["STT", "Họ và tên", "Đơn vị", "Điểm"]) is None


def test_csv_with_bom_semicolons_and_title_rows() -> None:
    text = ("DANH SÁCH THÍ SINH TUẦN 3\n\nSTT;Họ và tên;Số điện thoại;Email\n"
            "1;Nguyễn Thị Lan;0912 345 678;\n2;\"Trần, Thu Hoa\";;hoa@gmail.com\n;;;\n")
    rows = rows_of("\ufeff".encode() + text.encode("utf-8"))
    assert rows == [(4, ("0912 345 678", ""), "Nguyễn Thị Lan"),
                    (5, ("", "hoa@gmail.com"), "Trần, Thu Hoa")]


def test_csv_with_commas_without_bom_and_tabs() -> None:
    assert rows_of("Tài khoản,Họ tên\nlan90,Lan\n".encode()) == [(2, ("lan90",), "Lan")]
    assert rows_of("SĐT\tHọ tên\n0912345678\tLan\n".encode()) == [
        (2, ("0912345678",), "Lan")]


def test_xlsx_numbers_lose_no_digits_and_dates_do_not_break() -> None:
    data = xlsx([["Danh sách tham gia tuần 3"], ["STT", "Họ tên", "Số điện thoại", "Ngày thi"],
                 [1, "Lan", 912345678, datetime(2024, 4, 9)], [2, "Minh", 987654321.0, None]])
    assert rows_of(data, "ds.xlsx") == [(3, ("912345678",), "Lan"), (4, ("987654321",), "Minh")]


@pytest.mark.parametrize(("data", "filename", "kind"), [
    (b"", "a.csv", "empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "ds.xls", "old_xls"),
    (b"%PDF-1.7 ...", "ds.pdf", "wrong_type"),
    (b"\x89PNG\r\n\x1a\n", "anh.png", "wrong_type"),
    (b"PK\x03\x04 not really a workbook", "ds.xlsx", "broken_xlsx"),
    (b"just some text", "ds.xlsx", "broken_xlsx"),
    ("Họ tên;Điểm\nLan;9\n".encode(), "ds.csv", "no_header"),
    ("Số điện thoại\n0912345678\n".encode("utf-16"), "ds.csv", "wrong_type"),
    ("Email;Họ tên\nlan@x.vn;Tr\u1ea7n\n".encode("utf-8").replace(b"\xe1\xba\xa7", b"\xe0"),
     "ds.csv", "encoding"),
])
def test_unreadable_files_name_the_problem(data: bytes, filename: str, kind: str) -> None:
    with pytest.raises(ListError) as error:
        rows_of(data, filename)
    assert error.value.kind == kind


def test_a_broken_csv_row_is_located() -> None:
    data = ("SĐT;Họ tên\n0912345678;Lan\n" + "0987654321;" + "x" * 200_000 + "\n").encode()
    with pytest.raises(ListError) as error:
        rows_of(data)
    assert (error.value.kind, error.value.row) == ("cell_too_big", 3)


def test_rows_are_streamed_not_loaded() -> None:
    lines = "\n".join(f"09{n:08d}" for n in range(50_000))
    rows = read_list(io.BytesIO(f"SĐT\n{lines}\n".encode()), "ds.csv")
    first = next(iter(rows))
    assert first.number == 2 and first.accounts == ("0900000000",)
