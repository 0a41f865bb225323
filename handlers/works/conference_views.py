"""/hoinghi views: my unit's conference, delegate composition explained, compliance lists."""

from __future__ import annotations

from datetime import date

from bot.core.context import Context
from bot.core.types import Choice, Reply
from content.schema import ConferenceProgramme
from content.units import Unit
from handlers.common.registration import choose_unit
from handlers.works.common import (
    campaigns_for,
    capped_lines,
    day_text,
    former_parts,
    own_unit,
    plain_name,
    stale,
    titled,
    unit_name,
    view_filter,
)
from handlers.works.payloads import (
    ConferenceHeld,
    ConferenceHome,
    ConferenceList,
    DocumentsSent,
    EditConference,
    ExportConferences,
    RegisterConference,
)
from handlers.works.rules import (
    Area,
    Composition,
    ConferenceCompliance,
    ConferenceStatus,
    check_composition,
    conference_area,
    conference_compliance,
    conference_due,
    delegate_cap,
    documents_due,
    unit_level,
)
from storage.works.repo import Conference, ConferenceRepo

COMMAND = "hoinghi"
LISTS = {"m": ConferenceStatus.MISSING, "l": ConferenceStatus.LATE,
         "o": ConferenceStatus.ON_TIME}

ConferenceArea = Area[ConferenceProgramme]


def area_of(ctx: Context, campaign_id: str) -> ConferenceArea | None:
    """Return a campaign's conference programme and the units that hold a conference."""
    return conference_area(ctx.services.campaigns.get(campaign_id), ctx.services.units)


def has_conference(ctx: Context, campaign_id: str) -> bool:
    """Tell whether a campaign with a conference programme concerns this person."""
    return any(c.id == campaign_id for c in campaigns_for(
        ctx, lambda c: c.programmes.conference is not None))


def back_to(ctx: Context, campaign_id: str) -> list[list[Choice]]:
    """Return the row that leads back to the campaign's conference home."""
    return [[Choice(ctx.t("works.back"), ConferenceHome(campaign_id).pack())]]


# --------------------------------------------------------------------------- explanations


def composition(area: ConferenceArea, unit_code: str, total: int, grassroots: int
                ) -> Composition:
    """Check a unit's delegate list against its level's rules."""
    level = unit_level(area, unit_code)
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


def _due_text(ctx: Context, area: ConferenceArea, unit_code: str) -> str:
    level = unit_level(area, unit_code)
    pilot = area.programme.pilot
    if pilot is not None and pilot.unit == unit_code:
        return ctx.t("conf.due_pilot", date=day_text(pilot.due.date), passage=pilot.due.text)
    return ctx.t("conf.due", date=day_text(level.due.date), passage=level.duration.text)


def details(ctx: Context, area: ConferenceArea, unit_code: str, form: str, held_on: date,
            total: int, grassroots: int, conf: Conference | None = None) -> str:
    """Describe a unit's conference: date, deadlines, documents, delegates, and what was
    reported done (documents sent, conference held)."""
    programme = area.programme
    level = unit_level(area, unit_code)
    check = composition(area, unit_code, total, grassroots)
    days = programme.documents_days_before.number
    docs_due = documents_due(held_on, days)
    due = conference_due(programme, level, unit_code)
    parts = [ctx.t("conf.details", unit=unit_name(ctx, unit_code), level=level.label,
                   form=form, held_on=day_text(held_on), due_text=_due_text(ctx, area, unit_code),
                   total=total, grassroots=grassroots, share=f"{check.share:.0f}",
                   docs_due=day_text(docs_due), days=days,
                   documents=", ".join(programme.documents),
                   send_to=programme.documents_send_to)]
    today = ctx.clock.today()
    documents_sent = conf.documents_sent_on if conf is not None else None
    if conf is not None and conf.held_confirmed_on is not None:
        parts.append(ctx.t("conf.held_done", date=day_text(conf.held_confirmed_on)))
        return "\n".join(parts)
    if held_on > due:
        parts.append(ctx.t("conf.after_due", due=day_text(due)))
    if documents_sent is not None:
        parts.append(ctx.t("conf.docs_done", date=day_text(documents_sent)))
    elif docs_due < today <= held_on:
        parts.append(ctx.t("conf.docs_overdue", days=(today - docs_due).days))
    if conf is not None and held_on < today:
        parts.append(ctx.t("conf.held_ask", date=day_text(held_on)))
    parts.append(composition_text(ctx, check))
    return "\n".join(parts)


def own_none(ctx: Context, area: ConferenceArea, unit_code: str) -> str:
    """Say that a unit has no conference yet, and by how many days it is overdue."""
    level = unit_level(area, unit_code)
    due = conference_due(area.programme, level, unit_code)
    late_by = (ctx.clock.today() - due).days
    key = "conf.own_overdue" if late_by > 0 else "conf.own_none"
    return ctx.t(key, unit=unit_name(ctx, unit_code), level=level.label,
                 due_text=_due_text(ctx, area, unit_code), days=late_by)


def closing_rows(ctx: Context, conf: Conference) -> list[list[Choice]]:
    """Return the two closing choices of a registered conference (always both, in place:
    one already reported says so when chosen)."""
    docs = "conf.docs_sent_again" if conf.documents_sent_on else "conf.docs_sent"
    held = "conf.held_again" if conf.closed else "conf.held"
    return [[Choice(ctx.t(docs), DocumentsSent(conf.id).pack())],
            [Choice(ctx.t(held), ConferenceHeld(conf.id).pack())]]


# --------------------------------------------------------------------------- command


async def conference_command(ctx: Context) -> list[Reply]:
    """/hoinghi: my unit's conference, or the campaigns to choose from."""
    if not ctx.access.is_admin and not own_unit(ctx):
        return [choose_unit(ctx, ctx.t("conf.no_unit"), "hoinghi")]
    campaigns = campaigns_for(ctx, lambda c: c.programmes.conference is not None)
    if not campaigns:
        return [ctx.main_menu(ctx.t("conf.no_campaign"))]
    if len(campaigns) == 1:
        return await home(ctx, campaigns[0].id)
    return [Reply(ctx.t("conf.choose_campaign"),
                  [[Choice(c.short_name, ConferenceHome(c.id).pack())] for c in campaigns])]


def _standing(area: ConferenceArea, conferences: dict[str, Conference], units: list[Unit]
              ) -> list[ConferenceCompliance]:
    registered = {code: (c.held_on, composition(area, code, c.delegates, c.grassroots).ok)
                  for code, c in conferences.items()}
    return conference_compliance(units, area.programme, area.campaign.unit, registered)


async def home(ctx: Context, campaign_id: str, prefix: str | None = None) -> list[Reply]:
    """Show my unit's conference and, for wider scopes, which communes are behind."""
    area = area_of(ctx, campaign_id)
    if area is None:
        return [stale(ctx)]
    repo = ConferenceRepo(ctx.session)
    parts = [ctx.t("conf.home_title", campaign=area.campaign.short_name)]
    rows: list[list[Choice]] = []
    own = own_unit(ctx)
    closing: list[list[Choice]] = []  # after every always-present choice: numbers stay
    if not ctx.access.is_admin and own and area.includes(own):
        conf = await repo.of_unit(campaign_id, own)
        if conf is None:
            parts.append(own_none(ctx, area, own))
            rows.append([Choice(ctx.t("conf.register"), RegisterConference(campaign_id).pack())])
        else:
            parts.append(details(ctx, area, own, conf.form, conf.held_on, conf.delegates,
                                 conf.grassroots, conf))
            rows.append([Choice(ctx.t("conf.edit"), EditConference(conf.id).pack())])
            closing = closing_rows(ctx, conf)
    elif parts_of_own := former_parts(ctx.services.units, area.campaign.unit, own):
        parts.append(ctx.t("works.former_units", unit=unit_name(ctx, own or ""),
                           units=", ".join(plain_name(ctx, code) for code in parts_of_own)))
        rows.append([Choice(ctx.t("conf.register"), RegisterConference(campaign_id).pack())])
    visible = view_filter(ctx)
    communes = [u for u in area.units if u.code != area.campaign.unit and visible(u.code)]
    if ctx.access.is_admin or any(u.code != own for u in communes):
        conferences = {c.unit_code: c for c in await repo.of_campaign(campaign_id)}
        standing = _standing(area, conferences, communes)
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
                            ConferenceList(campaign_id, "m").pack())])
        rows.append([Choice(ctx.t("conf.list_late", count=len(late)),
                            ConferenceList(campaign_id, "l").pack())])
        rows.append([Choice(ctx.t("conf.list_on_time", count=len(on_time)),
                            ConferenceList(campaign_id, "o").pack())])
        if ctx.access.is_admin:
            rows.append([Choice(ctx.t("conf.register_for_unit"),
                                RegisterConference(campaign_id).pack())])
        rows.append([Choice(ctx.t("conf.export"), ExportConferences(campaign_id).pack())])
    return [Reply(titled(prefix, "\n\n".join(parts)), rows + closing)]


# --------------------------------------------------------------------------- lists


def _line(ctx: Context, row: ConferenceCompliance, conf: Conference | None, today: date
          ) -> str:
    if conf is None:
        key = "conf.line_overdue" if row.overdue(today) else "conf.line_missing"
        return ctx.t(key, unit=unit_name(ctx, row.unit.code), due=day_text(row.due),
                     days=(today - row.due).days)
    weak = ctx.t("conf.weak_mark") if row.composition_ok is False else ""
    if conf.closed:
        weak += ctx.t("conf.held_mark")
    elif conf.documents_sent_on is not None:
        weak += ctx.t("conf.docs_mark")
    return ctx.t("conf.line", unit=unit_name(ctx, row.unit.code),
                 held_on=day_text(conf.held_on),
                 due=day_text(row.due), delegates=conf.delegates, weak=weak)


async def compliance_list(ctx: Context, campaign_id: str, which: str) -> list[Reply]:
    """List the communes missing, late or on time within the person's scope."""
    area = area_of(ctx, campaign_id)
    status = LISTS.get(which)
    if area is None or status is None:
        return [stale(ctx)]
    visible = view_filter(ctx)
    communes = [u for u in area.units if u.code != area.campaign.unit and visible(u.code)]
    conferences = {c.unit_code: c for c in await ConferenceRepo(ctx.session)
                   .of_campaign(campaign_id)}
    rows = [r for r in _standing(area, conferences, communes) if r.status is status]
    today = ctx.clock.today()
    title = ctx.t(f"conf.title_{status.value}", count=len(rows),
                  due=day_text(area.programme.levels[0].due.date))
    body = capped_lines(ctx, [_line(ctx, r, conferences.get(r.unit.code), today)
                              for r in rows]) or ctx.t("works.empty")
    return [Reply(f"{title}\n{body}", back_to(ctx, campaign_id))]
