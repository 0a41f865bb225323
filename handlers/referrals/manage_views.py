"""What /tiendo shows: a unit's progress, who owes a week, XLSX exports, an import's report."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.core.chart_image import render_chart
from bot.core.context import Context
from bot.core.types import Attachment, AttachmentKind, Choice, Reply
from bot.core.weblinks import Bar, Chart, links_enabled
from content.messages import Messages
from content.schema import Campaign, ReferralProgramme
from handlers.common.units import unit_label
from handlers.common.weblinks import download_link_text
from handlers.referrals.common import (
    covering,
    former_parts,
    full_date,
    line_of,
    programme,
    programme_day,
    repo_of,
    subtree,
    unit_name,
    week_choices,
    week_span,
)
from handlers.referrals.imports import ImportReport
from handlers.referrals.payloads import (
    ExportEligible,
    ExportProgress,
    ImportList,
    OtherUnit,
    Owing,
    Progress,
    Reassign,
    WebProgress,
    unit_payload,
)
from handlers.referrals.xlsx import ExportScope, eligible_workbook, progress_workbook
from storage.referrals.repo import Owing as OwingAccount
from storage.referrals.repo import UnitCounts

OWING_LINES = 30
CHILD_LINES = 25
CHART_UNITS = 40  # bars in the /tiendo picture, as on the web progress page
CAPTION_NAMES = 1000  # characters of unit names listed under a picture drawn without them
# Above this many accounts an export is made on the server: building it inside a chat
# message would hold the database (SQLite: the write lock) for seconds.
CHAT_EXPORT_LIMIT = 20_000


def number(value: int) -> str:
    """Return a count with Vietnamese thousands dots (1.234)."""
    return f"{value:,}".replace(",", ".")


def scope_units(ctx: Context, prog: ReferralProgramme, unit_code: str) -> list[str] | None:
    """Return the unit codes a query is limited to (None: the whole programme area)."""
    if unit_code in covering(ctx, prog.home_unit):
        return None  # participants' units always lie in the programme area
    return subtree(ctx, unit_code)


def _counts_line(ctx: Context, name: str, c: UnitCounts) -> str:
    return ctx.t("ref.manage.unit_line", unit=name, participants=number(c.participants),
                 referrals=number(c.referrals), done=number(c.done_this_week),
                 accounts=number(c.accounts), eligible=number(c.eligible))


def _sum(counts: dict[str, UnitCounts], codes: Sequence[str]) -> UnitCounts:
    total = UnitCounts()
    for code in codes:
        if code in counts:
            total = total + counts[code]
    return total


async def progress_view(ctx: Context, campaign: Campaign, unit_code: str,
                        prefix: str | None = None) -> Reply:
    """Show participants, referrals, this week's completion and eligibility for a unit."""
    prog = programme(campaign)
    line = line_of(ctx, prog)
    counts = await repo_of(ctx).unit_counts(campaign.id, scope_units(ctx, prog, unit_code),
                                            line, prog.min_referrals.number)
    units = ctx.services.units
    total = _sum(counts, subtree(ctx, unit_code))
    if line.current is not None:
        week_text = ctx.t("ref.manage.week_now", week=line.current, total=line.total,
                          span=week_span(prog, line.current))
    elif line.finished:
        week_text = ctx.t("ref.status.ended", end=full_date(prog.weeks[-1].end))
    else:
        week_text = ctx.t("ref.status.before", start=full_date(prog.weeks[0].start))
    eligible_key = "ref.manage.eligible_final" if line.finished else "ref.manage.eligible_now"
    text = ctx.t("ref.manage.progress", name=campaign.short_name, unit=unit_name(ctx, unit_code),
                 week=week_text, participants=number(total.participants),
                 enough=number(total.with_enough_referrals), minimum=prog.min_referrals.value,
                 referrals=number(total.referrals), done=number(total.done_this_week),
                 accounts=number(total.accounts),
                 eligible=ctx.t(eligible_key, count=number(total.eligible)))
    parts = former_parts(ctx, prog, unit_code)
    if parts:  # a unit created since: its former units of the area, as they were then
        text += "\n" + ctx.t("ref.manage.former_units", unit=unit_name(ctx, unit_code),
                             units=", ".join(unit_name(ctx, code) for code in parts))
    lines: list[str] = []
    rows: list[list[Choice]] = []
    direct = counts.get(unit_code)
    if direct and direct.participants:
        lines.append(_counts_line(ctx, ctx.t("ref.manage.direct", unit=unit_name(ctx, unit_code)),
                                  direct))
    empty = 0
    bars: list[Bar] = []
    children = units.children(unit_code, programme_day(ctx, prog)) or [
        unit for unit in map(units.get, parts) if unit is not None]
    for child in children:
        child_total = _sum(counts, subtree(ctx, child.code))
        if not child_total.participants:
            empty += 1
            continue
        if len(bars) < CHART_UNITS:
            bars.append(Bar(child.full_name, child_total.done_this_week, child_total.accounts))
        if len(lines) < CHILD_LINES:
            lines.append(_counts_line(ctx, unit_label(ctx, child.code), child_total))
            if units.children(child.code) and len(rows) < 8:
                rows.append([Choice(ctx.t("ref.manage.open_unit", unit=child.full_name),
                                    unit_payload(Progress, child.code))])
    if lines:
        text += "\n" + ctx.t("ref.manage.by_unit") + "\n" + "\n".join(lines)
    if empty:
        text += "\n" + ctx.t("ref.manage.empty_units", count=empty)
    week = line.current or line.closed
    actions: list[list[Choice]] = []
    if week:
        actions.append([Choice(ctx.t("ref.manage.owing_button", week=week),
                               unit_payload(lambda code: Owing(week, code), unit_code))])
    actions.append([Choice(ctx.t("ref.manage.export_progress"),
                           unit_payload(ExportProgress, unit_code))])
    actions.append([Choice(ctx.t("ref.manage.export_eligible"),
                           unit_payload(ExportEligible, unit_code))])
    if line.started:
        actions.append([Choice(ctx.t("ref.manage.import_button"), ImportList().pack())])
    if links_enabled(ctx.services.settings):
        actions.append([Choice(ctx.t("ref.manage.web_progress"),
                               unit_payload(WebProgress, unit_code))])
    actions.append([Choice(ctx.t("ref.manage.other_unit"), OtherUnit().pack())])
    if ctx.access.is_admin:
        actions.append([Choice(ctx.t("ref.manage.reassign_button"), Reassign().pack())])
    if prefix:
        text = f"{prefix}\n\n{text}"
    reply = Reply(text, actions + rows)
    if week and bars and _can_show_picture(ctx):
        reply.attachments.append(await _chart_photo(ctx, Chart(
            ctx.t("ref.web.chart_done", week=week, total=line.total), bars)))
    return reply


def _can_show_picture(ctx: Context) -> bool:
    """Whether the chat shows a picture the bot drew: photos, sent as bytes (a channel that
    sends files uploads bytes; the Zalo Bot API only takes a photo's URL)."""
    return ctx.traits.photos and ctx.traits.files


async def _chart_photo(ctx: Context, chart: Chart) -> Attachment:
    """The chart as a PNG photo; its caption is the title (and the unit names by number when
    no font with Vietnamese diacritics was found to draw them)."""
    image = await asyncio.to_thread(render_chart, chart)  # CPU work off the event loop
    caption = chart.title
    if not image.labelled:
        names = "\n".join(f"{i}. {bar.label}" for i, bar in enumerate(chart.bars, 1))
        caption += "\n" + names[:CAPTION_NAMES]
    return Attachment(AttachmentKind.PHOTO, data=image.data, filename="tien-do.png",
                      size=len(image.data), caption=caption)


def _owing_text(ctx: Context, owing: list[OwingAccount], accounts: int, people: int, week: int,
                unit_code: str) -> str:
    grouped: dict[int, list[OwingAccount]] = {}
    for item in owing:
        grouped.setdefault(item.participant_id, []).append(item)
    lines = []
    for items in list(grouped.values())[:OWING_LINES]:
        first = items[0]
        names = ", ".join(ctx.t("ref.manage.owing_self") if i.is_self else (i.member_name or "")
                          for i in items)
        lines.append(ctx.t("ref.manage.owing_line", person=first.person_name or "",
                           unit=unit_label(ctx, first.unit_code), names=names))
    text = ctx.t("ref.manage.owing_title", week=week, unit=unit_name(ctx, unit_code),
                 accounts=number(accounts), people=number(people)) + "\n" + "\n".join(lines)
    if people > OWING_LINES:
        text += "\n" + ctx.t("ref.manage.owing_more", count=number(people - OWING_LINES))
    return text


async def owing_view(ctx: Context, campaign: Campaign, week: int, unit_code: str) -> Reply:
    """List who has not taken part in week k yet (self-report or official list)."""
    prog = programme(campaign)
    repo = repo_of(ctx)
    units = scope_units(ctx, prog, unit_code)
    accounts, people = await repo.count_owing(campaign.id, week, units)
    owing = await repo.owing(campaign.id, week, units, limit=OWING_LINES * (
        prog.max_referrals.number + 1))
    if owing:
        text = _owing_text(ctx, owing, accounts, people, week, unit_code)
    else:  # nobody owes the week: say whether anyone is followed there at all
        key = ("ref.manage.owing_none" if await repo.followed_accounts(campaign.id, units)
               else "ref.manage.owing_nobody")
        text = ctx.t(key, week=week, unit=unit_name(ctx, unit_code))

    def owing_payload(n: int) -> str:
        return unit_payload(lambda code: Owing(n, code), unit_code)

    rows = [[c] for c in week_choices(ctx, prog, owing_payload, started_only=True)
            if c.payload != owing_payload(week)]
    rows.append([Choice(ctx.t("ref.manage.back"), unit_payload(Progress, unit_code))])
    return Reply(text, rows)


async def export(ctx: Context, campaign: Campaign, unit_code: str, eligible: bool) -> Reply:
    """Send an XLSX export, or explain the server command where files cannot be sent."""
    prog = programme(campaign)
    back = [[Choice(ctx.t("ref.manage.back"), unit_payload(Progress, unit_code))]]
    kind = "--eligible " if eligible else ""
    command = (f"thidua export referrals --campaign {campaign.id} --unit {unit_code} "
               f"{kind}--out {export_filename(campaign, unit_code, eligible, ctx)}")
    if not ctx.traits.files:
        kind = "referrals_eligible" if eligible else "referrals_progress"
        text = await download_link_text(ctx, kind, {"campaign": campaign.id, "unit": unit_code},
                                        command)
        return Reply(text, back)
    scope = ExportScope(campaign, prog, line_of(ctx, prog), scope_units(ctx, prog, unit_code),
                        unit_code, ctx.clock.now())
    repo = repo_of(ctx)
    accounts = await repo.followed_accounts(campaign.id, scope.units)
    if accounts > CHAT_EXPORT_LIMIT:
        return Reply(ctx.t("ref.export.too_big", accounts=number(accounts), command=command),
                     back)
    messages: Messages = ctx.services.messages
    if eligible:
        data, count = await eligible_workbook(repo, scope, messages, ctx.services.units)
        text = ctx.t("ref.export.eligible_sent", count=number(count),
                     unit=unit_name(ctx, unit_code))
    else:
        counts = await repo.unit_counts(campaign.id, scope.units, scope.line,
                                        prog.min_referrals.number)
        data = await progress_workbook(repo, scope, counts, messages, ctx.services.units)
        text = ctx.t("ref.export.progress_sent", unit=unit_name(ctx, unit_code))
    name = export_filename(campaign, unit_code, eligible, ctx)
    return Reply(text, back, [Attachment(AttachmentKind.DOCUMENT, data=data, filename=name,
                                         size=len(data))])


def export_filename(campaign: Campaign, unit_code: str, eligible: bool, ctx: Context) -> str:
    """Return a file name such as dan-van-kheo-du-dieu-kien-ls.bac-son-20240410.xlsx."""
    kind = "du-dieu-kien" if eligible else "tien-do"
    return f"{campaign.id}-{kind}-{unit_code}-{ctx.clock.today():%Y%m%d}.xlsx"


def cli_import_command(campaign_id: str, week: int, unit: str | None) -> str:
    """Return the server command that imports a list (shown where chat cannot)."""
    scope = f" --unit {unit}" if unit else ""
    return f"thidua import referrals FILE.xlsx --campaign {campaign_id} --week {week}{scope}"


def report_text(messages: Messages, report: ImportReport) -> str:
    """Return the match report people read after an import."""
    t = messages.t
    if report.already_imported:
        at = (report.imported_at or "")[:10]
        day = f"{at[8:10]}/{at[5:7]}/{at[:4]}" if len(at) == 10 else at
        return t("ref.import.already", week=report.previous_week, at=day)
    lines = [t("ref.import.done", week=report.week, file=report.filename),
             t("ref.import.rows", count=number(report.rows)),
             t("ref.import.matched", count=number(report.matched),
               fresh=number(report.newly_verified), before=number(report.already_verified))]
    samples = [("unmatched", report.unmatched, report.unmatched_rows),
               ("duplicates", report.duplicates, report.duplicate_rows)]
    for key, count, rows in samples:
        if count:
            lines.append(t(f"ref.import.{key}", count=number(count),
                           rows=", ".join(str(r) for r in rows) or "—"))
    if report.errors:
        errors = "; ".join(t("ref.import.error_row", row=row,
                             problem=t(f"ref.import.problem.{k}"))
                           for row, k in report.error_rows) or "—"
        lines.append(t("ref.import.errors", count=number(report.errors), rows=errors))
    else:
        lines.append(t("ref.import.no_errors"))
    if report.out_of_scope:
        lines.append(t("ref.import.out_of_scope", count=number(report.out_of_scope)))
    if not report.conflicts:
        lines.append(t("ref.import.no_conflicts", week=report.week))
        return "\n".join(lines)
    examples = ", ".join(
        t("ref.import.conflict_self" if is_self else "ref.import.conflict_referral",
          person=person or "", name=name or "")
        for person, name, is_self in report.conflict_examples[:5]) or "—"
    lines.append(t("ref.import.conflicts", count=number(report.conflicts), week=report.week,
                   examples=examples))
    lines.append(t("ref.import.conflicts_told"))
    return "\n".join(lines)
