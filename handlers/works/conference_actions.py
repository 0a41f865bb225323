"""/hoinghi buttons: one handler per typed payload; ids are checked against the scope."""

from __future__ import annotations

import logging

from bot.core.context import Context
from bot.core.dispatcher import Router
from bot.core.types import Attachment, AttachmentKind, Reply
from handlers.common.weblinks import download_link_text
from handlers.works.common import day_text, manages, stale, unit_name, view_filter
from handlers.works.conference_forms import start_edit, start_register
from handlers.works.conference_views import (
    COMMAND,
    area_of,
    compliance_list,
    has_conference,
    home,
)
from handlers.works.consent import ready_to_write
from handlers.works.export import conferences_filename, export_conferences
from handlers.works.payloads import (
    ConferenceHeld,
    ConferenceHome,
    ConferenceList,
    DocumentsSent,
    EditConference,
    ExportConferences,
    RegisterConference,
)
from storage.works.repo import ConferenceRepo

logger = logging.getLogger(__name__)


async def edit_conference(ctx: Context, payload: EditConference) -> list[Reply]:
    """Open a registered conference for editing, if it is the person's unit's."""
    conf = await ConferenceRepo(ctx.session).get(payload.conference_id)
    if conf is None:
        return [stale(ctx)]
    if not manages(ctx, conf.unit_code):
        logger.info("conferences: refused an edit")
        return [Reply(ctx.t("conf.not_yours", unit=unit_name(ctx, conf.unit_code)))]
    return await start_edit(ctx, conf)


async def close(ctx: Context, payload: DocumentsSent | ConferenceHeld) -> list[Reply]:
    """Record that the unit sent its documents, or held its conference (which closes it)."""
    repo = ConferenceRepo(ctx.session)
    conf = await repo.get(payload.conference_id)
    if conf is None or not has_conference(ctx, conf.campaign_id):
        return [stale(ctx)]
    if not manages(ctx, conf.unit_code):
        logger.info("conferences: refused a closing")
        return [Reply(ctx.t("conf.not_yours", unit=unit_name(ctx, conf.unit_code)))]
    waiting = await ready_to_write(ctx, COMMAND, payload)
    if waiting is not None:
        return waiting
    today, now = ctx.clock.today(), ctx.clock.now()
    if isinstance(payload, ConferenceHeld):
        if conf.held_confirmed_on is not None:
            done = ctx.t("conf.held_already", date=day_text(conf.held_confirmed_on))
        elif conf.held_on > today:
            done = ctx.t("conf.held_not_yet", date=day_text(conf.held_on))
        else:
            await repo.close(conf.id, held_on=today, now=now)
            done = ctx.t("conf.held_recorded", unit=unit_name(ctx, conf.unit_code))
    elif conf.documents_sent_on is not None:
        done = ctx.t("conf.docs_already", date=day_text(conf.documents_sent_on))
    else:
        await repo.close(conf.id, documents_sent_on=today, now=now)
        done = ctx.t("conf.docs_recorded", unit=unit_name(ctx, conf.unit_code))
    return await home(ctx, conf.campaign_id, done)


async def conference_home(ctx: Context, payload: ConferenceHome) -> list[Reply]:
    """Open a campaign's conference home."""
    if not has_conference(ctx, payload.campaign):
        return [stale(ctx)]
    return await home(ctx, payload.campaign)


async def register_conference(ctx: Context, payload: RegisterConference) -> list[Reply]:
    """Start registering the unit's conference."""
    if not has_conference(ctx, payload.campaign):
        return [stale(ctx)]
    return await start_register(ctx, payload.campaign)


async def conference_list(ctx: Context, payload: ConferenceList) -> list[Reply]:
    """List the communes in one standing."""
    if not has_conference(ctx, payload.campaign):
        return [stale(ctx)]
    return await compliance_list(ctx, payload.campaign, payload.which)


async def export(ctx: Context, payload: ExportConferences) -> list[Reply]:
    """Send the conferences of a campaign as an XLSX file (where the chat takes files)."""
    if not has_conference(ctx, payload.campaign):
        return [stale(ctx)]
    area = area_of(ctx, payload.campaign)
    if area is None:
        return [stale(ctx)]
    if not ctx.traits.files:
        return [Reply(await download_link_text(
            ctx, "conferences", {"campaign": payload.campaign},
            f"thidua export conferences --campaign {payload.campaign} --out hoi-nghi.xlsx"))]
    data, count = await export_conferences(ctx.session, ctx.services.messages,
                                           ctx.services.units, area.campaign, view_filter(ctx))
    filename = conferences_filename(area.campaign, ctx.clock.today())
    document = Attachment(AttachmentKind.DOCUMENT, data=data, filename=filename, size=len(data))
    return [Reply(ctx.t("conf.export_ready", filename=filename, count=count),
                  attachments=[document])]


def register_actions(router: Router, roles: tuple[str, ...]) -> None:
    """Register every /hoinghi button."""
    router.action(ConferenceHome, roles=roles)(conference_home)
    router.action(RegisterConference, roles=roles)(register_conference)
    router.action(ConferenceList, roles=roles)(conference_list)
    router.action(ExportConferences, roles=roles)(export)
    router.action(EditConference, roles=roles)(edit_conference)
    router.action(DocumentsSent, roles=roles)(close)
    router.action(ConferenceHeld, roles=roles)(close)
