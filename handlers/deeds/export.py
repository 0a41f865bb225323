"""XLSX list of nominations for the emulation council, in chat and on the server.

A nominee whose consent is not recorded appears without name, village, deed or place
(nomination needs consent, but consent can be withdrawn afterwards).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from zoneinfo import ZoneInfo

from bot.core.context import Context
from bot.core.spreadsheet import WRAP, Cell, Sheet, Styled, workbook_bytes
from bot.core.types import Attachment, AttachmentKind, Reply
from content.messages import Messages
from content.schema import Campaign
from content.units import UnitTree
from handlers.common.weblinks import download_link_text
from handlers.deeds.views import is_erased
from handlers.deeds.workflow import consent_given
from storage.deeds.repo import Nominations, audit_export, load_nominations

COLUMNS = ("id", "campaign", "unit", "village", "nominee", "minor", "consent", "what", "when",
           "place", "reward", "source", "status", "nominated_at", "nominated_by")
WIDTHS = {"what": 60, "unit": 40, "campaign": 30, "reward": 40, "nominee": 25}
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def nominations_xlsx(data: Nominations, messages: Messages, units: UnitTree,
                     campaigns: Mapping[str, Campaign], tz: ZoneInfo) -> bytes:
    """Return the XLSX workbook bytes: one row per nomination, headers from the catalog.

    Written by the one safe writer: a deed, village or name that starts like a formula
    stays text."""
    rows: list[list[Cell]] = []
    for deed, event in data.items:
        shown = consent_given(deed.nominee_consent) and not is_erased(deed)
        hidden = messages.t("deeds.erased" if is_erased(deed) else "deeds.export.hidden")
        campaign = campaigns.get(deed.campaign_id)
        nominated_at = event.at.astimezone(tz).replace(tzinfo=None) if event else None
        by = data.names.get(event.actor_id or 0, "") if event else ""
        rows.append([
            deed.id,
            campaign.short_name if campaign else deed.campaign_id,
            units.path_text(deed.unit_code) if deed.unit_code in units else deed.unit_code,
            (deed.village or "") if shown else "",
            deed.nominee_name if shown else hidden,
            messages.t(f"deeds.minor.{deed.nominee_minor}"),
            messages.t(f"deeds.consent_state.{deed.nominee_consent}"),
            Styled(deed.what if shown else hidden, WRAP),
            deed.happened_on,
            deed.place if shown else hidden,
            deed.reward_form or "",
            deed.reward_source or "",
            messages.t(f"deeds.status.{deed.status}"),
            nominated_at,
            by,
        ])
    return workbook_bytes([Sheet(messages.t("deeds.export.sheet"),
                                 [messages.t(f"deeds.export.col.{c}") for c in COLUMNS], rows,
                                 [WIDTHS.get(name, 16) for name in COLUMNS])])


def export_filename(today: date) -> str:
    """Return the file name of an export made today."""
    return f"de-nghi-khen-thuong-{today.isoformat()}.xlsx"


async def export_reply(ctx: Context, scope: Collection[str] | None) -> list[Reply]:
    """Send the nominations within the reviewer's units as an XLSX file."""
    if scope is not None and not scope:
        return [Reply(ctx.t("deeds.review.no_unit"))]
    data = await load_nominations(ctx.session, scope)
    if not data.items:
        return [Reply(ctx.t("deeds.export.empty"))]
    if not ctx.traits.files:  # Zalo: a one-time download link (or the server command)
        return [Reply(await download_link_text(ctx, "deeds", {},
                                               "thidua export deeds --out de-nghi.xlsx"))]
    content = nominations_xlsx(data, ctx.services.messages, ctx.services.units,
                               ctx.services.campaigns, ctx.clock.tz)
    await audit_export(ctx.session, ctx.clock.now(), ctx.person.id, len(data.items), scope)
    name = export_filename(ctx.clock.today())
    return [Reply(ctx.t("deeds.export.done", count=len(data.items), filename=name),
                  attachments=[Attachment(AttachmentKind.DOCUMENT, data=content, filename=name,
                                          size=len(content))])]
