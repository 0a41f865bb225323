"""/congtrinh forms: register (or edit) a work with the plan's fields; report progress."""

from __future__ import annotations

import logging
from datetime import date
from enum import StrEnum
from typing import Any

from bot.core.context import Context
from bot.core.forms import CONFIRM_STEP, EDIT, EDITING_SAVED, Form, Invalid, Step
from bot.core.render import megabytes
from bot.core.types import AttachmentKind, Choice, Reply
from content.units import Unit
from handlers.common.parsing import parse_money, parse_percent
from handlers.works.common import (
    as_id,
    date_examples,
    day_text,
    manages,
    pick_unit,
    search_units,
    stale,
    unit_invalid,
    unit_name,
)
from handlers.works.consent import ready_to_write, registration_data
from handlers.works.parsing import (
    AmountError,
    DateError,
    Precision,
    TypedDate,
    format_vnd,
    format_vnd_short,
    parse_typed_date,
)
from handlers.works.payloads import NO_WORK, EditWork, RegisterWork
from handlers.works.rules import minimum_for_unit
from handlers.works.works_views import (
    COMMAND,
    area_of,
    deadline_text,
    due_text,
    late,
    show_work,
)
from storage.works.repo import Work, WorksRepo

logger = logging.getLogger(__name__)

REGISTER = "works_register"
PROGRESS = "works_progress"
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


async def work_for(ctx: Context, work_id: int, *, manage: bool
                   ) -> tuple[Work | None, list[Reply] | None]:
    """Load a work named in a payload and check the person may see (or manage) it."""
    work = await WorksRepo(ctx.session).get(work_id) if work_id != NO_WORK else None
    if work is None or work.withdrawn_at is not None:
        return None, [ctx.main_menu(ctx.t("works.not_found"))]
    if not manages(ctx, work.unit_code):
        logger.info("works: refused %s on work %s", "change" if manage else "view", work.id)
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
        return parse_money(text)
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


def _due_prompt(ctx: Context, _data: dict[str, Any]) -> str:
    return ctx.t("works.ask_due", **date_examples(ctx.clock.today()))


def _parse_due(ctx: Context, text: str) -> dict[str, str]:
    try:
        typed = parse_typed_date(text, ctx.clock.today())
    except DateError as exc:
        raise Invalid(f"works.date.{exc.problem.value}", text=text[:40],
                      **date_examples(ctx.clock.today())) from None
    today = ctx.clock.today()
    if typed.day < today:
        raise Invalid("works.due_past", today=day_text(today), **date_examples(today))
    if typed.day.year > today.year + MAX_YEARS_AHEAD:
        raise Invalid("works.due_far", year=typed.day.year, **date_examples(today))
    return {"day": typed.day.isoformat(), "precision": typed.precision.value}


def _typed(data: dict[str, Any]) -> TypedDate:
    due = data["due"]
    return TypedDate(date.fromisoformat(due["day"]), Precision(due["precision"]))


def _unit_candidates(ctx: Context, data: dict[str, Any]) -> list[Unit]:
    area = area_of(ctx, data.get("_campaign", ""))
    return [u for u in area.units if manages(ctx, u.code)] if area else []


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
    Step(Steps.TYPING_DUE, "due", _due_prompt, parse=_parse_due, max_length=60,
         label="works.field.due"),
)


async def _finish_register(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    area = area_of(ctx, data.get("_campaign", ""))
    unit_code = data.get("_unit") or data.get("unit") or ""
    if area is None or not area.includes(unit_code) or not manages(ctx, unit_code):
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
        if not manages(ctx, existing.unit_code):
            return [Reply(ctx.t("works.not_yours", unit=unit_name(ctx, existing.unit_code)))]
        work = await repo.edit(work_id, fields, now)
        return await show_work(ctx, work, ctx.t("works.edited"))
    work = await repo.add(area.campaign.id, unit_code, fields, today, ctx.person.id, now)
    count = len(await repo.of_units(area.campaign.id, [unit_code]))
    unit = next(u for u in area.units if u.code == unit_code)
    text = ctx.t("works.registered", name=work.name, unit=unit.full_name, count=count,
                 minimum=minimum_for_unit(area.programme, unit))
    if late(area.programme, today):
        text += "\n" + ctx.t("works.registered_late", deadline=deadline_text(ctx, area.programme))
    return await show_work(ctx, work, text)


def register_form() -> Form:
    """Return the form that registers (or edits) a work."""
    return Form(REGISTER, "works.title_register", REGISTER_STEPS, _finish_register,
                summary=_summary,
                editable=(Steps.TYPING_NAME, Steps.TYPING_VOLUME, Steps.TYPING_LOCATION,
                          Steps.TYPING_VALUE, Steps.TYPING_FUNDING, Steps.TYPING_DUE))


async def start_register(ctx: Context, campaign_id: str) -> list[Reply]:
    """Open the registration form: for my unit, or (admins) for a unit to choose."""
    area = area_of(ctx, campaign_id)
    data = await registration_data(
        ctx, area, COMMAND, RegisterWork(campaign_id),
        lambda own, bound: Reply(ctx.t("works.unit_not_bound", unit=unit_name(ctx, own),
                                       campaign=bound.campaign.short_name)))
    if isinstance(data, list) or area is None:
        return data if isinstance(data, list) else [stale(ctx)]
    replies = await ctx.forms.start(ctx, REGISTER, data)
    intro = ctx.t("works.register_intro", passage=area.programme.required_fields_passage.text)
    return [Reply(intro), *replies]


async def start_edit(ctx: Context, work: Work) -> list[Reply]:
    """Open the registration form on a work's answers, at the confirmation step."""
    waiting = await ready_to_write(ctx, COMMAND, EditWork(work.id))
    if waiting is not None:
        return waiting
    ctx.state.flow = REGISTER
    ctx.state.step = CONFIRM_STEP
    ctx.state.data = {"_campaign": work.campaign_id, "_unit": work.unit_code,
                      EDITING_SAVED: True, "_work_id": work.id, "name": work.name,
                      "volume": work.volume,
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
    work_id = data.get("_work_id")
    work, refused = await work_for(ctx, work_id if isinstance(work_id, int) else NO_WORK,
                                   manage=True)
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


async def start_progress(ctx: Context, work: Work) -> list[Reply]:
    """Open the progress form on a work."""
    return await ctx.forms.start(ctx, PROGRESS, {"_work_id": work.id, "_name": work.name,
                                                 "_current": work.progress})
