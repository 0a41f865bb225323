"""/tiendo for liaisons and admins: unit progress, who owes a week, exports, imports."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from bot.core.context import Context
from bot.core.forms import Form, Invalid, Step
from bot.core.types import Attachment, AttachmentKind, Choice, Reply
from content.messages import Messages
from content.schema import Campaign, ReferralProgramme
from handlers.referrals.common import (
    FILE_CHANNELS,
    can_manage_unit,
    covering,
    default_campaign,
    full_date,
    line_of,
    parse_week_number,
    programme,
    programme_day,
    scope_root,
    subtree,
    unit_name,
    week_choices,
    week_span,
    yes_no,
)
from handlers.referrals.imports import ImportRefused, ImportReport, import_official_list
from handlers.referrals.participant import campaign_of, parse_account, repo_of, stale
from handlers.referrals.rules import display_account
from handlers.referrals.xlsx import ExportScope, eligible_workbook, progress_workbook
from storage.referrals.repo import Owing, UnitCounts, normalize_code

IMPORT = "ref_import"
REASSIGN = "ref_reassign"
UNIT = "ref_unit"
OWING_LINES = 30
CHILD_LINES = 25
MANAGERS = ("liaison", "admin")
# Above this many accounts an export is made on the server: building it inside a chat
# message would hold the database (SQLite: the write lock) for seconds.
CHAT_EXPORT_LIMIT = 20_000


class Steps(StrEnum):
    """What a liaison or admin is doing."""

    CHOOSING_IMPORT_WEEK = "choosing_import_week"
    SENDING_LIST_FILE = "sending_list_file"
    TYPING_CLAIMED_ACCOUNT = "typing_claimed_account"
    TYPING_TARGET_CODE = "typing_target_code"
    CONFIRMING_REASSIGN = "confirming_reassign"
    CHOOSING_REPORT_UNIT = "choosing_report_unit"


def number(value: int) -> str:
    """Return a count with Vietnamese thousands dots (1.234)."""
    return f"{value:,}".replace(",", ".")


def unit_payload(prefix: str, code: str) -> str:
    """Return `prefix:code`, or just `prefix:` when the code would not fit a payload."""
    payload = f"{prefix}:{code}"
    return payload if len(payload.encode()) <= 64 and code.isascii() else f"{prefix}:"


def scope_units(ctx: Context, prog: ReferralProgramme, unit_code: str) -> list[str] | None:
    """Return the unit codes a query is limited to (None: the whole programme area)."""
    if unit_code in covering(ctx, prog.home_unit):
        return None  # participants' units always lie in the programme area
    return subtree(ctx, unit_code)


async def _campaign_and_root(ctx: Context) -> tuple[Campaign, str] | list[Reply]:
    campaign = default_campaign(ctx)
    if campaign is None:
        return [ctx.main_menu(ctx.t("ref.no_programme"))]
    root = scope_root(ctx, programme(campaign))
    if root is None:
        return [ctx.main_menu(ctx.t("ref.manage.no_unit"))]
    return campaign, root


async def tiendo(ctx: Context) -> list[Reply]:
    """/tiendo: progress of my unit (liaison) or of the whole campaign (admin)."""
    found = await _campaign_and_root(ctx)
    if isinstance(found, list):
        return found
    campaign, root = found
    return [await progress_view(ctx, campaign, root)]


def _counts_line(ctx: Context, name: str, c: UnitCounts) -> str:
    return ctx.t("ref.manage.unit_line", unit=name, participants=number(c.participants),
                 referrals=number(c.referrals), done=number(c.done_this_week),
                 accounts=number(c.accounts), eligible=number(c.eligible))


def _sum(counts: dict[str, UnitCounts], codes: Sequence[str]) -> UnitCounts:
    total = UnitCounts()
    for code in codes:
        if code in counts:
            total = total + counts[code]
    return total


async def progress_view(ctx: Context, campaign: Campaign, unit_code: str,
                        prefix: str | None = None) -> Reply:
    """Show participants, referrals, this week's completion and eligibility for a unit."""
    prog = programme(campaign)
    line = line_of(ctx, prog)
    counts = await repo_of(ctx).unit_counts(campaign.id, scope_units(ctx, prog, unit_code),
                                            line, prog.min_referrals.number)
    units = ctx.services.units
    total = _sum(counts, subtree(ctx, unit_code))
    if line.current is not None:
        week_text = ctx.t("ref.manage.week_now", week=line.current, total=line.total,
                          span=week_span(prog, line.current))
    elif line.finished:
        week_text = ctx.t("ref.status.ended", end=full_date(prog.weeks[-1].end))
    else:
        week_text = ctx.t("ref.status.before", start=full_date(prog.weeks[0].start))
    eligible_key = "ref.manage.eligible_final" if line.finished else "ref.manage.eligible_now"
    text = ctx.t("ref.manage.progress", name=campaign.short_name, unit=unit_name(ctx, unit_code),
                 week=week_text, participants=number(total.participants),
                 enough=number(total.with_enough_referrals), minimum=prog.min_referrals.value,
                 referrals=number(total.referrals), done=number(total.done_this_week),
                 accounts=number(total.accounts),
                 eligible=ctx.t(eligible_key, count=number(total.eligible)))
    lines: list[str] = []
    rows: list[list[Choice]] = []
    direct = counts.get(unit_code)
    if direct and direct.participants:
        lines.append(_counts_line(ctx, ctx.t("ref.manage.direct", unit=unit_name(ctx, unit_code)),
                                  direct))
    empty = 0
    for child in units.children(unit_code, programme_day(ctx, prog)):
        child_total = _sum(counts, subtree(ctx, child.code))
        if not child_total.participants:
            empty += 1
            continue
        if len(lines) < CHILD_LINES:
            lines.append(_counts_line(ctx, child.full_name, child_total))
            if units.children(child.code) and len(rows) < 8:
                rows.append([Choice(ctx.t("ref.manage.open_unit", unit=child.full_name),
                                    unit_payload("rq:pg", child.code))])
    if lines:
        text += "\n" + ctx.t("ref.manage.by_unit") + "\n" + "\n".join(lines)
    if empty:
        text += "\n" + ctx.t("ref.manage.empty_units", count=empty)
    week = line.current or line.closed
    actions: list[list[Choice]] = []
    if week:
        actions.append([Choice(ctx.t("ref.manage.owing_button", week=week),
                               unit_payload(f"rq:ow:{week}", unit_code))])
    actions.append([Choice(ctx.t("ref.manage.export_progress"),
                           unit_payload("rq:xp", unit_code))])
    actions.append([Choice(ctx.t("ref.manage.export_eligible"),
                           unit_payload("rq:xe", unit_code))])
    if line.started:
        actions.append([Choice(ctx.t("ref.manage.import_button"), "rq:im")])
    actions.append([Choice(ctx.t("ref.manage.other_unit"), "rq:un")])
    if ctx.person.role == "admin":
        actions.append([Choice(ctx.t("ref.manage.reassign_button"), "rq:ra")])
    if prefix:
        text = f"{prefix}\n\n{text}"
    return Reply(text, actions + rows)


def _owing_text(ctx: Context, owing: list[Owing], accounts: int, people: int, week: int,
                unit_code: str) -> str:
    if not owing:
        return ctx.t("ref.manage.owing_none", week=week, unit=unit_name(ctx, unit_code))
    grouped: dict[int, list[Owing]] = {}
    for item in owing:
        grouped.setdefault(item.participant_id, []).append(item)
    lines = []
    for items in list(grouped.values())[:OWING_LINES]:
        first = items[0]
        names = ", ".join(ctx.t("ref.manage.owing_self") if i.is_self else (i.member_name or "")
                          for i in items)
        lines.append(ctx.t("ref.manage.owing_line", person=first.person_name or "",
                           unit=unit_name(ctx, first.unit_code), names=names))
    text = ctx.t("ref.manage.owing_title", week=week, unit=unit_name(ctx, unit_code),
                 accounts=number(accounts), people=number(people)) + "\n" + "\n".join(lines)
    if people > OWING_LINES:
        text += "\n" + ctx.t("ref.manage.owing_more", count=number(people - OWING_LINES))
    return text


async def owing_view(ctx: Context, campaign: Campaign, week: int, unit_code: str) -> Reply:
    """List who has not taken part in week k yet (self-report or official list)."""
    prog = programme(campaign)
    repo = repo_of(ctx)
    units = scope_units(ctx, prog, unit_code)
    accounts, people = await repo.count_owing(campaign.id, week, units)
    owing = await repo.owing(campaign.id, week, units, limit=OWING_LINES * (
        prog.max_referrals.number + 1))
    text = _owing_text(ctx, owing, accounts, people, week, unit_code)
    rows = [[c] for c in week_choices(ctx, prog, "rq:ow:{week}", started_only=True)
            if c.payload != f"rq:ow:{week}"]
    rows = [[Choice(c.label, unit_payload(c.payload, unit_code))] for [c] in rows]
    rows.append([Choice(ctx.t("ref.manage.back"), unit_payload("rq:pg", unit_code))])
    return Reply(text, rows)


async def export(ctx: Context, campaign: Campaign, unit_code: str, eligible: bool) -> Reply:
    """Send an XLSX export, or explain the server command where files cannot be sent."""
    prog = programme(campaign)
    back = [[Choice(ctx.t("ref.manage.back"), unit_payload("rq:pg", unit_code))]]
    kind = "--eligible " if eligible else ""
    command = (f"thidua export referrals --campaign {campaign.id} --unit {unit_code} "
               f"{kind}--out {export_filename(campaign, unit_code, eligible, ctx)}")
    if ctx.msg.channel not in FILE_CHANNELS:
        return Reply(ctx.t("ref.export.no_files", command=command), back)
    scope = ExportScope(campaign, prog, line_of(ctx, prog), scope_units(ctx, prog, unit_code),
                        unit_code, ctx.clock.now())
    repo = repo_of(ctx)
    counts = await repo.unit_counts(campaign.id, scope.units, scope.line,
                                    prog.min_referrals.number)
    accounts = sum(c.accounts for c in counts.values())
    if accounts > CHAT_EXPORT_LIMIT:
        return Reply(ctx.t("ref.export.too_big", accounts=number(accounts), command=command),
                     back)
    messages: Messages = ctx.services.messages
    if eligible:
        data, count = await eligible_workbook(repo, scope, messages, ctx.services.units)
        text = ctx.t("ref.export.eligible_sent", count=number(count),
                     unit=unit_name(ctx, unit_code))
    else:
        data = await progress_workbook(repo, scope, counts, messages, ctx.services.units)
        text = ctx.t("ref.export.progress_sent", unit=unit_name(ctx, unit_code))
    name = export_filename(campaign, unit_code, eligible, ctx)
    return Reply(text, back, [Attachment(AttachmentKind.DOCUMENT, data=data, filename=name,
                                         size=len(data))])


def export_filename(campaign: Campaign, unit_code: str, eligible: bool, ctx: Context) -> str:
    """Return a file name such as dan-van-kheo-du-dieu-kien-ls.bac-son-20240410.xlsx."""
    kind = "du-dieu-kien" if eligible else "tien-do"
    return f"{campaign.id}-{kind}-{unit_code}-{ctx.clock.today():%Y%m%d}.xlsx"


# --------------------------------------------------------------------------- import in chat


def _import_campaign(ctx: Context, data: dict[str, Any]) -> tuple[Campaign, ReferralProgramme]:
    campaign = campaign_of(ctx, str(data.get("cid", "")))
    if campaign is None:
        raise Invalid("ref.no_programme")
    return campaign, programme(campaign)


def _import_week_options(ctx: Context, data: dict[str, Any]) -> list[Choice]:
    _, prog = _import_campaign(ctx, data)
    return week_choices(ctx, prog, "f:{week}", started_only=True)


def _parse_import_week(ctx: Context, text: str) -> int:
    _, prog = _import_campaign(ctx, ctx.state.data)
    week = parse_week_number(ctx, prog, text)
    start = prog.weeks[week - 1].start
    if start > ctx.clock.today():
        raise Invalid("ref.mark.not_started", week=week, start=full_date(start))
    return week


def _file_prompt(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.t("ref.import.ask_file", week=data["week"],
                 unit=unit_name(ctx, str(data.get("unit", ""))))


def cli_import_command(campaign_id: str, week: int, unit: str | None) -> str:
    """Return the server command that imports a list (shown where chat cannot)."""
    scope = f" --unit {unit}" if unit else ""
    return f"thidua import referrals FILE.xlsx --campaign {campaign_id} --week {week}{scope}"


async def _parse_list_file(ctx: Context, _text: str) -> dict[str, Any]:
    data = ctx.state.data
    campaign, prog = _import_campaign(ctx, data)
    week = int(data["week"])
    unit = data.get("unit") if ctx.person.role != "admin" else None
    documents = [a for a in ctx.msg.attachments if a.kind is AttachmentKind.DOCUMENT]
    if not documents:
        raise Invalid("ref.import.need_file")
    document = documents[0]
    if document.data is None:
        raise Invalid("ref.import.no_download",
                      command=cli_import_command(campaign.id, week, unit))
    units = subtree(ctx, unit) if unit else None
    try:
        report = await import_official_list(
            ctx.session, campaign_id=campaign.id, week=week,
            week_start=prog.weeks[week - 1].start, today=ctx.clock.today(),
            source=document.data, filename=document.filename or "danh-sach",
            units=units, scope_unit=unit, imported_by=ctx.person.id, now=ctx.clock.now())
    except ImportRefused as exc:
        raise Invalid(f"ref.import.err.{exc.kind}", row=exc.row or "", week=week) from exc
    return {"text": report_text(ctx.services.messages, report)}


def report_text(messages: Messages, report: ImportReport) -> str:
    """Return the match report people read after an import."""
    t = messages.t
    if report.already_imported:
        at = (report.imported_at or "")[:10]
        day = f"{at[8:10]}/{at[5:7]}/{at[:4]}" if len(at) == 10 else at
        return t("ref.import.already", week=report.previous_week, at=day)
    lines = [t("ref.import.done", week=report.week, file=report.filename),
             t("ref.import.rows", count=number(report.rows)),
             t("ref.import.matched", count=number(report.matched),
               fresh=number(report.newly_verified), before=number(report.already_verified))]
    samples = [("unmatched", report.unmatched, report.unmatched_rows),
               ("duplicates", report.duplicates, report.duplicate_rows)]
    for key, count, rows in samples:
        lines.append(t(f"ref.import.{key}", count=number(count),
                       rows=", ".join(str(r) for r in rows) or "—"))
    errors = "; ".join(t("ref.import.error_row", row=row, problem=t(f"ref.import.problem.{k}"))
                       for row, k in report.error_rows) or "—"
    lines.append(t("ref.import.errors", count=number(report.errors), rows=errors))
    if report.out_of_scope:
        lines.append(t("ref.import.out_of_scope", count=number(report.out_of_scope)))
    examples = ", ".join(
        t("ref.import.conflict_self" if is_self else "ref.import.conflict_referral",
          person=person or "", name=name or "")
        for person, name, is_self in report.conflict_examples[:5]) or "—"
    lines.append(t("ref.import.conflicts", count=number(report.conflicts), week=report.week,
                   examples=examples))
    return "\n".join(lines)


async def _finish_import(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    campaign = campaign_of(ctx, str(data.get("cid", "")))
    if campaign is None:
        return stale(ctx)
    result = data.get("report") or {}
    return [await progress_view(ctx, campaign, str(data.get("unit")), str(result.get("text")))]


def import_form() -> Form:
    """Return the import form: which week, then the file (CSV or XLSX)."""
    steps = (
        Step(Steps.CHOOSING_IMPORT_WEEK, "week", "ref.import.ask_week",
             parse=_parse_import_week, pick=_parse_import_week, options=_import_week_options,
             invalid="ref.week.bad", max_length=20),
        Step(Steps.SENDING_LIST_FILE, "report", _file_prompt, parse=_parse_list_file,
             invalid="ref.import.need_file", attachments=True),
    )
    return Form(IMPORT, "ref.import.title", steps, _finish_import)


# --------------------------------------------------------------------------- other unit


def _parse_report_unit(ctx: Context, text: str) -> str:
    _, prog = _import_campaign(ctx, ctx.state.data)
    units = ctx.services.units
    hits = [u for u, _ in units.search(text, on=programme_day(ctx, prog), limit=20)
            if can_manage_unit(ctx, u.code) and len(f"f:{u.code}") <= 64][:6]
    if not hits:
        raise Invalid("ref.manage.unit_not_found", query=text[:60])
    raise Invalid("reg.unit_pick",
                  choices=[Choice(units.path_text(u.code), "f:" + u.code) for u in hits])


def _pick_report_unit(ctx: Context, code: str) -> str:
    if ctx.services.units.get(code) is None or not can_manage_unit(ctx, code):
        raise Invalid("ref.manage.unit_not_found", query=code[:60])
    return code


async def _finish_unit(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    campaign = campaign_of(ctx, str(data.get("cid", "")))
    if campaign is None:
        return stale(ctx)
    return [await progress_view(ctx, campaign, str(data["unit"]))]


def unit_form() -> Form:
    """Return the one-question form that picks another unit to report on."""
    step = Step(Steps.CHOOSING_REPORT_UNIT, "unit", "ref.manage.ask_unit",
                parse=_parse_report_unit, pick=_pick_report_unit, max_length=200)
    return Form(UNIT, "ref.manage.unit_title", (step,), _finish_unit)


# --------------------------------------------------------------------------- reassign


async def _parse_claimed(ctx: Context, text: str) -> int:
    campaign, _ = _import_campaign(ctx, ctx.state.data)
    account = parse_account(ctx, text)
    repo = repo_of(ctx)
    holder = await repo.claimed(campaign.id, account.value)
    if holder is None:
        raise Invalid("ref.reassign.not_claimed", account=display_account(account.value))
    if holder.is_self:
        raise Invalid("ref.reassign.is_own", account=display_account(account.value))
    owner = await repo.participant(holder.participant_id)
    ctx.state.data["_holder"] = ctx.t(
        "ref.reassign.holder", name=holder.display_name or "",
        account=display_account(holder.quiz_account),
        holder=(await repo.person_name(owner.person_id) if owner else None) or "",
        code=owner.code if owner else "")
    return holder.id


def _target_prompt(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.t("ref.reassign.ask_target", holder=data.get("_holder", ""))


async def _parse_target(ctx: Context, text: str) -> int:
    campaign, _ = _import_campaign(ctx, ctx.state.data)
    code = normalize_code(text)
    repo = repo_of(ctx)
    target = await repo.participant_by_code(code) if code else None
    if target is None or target.campaign_id != campaign.id:
        raise Invalid("ref.reassign.bad_target")
    member = await repo.member(int(ctx.state.data["member"]))
    if member is not None and member.participant_id == target.id:
        raise Invalid("ref.reassign.same")
    ctx.state.data["_target"] = ctx.t(
        "ref.reassign.target", name=await repo.person_name(target.person_id) or "",
        code=target.code, unit=unit_name(ctx, target.unit_code))
    return target.id


def _confirm_prompt(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.t("ref.reassign.confirm", holder=data.get("_holder", ""),
                 target=data.get("_target", ""))


def _confirm_options(ctx: Context, _data: dict[str, Any]) -> list[Choice]:
    return [Choice(ctx.t("ref.reassign.yes"), "f:yes"), Choice(ctx.t("form.cancel"), "f:no")]


def _parse_confirm(_ctx: Context, text: str) -> str:
    answer = yes_no(text)
    if answer is None:
        raise Invalid("ref.reassign.pick")
    return answer


def _pick_confirm(_ctx: Context, value: str) -> str:
    if value not in ("yes", "no"):
        raise Invalid("ref.reassign.pick")
    return value


async def _finish_reassign(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    campaign = campaign_of(ctx, str(data.get("cid", "")))
    repo = repo_of(ctx)
    member = await repo.member(int(data["member"]))
    target = await repo.participant(int(data["target"]))
    if campaign is None or member is None or target is None or ctx.person.role != "admin":
        return stale(ctx)
    prog = programme(campaign)
    if data.get("confirm") != "yes":
        return [await progress_view(ctx, campaign, prog.home_unit, ctx.t("form.cancelled"))]
    official = await repo.official_mask(campaign.id, covering(ctx, target.unit_code))
    await repo.reassign(member.id, target, official, ctx.clock.now())
    count = len(await repo.members(target.id)) - 1
    done = ctx.t("ref.reassign.done", holder=data.get("_holder", ""),
                 target=data.get("_target", ""))
    if count > prog.max_referrals.number:
        done += "\n" + ctx.t("ref.reassign.over_max", count=count,
                             maximum=prog.max_referrals.number)
    return [await progress_view(ctx, campaign, prog.home_unit, done)]


def reassign_form() -> Form:
    """Return the admin form that moves a referred account to another participant."""
    steps = (
        Step(Steps.TYPING_CLAIMED_ACCOUNT, "member", "ref.reassign.ask_account",
             parse=_parse_claimed, max_length=120),
        Step(Steps.TYPING_TARGET_CODE, "target", _target_prompt, parse=_parse_target,
             invalid="ref.reassign.bad_target", max_length=30),
        Step(Steps.CONFIRMING_REASSIGN, "confirm", _confirm_prompt, parse=_parse_confirm,
             pick=_pick_confirm, options=_confirm_options, invalid="ref.reassign.pick"),
    )
    return Form(REASSIGN, "ref.reassign.title", steps, _finish_reassign)


# --------------------------------------------------------------------------- choices


async def manage_choice(ctx: Context, payload: str) -> list[Reply]:
    """Handle `rq:` choices of the progress view."""
    if ctx.person.role not in MANAGERS:
        return [ctx.main_menu(ctx.t("error.not_allowed", command="/tiendo"))]
    found = await _campaign_and_root(ctx)
    if isinstance(found, list):
        return found
    campaign, root = found
    parts = payload.split(":")
    action = parts[1] if len(parts) > 1 else ""
    if action == "ow" and len(parts) >= 3 and parts[2].isdigit():
        unit = _unit_arg(ctx, parts[3] if len(parts) > 3 else "", root)
        week = int(parts[2])
        if unit is None or not 1 <= week <= len(programme(campaign).weeks):
            return stale(ctx)
        return [await owing_view(ctx, campaign, week, unit)]
    unit = _unit_arg(ctx, parts[2] if len(parts) > 2 else "", root)
    if unit is None:
        return stale(ctx)
    if action == "pg":
        return [await progress_view(ctx, campaign, unit)]
    if action in ("xp", "xe"):
        return [await export(ctx, campaign, unit, eligible=action == "xe")]
    if action == "im":
        return await ctx.forms.start(ctx, IMPORT, {"cid": campaign.id, "unit": root})
    if action == "un":
        return await ctx.forms.start(ctx, UNIT, {"cid": campaign.id})
    if action == "ra" and ctx.person.role == "admin":
        return await ctx.forms.start(ctx, REASSIGN, {"cid": campaign.id})
    return stale(ctx)


def _unit_arg(ctx: Context, code: str, root: str) -> str | None:
    if not code:
        return root
    if ctx.services.units.get(code) is None or not can_manage_unit(ctx, code):
        return None
    return code
