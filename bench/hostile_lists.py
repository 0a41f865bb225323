"""Benchmark the official list reader on hostile files: how long each takes to be refused
(or read) and the peak memory of the process. Each file is read in a fresh process, so the
peak resident size is that file's alone.

Files (built in a temporary folder, as in tests/referrals/test_list_limits.py):
  dimension   an XLSX of a few KB declaring A1:XFD1048576 (read: its 1 data row)
  strings     an XLSX with 3,000,000 shared strings (refused before parsing)
  cell        an XLSX with one 300 MB cell (refused before parsing)
  xfd         an XLSX with a cell at XFD1048576 (refused at the row limit)
  csv_cell    a CSV with one 300 KB cell (refused at the cell limit)
  list100k    a legitimate 100,000-row XLSX, for comparison (read)

Run: uv run python -m bench.hostile_lists
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from handlers.referrals.official_list import ListError, read_list
from tests.referrals.test_list_limits import (
    DATA_ROW,
    HEADER_ROW,
    SHEET_HEAD,
    empty_shared,
    write_xlsx,
)

MB = 1_000_000


def _strings() -> Iterable[str]:
    yield ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats'
           '.org/spreadsheetml/2006/main" count="3000000" uniqueCount="3000000">')
    for block in range(300):
        yield "".join(f"<si><t>s{block}-{n}</t></si>" for n in range(10_000))
    yield "</sst>"


def _cell() -> Iterable[str]:
    yield SHEET_HEAD + "<sheetData>" + HEADER_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>'
    chunk = "A" * MB
    for _ in range(300):
        yield chunk
    yield "</t></is></c></row></sheetData></worksheet>"


def build(folder: Path) -> dict[str, Path]:
    """Write every benchmark file; return them by name."""
    dims = [SHEET_HEAD, '<dimension ref="A1:XFD1048576"/><sheetData>', HEADER_ROW, DATA_ROW,
            "</sheetData></worksheet>"]
    far = [SHEET_HEAD, "<sheetData>", HEADER_ROW, DATA_ROW,
           '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
           "</sheetData></worksheet>"]
    files = {
        "dimension": write_xlsx(folder / "dimension.xlsx", dims, empty_shared()),
        "strings": write_xlsx(folder / "strings.xlsx", [SHEET_HEAD, "<sheetData>", HEADER_ROW,
                                                        "</sheetData></worksheet>"], _strings()),
        "cell": write_xlsx(folder / "cell.xlsx", _cell(), empty_shared()),
        "xfd": write_xlsx(folder / "xfd.xlsx", far, empty_shared()),
    }
    csv_cell = folder / "cell.csv"
    csv_cell.write_text("SĐT;Ghi chú\n0912345678;" + "x" * 300_000 + "\n", encoding="utf-8")
    files["csv_cell"] = csv_cell
    rows = [SHEET_HEAD, "<sheetData>", HEADER_ROW]
    rows += [f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>Thí sinh {n}</t></is></c>'
             f'<c r="B{n}"><v>9{n:08d}</v></c></row>' for n in range(2, 100_002)]
    rows.append("</sheetData></worksheet>")
    files["list100k"] = write_xlsx(folder / "list100k.xlsx", rows, empty_shared())
    return files


def measure(path: Path) -> None:
    """Read one file (in this process) and print: outcome, seconds, peak RSS in MB (and
    the RSS before reading: the interpreter, openpyxl and the bot's modules)."""
    import openpyxl.reader.excel  # noqa: F401  (loaded before the clock starts)

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000
    started = time.perf_counter()
    try:
        with path.open("rb") as stream:
            rows = sum(1 for _ in read_list(stream, path.name))
        outcome = f"read {rows:,} rows"
    except ListError as exc:
        outcome = f"refused: {exc.kind}"
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000
    print(f"{path.name:16} {path.stat().st_size / 1e3:9.1f} KB  {outcome:24} "
          f"{seconds:6.2f} s  peak {peak:6.1f} MB (before reading {before:5.1f} MB)")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        measure(Path(sys.argv[2]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        files = build(Path(tmp))
        for path in files.values():
            subprocess.run([sys.executable, "-m", "bench.hostile_lists", "--one", str(path)],
                           check=True)


if __name__ == "__main__":
    main()
