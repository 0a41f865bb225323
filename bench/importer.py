"""Benchmark `thidua content import` on a 5 MB plan: read, parse, find dates, write, validate.

The same plan as .txt and as .docx (one Word paragraph per line, the number of sections as a
table of content rows at the end of part I).
Run: uv run python -m bench.importer [SIZE_MB]
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from content.importer.cli import run_import

SENTENCE = ("Các cơ quan, đơn vị, Ủy ban nhân dân các xã, thị trấn tổ chức triển khai thực hiện "
            "phong trào thi đua, gửi báo cáo kết quả về Phòng Nội vụ trước ngày 15/5/2025 để "
            "tổng hợp, thẩm định hồ sơ đề nghị khen thưởng theo quy định.")
BULLETS = 10


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"),
                           (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out


def big_plan(size: int, items: int = 50) -> tuple[str, int, int]:
    """Return a plan of about `size` bytes, its section count and its passage count."""
    head = ("Số: 01/KH-UBND\n\nAn Bình, ngày 05 tháng 3 năm 2025\n\nKẾ HOẠCH\n\n"
            "Phát động thi đua năm 2025\n\nCăn cứ Luật Thi đua, khen thưởng năm 2022;\n\n")
    tail = "\nNơi nhận:\n- Lưu: VT.\n\nCHỦ TỊCH\n\nTrần Văn Ba\n"
    block_size = len((f"1. Mục\n\n- {SENTENCE}\n\n" * BULLETS).encode())
    romans = max(1, min(89, size // (block_size * items)))
    parts = [head]
    for r in range(1, romans + 1):
        parts.append(f"{_roman(r)}. PHẦN {r}\n\n")
        for i in range(1, items + 1):
            parts.append(f"{i}. Nhiệm vụ số {i} của phần {r}\n\n")
            parts.extend(f"- {SENTENCE}\n\n" for _ in range(BULLETS))
    parts.append(tail)
    return "".join(parts), romans * (items + 1), romans * items * BULLETS


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx(text: str, table_rows: int = 200) -> bytes:
    """The plan as a Word file: a paragraph per line, and a content table after the first
    section heading."""
    def para(line: str) -> str:
        return f'<w:p><w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>'

    def row(cells: tuple[str, ...]) -> str:
        return "<w:tr>" + "".join(f"<w:tc>{para(c)}</w:tc>" for c in cells) + "</w:tr>"

    table = "<w:tbl>" + row(("STT", "Nội dung", "Thời gian", "Đơn vị thực hiện")) + "".join(
        row((str(i), SENTENCE, "Tháng 5/2025", "Phòng Nội vụ"))
        for i in range(1, table_rows + 1)) + "</w:tbl>"
    lines = [line for line in text.splitlines() if line.strip()]
    first = next(i for i, line in enumerate(lines) if line.startswith("1. "))
    body = "".join(map(para, lines[: first + 1])) + table + "".join(
        map(para, lines[first + 1:]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?>'
                         f'<w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>')
    return buffer.getvalue()


def main() -> None:
    size_mb = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    text, sections, passages = big_plan(int(size_mb * 1024 * 1024))
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in (("big.txt", text.encode()), ("big.docx", _docx(text))):
            source = Path(tmp) / name
            source.write_bytes(data)
            out = Path(tmp) / "big.yaml"
            started = time.perf_counter()
            code = run_import(source, out=out, stdout=io.StringIO())
            elapsed = time.perf_counter() - started
            written = out.stat().st_size if out.exists() else 0
            out.unlink(missing_ok=True)
            print(f"{name}: plan {len(text.encode()) / 1e6:.1f} MB of text "
                  f"({len(data) / 1e6:.2f} MB file), {sections} sections, {passages} passages: "
                  f"exit {code}, {elapsed:.2f} s, wrote {written / 1e6:.1f} MB (limit 10 s)")


if __name__ == "__main__":
    main()
