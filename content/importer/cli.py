"""`thidua content import PLAN [--campaign ID] [--out FILE] [--strict] [--dry-run]`."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from content.importer.errors import PlanError
from content.importer.parse import ParsedPlan, parse_plan
from content.importer.read import read_plan
from content.importer.skeleton import new_campaign
from content.importer.write import (
    dump_yaml,
    load_yaml,
    plan_data,
    render_block,
    replace_block,
    write_atomic,
)
from content.loader import DEFAULT_DIR, format_path
from content.messages import Messages
from content.schema import Campaign, Plan
from content.units import load_units

_ROMAN_QUARTERS = {1: "I", 2: "II", 3: "III", 4: "IV"}
_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _target(plan_file: Path, campaign: str | None, out: Path | None,
            directory: Path) -> tuple[Path, str]:
    """Return the file to write and its current text ("" for a new file)."""
    if out is not None:
        path = out
    elif campaign is not None:
        if not _ID_RE.match(campaign):
            raise PlanError("importer.bad_id", campaign=campaign)
        path = directory / f"{campaign}.yaml"
    else:
        path = _campaign_of(plan_file.name, directory)
    if not path.exists():
        return path, ""
    try:
        return path, path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError("importer.bad_target", path=str(path), problem=str(exc)) from None


def _campaign_of(file_name: str, directory: Path) -> Path:
    """Return the campaign file whose document.file names this plan file."""
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = load_yaml(path.read_text(encoding="utf-8"))
        except Exception:
            continue
        document = data.get("document") if isinstance(data, dict) else None
        if isinstance(document, dict) and document.get("file") == file_name:
            return path
    raise PlanError("importer.no_target", file=file_name)


def _validate(path: Path, existing: Any, data: dict[str, Any]) -> None:
    """Raise PlanError unless the plan block, and the campaign file with it, are valid."""
    try:
        Plan.model_validate(data)
        if isinstance(existing, dict) and "id" in existing:
            Campaign.model_validate({**existing, "plan": data})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = format_path([p for p in err["loc"] if isinstance(p, int | str)])
        raise PlanError("importer.invalid", path=f"{path.name} {where}".strip(),
                        problem=str(err["msg"])) from None


def _show_date(messages: Messages, day: dt.date, precision: str) -> str:
    if precision == "month":
        return messages.t("importer.month", month=f"{day.month:02d}", year=day.year)
    if precision == "quarter":
        quarter = _ROMAN_QUARTERS[(day.month - 1) // 3 + 1]
        return messages.t("importer.quarter", quarter=quarter, year=day.year)
    return day.strftime("%d/%m/%Y")


def keep_confirmed(data: dict[str, Any], existing: Any) -> int:
    """Keep `confirmed: true` on the dates found again (same section, day and sentence) when a
    plan is re-imported; return how many were kept."""
    old = existing.get("plan") if isinstance(existing, dict) else None
    dates = old.get("dates") if isinstance(old, dict) else None
    confirmed = {
        (str(d.get("section")), str(d.get("date")), str(d.get("text")))
        for d in (dates if isinstance(dates, list) else [])
        if isinstance(d, dict) and d.get("confirmed") is True
    }
    kept = 0
    for found in data["dates"]:
        if (found["section"], found["date"].isoformat(), found["text"]) in confirmed:
            found["confirmed"] = True
            kept += 1
    return kept


def summary_lines(messages: Messages, file: str, parsed: ParsedPlan,
                  data: dict[str, Any]) -> list[str]:
    """Return the Vietnamese summary of an import: counts, header, dates, what to review."""
    unknown = messages.t("importer.unknown")
    lines = [
        messages.t("importer.summary", file=file, sections=len(parsed.sections),
                   passages=parsed.passage_count, dates=len(data["dates"])),
        messages.t("importer.summary_title", title=data.get("title") or unknown),
        messages.t("importer.summary_doc", issuer=data.get("issuer") or unknown,
                   number=(data.get("number") or unknown).removeprefix("Số:").strip(),
                   date_text=data.get("date_text") or unknown,
                   signed_by=data.get("signed_by") or unknown),
    ]
    if data["dates"]:
        lines.append(messages.t("importer.dates_title"))
        for found in data["dates"]:
            key = "importer.date_confirmed" if found["confirmed"] else "importer.date_line"
            lines.append(messages.t(
                key, section=found["section"],
                date=_show_date(messages, found["date"], found["precision"]),
                kind=messages.t(f"importer.kind.{found['kind']}"), text=found["text"]))
    if parsed.warnings:
        lines.append(messages.t("importer.warnings_title", count=len(parsed.warnings)))
        lines += [messages.t(key, **params) for key, params in parsed.warnings]
    else:
        lines.append(messages.t("importer.all_placed"))
    return lines


def run_import(plan_file: Path, campaign: str | None = None, out: Path | None = None, *,
               unit: str | None = None, strict: bool = False, dry_run: bool = False,
               allow_skips: bool = False,
               directory: Path = DEFAULT_DIR, stdout: TextIO | None = None,
               stderr: TextIO | None = None) -> int:
    """Import a plan into a campaign file; print the summary; return the exit code.

    Nothing is written when the plan cannot be read, has no structure, the result would
    not validate, when its numbering skips a level (unless allow_skips: the item is then
    placed under the nearest parent), or (with --strict) when something needs review.
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    messages = Messages.load()
    try:
        text = read_plan(plan_file)
        parsed = parse_plan(text.paragraphs)
        parsed.warnings[:0] = text.notes
        path, current = _target(plan_file, campaign, out, directory)
        existing = load_yaml(current) if current else None
        issuer = existing.get("issuer") if isinstance(existing, dict) else None
        data = plan_data(parsed, plan_file.name, issuer)
        keep_confirmed(data, existing)
        created = campaign is not None and out is None and not current
        if created:
            assert campaign is not None
            existing = new_campaign(campaign, parsed, data, load_units(), messages, unit)
            data.setdefault("issuer", existing["issuer"])
            current = "# " + messages.t("importer.new.header", file=plan_file.name) + "\n"
            current += dump_yaml(existing)
        new_text = replace_block(current, render_block(data))
        _validate(path, existing, data)
        stdout.write("\n".join(summary_lines(messages, plan_file.name, parsed, data)) + "\n")
        skips = sum(1 for key, _ in parsed.warnings if key == "importer.warn_skip")
        if skips and not allow_skips:
            raise PlanError("importer.skip_refused", count=skips)
        if strict and parsed.warnings:
            raise PlanError("importer.strict_refused", count=len(parsed.warnings))
        if dry_run:
            stdout.write(messages.t("importer.dry_run") + "\n")
            return 0
        write_atomic(path, new_text)
        key = "importer.new_written" if created else "importer.written"
        stdout.write(messages.t(key, path=str(path)) + "\n")
        return 0
    except PlanError as exc:
        stderr.write(messages.t(exc.key, **exc.params) + "\n")
        return 1
