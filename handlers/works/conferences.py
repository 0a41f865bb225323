"""/hoinghi: a unit registers its conference; delegate composition, deadlines, compliance."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from bot.core.context import Context
from bot.core.forms import CONFIRM_STEP, EDIT, Form, Invalid, Step
from bot.core.types import Attachment, AttachmentKind, Choice, Reply
from content.schema import Campaign, ConferenceLevel, ConferenceProgramme
from content.text import fold
from content.units import Unit
from handlers.works.common import (
    FILE_CHANNELS,
    as_id,
    campaigns_for,
    can_manage_unit,
    capped_lines,
    day_text,
    own_unit,
    parse_payload,
    pick_unit,
    ready_to_write,
    search_units,
    unit_invalid,
    unit_name,
    view_filter,
)
from handlers.works.export import conferences_filename, export_conferences
from handlers.works.parsing import DateError, Precision, parse_count, parse_typed_date
from handlers.works.rules import (
    Composition,
    ConferenceCompliance,
    ConferenceStatus,
    check_composition,
    conference_compliance,
    conference_due,
    delegate_cap,
    documents_due,
    level_for,
)
from storage.works.repo import Conference, ConferenceRepo

logger = logging.getLogger(__name__)

COMMAND = "hoinghi"
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


@dataclass(frozen=True, slots=True)
class Area:
    """A campaign with a conference programme and the units that hold a conference."""

    campaign: Campaign
    programme: ConferenceProgramme
    units: list[Unit]

    def holds(self, code: str) -> bool:
        """Tell whether a unit holds a conference in this campaign."""
        return any(u.code == code for u in self.units)

    def level(self, code: str) -> ConferenceLevel:
        """Return the conference level of a unit."""
        return level_for(self.programme, code, self.campaign.unit)


def _area(ctx: Context, campaign_id: str) -> Area | None:
    campaign = ctx.services.campaigns.get(campaign_id)
    if campaign is None or campaign.programmes.conference is None:
        return None
    programme = campaign.programmes.conference
    tree = ctx.services.units
    units = tree.communes(campaign.unit, programme.levels[0].due.date)
    own = tree.get(campaign.unit)
    if own is not None:
        units.append(own)
    return Area(campaign, programme, units)


def _has_conference(campaign: Campaign) -> bool:
    return campaign.programmes.conference is not None


# --------------------------------------------------------------------------- explanations


def _composition(area: Area, unit_code: str, total: int, grassroots: int) -> Composition:
    level = area.level(unit_code)
    return check_composition(total, grassroots, level.grassroots_percent.number,
                             delegate_cap(area.programme, level))


def composition_text(ctx: Context, check: Composition) -> str:
    """Explain a delegate list: fine, or what is missing, in numbers."""
    lines = []
    if check.grassroots_shortfall:
        lines.append(ctx.t("conf.shortfall", required=check.required_grassroots,
                           percent=check.percent, total=check.total,
                           grassroots=check.grassroots, missing=check.grassroots_shortfall))
        if check.grassroots and check.guests_to_drop:
            lines.append(ctx.t("conf.or_fewer_guests", grassroots=check.grassroots,
                               max_total=check.max_total_for_grassroots,
                               drop=check.guests_to_drop))
    if check.over_cap:
        lines.append(ctx.t("conf.over_cap", total=check.total, cap=check.cap,
                           extra=check.over_cap))
    if not lines:
        cap = ctx.t("conf.cap_part", cap=check.cap) if check.cap is not None else ""
        return ctx.t("conf.composition_ok", percent=check.percent, cap=cap)
    return "\n".join(lines)


def _due_text(ctx: Context, area: Area, unit_code: str) -> str:
    level = area.level(unit_code)
    pilot = area.programme.pilot
    if pilot is not None and pilot.unit == unit_code:
        return ctx.t("conf.due_pilot", date=day_text(pilot.due.date), passage=pilot.due.text)
    return ctx.t("conf.due", date=day_text(level.due.date), passage=level.duration.text)


def _details(ctx: Context, area: Area, unit_code: str, form: str, held_on: date, total: int,
             grassroots: int) -> str:
    programme = area.programme
    level = area.level(unit_code)
    check = _composition(area, unit_code, total, grassroots)
    days = programme.documents_days_before.number
    docs_due = documents_due(held_on, days)
    due = conference_due(programme, level, unit_code)
    parts = [ctx.t("conf.details", unit=unit_name(ctx, unit_code), level=level.label,
                   form=form, held_on=day_text(held_on), due_text=_due_text(ctx, area, unit_code),
                   total=total, grassroots=grassroots, share=f"{check.share:.0f}",
                   docs_due=day_text(docs_due), days=days,
                   documents=", ".join(programme.documents),
                   send_to=programme.documents_send_to)]
    if held_on > due:
        parts.append(ctx.t("conf.after_due", due=day_text(due)))
    today = ctx.clock.today()
    if docs_due < today <= held_on:
        parts.append(ctx.t("conf.docs_overdue", days=(today - docs_due).days))
    parts.append(composition_text(ctx, check))
    return "\n".join(parts)


# --------------------------------------------------------------------------- command


async def conference_command(ctx: Context) -> list[Reply]:
    """/hoinghi: my unit's conference, or the campaigns to choose from."""
    if ctx.person.role == "liaison" and not own_unit(ctx):
        return [ctx.main_menu(ctx.t("conf.no_unit"))]
    campaigns = campaigns_for(ctx, _has_conference)
    if not campaigns:
        return [ctx.main_menu(ctx.t("conf.no_campaign"))]
    if len(campaigns) == 1:
        return await home(ctx, campaigns[0].id)
    return [Reply(ctx.t("conf.choose_campaign"),
                  [[Choice(c.short_name, f"h:c:{c.id}")] for c in campaigns])]


def _standing(ctx: Context, area: Area, conferences: dict[str, Conference],
              units: list[Unit]) -> list[ConferenceCompliance]:
    registered = {code: (c.held_on, _composition(area, code, c.delegates, c.grassroots).ok)
                  for code, c in conferences.items()}
    return conference_compliance(units, area.programme, area.campaign.unit, registered)


async def home(ctx: Context, campaign_id: str, prefix: str | None = None) -> list[Reply]:
    """Show my unit's conference and, for wider scopes, which communes are behind."""
    area = _area(ctx, campaign_id)
    if area is None:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    repo = ConferenceRepo(ctx.session)
    parts = [ctx.t("conf.home_title", campaign=area.campaign.short_name)]
    rows: list[list[Choice]] = []
    own = own_unit(ctx)
    if ctx.person.role == "liaison" and own and area.holds(own):
        conf = await repo.of_unit(campaign_id, own)
        if conf is None:
            parts.append(ctx.t("conf.own_none", unit=unit_name(ctx, own),
                               level=area.level(own).label,
                               due_text=_due_text(ctx, area, own)))
            rows.append([Choice(ctx.t("conf.register"), f"h:n:{campaign_id}")])
        else:
            parts.append(_details(ctx, area, own, conf.form, conf.held_on, conf.delegates,
                                  conf.grassroots))
            rows.append([Choice(ctx.t("conf.edit"), f"h:e:{conf.id}")])
    visible = view_filter(ctx)
    communes = [u for u in area.units if u.code != area.campaign.unit and visible(u.code)]
    if ctx.person.role == "admin" or any(u.code != own for u in communes):
        conferences = {c.unit_code: c for c in await repo.of_campaign(campaign_id)}
        standing = _standing(ctx, area, conferences, communes)
        today = ctx.clock.today()
        missing = [s for s in standing if s.status is ConferenceStatus.MISSING]
        late = [s for s in standing if s.status is ConferenceStatus.LATE]
        on_time = [s for s in standing if s.status is ConferenceStatus.ON_TIME]
        weak = [s for s in standing if s.composition_ok is False]
        level = area.programme.levels[0]
        parts.append(ctx.t("conf.overview", level=level.label, units=len(standing),
                           registered=len(standing) - len(missing), missing=len(missing),
                           overdue=sum(1 for s in missing if s.overdue(today)),
                           late=len(late), weak=len(weak), due=day_text(level.due.date)))
        rows.append([Choice(ctx.t("conf.list_missing", count=len(missing)),
                            f"h:l:{campaign_id}:m")])
        rows.append([Choice(ctx.t("conf.list_late", count=len(late)), f"h:l:{campaign_id}:l")])
        rows.append([Choice(ctx.t("conf.list_on_time", count=len(on_time)),
                            f"h:l:{campaign_id}:o")])
        if ctx.person.role == "admin":
            rows.append([Choice(ctx.t("conf.register_for_unit"), f"h:n:{campaign_id}")])
        rows.append([Choice(ctx.t("conf.export"), f"h:x:{campaign_id}")])
    text = "\n\n".join(parts)
    return [Reply(f"{prefix}\n\n{text}" if prefix else text, rows)]


# --------------------------------------------------------------------------- form


def _form_area(ctx: Context, data: dict[str, Any]) -> Area:
    area = _area(ctx, data.get("_campaign", ""))
    if area is None:  # the campaign left the content while the form was open
        raise Invalid("conf.campaign_gone")
    return area


def _unit_of(data: dict[str, Any]) -> str:
    return str(data.get("_unit") or data.get("unit") or "")


def _candidates(ctx: Context, data: dict[str, Any]) -> list[Unit]:
    return [u for u in _form_area(ctx, data).units if can_manage_unit(ctx, u.code)]


def _parse_unit(ctx: Context, text: str) -> str:
    data = ctx.state.data
    raise unit_invalid(ctx, data, text, search_units(ctx, text, _candidates(ctx, data)))


def _pick_unit(ctx: Context, value: str) -> str:
    allowed = {u.code for u in _candidates(ctx, ctx.state.data)}
    return pick_unit(ctx, value, allowed.__contains__)


def _forms(ctx: Context, data: dict[str, Any]) -> list[str]:
    return list(_form_area(ctx, data).level(_unit_of(data)).forms)


def _form_prompt(ctx: Context, data: dict[str, Any]) -> str:
    area = _form_area(ctx, data)
    level = area.level(_unit_of(data))
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


def _parse_date(ctx: Context, text: str) -> str:
    try:
        typed = parse_typed_date(text)
    except DateError as exc:
        raise Invalid(f"works.date.{exc.problem.value}", text=text[:40]) from None
    if typed.precision is not Precision.DAY:
        raise Invalid("conf.need_day", last=day_text(typed.day))
    area = _form_area(ctx, ctx.state.data)
    start = area.campaign.period.start
    if start is not None and typed.day < start:
        raise Invalid("conf.before_campaign", start=day_text(start))
    limit = ctx.clock.today() + timedelta(days=365 * MAX_YEARS_AHEAD)
    if typed.day > limit:
        raise Invalid("conf.too_far", date=day_text(typed.day))
    return typed.day.isoformat()


def _parse_total(ctx: Context, text: str) -> int:
    try:
        total = parse_count(text)
    except ValueError:
        raise Invalid("conf.bad_count") from None
    if not 1 <= total <= MAX_DELEGATES:
        raise Invalid("conf.bad_total", limit=MAX_DELEGATES)
    grassroots = ctx.state.data.get("grassroots")
    if isinstance(grassroots, int) and grassroots > total:
        raise Invalid("conf.total_below_grassroots", grassroots=grassroots)
    return total


def _grassroots_prompt(ctx: Context, data: dict[str, Any]) -> str:
    level = _form_area(ctx, data).level(_unit_of(data))
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
    level = area.level(_unit_of(data))
    cap = delegate_cap(area.programme, level)
    cap_text = ctx.t("conf.cap_hint", cap=cap) if cap is not None else ""
    return ctx.t("conf.ask_delegates", cap=cap_text)


def _summary(ctx: Context, data: dict[str, Any]) -> str:
    area = _form_area(ctx, data)
    return _details(ctx, area, _unit_of(data), data["form"], date.fromisoformat(data["held_on"]),
                    int(data["delegates"]), int(data["grassroots"]))


STEPS = (
    Step(Steps.CHOOSING_UNIT, "unit", "conf.ask_unit", parse=_parse_unit, pick=_pick_unit,
         max_length=200, when=lambda d: "_unit" not in d),
    Step(Steps.CHOOSING_FORM, "form", _form_prompt, parse=_parse_form, pick=_pick_form,
         options=_form_options, invalid="conf.bad_form", max_length=200,
         label="conf.field.form"),
    Step(Steps.TYPING_DATE, "held_on", "conf.ask_date", parse=_parse_date, max_length=60,
         label="conf.field.date"),
    Step(Steps.TYPING_DELEGATES, "delegates", _delegates_prompt, parse=_parse_total,
         invalid="conf.bad_count", max_length=40, label="conf.field.delegates"),
    Step(Steps.TYPING_GRASSROOTS, "grassroots", _grassroots_prompt, parse=_parse_grassroots,
         invalid="conf.bad_count", max_length=40, label="conf.field.grassroots"),
)


async def _finish(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    area = _area(ctx, data.get("_campaign", ""))
    unit_code = _unit_of(data)
    if area is None or not area.holds(unit_code) or not can_manage_unit(ctx, unit_code):
        logger.info("conferences: refused a save for role %s", ctx.person.role)
        return [Reply(ctx.t("conf.not_yours", unit=unit_name(ctx, unit_code)))]
    level = area.level(unit_code)
    await ConferenceRepo(ctx.session).save(
        area.campaign.id, unit_code, level.level, data["form"],
        date.fromisoformat(data["held_on"]), int(data["delegates"]), int(data["grassroots"]),
        ctx.person.id, ctx.clock.now())
    done = ctx.t("conf.saved", unit=unit_name(ctx, unit_code))
    if ctx.person.role == "admin":
        summary = _summary(ctx, data)
        return [Reply(f"{done}\n\n{summary}",
                      [[Choice(ctx.t("works.back"), f"h:c:{area.campaign.id}")]])]
    return await home(ctx, area.campaign.id, done)


def register_form() -> Form:
    """Return the conference registration form."""
    return Form(REGISTER, "conf.title", STEPS, _finish, summary=_summary,
                editable=(Steps.CHOOSING_FORM, Steps.TYPING_DATE, Steps.TYPING_DELEGATES,
                          Steps.TYPING_GRASSROOTS))


async def _start(ctx: Context, campaign_id: str) -> list[Reply]:
    area = _area(ctx, campaign_id)
    if area is None:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    waiting = await ready_to_write(ctx, COMMAND, f"h:n:{campaign_id}")
    if waiting is not None:
        return waiting
    data: dict[str, Any] = {"_campaign": campaign_id}
    if ctx.person.role != "admin":
        own = own_unit(ctx) or ""
        if not area.holds(own):
            return [Reply(ctx.t("conf.unit_not_holding", unit=unit_name(ctx, own)))]
        existing = await ConferenceRepo(ctx.session).of_unit(campaign_id, own)
        if existing is not None:
            return await _start_edit(ctx, existing)
        data["_unit"] = own
    return await ctx.forms.start(ctx, REGISTER, data)


async def _start_edit(ctx: Context, conf: Conference) -> list[Reply]:
    waiting = await ready_to_write(ctx, COMMAND, f"h:e:{conf.id}")
    if waiting is not None:
        return waiting
    ctx.state.flow = REGISTER
    ctx.state.step = CONFIRM_STEP
    ctx.state.data = {"_campaign": conf.campaign_id, "_unit": conf.unit_code, "form": conf.form,
                      "held_on": conf.held_on.isoformat(), "delegates": conf.delegates,
                      "grassroots": conf.grassroots}
    return await ctx.forms.handle(ctx, EDIT)


# --------------------------------------------------------------------------- lists


def _line(ctx: Context, row: ConferenceCompliance, conf: Conference | None, today: date
          ) -> str:
    if conf is None:
        key = "conf.line_overdue" if row.overdue(today) else "conf.line_missing"
        return ctx.t(key, unit=row.unit.full_name, due=day_text(row.due))
    weak = ctx.t("conf.weak_mark") if row.composition_ok is False else ""
    return ctx.t("conf.line", unit=row.unit.full_name, held_on=day_text(conf.held_on),
                 due=day_text(row.due), delegates=conf.delegates, weak=weak)


async def _list(ctx: Context, campaign_id: str, which: str) -> list[Reply]:
    area = _area(ctx, campaign_id)
    status = {"m": ConferenceStatus.MISSING, "l": ConferenceStatus.LATE,
              "o": ConferenceStatus.ON_TIME}.get(which)
    if area is None or status is None:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    visible = view_filter(ctx)
    communes = [u for u in area.units if u.code != area.campaign.unit and visible(u.code)]
    conferences = {c.unit_code: c for c in await ConferenceRepo(ctx.session)
                   .of_campaign(campaign_id)}
    rows = [r for r in _standing(ctx, area, conferences, communes) if r.status is status]
    today = ctx.clock.today()
    title = ctx.t(f"conf.title_{status.value}", count=len(rows),
                  due=day_text(area.programme.levels[0].due.date))
    body = capped_lines(ctx, [_line(ctx, r, conferences.get(r.unit.code), today)
                              for r in rows]) or ctx.t("works.empty")
    return [Reply(f"{title}\n{body}", [[Choice(ctx.t("works.back"), f"h:c:{campaign_id}")]])]


async def _export(ctx: Context, campaign_id: str) -> list[Reply]:
    area = _area(ctx, campaign_id)
    if area is None:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    if ctx.msg.channel not in FILE_CHANNELS:
        return [Reply(ctx.t("conf.export_no_files", campaign=campaign_id))]
    data, count = await export_conferences(ctx.session, ctx.services.messages,
                                           ctx.services.units, area.campaign, view_filter(ctx))
    filename = conferences_filename(area.campaign, ctx.clock.today())
    document = Attachment(AttachmentKind.DOCUMENT, data=data, filename=filename, size=len(data))
    return [Reply(ctx.t("conf.export_ready", filename=filename, count=count),
                  attachments=[document])]


# --------------------------------------------------------------------------- choices


async def conference_choice(ctx: Context, payload: str) -> list[Reply]:
    """Handle every `h:` choice; ids in payloads are checked against the person's scope."""
    if ctx.person.role not in ("liaison", "admin"):
        return [ctx.main_menu(ctx.t("error.not_allowed", command=f"/{COMMAND}"))]
    action, first, second, _ = parse_payload(payload)
    if action == "e":
        conf_id = as_id(first)
        conf = await ConferenceRepo(ctx.session).get(conf_id) if conf_id is not None else None
        if conf is None:
            return [ctx.main_menu(ctx.t("error.stale_choice"))]
        if not can_manage_unit(ctx, conf.unit_code):
            logger.info("conferences: refused an edit for role %s", ctx.person.role)
            return [Reply(ctx.t("conf.not_yours", unit=unit_name(ctx, conf.unit_code)))]
        return await _start_edit(ctx, conf)
    if first not in {c.id for c in campaigns_for(ctx, _has_conference)}:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    if action == "c":
        return await home(ctx, first)
    if action == "n":
        return await _start(ctx, first)
    if action == "l":
        return await _list(ctx, first, second)
    if action == "x":
        return await _export(ctx, first)
    return [ctx.main_menu(ctx.t("error.stale_choice"))]
