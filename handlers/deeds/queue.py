"""/duyet views: the reviewer's queue by status and unit, and one report with its decisions.

A report outside the reviewer's units is never shown (`ctx.access.manages`, the one meaning
of "manages this unit": a grant on it or on a unit above it; admins manage every unit).
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.payloads import MAX_PAYLOAD_BYTES
from bot.core.types import Attachment, AttachmentKind, Choice, Reply
from handlers.deeds.access import REVIEW_ROLES, review_scope
from handlers.deeds.export import export_reply
from handlers.deeds.notices import pending_reply
from handlers.deeds.payloads import (
    ByStatus,
    ByUnit,
    Decide,
    ExportNominations,
    OpenReport,
    UnitQueue,
    report_number,
)
from handlers.deeds.views import list_line, names_of, reviewer_view, status_text, unit_text
from handlers.deeds.workflow import OPEN, REVIEW_MENU, Action, Status, available_actions
from storage.deeds.repo import Deed, DeedsRepo
from storage.files import FileRepo

LIST_LIMIT = 10
BACK_TO_QUEUE = "c:duyet"


def manages(ctx: Context, unit_code: str) -> bool:
    """Tell whether the person reviews reports about a unit."""
    return ctx.access.manages(unit_code, REVIEW_ROLES)


def back_rows(ctx: Context) -> list[list[Choice]]:
    """Return the button back to the queue."""
    return [[Choice(ctx.t("deeds.review.back_queue"), BACK_TO_QUEUE)]]


async def load(ctx: Context, deed_id: int) -> Deed | list[Reply]:
    """Return the report, or the reply refusing it (unknown, or outside the reviewer's units)."""
    deed = await DeedsRepo(ctx.session).get(deed_id)
    if deed is None:
        return [Reply(ctx.t("deeds.review.not_found", id=deed_id), back_rows(ctx))]
    if not manages(ctx, deed.unit_code):
        return [Reply(ctx.t("deeds.review.outside", id=deed_id), back_rows(ctx))]
    return deed


async def _photos(ctx: Context, deed: Deed) -> list[Attachment]:
    """The report's photos: the channel's own reference when the reviewer is on the channel
    it came from, else the bytes the bot kept (a Zalo URL may have expired by now)."""
    files = FileRepo(ctx.session)
    out: list[Attachment] = []
    for p in deed.photos:
        data = None
        if p.file_id is not None and (p.ref is None or p.channel != ctx.msg.channel):
            data = await files.data(p.file_id)
        if p.ref or data is not None:
            out.append(Attachment(AttachmentKind.PHOTO, url=p.ref, data=data, size=p.size,
                                  caption=p.caption))
    return out


def _action_label(ctx: Context, action: Action, available: bool) -> str:
    label = ctx.t(f"deeds.action.{action.value}")
    return label if available else ctx.t("deeds.action_unavailable", action=label)


async def detail(ctx: Context, deed: Deed, prefix: str | None = None) -> list[Reply]:
    """Show a report to a reviewer with the decisions open to them now."""
    repo = DeedsRepo(ctx.session)
    text = await reviewer_view(ctx, deed, await repo.events(deed.id))
    if prefix:
        text = f"{prefix}\n\n{text}"
    available = set(available_actions(
        deed.status, holder_id=deed.reviewer_id, actor_id=ctx.person.id,
        actor_is_admin=ctx.access.is_admin, reporter_id=deed.reporter_id,
        consent=deed.nominee_consent))
    # Fixed slots: every decision keeps its number whatever the report's state; one that
    # does not apply now is marked, and choosing it says why.
    rows = [[Choice(_action_label(ctx, a, a in available),
                    Decide(deed.id, deed.version, a.value).pack())] for a in REVIEW_MENU]
    rows += back_rows(ctx)
    return [Reply(text, rows, attachments=await _photos(ctx, deed))]


async def conflict(ctx: Context, deed_id: int) -> list[Reply]:
    """Tell a reviewer someone decided first, and show the report as it is now."""
    repo = DeedsRepo(ctx.session)
    fresh = await repo.get(deed_id)
    if fresh is None:
        return [Reply(ctx.t("deeds.review.not_found", id=deed_id), back_rows(ctx))]
    events = await repo.events(deed_id)
    last_actor = events[-1].actor_id if events else None
    names = await names_of(ctx, {last_actor})
    prefix = ctx.t("deeds.review.conflict", id=deed_id,
                   name=names.get(last_actor or 0, ctx.t("deeds.someone")),
                   status=status_text(ctx, fresh.status))
    if not manages(ctx, fresh.unit_code):
        return [Reply(prefix, back_rows(ctx))]
    return await detail(ctx, fresh, prefix)


async def review_command(ctx: Context) -> list[Reply]:
    """/duyet [number]: the queue of the reviewer's units, or one report by its number."""
    arg = ctx.text.partition(" ")[2].strip()
    if arg:
        number = report_number(arg)
        digits = arg.removeprefix("#")
        if number is None and digits.isascii() and digits.isdigit():  # no report that high
            return [Reply(ctx.t("deeds.review.not_found", id=digits), back_rows(ctx))]
        if number is None:
            return [Reply(ctx.t("deeds.review.bad_number"), back_rows(ctx))]
        return await open_report(ctx, OpenReport(number))
    replies: list[Reply] = []
    notices = await pending_reply(ctx)
    if notices is not None:
        replies.append(notices)
    replies += await _overview(ctx)
    return replies


async def _overview(ctx: Context) -> list[Reply]:
    scope = review_scope(ctx)
    if scope == []:
        return [Reply(ctx.t("deeds.review.no_unit"))]
    counts = await DeedsRepo(ctx.session).counts(scope)
    where = (ctx.t("deeds.review.all_units") if scope is None
             else unit_text(ctx, ctx.person.unit_code))
    lines = "\n".join(ctx.t("deeds.review.count_line", status=status_text(ctx, s),
                            count=counts.get(s, 0)) for s in Status)
    # Fixed slots: one choice per status (counts may be 0), then the export, then the
    # per-unit view for reviewers of several units (the same every visit for one person).
    rows = [[Choice(ctx.t("deeds.review.status_choice", status=status_text(ctx, s),
                          count=counts.get(s, 0)), ByStatus(s.value).pack())]
            for s in Status]
    rows.append([Choice(ctx.t("deeds.review.export"), ExportNominations().pack())])
    if scope is None or len(scope) > 1:
        rows.append([Choice(ctx.t("deeds.review.by_unit"), ByUnit().pack())])
    return [Reply(ctx.t("deeds.review.title", scope=where, lines=lines), rows)]


def _list_reply(ctx: Context, deeds: list[Deed], title: str) -> list[Reply]:
    if not deeds:
        return [Reply(ctx.t("deeds.review.list_empty"), back_rows(ctx))]
    more = len(deeds) > LIST_LIMIT
    deeds = deeds[:LIST_LIMIT]
    lines = "\n".join(list_line(ctx, d, show_nominee=True) for d in deeds)
    if more:
        lines += "\n" + ctx.t("deeds.review.list_more", limit=LIST_LIMIT)
    rows = [[Choice(ctx.t("deeds.review.open", id=d.id), OpenReport(d.id).pack())]
            for d in deeds]
    return [Reply(f"{title}\n{lines}", rows + back_rows(ctx))]


async def status_list(ctx: Context, payload: ByStatus) -> list[Reply]:
    """List the reports of the reviewer's units in one status."""
    status = payload.status
    if status not in {s.value for s in Status}:
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    deeds = await DeedsRepo(ctx.session).queue(review_scope(ctx), [status], LIST_LIMIT + 1,
                                               newest_first=status not in OPEN)
    return _list_reply(ctx, deeds, ctx.t("deeds.review.list_title",
                                         status=status_text(ctx, status)))


async def units(ctx: Context, _payload: ByUnit) -> list[Reply]:
    """Count the open reports of each unit the reviewer covers."""
    per_unit = await DeedsRepo(ctx.session).open_by_unit(review_scope(ctx), OPEN)
    if not per_unit:
        return [Reply(ctx.t("deeds.review.list_empty"), back_rows(ctx))]
    ordered = sorted(per_unit.items(), key=lambda item: unit_text(ctx, item[0]))
    lines = "\n".join(ctx.t("deeds.review.unit_line", unit=unit_text(ctx, code), count=n)
                      for code, n in ordered)
    rows = [[Choice(unit_text(ctx, code), UnitQueue(code).pack())] for code, _n in ordered
            if _fits(UnitQueue(code))]
    return [Reply(ctx.t("deeds.review.units_title", lines=lines), rows + back_rows(ctx))]


def _fits(payload: UnitQueue) -> bool:
    """Tell whether a unit's button fits the channel limit (a very long code gets none)."""
    return len(f"{payload.PREFIX}:{payload.unit_code}".encode()) <= MAX_PAYLOAD_BYTES


async def unit_list(ctx: Context, payload: UnitQueue) -> list[Reply]:
    """List the open reports of one unit the reviewer covers."""
    code = payload.unit_code
    if not manages(ctx, code):
        return [Reply(ctx.t("deeds.review.outside_unit"), back_rows(ctx))]
    deeds = await DeedsRepo(ctx.session).queue([code], OPEN, LIST_LIMIT + 1)
    return _list_reply(ctx, deeds, ctx.t("deeds.review.unit_title", unit=unit_text(ctx, code)))


async def open_report(ctx: Context, payload: OpenReport) -> list[Reply]:
    """Show one report (by button or by /duyet <number>)."""
    loaded = await load(ctx, payload.deed_id)
    return loaded if isinstance(loaded, list) else await detail(ctx, loaded)


async def export(ctx: Context, _payload: ExportNominations) -> list[Reply]:
    """Send the nominations within the reviewer's units as an XLSX file."""
    return await export_reply(ctx, review_scope(ctx))
