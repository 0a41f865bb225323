"""What the deeds feature puts on the link pages: the nominations XLSX, for the reviewer's
units as they are today (admins: every unit)."""

from __future__ import annotations

from bot.core.cli import ExportFile
from bot.core.weblinks import Download, WebCall, WebParts, WebRefused
from handlers.deeds.access import REVIEW_ROLES
from handlers.deeds.export import MEDIA_TYPE, export_filename, nominations_xlsx
from storage.deeds.repo import load_nominations


def _scope(call: WebCall) -> list[str] | None:
    if call.access.is_admin:
        return None
    units = call.services.units
    scope: list[str] = []
    for root in call.access.units(REVIEW_ROLES):
        if root in units:
            scope.extend(c for c in (root, *(u.code for u in units.descendants(root)))
                         if c not in scope)
    if not scope:
        raise WebRefused("web.refused.not_allowed")
    return scope


async def download_deeds(call: WebCall) -> Download:
    """The nominations of the person's units (names hidden without consent, as in chat)."""
    scope = _scope(call)
    data = await load_nominations(call.session, scope)
    services = call.services
    content = nominations_xlsx(data, services.messages, services.units, services.campaigns,
                               services.clock.tz)
    day = call.now.astimezone(services.clock.tz).date()
    return Download(export_filename(day), MEDIA_TYPE,
                    ExportFile(content, len(data.items), "deed_nominations", lambda _p: "",
                               details={"units": None if scope is None else len(scope)}))


WEB = WebParts(downloads={"deeds": download_deeds})
