"""/congtrinh buttons: one handler per typed payload; ids are checked against the scope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core.context import Context
from bot.core.dispatcher import Router
from bot.core.types import Attachment, AttachmentKind, Choice, Reply
from handlers.common.weblinks import download_link_text
from handlers.works.common import day_text, stale, view_filter
from handlers.works.consent import ready_to_write
from handlers.works.export import audit_works_export, export_works, works_filename
from handlers.works.payloads import (
    AllWorks,
    AskComplete,
    AskWithdraw,
    ConfirmComplete,
    ConfirmWithdraw,
    EditWork,
    ExportWorks,
    FlagshipList,
    RegisterWork,
    ReportProgress,
    ToggleFlagship,
    ViewWork,
    WorkPayload,
    WorkPhotos,
    WorksHome,
    WorksList,
)
from handlers.works.works_forms import start_edit, start_progress, start_register, work_for
from handlers.works.works_views import (
    COMMAND,
    all_works,
    area_of,
    compliance_list,
    flagship_list,
    has_works,
    home,
    show_photos,
    show_work,
)
from storage.works.repo import Work, WorksRepo

WorkHandler = Callable[[Context, Work], Awaitable[list[Reply]]]


# --------------------------------------------------------------------------- one work


async def _toggle_flagship(ctx: Context, work: Work) -> list[Reply]:
    if not ctx.access.is_admin:
        return [Reply(ctx.t("works.flagship_admin_only"))]
    area = area_of(ctx, work.campaign_id)
    if area is None:
        return [stale(ctx)]
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


async def _ask_complete(ctx: Context, work: Work) -> list[Reply]:
    if work.completed_on is not None:
        return await show_work(ctx, work, ctx.t("works.already_completed",
                                                date=day_text(work.completed_on)))
    ask = ctx.t("works.complete_ask", name=work.name, today=day_text(ctx.clock.today()))
    return [Reply(ask, [[Choice(ctx.t("works.complete_yes"), ConfirmComplete(work.id).pack())],
                        [Choice(ctx.t("works.not_now"), ViewWork(work.id).pack())]])]


async def _complete(ctx: Context, work: Work) -> list[Reply]:
    if work.completed_on is not None:
        return await show_work(ctx, work, ctx.t("works.already_completed",
                                                date=day_text(work.completed_on)))
    done = await WorksRepo(ctx.session).complete(work.id, ctx.clock.today(), ctx.person.id,
                                                 ctx.clock.now())
    return await show_work(ctx, done, ctx.t("works.completed", date=day_text(ctx.clock.today())))


async def _ask_withdraw(ctx: Context, work: Work) -> list[Reply]:
    return [Reply(ctx.t("works.withdraw_ask", name=work.name),
                  [[Choice(ctx.t("works.withdraw_yes"), ConfirmWithdraw(work.id).pack())],
                   [Choice(ctx.t("works.not_now"), ViewWork(work.id).pack())]])]


async def _withdraw(ctx: Context, work: Work) -> list[Reply]:
    await WorksRepo(ctx.session).withdraw(work.id, ctx.clock.now())
    return await home(ctx, work.campaign_id, ctx.t("works.withdrawn", name=work.name))


# What each button does with the work it names; `manage` buttons change it and first ask
# for registration and the reporting consent (except the edit form, which asks itself).
WORK_ACTIONS: tuple[tuple[type[WorkPayload], WorkHandler, bool, bool], ...] = (
    # payload, handler, manage, needs consent
    (ViewWork, show_work, False, False),
    (WorkPhotos, show_photos, False, False),
    (ToggleFlagship, _toggle_flagship, False, False),
    (EditWork, start_edit, True, False),
    (ReportProgress, start_progress, True, True),
    (AskComplete, _ask_complete, True, True),
    (ConfirmComplete, _complete, True, True),
    (AskWithdraw, _ask_withdraw, True, True),
    (ConfirmWithdraw, _withdraw, True, True),
)


def _work_action(run: WorkHandler, manage: bool, consent: bool
                 ) -> Callable[[Context, WorkPayload], Awaitable[list[Reply]]]:
    async def handle(ctx: Context, payload: WorkPayload) -> list[Reply]:
        work, refused = await work_for(ctx, payload.work_id, manage=manage)
        if work is None:
            return refused or []
        if consent:
            waiting = await ready_to_write(ctx, COMMAND, payload)
            if waiting is not None:
                return waiting
        return await run(ctx, work)

    return handle


# --------------------------------------------------------------------------- campaign


async def _export(ctx: Context, campaign_id: str) -> list[Reply]:
    area = area_of(ctx, campaign_id)
    if area is None:
        return [stale(ctx)]
    if not ctx.traits.files:
        return [Reply(await download_link_text(
            ctx, "works", {"campaign": campaign_id},
            f"thidua export works --campaign {campaign_id} --out cong-trinh.xlsx"))]
    data, count = await export_works(ctx.session, ctx.services.messages, ctx.services.units,
                                     area.campaign, view_filter(ctx))
    await audit_works_export(ctx.session, ctx.clock.now(), ctx.person.id, area.campaign, count)
    filename = works_filename(area.campaign, ctx.clock.today())
    document = Attachment(AttachmentKind.DOCUMENT, data=data, filename=filename,
                          size=len(data))
    return [Reply(ctx.t("works.export_ready", filename=filename, count=count),
                  attachments=[document])]


async def _on_home(ctx: Context, p: WorksHome) -> list[Reply]:
    return await home(ctx, p.campaign)


async def _on_register(ctx: Context, p: RegisterWork) -> list[Reply]:
    return await start_register(ctx, p.campaign)


async def _on_list(ctx: Context, p: WorksList) -> list[Reply]:
    return await compliance_list(ctx, p.campaign, p.which)


async def _on_all(ctx: Context, p: AllWorks) -> list[Reply]:
    return await all_works(ctx, p.campaign, p.page)


async def _on_flagships(ctx: Context, p: FlagshipList) -> list[Reply]:
    return await flagship_list(ctx, p.campaign)


async def _on_export(ctx: Context, p: ExportWorks) -> list[Reply]:
    return await _export(ctx, p.campaign)


CampaignPayload = WorksHome | RegisterWork | WorksList | AllWorks | FlagshipList | ExportWorks


def _in_scope(run: Callable[[Context, CampaignPayload], Awaitable[list[Reply]]]
              ) -> Callable[[Context, CampaignPayload], Awaitable[list[Reply]]]:
    """Refuse a campaign that has no works or does not concern the person (stale)."""

    async def handle(ctx: Context, payload: CampaignPayload) -> list[Reply]:
        if not has_works(ctx, payload.campaign):
            return [stale(ctx)]
        return await run(ctx, payload)

    return handle


CAMPAIGN_ACTIONS: tuple[tuple[type[CampaignPayload], Callable[..., Awaitable[list[Reply]]]],
                        ...] = (
    (WorksHome, _on_home),
    (RegisterWork, _on_register),
    (WorksList, _on_list),
    (AllWorks, _on_all),
    (FlagshipList, _on_flagships),
    (ExportWorks, _on_export),
)


def register_actions(router: Router, roles: tuple[str, ...]) -> None:
    """Register every /congtrinh button."""
    for campaign_payload, run in CAMPAIGN_ACTIONS:
        router.action(campaign_payload, roles=roles)(_in_scope(run))
    for work_payload, work_run, manage, consent in WORK_ACTIONS:
        router.action(work_payload, roles=roles)(_work_action(work_run, manage, consent))
