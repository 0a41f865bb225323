"""/congtrinh views: the works home, one work, the compliance lists, flagships, photos."""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.context import Context
from bot.core.types import Attachment, AttachmentKind, Choice, Reply
from content.schema import WorksProgramme
from content.units import Unit
from handlers.common.registration import choose_unit
from handlers.works.common import (
    campaigns_for,
    capped_lines,
    day_text,
    former_parts,
    manages,
    own_unit,
    plain_name,
    short_label,
    stale,
    titled,
    unit_name,
    view_filter,
)
from handlers.works.parsing import Precision, format_vnd
from handlers.works.payloads import (
    AllWorks,
    AskComplete,
    AskWithdraw,
    EditWork,
    ExportWorks,
    FlagshipList,
    RegisterWork,
    ReportProgress,
    ToggleFlagship,
    ViewWork,
    WorkPhotos,
    WorksHome,
    WorksList,
)
from handlers.works.rules import (
    Area,
    Status,
    WorksCompliance,
    by_status,
    is_late,
    minimum_for_unit,
    works_area,
    works_compliance,
)
from storage.works.repo import Work, WorksRepo

COMMAND = "congtrinh"
PAGE = 8
RECENT_UPDATES = 3
LISTS = {"s": Status.SHORT, "l": Status.LATE, "c": Status.COMPLETE}
LIST_LABELS = (("s", "works.list_short"), ("l", "works.list_late"), ("c", "works.list_complete"))


def area_of(ctx: Context, campaign_id: str) -> Area[WorksProgramme] | None:
    """Return a campaign's works programme and the units that owe works in it."""
    return works_area(ctx.services.campaigns.get(campaign_id), ctx.services.units)


def has_works(ctx: Context, campaign_id: str) -> bool:
    """Tell whether a campaign with a works programme concerns this person."""
    return any(c.id == campaign_id for c in campaigns_for(
        ctx, lambda c: c.programmes.works is not None))


# --------------------------------------------------------------------------- text helpers


def due_text(ctx: Context, day: date, precision: str, *, short: bool = False) -> str:
    """Return a completion date as typed: 'tháng 10/2025', 'quý II/2025' or dd/mm/yyyy."""
    group = "works.due_short" if short else "works.due"
    if precision == Precision.MONTH:
        return ctx.t(f"{group}.month", month=day.month, year=day.year, day=day_text(day))
    if precision == Precision.QUARTER:
        roman = ("I", "II", "III", "IV")[(day.month - 1) // 3]
        return ctx.t(f"{group}.quarter", quarter=roman, year=day.year, day=day_text(day))
    if precision == Precision.YEAR:
        return ctx.t(f"{group}.year", year=day.year, day=day_text(day))
    return day_text(day)


def deadline_text(ctx: Context, programme: WorksProgramme) -> str:
    """Return the registration deadline as the plan words it."""
    key = "works.deadline_inclusive" if programme.register_by.inclusive else "works.deadline"
    return ctx.t(key, date=day_text(programme.register_by.date))


def late(programme: WorksProgramme, day: date) -> bool:
    """Tell whether a registration on that day missed the deadline."""
    return is_late(day, programme.register_by.date, programme.register_by.inclusive)


def overdue_days(ctx: Context, work: Work) -> int:
    """Return by how many days a work not completed is past its planned completion (0: not)."""
    if work.completed_on is not None:
        return 0
    return max(0, (ctx.clock.today() - work.due_on).days)


def _work_line(ctx: Context, work: Work) -> str:
    marks = ""
    if work.completed_on is not None:
        marks += ctx.t("works.mark_done")
    elif days := overdue_days(ctx, work):
        marks += ctx.t("works.mark_overdue", days=days)
    if work.flagship:
        marks += ctx.t("works.mark_flagship")
    return ctx.t("works.line", id=work.id, name=work.name, progress=work.progress,
                 due=due_text(ctx, work.due_on, work.due_precision, short=True), marks=marks)


def _standing_text(ctx: Context, programme: WorksProgramme, row: WorksCompliance) -> str:
    if row.status is Status.COMPLETE:
        return ctx.t("works.standing_complete")
    if row.status is Status.LATE:
        return ctx.t("works.standing_late")
    deadline = programme.register_by
    last_day = deadline.date if deadline.inclusive else deadline.date - timedelta(days=1)
    days = (last_day - ctx.clock.today()).days
    if days < 0:
        return ctx.t("works.standing_overdue", missing=row.missing, days=-days)
    return ctx.t("works.standing_short", missing=row.missing, days=days + 1,
                 last_day=day_text(last_day))


def _minimum_label(programme: WorksProgramme, unit: Unit) -> str:
    key = unit.type_code.replace("_", "-")
    for rule in programme.minimum_per_unit:
        if key in rule.unit_types:
            return rule.label
    fallback = [r.label for r in programme.minimum_per_unit if "*" in r.unit_types]
    return fallback[0] if fallback else unit.type_name


def back_to(ctx: Context, campaign_id: str) -> list[list[Choice]]:
    """Return the row that leads back to the campaign's works home."""
    return [[Choice(ctx.t("works.back"), WorksHome(campaign_id).pack())]]


# --------------------------------------------------------------------------- command


async def works_command(ctx: Context) -> list[Reply]:
    """/congtrinh: the works of my unit, or the campaigns to choose from."""
    if not ctx.access.is_admin and not own_unit(ctx):
        return [choose_unit(ctx, ctx.t("works.no_unit"), "congtrinh")]
    campaigns = campaigns_for(ctx, lambda c: c.programmes.works is not None)
    if not campaigns:
        return [ctx.main_menu(ctx.t("works.no_campaign"))]
    if len(campaigns) == 1:
        return await home(ctx, campaigns[0].id)
    return [Reply(ctx.t("works.choose_campaign"),
                  [[Choice(c.short_name, WorksHome(c.id).pack())] for c in campaigns])]


async def home(ctx: Context, campaign_id: str, prefix: str | None = None) -> list[Reply]:
    """Show my unit's works and, for wider scopes, how every unit stands."""
    area = area_of(ctx, campaign_id)
    if area is None:
        return [stale(ctx)]
    programme, campaign = area.programme, area.campaign
    repo = WorksRepo(ctx.session)
    parts = [ctx.t("works.home_title", campaign=campaign.short_name,
                   deadline=deadline_text(ctx, programme), send_to=programme.send_to)]
    rows: list[list[Choice]] = []
    records: list[list[Choice]] = []  # after every fixed choice, so their numbers never move
    own = own_unit(ctx)
    if not ctx.access.is_admin and own and area.includes(own):
        unit = next(u for u in area.units if u.code == own)
        works = await repo.of_units(campaign.id, [own])
        on_time = sum(1 for w in works if not late(programme, w.registered_on))
        parts.append(ctx.t("works.own_unit", unit=unit.full_name,
                           minimum=minimum_for_unit(programme, unit),
                           kind=_minimum_label(programme, unit), count=len(works),
                           on_time=on_time))
        standing = works_compliance([unit], programme,
                                    {own: [w.registered_on for w in works]})[0]
        parts[-1] += "\n" + _standing_text(ctx, programme, standing)
        if works:
            parts.append("\n".join(_work_line(ctx, w) for w in works))
        else:
            parts.append(ctx.t("works.none_yet"))
        rows.append([Choice(ctx.t("works.register_new"), RegisterWork(campaign.id).pack())])
        records = [open_row(ctx, w) for w in works]
    elif parts_of_own := former_parts(ctx.services.units, campaign.unit, own):
        parts.append(ctx.t("works.former_units", unit=unit_name(ctx, own or ""),
                           units=", ".join(plain_name(ctx, code) for code in parts_of_own)))
        rows.append([Choice(ctx.t("works.register_new"), RegisterWork(campaign.id).pack())])
    visible = view_filter(ctx)
    scope = [u for u in area.units if visible(u.code)]
    if ctx.access.is_admin or len(scope) > 1 or (scope and scope[0].code != own):
        rows_c = works_compliance(scope, programme, await repo.registration_days(campaign.id))
        lists = by_status(rows_c)
        total = sum(r.registered for r in rows_c)
        flagships = await repo.flagships(campaign.id)
        parts.append(ctx.t("works.overview", units=len(scope), works=total,
                           complete=len(lists[Status.COMPLETE]), late=len(lists[Status.LATE]),
                           short=len(lists[Status.SHORT]), flagships=len(flagships),
                           flagship_target=programme.flagship.value))
        for which, label in LIST_LABELS:
            rows.append([Choice(ctx.t(label, count=len(lists[LISTS[which]])),
                                WorksList(campaign.id, which).pack())])
        rows.append([Choice(ctx.t("works.list_all"), AllWorks(campaign.id, 0).pack())])
        rows.append([Choice(ctx.t("works.flagship_list"), FlagshipList(campaign.id).pack())])
        if ctx.access.is_admin:
            rows.append([Choice(ctx.t("works.register_for_unit"),
                                RegisterWork(campaign.id).pack())])
        rows.append([Choice(ctx.t("works.export"), ExportWorks(campaign.id).pack())])
    return [Reply(titled(prefix, "\n\n".join(parts)), rows + records)]


def open_row(ctx: Context, work: Work) -> list[Choice]:
    """Return the choice that opens a work, named by its #id as in the list above it."""
    return [Choice(ctx.t("works.open", id=work.id, name=short_label(work.name)),
                   ViewWork(work.id).pack())]


# --------------------------------------------------------------------------- one work


async def show_work(ctx: Context, work: Work, prefix: str | None = None) -> list[Reply]:
    """Show a work with what this person may do with it."""
    area = area_of(ctx, work.campaign_id)
    if area is None:
        return [stale(ctx)]
    repo = WorksRepo(ctx.session)
    updates = await repo.updates(work.id, RECENT_UPDATES)
    history = "\n".join(
        ctx.t("works.update_line", date=day_text(u.created_at.astimezone(ctx.clock.tz)),
              progress=u.progress, note=f" — {u.note}" if u.note else "",
              photo=ctx.t("works.has_photo") if u.photo_channel else "")
        for u in updates) or ctx.t("works.no_updates")
    late_mark = ctx.t("works.late_mark") if late(area.programme, work.registered_on) else ""
    done = (ctx.t("works.done_on", date=day_text(work.completed_on))
            if work.completed_on else "")
    if days := overdue_days(ctx, work):
        done = ctx.t("works.overdue", days=days)
    text = ctx.t("works.detail", name=work.name, unit=unit_name(ctx, work.unit_code),
                 **field_texts(ctx, work), registered=day_text(work.registered_on),
                 late=late_mark, progress=work.progress, done=done,
                 flagship=ctx.t("works.is_flagship") if work.flagship else "",
                 history=history)
    # Fixed slots: what a person may do never depends on the work's state (completing a
    # completed work says so); the photos choice, present once there are photos, goes last.
    rows: list[list[Choice]] = []
    if manages(ctx, work.unit_code):
        complete = "works.complete_done" if work.completed_on else "works.complete"
        rows.append([Choice(ctx.t("works.progress"), ReportProgress(work.id).pack())])
        rows.append([Choice(ctx.t("works.edit"), EditWork(work.id).pack())])
        rows.append([Choice(ctx.t(complete), AskComplete(work.id).pack())])
        rows.append([Choice(ctx.t("works.withdraw"), AskWithdraw(work.id).pack())])
    if ctx.access.is_admin:
        key = "works.flagship_off" if work.flagship else "works.flagship_on"
        rows.append([Choice(ctx.t(key), ToggleFlagship(work.id).pack())])
    rows += back_to(ctx, work.campaign_id)
    if any(u.photo_channel for u in updates):
        rows.append([Choice(ctx.t("works.photos"), WorkPhotos(work.id).pack())])
    return [Reply(titled(prefix, text), rows)]


def field_texts(ctx: Context, work: Work) -> dict[str, str]:
    """Return the plan fields of a work as shown."""
    return {"volume": work.volume, "location": work.location,
            "value": format_vnd(work.value_vnd), "funding": work.funding,
            "due": due_text(ctx, work.due_on, work.due_precision)}


async def show_photos(ctx: Context, work: Work) -> list[Reply]:
    """Send the recent progress photos this chat can show (its own channel's, or links)."""
    updates = [u for u in await WorksRepo(ctx.session).updates(work.id) if u.photo_ref]
    sendable = [u for u in updates if u.photo_channel == ctx.msg.channel
                or (u.photo_ref or "").startswith(("https://", "http://"))][:RECENT_UPDATES]
    back = [[Choice(ctx.t("works.back"), ViewWork(work.id).pack())]]
    if not sendable:
        return [Reply(ctx.t("works.photos_elsewhere"), back)]
    photos = [Attachment(AttachmentKind.PHOTO, url=u.photo_ref,
                         caption=ctx.t("works.photo_caption", name=work.name,
                                       progress=u.progress,
                                       date=day_text(u.created_at.astimezone(ctx.clock.tz))))
              for u in sendable]
    return [Reply(ctx.t("works.photos_title", name=work.name, count=len(photos)), back,
                  attachments=photos)]


# --------------------------------------------------------------------------- lists


def _compliance_line(ctx: Context, row: WorksCompliance) -> str:
    late_count = row.registered - row.on_time
    return ctx.t("works.unit_line", unit=unit_name(ctx, row.unit.code), count=row.registered,
                 minimum=row.required,
                 late=ctx.t("works.unit_late", count=late_count) if late_count else "")


async def compliance_list(ctx: Context, campaign_id: str, which: str) -> list[Reply]:
    """List the units in one standing (short, late or complete) within the person's scope."""
    area = area_of(ctx, campaign_id)
    status = LISTS.get(which)
    if area is None or status is None:
        return [stale(ctx)]
    visible = view_filter(ctx)
    scope = [u for u in area.units if visible(u.code)]
    days = await WorksRepo(ctx.session).registration_days(campaign_id)
    rows = by_status(works_compliance(scope, area.programme, days))[status]
    title = ctx.t(f"works.title_{status.value}", count=len(rows),
                  deadline=deadline_text(ctx, area.programme))
    body = capped_lines(ctx, [_compliance_line(ctx, r) for r in rows]) or ctx.t("works.empty")
    return [Reply(f"{title}\n{body}", back_to(ctx, campaign_id))]


async def all_works(ctx: Context, campaign_id: str, page: int) -> list[Reply]:
    """Page through the works of a campaign within the person's scope."""
    area = area_of(ctx, campaign_id)
    if area is None:
        return [stale(ctx)]
    visible = view_filter(ctx)
    works = [w for w in await WorksRepo(ctx.session).of_campaign(campaign_id)
             if visible(w.unit_code)]
    pages = max(1, -(-len(works) // PAGE))
    page = min(page, pages - 1)
    chunk = works[page * PAGE:(page + 1) * PAGE]
    lines = [ctx.t("works.all_line", id=w.id, unit=unit_name(ctx, w.unit_code),
                   name=w.name, value=format_vnd(w.value_vnd), progress=w.progress)
             for w in chunk]
    text = ctx.t("works.all_title", count=len(works), page=page + 1, pages=pages)
    text += "\n" + ("\n".join(lines) or ctx.t("works.empty"))
    rows = back_to(ctx, campaign_id)  # fixed choices first, the works after them
    if page + 1 < pages:
        rows.append([Choice(ctx.t("works.next_page"), AllWorks(campaign_id, page + 1).pack())])
    if page > 0:
        rows.append([Choice(ctx.t("works.prev_page"), AllWorks(campaign_id, page - 1).pack())])
    rows += [open_row(ctx, w) for w in chunk]
    return [Reply(text, rows)]


async def flagship_list(ctx: Context, campaign_id: str) -> list[Reply]:
    """List the flagship works of a campaign."""
    area = area_of(ctx, campaign_id)
    if area is None:
        return [stale(ctx)]
    works = await WorksRepo(ctx.session).flagships(campaign_id)
    lines = [ctx.t("works.flagship_line", id=w.id, unit=unit_name(ctx, w.unit_code),
                   name=w.name)
             for w in works]
    text = ctx.t("works.flagship_title", count=len(works), target=area.programme.flagship.value,
                 passage=area.programme.flagship.text,
                 due=day_text(area.programme.flagship_due.date))
    text += "\n" + ("\n".join(lines) or ctx.t("works.flagship_none"))
    rows = back_to(ctx, campaign_id) + [open_row(ctx, w) for w in works]
    return [Reply(text, rows)]
