"""What /vandong shows: the programme intro, a participant's dashboard, the weekly marking
list, a referred person's view, the grid and the verdict. Text building only (reads, no writes).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.context import Context
from bot.core.dispatcher import COMMAND_PAYLOAD
from bot.core.types import Choice, Reply
from content.privacy import Purpose
from content.schema import Campaign, ReferralProgramme
from handlers.referrals.common import (
    campaign_key,
    full_date,
    line_of,
    programme,
    referral_campaigns,
    repo_of,
    week_span,
)
from handlers.referrals.payloads import (
    AddReferral,
    ConsentAgain,
    Dashboard,
    EnterCode,
    JoinCampaign,
    MarkAll,
    MarkWeek,
    OtherCampaign,
    OtherWeek,
    ProgrammeInfo,
    RemoveList,
    Share,
    ShowVerdict,
    ToggleMark,
)
from handlers.referrals.rules import (
    Gap,
    Missing,
    Tracked,
    Verdict,
    WeekProblem,
    evaluate,
    markable_week_problem,
)
from storage.referrals.marks import Marks, Timeline, WeekStatus, bit, display_account
from storage.referrals.repo import Member, Participant

MENU = COMMAND_PAYLOAD + "menu"
MISSING_LINES = 12
STATUS_MARK = {
    WeekStatus.VERIFIED: "🔒", WeekStatus.DONE: "✅", WeekStatus.CONFLICT: "⚠️",
    WeekStatus.MISSED: "❌", WeekStatus.PENDING: "⏳",
}


def join_text(prefix: str | None, text: str) -> str:
    """Put a short note (what just happened) above a view."""
    return f"{prefix}\n\n{text}" if prefix else text


def criterion_text(ctx: Context, prog: ReferralProgramme) -> str:
    """Quote the individual criterion of the plan, with its section."""
    return ctx.t("ref.criterion", own=prog.own_account.text, recruit=prog.min_referrals.text,
                 weeks=prog.consecutive_weeks.text, source=prog.consecutive_weeks.source)


def weeks_text(ctx: Context, prog: ReferralProgramme) -> str:
    """List the dated weeks, with the note when they are an assumption."""
    lines = [ctx.t("ref.week_line", week=w.number, span=week_span(prog, w.number))
             for w in prog.weeks]
    text = "\n".join(lines)
    if prog.weeks_assumption and prog.weeks_note:
        text += "\n" + ctx.t("ref.weeks_assumption", note=prog.weeks_note)
    return text


def status_text(ctx: Context, prog: ReferralProgramme) -> str:
    """Say where today falls: week k of n, before the first week, or ended."""
    line = line_of(ctx, prog)
    if line.current is not None:
        return ctx.t("ref.status.current", week=line.current, total=line.total,
                     span=week_span(prog, line.current))
    if line.finished:
        return ctx.t("ref.status.ended", end=full_date(prog.weeks[-1].end))
    if line.closed == 0:
        return ctx.t("ref.status.before", start=full_date(prog.weeks[0].start))
    return ctx.t("ref.status.between")


# --------------------------------------------------------------------------- views


async def home(ctx: Context, campaign: Campaign, prefix: str | None = None) -> list[Reply]:
    """Show the person's place in a campaign's programme: dashboard, referred view or intro."""
    repo = repo_of(ctx)
    participant = await repo.participant_of(campaign.id, ctx.person.id)
    if participant is not None:
        if not await ctx.consents.has(ctx.person.id, Purpose.REFERRALS):
            again = ConsentAgain(participant.id).pack()
            return [Reply(join_text(prefix, ctx.t("ref.consent_withdrawn")),
                          [[Choice(ctx.t("ref.consent_again"), again)],
                           [Choice(ctx.t("menu.back"), MENU)]])]
        return [await dashboard(ctx, campaign, participant, prefix)]
    linked = [m for m in await repo.linked_to(ctx.person.id) if m.campaign_id == campaign.id]
    if linked:
        return [await referred_view(ctx, campaign, linked[0], prefix)]
    return [intro(ctx, campaign, prefix)]


def intro(ctx: Context, campaign: Campaign, prefix: str | None = None) -> Reply:
    """Explain the programme and offer to join it (or to enter someone's code)."""
    prog = programme(campaign)
    ended = ctx.clock.today() > prog.until.date
    text = ctx.t("ref.intro", name=campaign.short_name, criterion=criterion_text(ctx, prog),
                 weeks=weeks_text(ctx, prog), minimum=prog.min_referrals.value,
                 maximum=prog.max_referrals.number, status=status_text(ctx, prog))
    rows: list[list[Choice]] = []
    if ended:
        text += "\n\n" + ctx.t("ref.join.ended", end=full_date(prog.until.date))
    else:
        join = JoinCampaign(campaign_key(campaign.id)).pack()
        rows.append([Choice(ctx.t("ref.join.button"), join)])
        rows.append([Choice(ctx.t("ref.code.button"), EnterCode().pack())])
    rows += other_campaigns(ctx, campaign)
    if ended:  # nothing to join here: never a screen without a way on
        rows.append([Choice(ctx.t("menu.back"), MENU)])
    return Reply(join_text(prefix, text), rows)


def other_campaigns(ctx: Context, campaign: Campaign) -> list[list[Choice]]:
    """Return one button per other referral campaign."""
    return [[Choice(ctx.t("ref.other_campaign", name=c.short_name),
                    OtherCampaign(campaign_key(c.id)).pack())]
            for c in referral_campaigns(ctx) if c.id != campaign.id]


async def dashboard(ctx: Context, campaign: Campaign, participant: Participant,
                    prefix: str | None = None) -> Reply:
    """Show the grid of my accounts × weeks with what I can do next."""
    prog = programme(campaign)
    line = line_of(ctx, prog)
    members = await repo_of(ctx).members(participant.id)
    referrals = len(members) - 1
    text = ctx.t("ref.dashboard", name=campaign.short_name, status=status_text(ctx, prog),
                 code=participant.code, grid=grid(ctx, members, line, None),
                 referrals=referrals, minimum=prog.min_referrals.value,
                 maximum=prog.max_referrals.number, legend=ctx.t("ref.legend"))
    if referrals < prog.min_referrals.number:
        text += "\n" + ctx.t("ref.need_more", count=prog.min_referrals.number - referrals)
    return Reply(join_text(prefix, text), dashboard_rows(ctx, campaign, participant, line))


def dashboard_rows(ctx: Context, campaign: Campaign, participant: Participant,
                   line: Timeline) -> list[list[Choice]]:
    """Return the dashboard's choices, each always in the same place (issue: a number typed
    from memory must keep its meaning). An action not possible now stays in its place and
    explains why when chosen (no current week, list full, nothing to remove, contest over)."""
    pid = participant.id
    mark = (ctx.t("ref.mark.button", week=line.current) if line.current is not None
            else ctx.t("ref.mark.button_now"))
    rows = [[Choice(mark, MarkWeek(pid, line.current or 0).pack())],
            [Choice(ctx.t("ref.add.button"), AddReferral(pid).pack())],
            [Choice(ctx.t("ref.mark.other_week"), OtherWeek(pid).pack())],
            [Choice(ctx.t("ref.remove.button"), RemoveList(pid).pack())],
            [Choice(ctx.t("ref.verdict.button"), ShowVerdict(pid).pack())],
            [Choice(ctx.t("ref.share.button"), Share(pid).pack())],
            [Choice(ctx.t("ref.info.button"), ProgrammeInfo(campaign_key(campaign.id)).pack())]]
    return rows + other_campaigns(ctx, campaign)


def no_current_week_text(ctx: Context, prog: ReferralProgramme) -> str:
    """Explain why no week can be marked as "this week" today."""
    if ctx.clock.today() > prog.until.date:
        return ctx.t("ref.mark.ended", end=full_date(prog.until.date))
    return ctx.t("ref.mark.no_current", status=status_text(ctx, prog))


def week_problem_text(ctx: Context, prog: ReferralProgramme, week: int,
                      problem: WeekProblem) -> str:
    """Explain why a week cannot be marked now."""
    if problem is WeekProblem.UNKNOWN:
        return ctx.t("ref.week.unknown", week=week, total=len(prog.weeks),
                     end=full_date(prog.weeks[-1].end))
    if problem is WeekProblem.ENDED:
        return ctx.t("ref.mark.ended", end=full_date(prog.until.date))
    return ctx.t("ref.mark.not_started", week=week,
                 start=full_date(prog.weeks[week - 1].start))


def mark_label(ctx: Context, member: Member, week: int) -> str:
    """Return one account's line in the weekly marking list, with the week's state."""
    name = ctx.t("ref.you") if member.is_self else (member.display_name or "")
    marks = member.marks
    b = bit(week)
    if marks.verified & b:
        state = "ref.mark.state_verified"
    elif marks.conflicts & b:
        state = "ref.mark.state_conflict"
    elif marks.reported & b:
        state = "ref.mark.state_done"
    else:
        state = "ref.mark.state_open"
    return ctx.t("ref.mark.person", name=name, state=ctx.t(state))


async def mark_view(ctx: Context, campaign: Campaign, participant: Participant, week: int,
                    prefix: str | None = None) -> Reply:
    """List my accounts for one week; choosing one marks or unmarks it."""
    prog = programme(campaign)
    problem = markable_week_problem(prog.weeks, week, ctx.clock.today(), prog.until.date)
    if problem is not None:
        return await dashboard(ctx, campaign, participant,
                               join_text(prefix, week_problem_text(ctx, prog, week, problem)))
    members = await repo_of(ctx).members(participant.id)
    # The two fixed choices first, then one per account (their order never changes).
    rows = [[Choice(ctx.t("ref.mark.all"), MarkAll(participant.id, week).pack())],
            [Choice(ctx.t("ref.mark.finish"), Dashboard(participant.id).pack())]]
    rows += [[Choice(mark_label(ctx, m, week), ToggleMark(m.id, week).pack())]
             for m in members]
    text = ctx.t("ref.mark.title", week=week, span=week_span(prog, week))
    return Reply(join_text(prefix, text), rows)


async def referred_view(ctx: Context, campaign: Campaign, member: Member,
                        prefix: str | None = None) -> Reply:
    """Show a referred person their weeks and let them confirm the current one."""
    prog = programme(campaign)
    line = line_of(ctx, prog)
    participant = await repo_of(ctx).participant(member.participant_id)
    referrer = (await repo_of(ctx).person_name(participant.person_id) if participant else None)
    text = ctx.t("ref.referred.view", referrer=referrer or ctx.t("ref.someone"),
                 campaign=campaign.short_name, status=status_text(ctx, prog),
                 account=display_account(member.quiz_account),
                 cells=week_cells(member.marks, line), legend=ctx.t("ref.legend"))
    if prefix:
        text = f"{prefix}\n\n{text}"
    # "This week" is always 1 and the way back always 2 (choosing 1 when no week can be
    # marked explains why); the weeks to make up come after, as many as there are.
    today = ctx.clock.today()
    week = line.current or 0
    if week and markable_week_problem(prog.weeks, week, today, prog.until.date) is not None:
        week = 0
    if week and member.marks.reported & bit(week) and not member.marks.verified & bit(week):
        label = ctx.t("ref.referred.unmark", week=week)
    elif week:
        label = ctx.t("ref.referred.mark", week=week)
    else:
        label = ctx.t("ref.referred.mark_now")
    rows = [[Choice(label, ToggleMark(member.id, week).pack())],
            [Choice(ctx.t("menu.back"), MENU)]]
    if line.closed and today <= prog.until.date:
        for past in range(1, line.closed + 1):
            if not member.marks.done & bit(past) and not member.marks.verified & bit(past):
                rows.append([Choice(ctx.t("ref.referred.mark_past", week=past),
                                    ToggleMark(member.id, past).pack())])
    return Reply(text, rows)


# --------------------------------------------------------------------------- grid and verdict


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
        last = (item.week or 0) >= len(prog.weeks)
        key = "ref.gap.to_come_last" if last else "ref.gap.to_come"
        return ctx.t(key, first=item.week, last=len(prog.weeks),
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
