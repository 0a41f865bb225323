"""/vandong and its buttons: join, mark weeks, add or remove referred accounts, verdict, code."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.dispatcher import COMMAND_PAYLOAD, Router
from bot.core.types import Choice, Reply
from content.privacy import Purpose
from content.schema import Campaign
from handlers.referrals.common import (
    campaign_by_key,
    campaign_of,
    default_campaign,
    full_date,
    line_of,
    owner_participant,
    policy_version,
    programme,
    repo_of,
    stale,
)
from handlers.referrals.forms import WEEK, start_add_form, start_join_form
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
    RemoveAsk,
    RemoveConfirm,
    RemoveList,
    Share,
    ShowVerdict,
    ToggleMark,
)
from handlers.referrals.referred import start_code_form, use_code
from handlers.referrals.rules import markable_week_problem
from handlers.referrals.views import (
    criterion_text,
    dashboard,
    home,
    intro,
    mark_view,
    no_current_week_text,
    referred_view,
    verdict_of,
    verdict_text,
    week_problem_text,
    weeks_text,
)
from storage.referrals.marks import bit
from storage.referrals.repo import Member, Participant

VANDONG = COMMAND_PAYLOAD + "vandong"


async def vandong(ctx: Context) -> list[Reply]:
    """/vandong: my referral programme (join, grid, weekly marks, verdict); /vandong <mã>."""
    _, _, arg = ctx.text.partition(" ")
    if arg.strip():
        return await use_code(ctx, arg)
    campaign = default_campaign(ctx)
    if campaign is None:
        return [ctx.main_menu(ctx.t("ref.no_programme"))]
    return await home(ctx, campaign)


async def _owned(ctx: Context, participant_id: int) -> tuple[Participant, Campaign] | None:
    """Return the participant of a button (if it is this person's) and its campaign."""
    participant = await owner_participant(ctx, participant_id)
    campaign = campaign_of(ctx, participant.campaign_id) if participant else None
    if participant is None or campaign is None:
        return None
    return participant, campaign


async def _owned_member(ctx: Context, member_id: int) -> tuple[Member, Participant] | None:
    repo = repo_of(ctx)
    member = await repo.member(member_id)
    if member is None or member.is_self:
        return None
    participant = await repo.participant(member.participant_id)
    if participant is None or participant.person_id != ctx.person.id:
        return None
    return member, participant


# --------------------------------------------------------------------------- joining, adding


async def start_join(ctx: Context, campaign: Campaign) -> list[Reply]:
    """Begin joining: the age check for a profile, then one form (registering too)."""
    prog = programme(campaign)
    if ctx.clock.today() > prog.until.date:
        return [intro(ctx, campaign)]
    if await repo_of(ctx).participant_of(campaign.id, ctx.person.id) is not None:
        return await home(ctx, campaign)
    birth_year = ctx.person.birth_year
    if ctx.person.is_registered and birth_year:
        age = prog.until.date.year - birth_year
        if age < prog.min_age.number:
            return [ctx.main_menu(ctx.t("ref.join.under_age", age=age,
                                        minimum=prog.min_age.value,
                                        source=prog.min_age.source,
                                        year=prog.until.date.year))]
    return await start_join_form(ctx, campaign)


async def start_add(ctx: Context, campaign: Campaign, participant: Participant) -> list[Reply]:
    """Begin adding a referred account, unless the list is full or the contest ended."""
    prog = programme(campaign)
    if ctx.clock.today() > prog.until.date:
        text = ctx.t("ref.mark.ended", end=full_date(prog.until.date))
        return [await dashboard(ctx, campaign, participant, text)]
    if len(await repo_of(ctx).members(participant.id)) - 1 >= prog.max_referrals.number:
        text = ctx.t("ref.add.full", maximum=prog.max_referrals.number)
        return [await dashboard(ctx, campaign, participant, text)]
    return await start_add_form(ctx, campaign, participant)


# --------------------------------------------------------------------------- weekly marks


async def toggle_mark(ctx: Context, member_id: int, week: int) -> list[Reply]:
    """Mark or unmark one account's week (its participant or the linked person may)."""
    repo = repo_of(ctx)
    member = await repo.member(member_id)
    participant = await repo.participant(member.participant_id) if member else None
    campaign = campaign_of(ctx, participant.campaign_id) if participant else None
    if member is None or participant is None or campaign is None:
        return stale(ctx)
    is_owner = participant.person_id == ctx.person.id
    if not is_owner and member.linked_person_id != ctx.person.id:
        return stale(ctx)
    prog = programme(campaign)
    if not week:  # "this week" chosen when no week is going on
        explained = no_current_week_text(ctx, prog)
        if is_owner:
            return [await dashboard(ctx, campaign, participant, explained)]
        return [await referred_view(ctx, campaign, member, explained)]
    problem = markable_week_problem(prog.weeks, week, ctx.clock.today(), prog.until.date)
    note: str | None = None
    if problem is None:
        # The person's own week reads "của bạn" mid-sentence, never a capitalised "Bạn".
        own = (member.is_self and is_owner) or not is_owner
        name = "" if own else (member.display_name or "")
        suffix = "_own" if own else ""
        if member.marks.verified & bit(week):
            note = ctx.t(f"ref.mark.already_verified{suffix}", name=name, week=week)
        else:
            on = not member.marks.reported & bit(week)
            await repo.set_reported([member.id], week, on, ctx.clock.now())
            key = "ref.mark.marked" if on else "ref.mark.unmarked"
            note = ctx.t(f"{key}{suffix}", name=name, week=week)
    else:
        note = week_problem_text(ctx, prog, week, problem)
    if not is_owner:
        fresh = await repo.member(member.id)
        assert fresh is not None
        return [await referred_view(ctx, campaign, fresh, note)]
    if problem is not None:
        return [await dashboard(ctx, campaign, participant, note)]
    return [await mark_view(ctx, campaign, participant, week, note)]


async def mark_all(ctx: Context, campaign: Campaign, participant: Participant, week: int
                   ) -> list[Reply]:
    """Mark every account of mine as having taken part in a week."""
    prog = programme(campaign)
    problem = markable_week_problem(prog.weeks, week, ctx.clock.today(), prog.until.date)
    if problem is not None:
        return [await dashboard(ctx, campaign, participant,
                                week_problem_text(ctx, prog, week, problem))]
    repo = repo_of(ctx)
    members = await repo.members(participant.id)
    await repo.set_reported([m.id for m in members if not m.marks.verified & bit(week)], week,
                            True, ctx.clock.now())
    return [await dashboard(ctx, campaign, participant, ctx.t("ref.mark.all_done", week=week))]


# --------------------------------------------------------------------------- other views


def info_reply(ctx: Context, campaign: Campaign) -> Reply:
    """Quote the programme: criterion, weeks and reward, with their sections."""
    prog = programme(campaign)
    text = ctx.t("ref.info.text", name=campaign.short_name,
                 criterion=criterion_text(ctx, prog), weeks=weeks_text(ctx, prog),
                 reward=prog.reward.text, reward_source=prog.reward.source)
    return Reply(text, [[Choice(ctx.t("ref.back_dashboard"), VANDONG)]])


async def verdict_reply(ctx: Context, campaign: Campaign, participant: Participant) -> Reply:
    """Tell whether I meet the criterion so far, and exactly what is missing."""
    prog = programme(campaign)
    members = await repo_of(ctx).members(participant.id)
    verdict = verdict_of(ctx, members, prog, line_of(ctx, prog), None)
    text = verdict_text(ctx, verdict, prog) + "\n\n" + criterion_text(ctx, prog)
    return Reply(text, [[Choice(ctx.t("ref.back_dashboard"), Dashboard(participant.id).pack())]])


async def share(ctx: Context, campaign: Campaign, participant: Participant) -> list[Reply]:
    """Give the referral code and a forwardable invitation (with a Telegram link if known)."""
    username = ctx.services.settings.telegram_bot_username
    link = (ctx.t("ref.share.link", url=f"https://t.me/{username.lstrip('@')}?start="
                  f"{participant.code}") if username else "")
    name = ctx.person.full_name or ""
    zalo = ctx.services.settings.zalo_bot_name or ctx.t("ref.share.zalo_default")
    invite = ctx.t("ref.share.invite", name=name, campaign=campaign.short_name,
                   code=participant.code, link=link, zalo=zalo).rstrip()
    # The invitation is a message of its own, without choices, so that it can be forwarded
    # as it is; the way back is offered on the explanation above it.
    back = [[Choice(ctx.t("ref.back_dashboard"), Dashboard(participant.id).pack())]]
    return [Reply(ctx.t("ref.share.intro", code=participant.code), back), Reply(invite)]


async def remove_list(ctx: Context, campaign: Campaign, participant: Participant
                      ) -> list[Reply]:
    """List my referred accounts to remove one (or say there is nobody to remove)."""
    members = [m for m in await repo_of(ctx).members(participant.id) if not m.is_self]
    if not members:
        return [await dashboard(ctx, campaign, participant, ctx.t("ref.remove.nobody"))]
    rows = [[Choice(m.display_name or "", RemoveAsk(m.id).pack())] for m in members]
    rows.append([Choice(ctx.t("ref.back_dashboard"), Dashboard(participant.id).pack())])
    return [Reply(ctx.t("ref.remove.which"), rows)]


async def _remove(ctx: Context, member_id: int, confirmed: bool) -> list[Reply]:
    owned = await _owned_member(ctx, member_id)
    if owned is None:
        return stale(ctx)
    member, participant = owned
    campaign = campaign_of(ctx, participant.campaign_id)
    if campaign is None:
        return stale(ctx)
    if not confirmed:
        key = "ref.remove.confirm_verified" if member.marks.verified else "ref.remove.confirm"
        return [Reply(ctx.t(key, name=member.display_name or ""),
                      [[Choice(ctx.t("ref.remove.yes"), RemoveConfirm(member.id).pack())],
                       [Choice(ctx.t("ref.remove.no"), Dashboard(participant.id).pack())]])]
    await repo_of(ctx).remove_member(member.id)
    text = ctx.t("ref.remove.done", name=member.display_name or "")
    return [await dashboard(ctx, campaign, participant, text)]


# --------------------------------------------------------------------------- buttons


def register_actions(router: Router) -> None:
    """Register the `rf:` buttons of the participant and referred views."""

    @router.action(JoinCampaign)
    async def _join(ctx: Context, p: JoinCampaign) -> list[Reply]:
        campaign = campaign_by_key(ctx, p.key)
        return await start_join(ctx, campaign) if campaign else stale(ctx)

    @router.action(OtherCampaign)
    async def _other_campaign(ctx: Context, p: OtherCampaign) -> list[Reply]:
        campaign = campaign_by_key(ctx, p.key)
        return await home(ctx, campaign) if campaign else stale(ctx)

    @router.action(ProgrammeInfo)
    async def _info(ctx: Context, p: ProgrammeInfo) -> list[Reply]:
        campaign = campaign_by_key(ctx, p.key)
        return [info_reply(ctx, campaign)] if campaign else stale(ctx)

    @router.action(EnterCode)
    async def _code(ctx: Context, _p: EnterCode) -> list[Reply]:
        return await start_code_form(ctx)

    @router.action(ToggleMark)
    async def _toggle(ctx: Context, p: ToggleMark) -> list[Reply]:
        return await toggle_mark(ctx, p.mid, p.week)

    @router.action(RemoveAsk)
    async def _remove_ask(ctx: Context, p: RemoveAsk) -> list[Reply]:
        return await _remove(ctx, p.mid, confirmed=False)

    @router.action(RemoveConfirm)
    async def _remove_confirm(ctx: Context, p: RemoveConfirm) -> list[Reply]:
        return await _remove(ctx, p.mid, confirmed=True)

    @router.action(Dashboard)
    async def _home(ctx: Context, p: Dashboard) -> list[Reply]:
        owned = await _owned(ctx, p.pid)
        return [await dashboard(ctx, owned[1], owned[0])] if owned else stale(ctx)

    @router.action(MarkWeek)
    async def _mark_week(ctx: Context, p: MarkWeek) -> list[Reply]:
        owned = await _owned(ctx, p.pid)
        if owned is None:
            return stale(ctx)
        participant, campaign = owned
        if not p.week:  # "this week" chosen when no week is going on
            note = no_current_week_text(ctx, programme(campaign))
            return [await dashboard(ctx, campaign, participant, note)]
        return [await mark_view(ctx, campaign, participant, p.week)]

    @router.action(MarkAll)
    async def _mark_all(ctx: Context, p: MarkAll) -> list[Reply]:
        owned = await _owned(ctx, p.pid)
        if owned is None or not p.week:
            return stale(ctx)
        return await mark_all(ctx, owned[1], owned[0], p.week)

    @router.action(OtherWeek)
    async def _other_week(ctx: Context, p: OtherWeek) -> list[Reply]:
        owned = await _owned(ctx, p.pid)
        if owned is None:
            return stale(ctx)
        participant, campaign = owned
        prog = programme(campaign)
        if ctx.clock.today() > prog.until.date:
            note = ctx.t("ref.mark.ended", end=full_date(prog.until.date))
            return [await dashboard(ctx, campaign, participant, note)]
        if not line_of(ctx, prog).closed:
            return [await dashboard(ctx, campaign, participant, ctx.t("ref.mark.no_past"))]
        return await ctx.forms.start(ctx, WEEK, {"pid": participant.id, "cid": campaign.id,
                                                 "_total": len(prog.weeks)})

    @router.action(AddReferral)
    async def _add(ctx: Context, p: AddReferral) -> list[Reply]:
        owned = await _owned(ctx, p.pid)
        return await start_add(ctx, owned[1], owned[0]) if owned else stale(ctx)

    @router.action(ShowVerdict)
    async def _verdict(ctx: Context, p: ShowVerdict) -> list[Reply]:
        owned = await _owned(ctx, p.pid)
        return [await verdict_reply(ctx, owned[1], owned[0])] if owned else stale(ctx)

    @router.action(Share)
    async def _share(ctx: Context, p: Share) -> list[Reply]:
        owned = await _owned(ctx, p.pid)
        return await share(ctx, owned[1], owned[0]) if owned else stale(ctx)

    @router.action(RemoveList)
    async def _remove_list(ctx: Context, p: RemoveList) -> list[Reply]:
        owned = await _owned(ctx, p.pid)
        return await remove_list(ctx, owned[1], owned[0]) if owned else stale(ctx)

    @router.action(ConsentAgain)
    async def _consent_again(ctx: Context, p: ConsentAgain) -> list[Reply]:
        owned = await _owned(ctx, p.pid)
        if owned is None:
            return stale(ctx)
        participant, campaign = owned
        await ctx.consents.record(ctx.person.id, Purpose.REFERRALS, True, policy_version(ctx),
                                  ctx.msg.channel, ctx.clock.now())
        return [await dashboard(ctx, campaign, participant, ctx.t("ref.consent_recorded"))]

