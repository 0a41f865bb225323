"""Helpers shared by the referral handlers: campaign, scope, dates, grid and verdict text."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from datetime import date

from bot.core.context import Context
from bot.core.forms import Invalid
from bot.core.types import Choice
from content.privacy import Policy
from content.schema import Campaign, ReferralProgramme
from content.text import fold
from handlers.referrals.rules import (
    Gap,
    Marks,
    Missing,
    Timeline,
    Tracked,
    Verdict,
    WeekStatus,
    display_account,
    evaluate,
    timeline,
)
from storage.referrals.repo import Member

# Channels whose adapter can deliver a file to the person (Zalo cannot send files).
FILE_CHANNELS = frozenset({"telegram", "console"})
RELATIONS = ("nguoi_than", "ban_be", "dong_nghiep", "khac")
YES_WORDS = {"co", "dong y", "ok", "yes", "u", "uh", "dong", "y", "dung"}
NO_WORDS = {"khong", "khong dong y", "ko", "k", "no", "khg"}
MISSING_LINES = 12
WEEK_RE = re.compile(r"^(?:tuan|t)?\s*(?:so\s*)?(\d{1,2})$")
STATUS_MARK = {
    WeekStatus.VERIFIED: "🔒", WeekStatus.DONE: "✅", WeekStatus.CONFLICT: "⚠️",
    WeekStatus.MISSED: "❌", WeekStatus.PENDING: "⏳",
}


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
    """Return a unit and every unit below it."""
    return [unit_code, *(u.code for u in ctx.services.units.descendants(unit_code))]


def covering(ctx: Context, unit_code: str) -> list[str]:
    """Return a unit and its ancestors (the scopes an official list may have covered)."""
    units = ctx.services.units
    if units.get(unit_code) is None:
        return [unit_code]
    return [unit_code, *(u.code for u in units.ancestors(unit_code))]


def can_manage_unit(ctx: Context, unit_code: str) -> bool:
    """Tell whether this person may see and manage a unit's referral data (liaison scope)."""
    return ctx.can_act_on_unit(unit_code, ("liaison",))


def scope_root(ctx: Context, prog: ReferralProgramme) -> str | None:
    """Return the unit a manager sees by default (admins: the programme area)."""
    if "admin" in ctx.roles:
        return prog.home_unit
    liaison = [g.unit_code for g in ctx.grants if g.active and g.role == "liaison"]
    return liaison[0] if liaison else ctx.person.unit_code


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


def week_choices(ctx: Context, prog: ReferralProgramme, payload: str, *, started_only: bool
                 ) -> list[Choice]:
    """Return one choice per week (`payload` formatted with {week})."""
    today = ctx.clock.today()
    return [Choice(ctx.t("ref.week_choice", week=w.number, span=week_span(prog, w.number)),
                   payload.format(week=w.number))
            for w in prog.weeks if not started_only or w.start <= today]


def parse_week_number(ctx: Context, prog: ReferralProgramme, text: str) -> int:
    """Read a typed week number ("3", "tuần 3"); raise Invalid for anything else."""
    match = WEEK_RE.match(" ".join(fold(text).split()))
    if match is None:
        raise Invalid("ref.week.bad", total=len(prog.weeks))
    number = int(match.group(1))
    if not 1 <= number <= len(prog.weeks):
        raise Invalid("ref.week.unknown", week=number, total=len(prog.weeks),
                      end=full_date(prog.weeks[-1].end))
    return number


def policy_version(ctx: Context) -> str:
    """Return the version of the personal-data policy shown with a consent."""
    policy: Policy = ctx.services.extras["policy"]
    return policy.version


def yes_no(text: str) -> str | None:
    """Read a typed yes/no answer ('yes', 'no' or None when unclear)."""
    words = " ".join(fold(text).split())
    if words in YES_WORDS:
        return "yes"
    if words in NO_WORDS:
        return "no"
    return None


def member_name(ctx: Context, member: Member, viewer_is_owner: bool, owner_name: str | None
                ) -> str:
    """Return how a followed account is named: "Bạn" for the viewer's own, else the name."""
    if member.is_self:
        return ctx.t("ref.you") if viewer_is_owner else (owner_name or ctx.t("ref.someone"))
    return member.display_name or ctx.t("ref.someone")


def week_cells(marks: Marks, line: Timeline) -> str:
    """Return "T1 ✅ · T2 ❌ · T3 ⏳" for one account."""
    return " · ".join(f"T{n} {STATUS_MARK[marks.status(n, line)]}"
                      for n in range(1, line.total + 1))


def grid(ctx: Context, members: Sequence[Member], line: Timeline, owner_name: str | None,
         viewer_is_owner: bool = True) -> str:
    """Return the people × weeks grid as plain lines (reads well on Zalo)."""
    lines = []
    for member in members:
        name = member_name(ctx, member, viewer_is_owner, owner_name)
        relation = ("" if member.is_self or not member.relation
                    else ctx.t(f"ref.relation.{member.relation}"))
        label = ctx.t("ref.grid_name", name=name, relation=relation) if relation else name
        lines.append(ctx.t("ref.grid_line", name=label,
                           account=display_account(member.quiz_account),
                           cells=week_cells(member.marks, line)))
    return "\n".join(lines)


def verdict_of(ctx: Context, members: Sequence[Member], prog: ReferralProgramme,
               line: Timeline, owner_name: str | None, viewer_is_owner: bool = True
               ) -> Verdict:
    """Judge a participant's accounts against the programme."""
    own = next(m for m in members if m.is_self)
    referrals = [Tracked(member_name(ctx, m, viewer_is_owner, owner_name), m.marks)
                 for m in members if not m.is_self]
    return evaluate(Tracked(member_name(ctx, own, viewer_is_owner, owner_name), own.marks,
                            is_self=True),
                    referrals, line, prog.min_referrals.number)


def missing_text(ctx: Context, item: Missing, prog: ReferralProgramme) -> str:
    """Return one line of what is missing, e.g. "Tuần 3: Lan chưa thi"."""
    if item.gap is Gap.NEED_REFERRALS:
        return ctx.t("ref.gap.need_referrals", count=item.count,
                     minimum=prog.min_referrals.value)
    if item.gap is Gap.TO_COME:
        return ctx.t("ref.gap.to_come", first=item.week, last=len(prog.weeks),
                     minimum=prog.min_referrals.value)
    key = f"ref.gap.{item.gap.value}{'_self' if item.is_self else ''}"
    return ctx.t(key, week=item.week, name=item.name)


def verdict_text(ctx: Context, verdict: Verdict, prog: ReferralProgramme) -> str:
    """Return the verdict: eligible or not, and exactly what is missing."""
    lines = [item for item in verdict.missing
             if not (verdict.final and item.gap in (Gap.THIS_WEEK, Gap.TO_COME))]
    shown = [ctx.t("ref.gap.line", text=missing_text(ctx, m, prog))
             for m in lines[:MISSING_LINES]]
    if len(lines) > MISSING_LINES:
        shown.append(ctx.t("ref.gap.more", count=len(lines) - MISSING_LINES))
    if verdict.final:
        head = "ref.verdict.final_yes" if verdict.eligible else "ref.verdict.final_no"
    elif verdict.eligible:
        head = "ref.verdict.so_far_yes"
    else:
        head = "ref.verdict.so_far_no"
    text = ctx.t(head, reward=prog.reward.form, granted_by=prog.reward.granted_by,
                 complete=verdict.complete_referrals, minimum=prog.min_referrals.value,
                 weeks=prog.consecutive_weeks.value)
    return text + ("\n" + "\n".join(shown) if shown else "")
