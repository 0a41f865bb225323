"""Import units from a CSV file (e.g. a national list) into a validated units YAML file."""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from content.errors import ContentError
from content.text import fold_words, nfc
from content.units import (
    DEFAULT_DIR,
    UnitTree,
    UnitType,
    is_valid_code,
    load_types,
    load_units,
    slugify,
)

logger = logging.getLogger(__name__)

FIELDS = ("code", "name", "type", "parent", "valid_from", "valid_to", "successors", "note")
REQUIRED = ("name", "type")

# Header spellings accepted for each field, compared after folding ("Mã cha" -> "ma cha").
HEADER_ALIASES: Mapping[str, tuple[str, ...]] = {
    "code": ("code", "ma", "ma don vi", "ma dv"),
    "name": ("name", "ten", "ten don vi", "ten dv"),
    "type": ("type", "loai", "loai don vi", "cap"),
    "parent": ("parent", "ma cha", "cap tren", "ma cap tren", "don vi cap tren", "parent code"),
    "valid_from": ("valid from", "hieu luc tu", "tu ngay", "ngay hieu luc"),
    "valid_to": ("valid to", "hieu luc den", "den ngay", "ngay het hieu luc"),
    "successors": ("successors", "ke thua", "don vi ke thua", "don vi moi", "sap nhap vao"),
    "note": ("note", "ghi chu"),
}
_HEADER_LOOKUP = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}
_SUCCESSOR_SPLIT = re.compile(r"[\s,|;]+")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")


@dataclass(frozen=True, slots=True)
class ImportResult:
    """Outcome of a CSV import: how many units were written, or why nothing was."""

    csv_path: Path
    out_path: Path
    count: int
    errors: tuple[ContentError, ...]

    @property
    def ok(self) -> bool:
        """Return whether the import succeeded and the YAML file was written."""
        return not self.errors


@dataclass(slots=True)
class _Row:
    line: int
    code: str
    name: str
    type_code: str
    parent: str | None
    valid_from: date | None
    valid_to: date | None
    successors: list[str]
    note: str | None


def parse_date(text: str) -> date:
    """Parse 2025-07-01 or 01/07/2025 (day first); raise ValueError otherwise."""
    text = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"bad date '{text}' (use 2025-07-01 or 01/07/2025)")


def _header_key(text: str) -> str:
    return " ".join(fold_words(text.replace("_", " ")))


_AMBIGUOUS = "?"


def _type_lookup(types: Mapping[str, UnitType]) -> dict[str, str]:
    """Map type codes, Vietnamese names and aliases (folded) to type codes."""
    lookup: dict[str, str] = {}
    for t in types.values():
        for word in (t.name, *t.aliases):
            key = " ".join(fold_words(word))
            # "Thành phố" names two types; such a word must be given as a code instead.
            lookup[key] = t.code if lookup.get(key, t.code) == t.code else _AMBIGUOUS
    for t in types.values():
        lookup[t.code] = t.code
    return lookup


def _sniff_delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _read_rows(
    csv_path: Path, errors: list[ContentError]
) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    file = csv_path.name
    try:
        text = csv_path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.append(ContentError(file, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
        return {}, []
    except OSError as exc:
        errors.append(ContentError(file, "", f"cannot read file: {exc.strerror}"))
        return {}, []
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        errors.append(ContentError(file, "row 1", "no header row"))
        return {}, []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(lines[0]))
    header = next(reader)
    columns: dict[str, int] = {}
    for i, title in enumerate(header):
        key = _HEADER_LOOKUP.get(_header_key(title))
        if not title.strip():
            continue
        if key is None:
            errors.append(ContentError(file, f"row 1.{title.strip()}", "unknown column"))
        elif key in columns:
            errors.append(ContentError(file, f"row 1.{title.strip()}", f"second '{key}' column"))
        else:
            columns[key] = i
    for needed in REQUIRED:
        if needed not in columns:
            errors.append(ContentError(file, "row 1", f"missing column '{needed}'"))
    rows = []
    for values in reader:
        if any(v.strip() for v in values):
            rows.append((reader.line_num, values))
    return columns, rows


def _parse_row(
    file: str,
    line: int,
    values: list[str],
    columns: Mapping[str, int],
    type_lookup: Mapping[str, str],
    errors: list[ContentError],
) -> _Row | None:
    def cell(name: str) -> str:
        index = columns.get(name)
        if index is None or index >= len(values):
            return ""
        return nfc(values[index].strip())

    def err(name: str, problem: str) -> None:
        errors.append(ContentError(file, f"row {line}.{name}", problem))

    before = len(errors)
    name = cell("name")
    if not name:
        err("name", "name is empty")
    type_text = cell("type")
    type_code = type_lookup.get(type_text) or type_lookup.get(" ".join(fold_words(type_text)))
    if type_code == _AMBIGUOUS:
        err("type", f"type '{type_text}' is ambiguous; use a type code such as thanh_pho")
        type_code = None
    elif type_code is None:
        err("type", f"unknown type '{type_text}'")
    parent = cell("parent").lower() or None
    code = cell("code").lower()
    if not code and name:
        code = f"{parent}.{slugify(name)}" if parent else slugify(name)
    if code and not is_valid_code(code):
        err("code", f"bad code '{code}' (lowercase ASCII words, '-' inside, '.' between levels)")
    if parent is not None and not is_valid_code(parent):
        err("parent", f"bad parent code '{parent}'")
    dates: dict[str, date | None] = {}
    for key in ("valid_from", "valid_to"):
        text = cell(key)
        try:
            dates[key] = parse_date(text) if text else None
        except ValueError as exc:
            dates[key] = None
            err(key, str(exc))
    start, end = dates["valid_from"], dates["valid_to"]
    if start and end and start > end:
        err("valid_to", f"valid_to {end} is before valid_from {start}")
    successors = [s.lower() for s in _SUCCESSOR_SPLIT.split(cell("successors")) if s]
    if successors and end is None:
        err("successors", "successors given but no valid_to")
    if len(errors) > before or type_code is None:
        return None
    return _Row(line, code, name, type_code, parent, start, end, successors, cell("note") or None)


def _check_references(
    file: str, rows: list[_Row], existing: Mapping[str, str], errors: list[ContentError]
) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        if row.code in seen:
            errors.append(
                ContentError(
                    file,
                    f"row {row.line}.code",
                    f"duplicate code '{row.code}' (also row {seen[row.code]})",
                )
            )
        elif row.code in existing:
            errors.append(
                ContentError(
                    file,
                    f"row {row.line}.code",
                    f"code '{row.code}' already exists in {existing[row.code]}",
                )
            )
        seen.setdefault(row.code, row.line)
    known = set(seen) | set(existing)
    parents = {row.code: row.parent for row in rows}
    for row in rows:
        if row.parent is not None and row.parent not in known:
            errors.append(
                ContentError(file, f"row {row.line}.parent", f"unknown parent '{row.parent}'")
            )
        if row.parent == row.code:
            errors.append(ContentError(file, f"row {row.line}.parent", "unit is its own parent"))
        for succ in row.successors:
            if succ not in known:
                errors.append(
                    ContentError(file, f"row {row.line}.successors", f"unknown successor '{succ}'")
                )
    for row in rows:
        # Parents from the existing tree cannot point back into the file, so a walk suffices.
        walk, code = [row.code], parents.get(row.code)
        while code is not None and code in parents and code not in walk:
            walk.append(code)
            code = parents[code]
        if code is not None and code in walk and code == row.code:
            errors.append(
                ContentError(
                    file, f"row {row.line}.parent", "parent cycle: " + " -> ".join([*walk, code])
                )
            )


def _unit_dict(row: _Row) -> dict[str, Any]:
    out: dict[str, Any] = {"code": row.code, "name": row.name, "type": row.type_code}
    if row.parent:
        out["parent"] = row.parent
    if row.valid_from:
        out["valid_from"] = row.valid_from
    if row.valid_to:
        out["valid_to"] = row.valid_to
    if row.successors:
        out["successors"] = row.successors
    if row.note:
        out["note"] = row.note
    return out


def _write_yaml(out_path: Path, csv_name: str, rows: list[_Row]) -> None:
    header = (
        f"# Imported from {csv_name} by `thidua units import`.\n"
        "# Edit the CSV and import again rather than editing this file by hand.\n"
    )
    body = yaml.safe_dump(
        {"units": [_unit_dict(r) for r in rows]},
        allow_unicode=True,
        sort_keys=False,
        width=120,
    )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", dir=out_path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(header + body)
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def default_out_path(csv_path: Path, directory: Path | None = None) -> Path:
    """Return where `thidua units import FILE.csv` writes: units/<slug of file name>.yaml."""
    return (directory or DEFAULT_DIR) / f"{slugify(csv_path.stem) or 'imported'}.yaml"


def import_units_csv(csv_path: Path, out_path: Path, tree: UnitTree | None = None) -> ImportResult:
    """Convert a units CSV into a YAML unit file; write nothing if any row is invalid.

    Parents and successors may be in the CSV or in tree (default: the shipped units).
    Units of tree that came from a file named like out_path are ignored, so importing
    the same list again replaces it.
    """
    errors: list[ContentError] = []
    file = csv_path.name
    if tree is None:
        try:
            tree = load_units()
        except ContentError as exc:
            return ImportResult(csv_path, out_path, 0, (exc,))
    types = tree.types or load_types()
    columns, raw_rows = _read_rows(csv_path, errors)
    if errors:
        return ImportResult(csv_path, out_path, 0, tuple(errors))
    type_lookup = _type_lookup(types)
    rows = [
        row
        for line, values in raw_rows
        if (row := _parse_row(file, line, values, columns, type_lookup, errors)) is not None
    ]
    if not raw_rows:
        errors.append(ContentError(file, "row 2", "no data rows"))
    existing = {u.code: u.source for u in tree if u.source != out_path.name}
    _check_references(file, rows, existing, errors)
    if errors:
        errors.sort(key=lambda e: _row_number(e.path))
        return ImportResult(csv_path, out_path, 0, tuple(errors))
    _write_yaml(out_path, file, rows)
    logger.info("imported %s units from %s into %s", len(rows), file, out_path.name)
    return ImportResult(csv_path, out_path, len(rows), ())


def _row_number(path: str) -> int:
    match = re.match(r"row (\d+)", path)
    return int(match.group(1)) if match else 0


__all__ = [
    "FIELDS",
    "HEADER_ALIASES",
    "ImportResult",
    "default_out_path",
    "import_units_csv",
    "parse_date",
]
