"""XLSX exports: unit progress, and the eligible participants with their evidence.

Rows are streamed from the database into a write-only workbook, one participant at a time.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.spreadsheet import XlsxWriter
from content.messages import Messages
from content.schema import Campaign, ReferralProgramme
from content.units import UnitTree
from handlers.referrals.rules import Tracked, evaluate
from storage.referrals.marks import Timeline, WeekStatus, display_account
from storage.referrals.repo import ExportRow, ReferralRepo, UnitCounts


@dataclass(frozen=True, slots=True)
class ExportScope:
    """What to export: a campaign, the units in scope (None: all) and the day's timeline."""

    campaign: Campaign
    programme: ReferralProgramme
    line: Timeline
    units: Sequence[str] | None
    root_unit: str
    generated_at: datetime


class UnitNames:
    """Display paths of units, computed once per export."""

    def __init__(self, tree: UnitTree) -> None:
        self.tree = tree
        self.cache: dict[str, str] = {}

    def __call__(self, code: str) -> str:
        name = self.cache.get(code)
        if name is None:
            name = self.tree.path_text(code) if self.tree.get(code) else code
            self.cache[code] = name
        return name


async def _by_participant(rows: AsyncIterator[ExportRow]) -> AsyncIterator[list[ExportRow]]:
    group: list[ExportRow] = []
    async for row in rows:
        if group and group[0].participant.id != row.participant.id:
            yield group
            group = []
        group.append(row)
    if group:
        yield group


def _verdict(group: list[ExportRow], scope: ExportScope) -> tuple[bool, set[int]]:
    own = next(r for r in group if r.member.is_self)
    referrals = [r for r in group if not r.member.is_self]
    verdict = evaluate(Tracked("", own.member.marks, True),
                       [Tracked(str(r.member.id), r.member.marks) for r in referrals],
                       scope.line, scope.programme.min_referrals.number)
    counted = {r.member.id for r in referrals
               if r.member.marks.complete_over(scope.line.closed_mask)}
    return verdict.eligible, counted


def _header(messages: Messages, scope: ExportScope, title_key: str) -> list[list[str]]:
    line = scope.line
    state = (messages.t("ref.xlsx.state_final") if line.finished
             else messages.t("ref.xlsx.state_so_far", week=line.current or line.closed,
                             total=line.total))
    return [
        [messages.t(title_key, name=scope.campaign.short_name)],
        [messages.t("ref.xlsx.scope", unit=scope.root_unit)],
        [messages.t("ref.xlsx.generated", at=scope.generated_at.strftime("%H:%M %d/%m/%Y"),
                    state=state)],
        [],
    ]


def _status_word(messages: Messages, status: WeekStatus) -> str:
    return messages.t(f"ref.xlsx.status.{status.value}")


def _save(book: XlsxWriter, out: io.BytesIO) -> bytes:
    book.close()
    return out.getvalue()


async def progress_workbook(repo: ReferralRepo, scope: ExportScope, counts: dict[str, UnitCounts],
                            messages: Messages, tree: UnitTree) -> bytes:
    """Return the unit progress workbook: a sheet of units and a sheet of every account."""
    names = UnitNames(tree)
    out = io.BytesIO()
    with XlsxWriter(out) as book:
        summary = book.sheet(messages.t("ref.xlsx.sheet_units"))
        root_name = names(scope.root_unit)
        for line in _header(messages, ExportScope(scope.campaign, scope.programme, scope.line,
                                                  scope.units, root_name, scope.generated_at),
                            "ref.xlsx.title_progress"):
            summary.append(line)
        summary.append([messages.t(f"ref.xlsx.col.{c}") for c in (
            "unit", "participants", "referrals", "with_enough", "accounts", "done_this_week",
            "eligible")])
        total = UnitCounts()
        for code in sorted(counts, key=lambda c: names(c)):
            c = counts[code]
            total = total + c
            summary.append([names(code), c.participants, c.referrals,
                            c.with_enough_referrals, c.accounts, c.done_this_week, c.eligible])
        summary.append([messages.t("ref.xlsx.total"), total.participants, total.referrals,
                        total.with_enough_referrals, total.accounts, total.done_this_week,
                        total.eligible])
        detail = book.sheet(messages.t("ref.xlsx.sheet_accounts"))
        weeks = [messages.t("ref.xlsx.col.week", week=n) for n in range(1, scope.line.total + 1)]
        detail.append([messages.t(f"ref.xlsx.col.{c}") for c in (
            "unit", "participant", "code", "role", "name", "relation", "account")]
            + weeks + [messages.t("ref.xlsx.col.eligible_now")])
        rows = repo.stream_rows(scope.campaign.id, scope.units)
        async for group in _by_participant(rows):
            eligible, _ = _verdict(group, scope)
            for row in group:
                verdict = (messages.t("ref.xlsx.yes" if eligible else "ref.xlsx.no")
                           if row.member.is_self else "")
                detail.append([*_account_row(messages, names, scope, row), verdict])
    return _save(book, out)


def _account_row(messages: Messages, names: UnitNames, scope: ExportScope, row: ExportRow
                 ) -> list[str]:
    member = row.member
    role = messages.t("ref.xlsx.role_self" if member.is_self else "ref.xlsx.role_referral")
    name = row.person_name if member.is_self else member.display_name
    relation = messages.t(f"ref.relation.{member.relation}") if member.relation else ""
    cells = [_status_word(messages, member.marks.status(n, scope.line))
             for n in range(1, scope.line.total + 1)]
    return [names(row.participant.unit_code), row.person_name or "",
            row.participant.code, role, name or "", relation,
            display_account(member.quiz_account), *cells]


async def eligible_workbook(repo: ReferralRepo, scope: ExportScope, messages: Messages,
                            tree: UnitTree) -> tuple[bytes, int]:
    """Return the eligible participants with evidence per week, and how many there are."""
    names = UnitNames(tree)
    out = io.BytesIO()
    with XlsxWriter(out) as book:
        sheet = book.sheet(messages.t("ref.xlsx.sheet_eligible"))
        root_name = names(scope.root_unit)
        header_scope = ExportScope(scope.campaign, scope.programme, scope.line, scope.units,
                                   root_name, scope.generated_at)
        for line in _header(messages, header_scope, "ref.xlsx.title_eligible"):
            sheet.append(line)
        weeks = [messages.t("ref.xlsx.col.week", week=n) for n in range(1, scope.line.total + 1)]
        sheet.append([messages.t("ref.xlsx.col.number"), messages.t("ref.xlsx.col.participant"),
                      messages.t("ref.xlsx.col.birth_year"), messages.t("ref.xlsx.col.unit"),
                      messages.t("ref.xlsx.col.code"), messages.t("ref.xlsx.col.role"),
                      messages.t("ref.xlsx.col.name"), messages.t("ref.xlsx.col.relation"),
                      messages.t("ref.xlsx.col.account"), *weeks,
                      messages.t("ref.xlsx.col.counted")])
        count = 0
        async for group in _by_participant(repo.stream_rows(scope.campaign.id, scope.units)):
            eligible, counted = _verdict(group, scope)
            if not eligible:
                continue
            count += 1
            for row in group:
                member = row.member
                account = _account_row(messages, names, scope, row)
                counts = member.is_self or member.id in counted
                counted_word = messages.t("ref.xlsx.yes" if counts else "ref.xlsx.no")
                sheet.append([count, account[1], row.birth_year or "", account[0], account[2],
                              *account[3:], counted_word])
        basis = book.sheet(messages.t("ref.xlsx.sheet_basis"))
        prog = scope.programme
        for key, text, source in (
            ("ref.xlsx.basis_own", prog.own_account.text, prog.own_account.source),
            ("ref.xlsx.basis_recruit", prog.min_referrals.text, prog.min_referrals.source),
            ("ref.xlsx.basis_weeks", prog.consecutive_weeks.text, prog.consecutive_weeks.source),
            ("ref.xlsx.basis_report", prog.report.text, prog.report.source),
        ):
            basis.append([messages.t(key), text, messages.t("ref.xlsx.source", source=source)])
        for week in prog.weeks:
            basis.append([messages.t("ref.xlsx.col.week", week=week.number),
                          f"{week.start:%d/%m/%Y} – {week.end:%d/%m/%Y}"])
        if prog.weeks_note:
            basis.append([messages.t("ref.xlsx.basis_weeks_note"), prog.weeks_note])
        basis.append([messages.t("ref.xlsx.basis_note")])
    return _save(book, out), count
