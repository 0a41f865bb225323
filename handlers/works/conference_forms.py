"""/hoinghi form: a unit registers (or edits) its conference: form, date, delegates."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from bot.core.context import Context
from bot.core.forms import CONFIRM_STEP, EDIT, EDITING_SAVED, Form, Invalid, Step
from bot.core.types import Choice, Reply
from content.text import fold
from content.units import Unit
from handlers.works.common import (
    as_id,
    date_examples,
    day_text,
    manages,
    pick_unit,
    search_units,
    unit_invalid,
    unit_name,
)
from handlers.works.conference_views import (
    COMMAND,
    ConferenceArea,
    area_of,
    back_to,
    details,
    home,
)
from handlers.works.consent import ready_to_write, registration_data
from handlers.works.parsing import DateError, Precision, parse_count, parse_typed_date
from handlers.works.payloads import EditConference, RegisterConference
from handlers.works.rules import delegate_cap, unit_level
from storage.works.repo import Conference, ConferenceRepo

logger = logging.getLogger(__name__)

REGISTER = "conference_register"
MAX_DELEGATES = 10_000
MAX_YEARS_AHEAD = 2


class Steps(StrEnum):
    """What the person is doing in the conference form."""

    CHOOSING_UNIT = "choosing_unit"
    CHOOSING_FORM = "choosing_conference_form"
    TYPING_DATE = "typing_conference_date"
    TYPING_DELEGATES = "typing_delegates"
    TYPING_GRASSROOTS = "typing_grassroots_delegates"


def _form_area(ctx: Context, data: dict[str, Any]) -> ConferenceArea:
    area = area_of(ctx, data.get("_campaign", ""))
    if area is None:  # the campaign left the content while the form was open
        raise Invalid("conf.campaign_gone")
    return area


def _unit_of(data: dict[str, Any]) -> str:
    return str(data.get("_unit") or data.get("unit") or "")


def _candidates(ctx: Context, data: dict[str, Any]) -> list[Unit]:
    return [u for u in _form_area(ctx, data).units if manages(ctx, u.code)]


def _parse_unit(ctx: Context, text: str) -> str:
    data = ctx.state.data
    raise unit_invalid(ctx, data, text, search_units(ctx, text, _candidates(ctx, data)))


def _pick_unit(ctx: Context, value: str) -> str:
    allowed = {u.code for u in _candidates(ctx, ctx.state.data)}
    return pick_unit(ctx, value, allowed.__contains__)


def _forms(ctx: Context, data: dict[str, Any]) -> list[str]:
    return list(unit_level(_form_area(ctx, data), _unit_of(data)).forms)


def _form_prompt(ctx: Context, data: dict[str, Any]) -> str:
    level = unit_level(_form_area(ctx, data), _unit_of(data))
    return ctx.t("conf.ask_form", unit=unit_name(ctx, _unit_of(data)), level=level.label,
                 passage=level.forms_passage.text)


def _form_options(ctx: Context, data: dict[str, Any]) -> list[Choice]:
    return [Choice(name, f"f:{i}") for i, name in enumerate(_forms(ctx, data))]


def _parse_form(ctx: Context, text: str) -> str:
    forms = _forms(ctx, ctx.state.data)
    typed = " ".join(fold(text).split())
    found = [f for f in forms if typed and typed in fold(f)]
    if len(found) == 1:
        return found[0]
    raise Invalid("conf.bad_form")


def _pick_form(ctx: Context, value: str) -> str:
    forms = _forms(ctx, ctx.state.data)
    index = as_id(value)
    if index is None or index >= len(forms):
        raise Invalid("conf.bad_form")
    return forms[index]


def _date_prompt(ctx: Context, _data: dict[str, Any]) -> str:
    return ctx.t("conf.ask_date", **date_examples(ctx.clock.today()))


def _parse_date(ctx: Context, text: str) -> str:
    try:
        typed = parse_typed_date(text, ctx.clock.today())
    except DateError as exc:
        raise Invalid(f"works.date.{exc.problem.value}", text=text[:40],
                      **date_examples(ctx.clock.today())) from None
    if typed.precision is not Precision.DAY:
        raise Invalid("conf.need_day", last=day_text(typed.day))
    area = _form_area(ctx, ctx.state.data)
    start = area.campaign.period.start
    if start is not None and typed.day < start:
        raise Invalid("conf.before_campaign", start=day_text(start),
                      **date_examples(ctx.clock.today()))
    limit = ctx.clock.today() + timedelta(days=365 * MAX_YEARS_AHEAD)
    if typed.day > limit:
        raise Invalid("conf.too_far", date=day_text(typed.day),
                      **date_examples(ctx.clock.today()))
    return typed.day.isoformat()


def _parse_total(ctx: Context, text: str) -> int:
    try:
        total = parse_count(text)
    except ValueError:
        raise Invalid("conf.bad_count") from None
    area = _form_area(ctx, ctx.state.data)
    cap = delegate_cap(area.programme, unit_level(area, _unit_of(ctx.state.data)))
    limit = MAX_DELEGATES if cap is None else cap  # the plan's own limit, as the prompt says
    if not 1 <= total <= limit:
        raise Invalid("conf.bad_total", limit=limit)
    grassroots = ctx.state.data.get("grassroots")
    if isinstance(grassroots, int) and grassroots > total:
        raise Invalid("conf.total_below_grassroots", grassroots=grassroots)
    return total


def _grassroots_prompt(ctx: Context, data: dict[str, Any]) -> str:
    level = unit_level(_form_area(ctx, data), _unit_of(data))
    return ctx.t("conf.ask_grassroots", total=data["delegates"],
                 percent=level.grassroots_percent.value)


def _parse_grassroots(ctx: Context, text: str) -> int:
    try:
        count = parse_count(text)
    except ValueError:
        raise Invalid("conf.bad_count") from None
    total = int(ctx.state.data["delegates"])
    if count > total:
        raise Invalid("conf.grassroots_over_total", total=total)
    return count


def _delegates_prompt(ctx: Context, data: dict[str, Any]) -> str:
    area = _form_area(ctx, data)
    cap = delegate_cap(area.programme, unit_level(area, _unit_of(data)))
    cap_text = ctx.t("conf.cap_hint", cap=cap) if cap is not None else ""
    return ctx.t("conf.ask_delegates", cap=cap_text)


def _summary(ctx: Context, data: dict[str, Any]) -> str:
    area = _form_area(ctx, data)
    return details(ctx, area, _unit_of(data), data["form"], date.fromisoformat(data["held_on"]),
                   int(data["delegates"]), int(data["grassroots"]))


STEPS = (
    Step(Steps.CHOOSING_UNIT, "unit", "conf.ask_unit", parse=_parse_unit, pick=_pick_unit,
         max_length=200, when=lambda d: "_unit" not in d),
    Step(Steps.CHOOSING_FORM, "form", _form_prompt, parse=_parse_form, pick=_pick_form,
         options=_form_options, invalid="conf.bad_form", max_length=200,
         label="conf.field.form"),
    Step(Steps.TYPING_DATE, "held_on", _date_prompt, parse=_parse_date, max_length=60,
         label="conf.field.date"),
    Step(Steps.TYPING_DELEGATES, "delegates", _delegates_prompt, parse=_parse_total,
         invalid="conf.bad_count", max_length=40, label="conf.field.delegates"),
    Step(Steps.TYPING_GRASSROOTS, "grassroots", _grassroots_prompt, parse=_parse_grassroots,
         invalid="conf.bad_count", max_length=40, label="conf.field.grassroots"),
)


async def _finish(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    area = area_of(ctx, data.get("_campaign", ""))
    unit_code = _unit_of(data)
    if area is None or not area.includes(unit_code) or not manages(ctx, unit_code):
        logger.info("conferences: refused a save")
        return [Reply(ctx.t("conf.not_yours", unit=unit_name(ctx, unit_code)))]
    level = unit_level(area, unit_code)
    await ConferenceRepo(ctx.session).save(
        area.campaign.id, unit_code, level.level, data["form"],
        date.fromisoformat(data["held_on"]), int(data["delegates"]), int(data["grassroots"]),
        ctx.person.id, ctx.clock.now())
    done = ctx.t("conf.saved", unit=unit_name(ctx, unit_code))
    if ctx.access.is_admin:
        summary = _summary(ctx, data)
        return [Reply(f"{done}\n\n{summary}", back_to(ctx, area.campaign.id))]
    return await home(ctx, area.campaign.id, done)


def register_form() -> Form:
    """Return the conference registration form."""
    return Form(REGISTER, "conf.title", STEPS, _finish, summary=_summary,
                editable=(Steps.CHOOSING_FORM, Steps.TYPING_DATE, Steps.TYPING_DELEGATES,
                          Steps.TYPING_GRASSROOTS))


async def start_register(ctx: Context, campaign_id: str) -> list[Reply]:
    """Open the form for my unit (its registration if it has one), or for a unit to choose."""
    data = await registration_data(
        ctx, area_of(ctx, campaign_id), COMMAND, RegisterConference(campaign_id),
        lambda own, _area: Reply(ctx.t("conf.unit_not_holding", unit=unit_name(ctx, own))))
    if isinstance(data, list):
        return data
    if "_unit" in data:  # a unit holds one conference: its registration opens to edit
        existing = await ConferenceRepo(ctx.session).of_unit(campaign_id, data["_unit"])
        if existing is not None:
            return await start_edit(ctx, existing)
    return await ctx.forms.start(ctx, REGISTER, data)


async def start_edit(ctx: Context, conf: Conference) -> list[Reply]:
    """Open the form on a registered conference, at the confirmation step."""
    waiting = await ready_to_write(ctx, COMMAND, EditConference(conf.id))
    if waiting is not None:
        return waiting
    ctx.state.flow = REGISTER
    ctx.state.step = CONFIRM_STEP
    ctx.state.data = {"_campaign": conf.campaign_id, "_unit": conf.unit_code,
                      EDITING_SAVED: True, "form": conf.form,
                      "held_on": conf.held_on.isoformat(), "delegates": conf.delegates,
                      "grassroots": conf.grassroots}
    return await ctx.forms.handle(ctx, EDIT)
