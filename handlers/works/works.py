"""/congtrinh: units register their works, report progress; compliance and flagships."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from bot.core.context import Context
from bot.core.forms import CONFIRM_STEP, EDIT, Form, Invalid, Step
from bot.core.render import megabytes
from bot.core.types import Attachment, AttachmentKind, Choice, Reply
from content.schema import Campaign, WorksProgramme
from content.units import Unit
from handlers.works.common import (
    FILE_CHANNELS,
    as_id,
    campaigns_for,
    can_manage_unit,
    can_view_unit,
    capped_lines,
    day_text,
    own_unit,
    parse_payload,
    pick_unit,
    ready_to_write,
    search_units,
    short_label,
    unit_invalid,
    unit_name,
    view_filter,
)
from handlers.works.export import export_works, works_filename
from handlers.works.parsing import (
    AmountError,
    DateError,
    Precision,
    TypedDate,
    format_vnd,
    format_vnd_short,
    parse_percent,
    parse_typed_date,
    parse_vnd,
)
from handlers.works.rules import (
    Status,
    WorksCompliance,
    bound_units,
    by_status,
    is_late,
    minimum_for_unit,
    works_compliance,
)
from storage.audit import Action, AuditRepo
from storage.works.repo import Work, WorksRepo

logger = logging.getLogger(__name__)

COMMAND = "congtrinh"
REGISTER = "works_register"
PROGRESS = "works_progress"
PAGE = 8
RECENT_UPDATES = 3
MAX_YEARS_AHEAD = 10

# Plan field keys (programmes.works.required_fields) and the form field that holds each.
PLAN_FIELDS = {
    "khoi-luong": "volume",
    "dia-diem-thi-cong": "location",
    "du-kien-gia-tri": "value_vnd",
    "nguon-kinh-phi": "funding",
    "thoi-gian-hoan-thanh": "due",
}


class Steps(StrEnum):
    """What the person is doing in the works forms."""

    CHOOSING_UNIT = "choosing_unit"
    TYPING_NAME = "typing_work_name"
    TYPING_VOLUME = "typing_volume"
    TYPING_LOCATION = "typing_location"
    TYPING_VALUE = "typing_value"
    TYPING_FUNDING = "typing_funding"
    TYPING_DUE = "typing_due_date"
    TYPING_PROGRESS = "typing_progress"
    TYPING_NOTE = "typing_progress_note"
    SENDING_PHOTO = "sending_photo"


@dataclass(frozen=True, slots=True)
class Area:
    """A campaign with a works programme, and the units that owe works in it."""

    campaign: Campaign
    programme: WorksProgramme
    units: list[Unit]

    def owes(self, code: str) -> bool:
        """Tell whether a unit must register works in this campaign."""
        return any(u.code == code for u in self.units)


def _area(ctx: Context, campaign_id: str) -> Area | None:
    campaign = ctx.services.campaigns.get(campaign_id)
    if campaign is None or campaign.programmes.works is None:
        return None
    programme = campaign.programmes.works
    units = bound_units(ctx.services.units, campaign.unit, programme.register_by.date)
    return Area(campaign, programme, units)


def _has_works(campaign: Campaign) -> bool:
    return campaign.programmes.works is not None


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


def _deadline_text(ctx: Context, programme: WorksProgramme) -> str:
    key = "works.deadline_inclusive" if programme.register_by.inclusive else "works.deadline"
    return ctx.t(key, date=day_text(programme.register_by.date))


def _late(programme: WorksProgramme, day: date) -> bool:
    return is_late(day, programme.register_by.date, programme.register_by.inclusive)


def _work_line(ctx: Context, index: int, work: Work) -> str:
    marks = ""
    if work.completed_on is not None:
        marks += ctx.t("works.mark_done")
    if work.flagship:
        marks += ctx.t("works.mark_flagship")
    return ctx.t("works.line", index=index, name=work.name, progress=work.progress,
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
        return ctx.t("works.standing_overdue", missing=row.missing)
    return ctx.t("works.standing_short", missing=row.missing, days=days + 1,
                 last_day=day_text(last_day))


def _minimum_label(programme: WorksProgramme, unit: Unit) -> str:
    key = unit.type_code.replace("_", "-")
    for rule in programme.minimum_per_unit:
        if key in rule.unit_types:
            return rule.label
    fallback = [r.label for r in programme.minimum_per_unit if "*" in r.unit_types]
    return fallback[0] if fallback else unit.type_name


# --------------------------------------------------------------------------- command


async def works_command(ctx: Context) -> list[Reply]:
    """/congtrinh: the works of my unit, or the campaigns to choose from."""
    if ctx.person.role == "liaison" and not own_unit(ctx):
        return [ctx.main_menu(ctx.t("works.no_unit"))]
    campaigns = campaigns_for(ctx, _has_works)
    if not campaigns:
        return [ctx.main_menu(ctx.t("works.no_campaign"))]
    if len(campaigns) == 1:
        return await home(ctx, campaigns[0].id)
    return [Reply(ctx.t("works.choose_campaign"),
                  [[Choice(c.short_name, f"w:c:{c.id}")] for c in campaigns])]


async def home(ctx: Context, campaign_id: str, prefix: str | None = None) -> list[Reply]:
    """Show my unit's works and, for wider scopes, how every unit stands."""
    area = _area(ctx, campaign_id)
    if area is None:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    programme, campaign = area.programme, area.campaign
    repo = WorksRepo(ctx.session)
    parts = [ctx.t("works.home_title", campaign=campaign.short_name,
                   deadline=_deadline_text(ctx, programme), send_to=programme.send_to)]
    rows: list[list[Choice]] = []
    own = own_unit(ctx)
    if ctx.person.role == "liaison" and own and area.owes(own):
        unit = next(u for u in area.units if u.code == own)
        works = await repo.of_units(campaign.id, [own])
        on_time = sum(1 for w in works if not _late(programme, w.registered_on))
        parts.append(ctx.t("works.own_unit", unit=unit.full_name,
                           minimum=minimum_for_unit(programme, unit),
                           kind=_minimum_label(programme, unit), count=len(works),
                           on_time=on_time))
        standing = works_compliance([unit], programme,
                                    {own: [w.registered_on for w in works]})[0]
        parts[-1] += "\n" + _standing_text(ctx, programme, standing)
        if works:
            parts.append("\n".join(_work_line(ctx, i, w) for i, w in enumerate(works, 1)))
        else:
            parts.append(ctx.t("works.none_yet"))
        rows.append([Choice(ctx.t("works.register_new"), f"w:n:{campaign.id}")])
        rows += [[Choice(ctx.t("works.open", name=short_label(w.name)), f"w:v:{w.id}")]
                 for w in works]
    visible = view_filter(ctx)
    scope = [u for u in area.units if visible(u.code)]
    if ctx.person.role == "admin" or len(scope) > 1 or (scope and scope[0].code != own):
        rows_c = works_compliance(scope, programme, await repo.registration_days(campaign.id))
        lists = by_status(rows_c)
        total = sum(r.registered for r in rows_c)
        flagships = await repo.flagships(campaign.id)
        parts.append(ctx.t("works.overview", units=len(scope), works=total,
                           complete=len(lists[Status.COMPLETE]), late=len(lists[Status.LATE]),
                           short=len(lists[Status.SHORT]), flagships=len(flagships),
                           flagship_target=programme.flagship.value))
        rows.append([Choice(ctx.t("works.list_short", count=len(lists[Status.SHORT])),
                            f"w:l:{campaign.id}:s")])
        rows.append([Choice(ctx.t("works.list_late", count=len(lists[Status.LATE])),
                            f"w:l:{campaign.id}:l")])
        rows.append([Choice(ctx.t("works.list_complete", count=len(lists[Status.COMPLETE])),
                            f"w:l:{campaign.id}:c")])
        rows.append([Choice(ctx.t("works.list_all"), f"w:a:{campaign.id}:0")])
        rows.append([Choice(ctx.t("works.flagship_list"), f"w:fl:{campaign.id}")])
        if ctx.person.role == "admin":
            rows.append([Choice(ctx.t("works.register_for_unit"), f"w:n:{campaign.id}")])
        rows.append([Choice(ctx.t("works.export"), f"w:x:{campaign.id}")])
    text = "\n\n".join(parts)
    return [Reply(f"{prefix}\n\n{text}" if prefix else text, rows)]


# --------------------------------------------------------------------------- one work


async def show_work(ctx: Context, work: Work, prefix: str | None = None) -> list[Reply]:
    """Show a work with what this person may do with it."""
    area = _area(ctx, work.campaign_id)
    if area is None:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    repo = WorksRepo(ctx.session)
    updates = await repo.updates(work.id, RECENT_UPDATES)
    history = "\n".join(
        ctx.t("works.update_line", date=day_text(u.created_at.astimezone(ctx.clock.tz)),
              progress=u.progress, note=f" — {u.note}" if u.note else "",
              photo=ctx.t("works.has_photo") if u.photo_channel else "")
        for u in updates) or ctx.t("works.no_updates")
    late = ctx.t("works.late_mark") if _late(area.programme, work.registered_on) else ""
    done = (ctx.t("works.done_on", date=day_text(work.completed_on))
            if work.completed_on else "")
    text = ctx.t("works.detail", name=work.name, unit=unit_name(ctx, work.unit_code),
                 **_field_texts(ctx, work), registered=day_text(work.registered_on),
                 late=late, progress=work.progress, done=done,
                 flagship=ctx.t("works.is_flagship") if work.flagship else "",
                 history=history)
    rows: list[list[Choice]] = []
    if can_manage_unit(ctx, work.unit_code):
        rows.append([Choice(ctx.t("works.progress"), f"w:p:{work.id}")])
        rows.append([Choice(ctx.t("works.edit"), f"w:e:{work.id}")])
        if work.completed_on is None:
            rows.append([Choice(ctx.t("works.complete"), f"w:d:{work.id}")])
    if any(u.photo_channel for u in updates):
        rows.append([Choice(ctx.t("works.photos"), f"w:ph:{work.id}")])
    if ctx.person.role == "admin":
        key = "works.flagship_off" if work.flagship else "works.flagship_on"
        rows.append([Choice(ctx.t(key), f"w:f:{work.id}")])
    if can_manage_unit(ctx, work.unit_code):
        rows.append([Choice(ctx.t("works.withdraw"), f"w:r:{work.id}")])
    rows.append([Choice(ctx.t("works.back"), f"w:c:{work.campaign_id}")])
    return [Reply(f"{prefix}\n\n{text}" if prefix else text, rows)]


def _field_texts(ctx: Context, work: Work) -> dict[str, str]:
    return {"volume": work.volume, "location": work.location,
            "value": format_vnd(work.value_vnd), "funding": work.funding,
            "due": due_text(ctx, work.due_on, work.due_precision)}


async def _work_for(ctx: Context, raw_id: str, *, manage: bool
                    ) -> tuple[Work | None, list[Reply] | None]:
    """Load a work named in a payload and check the person may see (or manage) it."""
    work_id = as_id(raw_id)
    work = await WorksRepo(ctx.session).get(work_id) if work_id is not None else None
    if work is None or work.withdrawn_at is not None:
        return None, [ctx.main_menu(ctx.t("works.not_found"))]
    allowed = can_manage_unit if manage else can_view_unit
    if not allowed(ctx, work.unit_code):
        logger.info("works: refused %s on work %s for role %s",
                    "change" if manage else "view", work.id, ctx.person.role)
        return None, [Reply(ctx.t("works.not_yours", unit=unit_name(ctx, work.unit_code)))]
    return work, None


# --------------------------------------------------------------------------- registration form


def _parse_name(_ctx: Context, text: str) -> str:
    name = " ".join(text.split())
    if len(name) < 3:
        raise Invalid("works.bad_name")
    return name


def _parse_free(_ctx: Context, text: str) -> str:
    return " ".join(text.split())


def _parse_value(ctx: Context, text: str) -> int:
    try:
        return parse_vnd(text)
    except AmountError as exc:
        choices = [Choice(ctx.t("works.amount_means", amount=format_vnd_short(a)), f"f:{a}")
                   for a in exc.suggestions]
        raise Invalid(f"works.amount.{exc.problem.value}", choices=choices,
                      text=text[:40]) from None


def _pick_value(_ctx: Context, value: str) -> int:
    amount = as_id(value)
    if amount is None or amount == 0:
        raise Invalid("works.amount.not_a_number", text=value[:20])
    return amount


def _parse_due(ctx: Context, text: str) -> dict[str, str]:
    try:
        typed = parse_typed_date(text)
    except DateError as exc:
        raise Invalid(f"works.date.{exc.problem.value}", text=text[:40]) from None
    today = ctx.clock.today()
    if typed.day < today:
        raise Invalid("works.due_past", today=day_text(today))
    if typed.day.year > today.year + MAX_YEARS_AHEAD:
        raise Invalid("works.due_far", year=typed.day.year)
    return {"day": typed.day.isoformat(), "precision": typed.precision.value}


def _typed(data: dict[str, Any]) -> TypedDate:
    due = data["due"]
    return TypedDate(date.fromisoformat(due["day"]), Precision(due["precision"]))


def _unit_candidates(ctx: Context, data: dict[str, Any]) -> list[Unit]:
    area = _area(ctx, data.get("_campaign", ""))
    return [u for u in area.units if can_manage_unit(ctx, u.code)] if area else []


def _parse_unit(ctx: Context, text: str) -> str:
    data = ctx.state.data
    hits = search_units(ctx, text, _unit_candidates(ctx, data))
    raise unit_invalid(ctx, data, text, hits)


def _pick_unit(ctx: Context, value: str) -> str:
    allowed = {u.code for u in _unit_candidates(ctx, ctx.state.data)}
    return pick_unit(ctx, value, allowed.__contains__)


def _needs_unit(data: dict[str, Any]) -> bool:
    return "_unit" not in data


def _summary(ctx: Context, data: dict[str, Any]) -> str:
    typed = _typed(data)
    return ctx.t("works.summary", unit=unit_name(ctx, data.get("_unit") or data["unit"]),
                 name=data["name"], volume=data["volume"], location=data["location"],
                 value=format_vnd(data["value_vnd"]), funding=data["funding"],
                 due=due_text(ctx, typed.day, typed.precision))


REGISTER_STEPS = (
    Step(Steps.CHOOSING_UNIT, "unit", "works.ask_unit", parse=_parse_unit, pick=_pick_unit,
         max_length=200, when=_needs_unit),
    Step(Steps.TYPING_NAME, "name", "works.ask_name", parse=_parse_name,
         invalid="works.bad_name", max_length=300, label="works.field.name"),
    Step(Steps.TYPING_VOLUME, "volume", "works.ask_volume", parse=_parse_free, max_length=500,
         label="works.field.volume"),
    Step(Steps.TYPING_LOCATION, "location", "works.ask_location", parse=_parse_free,
         max_length=300, label="works.field.location"),
    Step(Steps.TYPING_VALUE, "value_vnd", "works.ask_value", parse=_parse_value,
         pick=_pick_value, max_length=60, label="works.field.value"),
    Step(Steps.TYPING_FUNDING, "funding", "works.ask_funding", parse=_parse_free,
         max_length=300, label="works.field.funding"),
    Step(Steps.TYPING_DUE, "due", "works.ask_due", parse=_parse_due, max_length=60,
         label="works.field.due"),
)


async def _finish_register(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    area = _area(ctx, data.get("_campaign", ""))
    unit_code = data.get("_unit") or data.get("unit") or ""
    if area is None or not area.owes(unit_code) or not can_manage_unit(ctx, unit_code):
        return [Reply(ctx.t("works.not_yours", unit=unit_name(ctx, unit_code)))]
    typed = _typed(data)
    fields = {"name": data["name"], "volume": data["volume"], "location": data["location"],
              "value_vnd": int(data["value_vnd"]), "funding": data["funding"],
              "due_on": typed.day, "due_precision": typed.precision.value}
    repo = WorksRepo(ctx.session)
    now, today = ctx.clock.now(), ctx.clock.today()
    work_id = data.get("_work_id")
    if isinstance(work_id, int):
        existing = await repo.get(work_id)
        if existing is None or existing.withdrawn_at is not None:
            return [ctx.main_menu(ctx.t("works.not_found"))]
        if not can_manage_unit(ctx, existing.unit_code):
            return [Reply(ctx.t("works.not_yours", unit=unit_name(ctx, existing.unit_code)))]
        work = await repo.edit(work_id, fields, now)
        return await show_work(ctx, work, ctx.t("works.edited"))
    work = await repo.add(area.campaign.id, unit_code, fields, today, ctx.person.id, now)
    count = len(await repo.of_units(area.campaign.id, [unit_code]))
    unit = next(u for u in area.units if u.code == unit_code)
    text = ctx.t("works.registered", name=work.name, unit=unit.full_name, count=count,
                 minimum=minimum_for_unit(area.programme, unit))
    if _late(area.programme, today):
        text += "\n" + ctx.t("works.registered_late", deadline=_deadline_text(ctx, area.programme))
    return await show_work(ctx, work, text)


def register_form() -> Form:
    """Return the form that registers (or edits) a work."""
    return Form(REGISTER, "works.title_register", REGISTER_STEPS, _finish_register,
                summary=_summary,
                editable=(Steps.TYPING_NAME, Steps.TYPING_VOLUME, Steps.TYPING_LOCATION,
                          Steps.TYPING_VALUE, Steps.TYPING_FUNDING, Steps.TYPING_DUE))


async def _start_register(ctx: Context, campaign_id: str) -> list[Reply]:
    area = _area(ctx, campaign_id)
    if area is None:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    waiting = await ready_to_write(ctx, COMMAND, f"w:n:{campaign_id}")
    if waiting is not None:
        return waiting
    data: dict[str, Any] = {"_campaign": campaign_id}
    if ctx.person.role != "admin":
        own = own_unit(ctx) or ""
        if not area.owes(own):
            return [Reply(ctx.t("works.unit_not_bound", unit=unit_name(ctx, own),
                                campaign=area.campaign.short_name))]
        data["_unit"] = own
    replies = await ctx.forms.start(ctx, REGISTER, data)
    intro = ctx.t("works.register_intro", passage=area.programme.required_fields_passage.text)
    return [Reply(intro), *replies]


async def _start_edit(ctx: Context, work: Work) -> list[Reply]:
    waiting = await ready_to_write(ctx, COMMAND, f"w:e:{work.id}")
    if waiting is not None:
        return waiting
    ctx.state.flow = REGISTER
    ctx.state.step = CONFIRM_STEP
    ctx.state.data = {"_campaign": work.campaign_id, "_unit": work.unit_code,
                      "_work_id": work.id, "name": work.name, "volume": work.volume,
                      "location": work.location, "value_vnd": work.value_vnd,
                      "funding": work.funding,
                      "due": {"day": work.due_on.isoformat(), "precision": work.due_precision}}
    return await ctx.forms.handle(ctx, EDIT)


# --------------------------------------------------------------------------- progress form


def _progress_prompt(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.t("works.ask_progress", name=data["_name"], current=data["_current"])


def _parse_progress(_ctx: Context, text: str) -> int:
    try:
        return parse_percent(text)
    except ValueError:
        raise Invalid("works.bad_progress") from None


def _parse_photo(ctx: Context, _text: str) -> dict[str, str | None]:
    attachments = ctx.msg.attachments
    if not attachments:
        raise Invalid("works.photo_need")
    photo = attachments[0]
    if photo.kind is not AttachmentKind.PHOTO:
        raise Invalid("works.photo_wrong_kind")
    limit = ctx.services.settings.max_photo_bytes
    if photo.size is not None and photo.size > limit:
        raise Invalid("works.photo_too_large", size=megabytes(photo.size),
                      limit=megabytes(limit))
    caption = " ".join((photo.caption or ctx.text).split())[:500] or None
    # The reference is the channel's own (a Telegram file id, a Zalo URL); the console has none.
    return {"ref": photo.url, "channel": ctx.msg.channel, "caption": caption}



PROGRESS_STEPS = (
    Step(Steps.TYPING_PROGRESS, "progress", _progress_prompt, parse=_parse_progress,
         invalid="works.bad_progress", max_length=20),
    Step(Steps.TYPING_NOTE, "note", "works.ask_note", parse=_parse_free, skip=True,
         max_length=500),
    Step(Steps.SENDING_PHOTO, "photo", "works.ask_photo", parse=_parse_photo, skip=True,
         invalid="works.photo_need", attachments=True),
)


async def _finish_progress(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    work, refused = await _work_for(ctx, str(data.get("_work_id", "")), manage=True)
    if work is None:
        return refused or []
    photo = data.get("photo") or {}
    note = data.get("note") or photo.get("caption")
    repo = WorksRepo(ctx.session)
    work = await repo.report(work.id, int(data["progress"]), note,
                             photo.get("ref"), photo.get("channel"), ctx.person.id,
                             ctx.clock.today(), ctx.clock.now())
    key = "works.progress_done" if work.completed_on else "works.progress_saved"
    return await show_work(ctx, work, ctx.t(key, progress=work.progress))


def progress_form() -> Form:
    """Return the progress report form (percentage, optional note and photo)."""
    return Form(PROGRESS, "works.title_progress", PROGRESS_STEPS, _finish_progress)


# --------------------------------------------------------------------------- lists


def _compliance_line(ctx: Context, row: WorksCompliance) -> str:
    late = row.registered - row.on_time
    return ctx.t("works.unit_line", unit=row.unit.full_name, count=row.registered,
                 minimum=row.required,
                 late=ctx.t("works.unit_late", count=late) if late else "")


async def _list(ctx: Context, campaign_id: str, which: str) -> list[Reply]:
    area = _area(ctx, campaign_id)
    status = {"s": Status.SHORT, "l": Status.LATE, "c": Status.COMPLETE}.get(which)
    if area is None or status is None:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    visible = view_filter(ctx)
    scope = [u for u in area.units if visible(u.code)]
    days = await WorksRepo(ctx.session).registration_days(campaign_id)
    rows = by_status(works_compliance(scope, area.programme, days))[status]
    title = ctx.t(f"works.title_{status.value}", count=len(rows),
                  deadline=_deadline_text(ctx, area.programme))
    body = capped_lines(ctx, [_compliance_line(ctx, r) for r in rows]) or ctx.t("works.empty")
    back = [[Choice(ctx.t("works.back"), f"w:c:{campaign_id}")]]
    return [Reply(f"{title}\n{body}", back)]


async def _all_works(ctx: Context, campaign_id: str, page_text: str) -> list[Reply]:
    area = _area(ctx, campaign_id)
    page = as_id(page_text) or 0
    if area is None:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    visible = view_filter(ctx)
    works = [w for w in await WorksRepo(ctx.session).of_campaign(campaign_id)
             if visible(w.unit_code)]
    pages = max(1, -(-len(works) // PAGE))
    page = min(page, pages - 1)
    chunk = works[page * PAGE:(page + 1) * PAGE]
    lines = [ctx.t("works.all_line", index=page * PAGE + i, unit=unit_name(ctx, w.unit_code),
                   name=w.name, value=format_vnd(w.value_vnd), progress=w.progress)
             for i, w in enumerate(chunk, 1)]
    text = ctx.t("works.all_title", count=len(works), page=page + 1, pages=pages)
    text += "\n" + ("\n".join(lines) or ctx.t("works.empty"))
    rows = [[Choice(ctx.t("works.open", name=short_label(w.name)), f"w:v:{w.id}")]
            for w in chunk]
    if page + 1 < pages:
        rows.append([Choice(ctx.t("works.next_page"), f"w:a:{campaign_id}:{page + 1}")])
    if page > 0:
        rows.append([Choice(ctx.t("works.prev_page"), f"w:a:{campaign_id}:{page - 1}")])
    rows.append([Choice(ctx.t("works.back"), f"w:c:{campaign_id}")])
    return [Reply(text, rows)]


async def _flagship_list(ctx: Context, campaign_id: str) -> list[Reply]:
    area = _area(ctx, campaign_id)
    if area is None:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    works = await WorksRepo(ctx.session).flagships(campaign_id)
    lines = [ctx.t("works.flagship_line", unit=unit_name(ctx, w.unit_code), name=w.name)
             for w in works]
    text = ctx.t("works.flagship_title", count=len(works), target=area.programme.flagship.value,
                 passage=area.programme.flagship.text,
                 due=day_text(area.programme.flagship_due.date))
    text += "\n" + ("\n".join(lines) or ctx.t("works.flagship_none"))
    rows = [[Choice(ctx.t("works.open", name=short_label(w.name)), f"w:v:{w.id}")]
            for w in works]
    rows.append([Choice(ctx.t("works.back"), f"w:c:{campaign_id}")])
    return [Reply(text, rows)]


async def _toggle_flagship(ctx: Context, work: Work) -> list[Reply]:
    if ctx.person.role != "admin":
        return [Reply(ctx.t("works.flagship_admin_only"))]
    area = _area(ctx, work.campaign_id)
    if area is None:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    repo = WorksRepo(ctx.session)
    now = ctx.clock.now()
    if work.flagship:
        await repo.set_flagship(work.id, False, now)
        message = ctx.t("works.flagship_removed", name=work.name)
    else:
        chosen = await repo.flagships(work.campaign_id)
        target = area.programme.flagship.number
        if len(chosen) >= target:
            names = "; ".join(w.name for w in chosen)
            return await show_work(ctx, work, ctx.t("works.flagship_full",
                                                    target=area.programme.flagship.value,
                                                    names=names))
        await repo.set_flagship(work.id, True, now)
        message = ctx.t("works.flagship_added", name=work.name, count=len(chosen) + 1,
                        target=area.programme.flagship.value)
    refreshed = await repo.get(work.id)
    assert refreshed is not None
    return await show_work(ctx, refreshed, message)


# --------------------------------------------------------------------------- export


async def _export(ctx: Context, campaign_id: str) -> list[Reply]:
    area = _area(ctx, campaign_id)
    if area is None:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    if ctx.msg.channel not in FILE_CHANNELS:
        return [Reply(ctx.t("works.export_no_files", campaign=campaign_id))]
    today = ctx.clock.today()
    data, count = await export_works(ctx.session, ctx.services.messages, ctx.services.units,
                                     area.campaign, view_filter(ctx))
    # The list names who registered each work: exporting it is audited like a personal export.
    await AuditRepo(ctx.session).append(Action.PRIVACY_EXPORT, ctx.clock.now(),
                                        actor_id=ctx.person.id, target_type="works",
                                        target_id=area.campaign.id, after={"rows": count})
    filename = works_filename(area.campaign, today)
    document = Attachment(AttachmentKind.DOCUMENT, data=data, filename=filename,
                          size=len(data))
    return [Reply(ctx.t("works.export_ready", filename=filename, count=count),
                  attachments=[document])]


async def _show_photos(ctx: Context, work: Work) -> list[Reply]:
    updates = [u for u in await WorksRepo(ctx.session).updates(work.id) if u.photo_ref]
    sendable = [u for u in updates if u.photo_channel == ctx.msg.channel
                or (u.photo_ref or "").startswith(("https://", "http://"))][:RECENT_UPDATES]
    if not sendable:
        return [Reply(ctx.t("works.photos_elsewhere"),
                      [[Choice(ctx.t("works.back"), f"w:v:{work.id}")]])]
    photos = [Attachment(AttachmentKind.PHOTO, url=u.photo_ref,
                         caption=ctx.t("works.photo_caption", name=work.name,
                                       progress=u.progress,
                                       date=day_text(u.created_at.astimezone(ctx.clock.tz))))
              for u in sendable]
    return [Reply(ctx.t("works.photos_title", name=work.name, count=len(photos)),
                  [[Choice(ctx.t("works.back"), f"w:v:{work.id}")]], attachments=photos)]


# --------------------------------------------------------------------------- choices


async def works_choice(ctx: Context, payload: str) -> list[Reply]:
    """Handle every `w:` choice; ids in payloads are checked against the person's scope."""
    if ctx.person.role not in ("liaison", "admin"):
        return [ctx.main_menu(ctx.t("error.not_allowed", command=f"/{COMMAND}"))]
    action, first, second, _ = parse_payload(payload)
    campaign_actions = {"c", "n", "l", "a", "fl", "x"}
    if action in campaign_actions:
        if first not in {c.id for c in campaigns_for(ctx, _has_works)}:
            return [ctx.main_menu(ctx.t("error.stale_choice"))]
        if action == "c":
            return await home(ctx, first)
        if action == "n":
            return await _start_register(ctx, first)
        if action == "l":
            return await _list(ctx, first, second)
        if action == "a":
            return await _all_works(ctx, first, second)
        if action == "fl":
            return await _flagship_list(ctx, first)
        return await _export(ctx, first)
    manage = action in {"p", "e", "d", "dy", "r", "ry"}
    if action not in {"v", "ph", "f"} and not manage:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    work, refused = await _work_for(ctx, first, manage=manage)
    if work is None:
        return refused or []
    return await _work_action(ctx, action, work)


async def _work_action(ctx: Context, action: str, work: Work) -> list[Reply]:
    repo = WorksRepo(ctx.session)
    if action == "v":
        return await show_work(ctx, work)
    if action == "ph":
        return await _show_photos(ctx, work)
    if action == "f":
        return await _toggle_flagship(ctx, work)
    if action == "e":
        return await _start_edit(ctx, work)
    if action in ("p", "d", "dy", "r", "ry"):
        waiting = await ready_to_write(ctx, COMMAND, f"w:{action}:{work.id}")
        if waiting is not None:
            return waiting
    if action == "p":
        return await ctx.forms.start(ctx, PROGRESS, {"_work_id": work.id, "_name": work.name,
                                                     "_current": work.progress})
    if action == "d":
        return [Reply(ctx.t("works.complete_ask", name=work.name, today=day_text(
            ctx.clock.today())), [[Choice(ctx.t("works.complete_yes"), f"w:dy:{work.id}")],
                                  [Choice(ctx.t("works.not_now"), f"w:v:{work.id}")]])]
    if action == "dy":
        done = await repo.complete(work.id, ctx.clock.today(), ctx.person.id, ctx.clock.now())
        return await show_work(ctx, done, ctx.t("works.completed",
                                                date=day_text(ctx.clock.today())))
    if action == "r":
        return [Reply(ctx.t("works.withdraw_ask", name=work.name),
                      [[Choice(ctx.t("works.withdraw_yes"), f"w:ry:{work.id}")],
                       [Choice(ctx.t("works.not_now"), f"w:v:{work.id}")]])]
    await repo.withdraw(work.id, ctx.clock.now())
    return await home(ctx, work.campaign_id, ctx.t("works.withdrawn", name=work.name))
