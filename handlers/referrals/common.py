"""Helpers shared by the referral handlers: campaign, scope, dates, weeks, accounts, consent."""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from datetime import date

from bot.core.context import Context
from bot.core.forms import FORM_PREFIX, Invalid
from bot.core.types import Choice, Reply
from content.schema import Campaign, ReferralProgramme
from content.text import fold
from content.units import UnitTree
from handlers.common.parsing.dates import DateError, Direction, parse_date
from handlers.common.registration import policy
from handlers.referrals.rules import AccountError, normalize_account, timeline
from storage.referrals.marks import QuizAccount, Timeline
from storage.referrals.repo import Participant, ReferralRepo

RELATIONS = ("nguoi_than", "ban_be", "dong_nghiep", "khac")
WEEK_RE = re.compile(r"^(?:tuan|t)?\s*(?:so\s*)?(\d{1,2})$")


LIAISON = ("liaison",)


def repo_of(ctx: Context) -> ReferralRepo:
    """Return the referral repository of this message's session."""
    return ReferralRepo(ctx.session)


def stale(ctx: Context) -> list[Reply]:
    """Answer a choice that no longer applies."""
    return [ctx.main_menu(ctx.t("error.stale_choice"))]


def campaign_of(ctx: Context, campaign_id: str) -> Campaign | None:
    """Return a referral campaign by id."""
    campaign = ctx.services.campaigns.get(campaign_id)
    return campaign if campaign is not None and campaign.programmes.referral else None


def parse_account(ctx: Context, text: str) -> QuizAccount:
    """Normalise a typed quiz account; raise Invalid with examples of accepted forms."""
    try:
        return normalize_account(text)
    except AccountError as exc:
        raise Invalid(f"ref.account.bad_{exc.kind}") from exc


async def owner_participant(ctx: Context, participant_id: int | str) -> Participant | None:
    """Return the participant of a payload or a form if it belongs to this person."""
    if isinstance(participant_id, str):
        if not (participant_id.isascii() and participant_id.isdigit()):
            return None
        participant_id = int(participant_id)
    participant = await repo_of(ctx).participant(participant_id)
    if participant is None or participant.person_id != ctx.person.id:
        return None
    return participant


def manages_unit(ctx: Context, unit_code: str) -> bool:
    """Tell whether this person may see and manage a unit's referral data (liaison scope)."""
    return ctx.access.manages(unit_code, LIAISON)


def campaign_key(campaign_id: str) -> str:
    """Return a short ASCII key of a campaign id for choice payloads."""
    return f"{zlib.crc32(campaign_id.encode('utf-8')):08x}"


def referral_campaigns(ctx: Context) -> list[Campaign]:
    """Return the campaigns with a referral programme, the latest ending first."""
    found = [c for c in ctx.services.campaigns.values() if c.programmes.referral is not None]
    return sorted(found, key=lambda c: (-programme(c).until.date.toordinal(), c.id))


def campaign_by_key(ctx: Context, key: str) -> Campaign | None:
    """Return the referral campaign a payload key stands for."""
    return next((c for c in referral_campaigns(ctx) if campaign_key(c.id) == key), None)


def default_campaign(ctx: Context) -> Campaign | None:
    """Return the person's default referral campaign (their current one, else the latest)."""
    campaigns = referral_campaigns(ctx)
    current = ctx.services.campaigns.get(ctx.person.current_campaign or "")
    if current is not None and current.programmes.referral is not None:
        return current
    return campaigns[0] if campaigns else None


def programme(campaign: Campaign) -> ReferralProgramme:
    """Return a campaign's referral programme (callers checked it has one)."""
    referral = campaign.programmes.referral
    if referral is None:
        raise ValueError(f"campaign {campaign.id} has no referral programme")
    return referral


def line_of(ctx: Context, prog: ReferralProgramme) -> Timeline:
    """Return where today falls in the programme."""
    return timeline(prog.weeks, ctx.clock.today())


def programme_day(ctx: Context, prog: ReferralProgramme) -> date:
    """Return today, or the programme's last day once it ended (units are read then)."""
    return min(ctx.clock.today(), prog.until.date)


def area_units(ctx: Context, prog: ReferralProgramme) -> list[str]:
    """Return the programme's home unit and every unit below it."""
    units = ctx.services.units
    return [prog.home_unit, *(u.code for u in units.descendants(prog.home_unit))]


def subtree(ctx: Context, unit_code: str) -> list[str]:
    """Return a unit, every unit below it, and the former units merged whole into it (a xã
    created on 1/7/2025 holds the records of the xã it took in)."""
    return ctx.services.units.within(unit_code)


def covering(ctx: Context, unit_code: str) -> list[str]:
    """Return a unit and its ancestors (the scopes an official list may have covered)."""
    units = ctx.services.units
    if units.get(unit_code) is None:
        return [unit_code]
    return [unit_code, *(u.code for u in units.ancestors(unit_code))]


def unit_in_area(units: UnitTree, home_unit: str, unit_code: str) -> bool:
    """Tell whether a unit lies in a programme's area (at or below its home unit, on any
    day), above it (a province's liaison), or took in whole former units of the area (a xã
    created on 1/7/2025 from xã of the area)."""
    if home_unit in units.upward(unit_code) or unit_code in units.upward(home_unit):
        return True
    return any(home_unit in units.upward(old) for old in units.absorbed(unit_code))


def former_parts_on(units: UnitTree, home_unit: str, unit_code: str, day: date) -> list[str]:
    """Return the units of a programme area that a unit created after `day` was made of (the
    former xã merged whole into it), as they stood on `day`; empty for a unit that existed
    then."""
    unit = units.get(unit_code)
    if unit is None or unit.is_valid_on(day):
        return []
    return [code for code in units.absorbed(unit_code) if units.is_valid_on(code, day)
            and unit_in_area(units, home_unit, code)]


def former_parts(ctx: Context, prog: ReferralProgramme, unit_code: str) -> list[str]:
    """Return the former units of the programme area a unit created since took in whole."""
    return former_parts_on(ctx.services.units, prog.home_unit, unit_code,
                           programme_day(ctx, prog))


def in_area(ctx: Context, prog: ReferralProgramme, unit_code: str) -> bool:
    """Tell whether a unit lies in the programme area, or above it (a province's liaison)."""
    return unit_in_area(ctx.services.units, prog.home_unit, unit_code)


def former_area_units(ctx: Context, prog: ReferralProgramme, unit_code: str) -> list[str]:
    """Return the units of the programme area that a unit outside it was made of, or grew
    into (a xã created on 1/7/2025 from xã of the area; empty when unrelated)."""
    units = ctx.services.units
    if units.get(unit_code) is None:
        return []
    return [u.code for u in units.lineage_on(unit_code, programme_day(ctx, prog))
            if in_area(ctx, prog, u.code)]


def scope_root(ctx: Context, prog: ReferralProgramme) -> str | None:
    """Return the unit a manager sees by default (admins: the programme area; a liaison of
    several units: the first in the programme area)."""
    if ctx.access.is_admin:
        return prog.home_unit
    liaison = ctx.access.units(LIAISON)
    inside = [code for code in liaison if in_area(ctx, prog, code)]
    return (inside or liaison)[0] if liaison else ctx.person.unit_code


def unit_name(ctx: Context, code: str) -> str:
    """Return a unit's full name, or its code when unknown."""
    unit = ctx.services.units.get(code)
    return unit.full_name if unit else code


def day_month(day: date) -> str:
    """Return 25/03."""
    return f"{day.day:02d}/{day.month:02d}"


def full_date(day: date) -> str:
    """Return 25/03/2024."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def week_span(prog: ReferralProgramme, number: int) -> str:
    """Return "08/04 – 14/04/2024" for a week."""
    week = prog.weeks[number - 1]
    return f"{day_month(week.start)} – {full_date(week.end)}"


def week_choices(ctx: Context, prog: ReferralProgramme, payload: Callable[[int], str], *,
                 started_only: bool) -> list[Choice]:
    """Return one choice per week (`payload(week)` is its payload)."""
    today = ctx.clock.today()
    return [Choice(ctx.t("ref.week_choice", week=w.number, span=week_span(prog, w.number)),
                   payload(w.number))
            for w in prog.weeks if not started_only or w.start <= today]


def form_choice(value: object) -> str:
    """Return the payload of a fixed answer of a form step (`f:<value>`)."""
    return f"{FORM_PREFIX}{value}"


def week_of_said_date(prog: ReferralProgramme, text: str, today: date) -> int | None:
    """Return the programme week a typed day falls in ("tuần trước", "hôm qua", "3/4")."""
    try:
        said = parse_date(text, today, Direction.PAST)
    except DateError:
        return None
    return next((w.number for w in prog.weeks if w.start <= said.day <= w.end), None)


def parse_week_number(ctx: Context, prog: ReferralProgramme, text: str) -> int:
    """Read a typed week ("3", "tuần 3", or a day in it: "tuần trước", "hôm qua", "3/4");
    raise Invalid for anything else."""
    match = WEEK_RE.match(" ".join(fold(text).split()))
    if match is None:
        week = week_of_said_date(prog, text, ctx.clock.today())
        if week is not None:
            return week
        raise Invalid("ref.week.bad", total=len(prog.weeks))
    number = int(match.group(1))
    if not 1 <= number <= len(prog.weeks):
        raise Invalid("ref.week.unknown", week=number, total=len(prog.weeks),
                      end=full_date(prog.weeks[-1].end))
    return number


def policy_version(ctx: Context) -> str:
    """Return the version of the personal-data policy shown with a consent."""
    return policy(ctx).version
