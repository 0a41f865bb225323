"""Import an official weekly participation list: match rows, verify weeks, report.

One function serves the chat and the `thidua import referrals` command. Rows are read one
by one and matched in batches, so memory stays bounded (only the set of accounts already
seen in the file grows, to find duplicates).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from handlers.referrals.official_list import (
    ListError,
    ListRow,
    check_size,
    open_list,
    read_list,
)
from handlers.referrals.rules import AccountError, normalize_account
from storage.referrals.repo import ReferralRepo

logger = logging.getLogger(__name__)

BATCH = 1000
PROGRESS_EVERY = 10_000
SAMPLES = 10

Progress = Callable[[int], None]


@dataclass(slots=True)
class ImportReport:
    """What an import did: counts and a few row numbers of each kind, for people to check."""

    week: int
    filename: str
    rows: int = 0
    matched: int = 0
    newly_verified: int = 0
    already_verified: int = 0
    out_of_scope: int = 0
    unmatched: int = 0
    duplicates: int = 0
    errors: int = 0
    conflicts: int = 0
    unmatched_rows: list[int] = field(default_factory=list)
    duplicate_rows: list[int] = field(default_factory=list)
    error_rows: list[tuple[int, str]] = field(default_factory=list)
    conflict_examples: list[tuple[str | None, str | None, bool]] = field(default_factory=list)
    already_imported: bool = False
    imported_at: str | None = None
    previous_week: int | None = None

    def as_json(self) -> dict[str, Any]:
        """Return the report as stored with the import."""
        return {
            "rows": self.rows, "matched": self.matched, "newly_verified": self.newly_verified,
            "already_verified": self.already_verified, "out_of_scope": self.out_of_scope,
            "unmatched": self.unmatched, "duplicates": self.duplicates, "errors": self.errors,
            "conflicts": self.conflicts, "unmatched_rows": self.unmatched_rows,
            "duplicate_rows": self.duplicate_rows,
            "error_rows": [list(e) for e in self.error_rows],
        }


class ImportRefused(Exception):
    """The import cannot run: `kind` names why (a ListError kind, or a week problem)."""

    def __init__(self, kind: str, row: int | None = None, **params: Any) -> None:
        super().__init__(kind)
        self.kind = kind
        self.row = row
        self.params = params


def file_hash(source: bytes | Path) -> str:
    """Return the SHA-256 of a file given as bytes or a path (read in chunks)."""
    digest = hashlib.sha256()
    with open_list(source) as stream:
        for chunk in iter(lambda: stream.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(slots=True)
class _Pending:
    rows: list[tuple[ListRow, list[str]]] = field(default_factory=list)


async def import_official_list(
    repo: ReferralRepo,
    *,
    campaign_id: str,
    week: int,
    week_start: date,
    today: date,
    source: bytes | Path,
    filename: str,
    units: Sequence[str] | None,
    scope_unit: str | None,
    imported_by: int | None,
    now: datetime,
    progress: Progress | None = None,
    commit_batches: bool = False,
) -> ImportReport:
    """Match an official list for one week against the accounts the campaign follows.

    `units` limits which participants' accounts the list may verify (None: all); matched
    rows verify the week, and the week becomes "covered" for every account in scope, so a
    self-report absent from the list shows as a conflict. Re-importing the same file
    changes nothing. Raise ImportRefused when the file or the week is unusable.
    """
    if week_start > today:
        raise ImportRefused("future_week", week=week)
    with open_list(source) as stream:
        try:
            check_size(stream)
        except ListError as exc:
            raise ImportRefused(exc.kind, exc.row, **exc.params) from exc
    sha = file_hash(source)
    report = ImportReport(week, filename)
    previous = await repo.import_with_hash(campaign_id, sha)
    if previous is not None:
        report.already_imported = True
        report.previous_week = previous.week
        report.imported_at = previous.imported_at.isoformat()
        return report
    seen: set[str] = set()
    pending = _Pending()
    with open_list(source) as stream:
        try:
            for row in read_list(stream, filename):
                report.rows += 1
                _take_row(row, report, seen, pending)
                if len(pending.rows) >= BATCH:
                    await _flush(repo, campaign_id, week, units, pending, report, now)
                    if commit_batches:
                        await repo.commit()
                if progress is not None and report.rows % PROGRESS_EVERY == 0:
                    progress(report.rows)
        except ListError as exc:
            raise ImportRefused(exc.kind, exc.row, **exc.params) from exc
    await _flush(repo, campaign_id, week, units, pending, report, now)
    if report.rows == 0:
        raise ImportRefused("no_rows")
    await repo.cover_week(campaign_id, week, units)
    report.conflicts, report.conflict_examples = await repo.conflicts(campaign_id, week, units)
    await repo.record_import(campaign_id, week, scope_unit, filename, sha, report.as_json(),
                             imported_by, now)
    if progress is not None:
        progress(report.rows)
    logger.info("official list imported: week %s, %s rows, %s matched", week, report.rows,
                report.matched)
    return report


def _take_row(row: ListRow, report: ImportReport, seen: set[str], pending: _Pending) -> None:
    values: list[str] = []
    problem: str | None = None
    for raw in row.accounts:
        if not raw:
            continue
        try:
            values.append(normalize_account(raw).value)
        except AccountError as exc:
            problem = problem or exc.kind
    if not values:
        report.errors += 1
        if len(report.error_rows) < SAMPLES:
            report.error_rows.append((row.number, problem or "empty"))
        return
    if any(v in seen for v in values):
        report.duplicates += 1
        if len(report.duplicate_rows) < SAMPLES:
            report.duplicate_rows.append(row.number)
        return
    seen.update(values)
    pending.rows.append((row, values))


async def _flush(repo: ReferralRepo, campaign_id: str, week: int, units: Sequence[str] | None,
                 pending: _Pending, report: ImportReport, now: datetime) -> None:
    if not pending.rows:
        return
    accounts = [v for _, values in pending.rows for v in values]
    found = {acc: (mid, scope)
             for acc, mid, scope in await repo.match_accounts(campaign_id, accounts, units)}
    to_verify: list[int] = []
    for row, values in pending.rows:
        hits = [found[v] for v in values if v in found]
        if not hits:
            report.unmatched += 1
            if len(report.unmatched_rows) < SAMPLES:
                report.unmatched_rows.append(row.number)
            continue
        in_scope = [mid for mid, scope in hits if scope]
        if not in_scope:
            report.out_of_scope += 1
            continue
        report.matched += 1
        to_verify.extend(in_scope)
    state = await repo.verified_state(to_verify, week)
    fresh = sorted({mid for mid in to_verify if not state.get(mid)})
    report.already_verified += len(set(to_verify)) - len(fresh)
    report.newly_verified += len(fresh)
    await repo.verify(fresh, week, now)
    pending.rows.clear()
