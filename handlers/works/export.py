"""XLSX exports of works and conferences, for chat attachments and `thidua export`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from bot.core.spreadsheet import MONEY, Styled, workbook_bytes
from bot.core.spreadsheet import Sheet as SafeSheet
from content.messages import Messages
from content.schema import Campaign
from content.units import UnitTree
from handlers.works.rules import (
    ConferenceStatus,
    check_composition,
    conference_area,
    conference_compliance,
    delegate_cap,
    documents_due,
    is_late,
    level_for,
    works_area,
    works_compliance,
)
from storage.audit import Action, AuditRepo
from storage.works.repo import ConferenceRepo, WorksRepo, names_of

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

UnitFilter = Callable[[str], bool]
MAX_WIDTH = 60


@dataclass(frozen=True, slots=True)
class Sheet:
    """One worksheet: a title, column headers and rows of plain values."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    money_columns: frozenset[int] = frozenset()


def build_workbook(sheets: Sequence[Sheet]) -> bytes:
    """Return an XLSX file with one worksheet per sheet (bold headers, sized columns),
    written by the one safe writer: nothing people typed becomes a formula."""
    shaped = []
    for sheet in sheets:
        widths = [len(str(h)) for h in sheet.headers]
        for row in sheet.rows:
            for i, value in enumerate(row):
                if value is not None:
                    widths[i] = max(widths[i], len(str(value)))
        rows = [[Styled(v, MONEY) if i in sheet.money_columns and isinstance(v, int) else v
                 for i, v in enumerate(row)] for row in sheet.rows]
        shaped.append(SafeSheet(sheet.title, sheet.headers, rows,
                                [min(MAX_WIDTH, w + 2) for w in widths]))
    return workbook_bytes(shaped)


def works_filename(campaign: Campaign, today: date) -> str:
    """Return the file name of a works export."""
    return f"cong-trinh-{campaign.id}-{today.isoformat()}.xlsx"


def conferences_filename(campaign: Campaign, today: date) -> str:
    """Return the file name of a conferences export."""
    return f"hoi-nghi-{campaign.id}-{today.isoformat()}.xlsx"


def _headers(messages: Messages, prefix: str, keys: Sequence[str]) -> list[str]:
    return [messages.t(f"{prefix}.{key}") for key in keys]


async def audit_works_export(session: AsyncSession, now: datetime, actor_id: int | None,
                             campaign: Campaign, rows: int) -> None:
    """Record a works export: the list names who registered each work, so it is audited
    like a personal-data export (the actor is None on the command line)."""
    await AuditRepo(session).append(Action.PRIVACY_EXPORT, now, actor_id=actor_id,
                                    target_type="works", target_id=campaign.id,
                                    after={"rows": rows})


WORK_COLUMNS = ("no", "unit", "name", "volume", "location", "value", "funding", "due",
                "registered", "on_time", "progress", "completed", "flagship", "by")
COMPLIANCE_COLUMNS = ("no", "unit", "type", "minimum", "registered", "on_time", "status")


async def export_works(session: AsyncSession, messages: Messages, units: UnitTree,
                       campaign: Campaign, visible: UnitFilter) -> tuple[bytes, int]:
    """Return the XLSX of a campaign's works and unit compliance, and the number of works."""
    area = works_area(campaign, units)
    if area is None:
        raise ValueError(f"campaign {campaign.id} has no works programme")
    programme = area.programme
    repo = WorksRepo(session)
    works = [w for w in await repo.of_campaign(campaign.id) if visible(w.unit_code)]
    names = await names_of(session, (w.registered_by for w in works))
    deadline, inclusive = programme.register_by.date, programme.register_by.inclusive
    yes, no = messages.t("works.xlsx.yes"), messages.t("works.xlsx.no")

    def unit_text(code: str) -> str:
        unit = units.get(code)
        return unit.full_name if unit else code

    work_rows = [
        (i, unit_text(w.unit_code), w.name, w.volume, w.location, w.value_vnd, w.funding,
         w.due_on, w.registered_on,
         no if is_late(w.registered_on, deadline, inclusive) else yes, w.progress,
         w.completed_on, yes if w.flagship else "", names.get(w.registered_by or 0, ""))
        for i, w in enumerate(works, 1)]
    scope = [u for u in area.units if visible(u.code)]
    rows = works_compliance(scope, programme, await repo.registration_days(campaign.id))
    compliance_rows = [
        (i, r.unit.full_name, r.unit.type_name, r.required, r.registered, r.on_time,
         messages.t(f"works.xlsx.status_{r.status.value}"))
        for i, r in enumerate(rows, 1)]
    # Writing the file takes seconds for a whole country: keep the event loop free meanwhile.
    data = await asyncio.to_thread(build_workbook, [
        Sheet(messages.t("works.xlsx.sheet_works"),
              _headers(messages, "works.xlsx.col", WORK_COLUMNS), work_rows,
              frozenset({5})),
        Sheet(messages.t("works.xlsx.sheet_units"),
              _headers(messages, "works.xlsx.unit_col", COMPLIANCE_COLUMNS), compliance_rows),
    ])
    return data, len(works)


CONFERENCE_COLUMNS = ("no", "unit", "level", "form", "held_on", "due", "documents_due",
                      "delegates", "grassroots", "share", "composition", "status",
                      "documents_sent_on", "held_confirmed_on")


async def export_conferences(session: AsyncSession, messages: Messages, units: UnitTree,
                             campaign: Campaign, visible: UnitFilter) -> tuple[bytes, int]:
    """Return the XLSX of a campaign's conferences (every commune listed) and their count."""
    area = conference_area(campaign, units)
    if area is None:
        raise ValueError(f"campaign {campaign.id} has no conference programme")
    programme = area.programme
    registered = {c.unit_code: c for c in await ConferenceRepo(session).of_campaign(campaign.id)
                  if visible(c.unit_code)}
    communes = [u for u in area.units if visible(u.code)]
    flags = {code: (c.held_on, True) for code, c in registered.items()}
    rows_c = conference_compliance(communes, programme, campaign.unit, flags)
    yes, no = messages.t("works.xlsx.yes"), messages.t("works.xlsx.no")
    rows: list[tuple[Any, ...]] = []
    for i, row in enumerate(rows_c, 1):
        level = level_for(programme, row.unit.code, campaign.unit)
        conf = registered.get(row.unit.code)
        if conf is None:
            rows.append((i, row.unit.full_name, level.label, "", None, row.due, None, None, None,
                         None, "", messages.t("works.xlsx.conf_missing"), None, None))
            continue
        check = check_composition(conf.delegates, conf.grassroots,
                                  level.grassroots_percent.number,
                                  delegate_cap(programme, level))
        status = ("works.xlsx.conf_late" if row.status is ConferenceStatus.LATE
                  else "works.xlsx.conf_on_time")
        rows.append((i, row.unit.full_name, level.label, conf.form, conf.held_on, row.due,
                     documents_due(conf.held_on, programme.documents_days_before.number),
                     conf.delegates, conf.grassroots, round(check.share, 1),
                     yes if check.ok else no, messages.t(status), conf.documents_sent_on,
                     conf.held_confirmed_on))
    data = await asyncio.to_thread(build_workbook, [
        Sheet(messages.t("works.xlsx.sheet_conferences"),
              _headers(messages, "works.xlsx.conf_col", CONFERENCE_COLUMNS), rows)])
    return data, len(registered)
