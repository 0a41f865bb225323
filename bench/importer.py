"""Benchmark `thidua content import` on a 5 MB plan: read, parse, find dates, write, validate.

Run: uv run python -m bench.importer [SIZE_MB]
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from pathlib import Path

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


def main() -> None:
    size_mb = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    text, sections, passages = big_plan(int(size_mb * 1024 * 1024))
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "big.txt"
        source.write_text(text, encoding="utf-8")
        out = Path(tmp) / "big.yaml"
        started = time.perf_counter()
        code = run_import(source, out=out, stdout=io.StringIO())
        elapsed = time.perf_counter() - started
        written = out.stat().st_size if out.exists() else 0
    print(f"plan {len(text.encode()) / 1e6:.1f} MB, {sections} sections, {passages} passages: "
          f"exit {code}, {elapsed:.2f} s, wrote {written / 1e6:.1f} MB (limit 10 s)")


if __name__ == "__main__":
    main()
