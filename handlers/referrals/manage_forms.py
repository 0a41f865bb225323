"""The forms of /tiendo: import an official list in the chat, pick a unit, reassign (admins)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from bot.core.context import Context
from bot.core.forms import Form, Invalid, Step
from bot.core.types import AttachmentKind, Choice, Reply
from bot.delivery.service import delivery_of
from content.schema import Campaign, ReferralProgramme
from handlers.common.steps import yes_no_step
from handlers.common.weblinks import UPLOAD, link_text
from handlers.referrals.common import (
    campaign_of,
    covering,
    form_choice,
    full_date,
    in_area,
    manages_unit,
    parse_account,
    parse_week_number,
    programme,
    programme_day,
    repo_of,
    stale,
    subtree,
    unit_name,
    week_choices,
)
from handlers.referrals.imports import ImportRefused, import_official_list
from handlers.referrals.manage_views import cli_import_command, progress_view, report_text
from handlers.referrals.notices import tell_conflicts
from storage.referrals.marks import display_account
from storage.referrals.repo import normalize_code

IMPORT = "ref_import"
REASSIGN = "ref_reassign"
UNIT = "ref_unit"


class Steps(StrEnum):
    """What a liaison or admin is doing."""

    CHOOSING_IMPORT_WEEK = "choosing_import_week"
    SENDING_LIST_FILE = "sending_list_file"
    TYPING_CLAIMED_ACCOUNT = "typing_claimed_account"
    TYPING_TARGET_CODE = "typing_target_code"
    CONFIRMING_REASSIGN = "confirming_reassign"
    CHOOSING_REPORT_UNIT = "choosing_report_unit"


# --------------------------------------------------------------------------- import in chat


def _import_campaign(ctx: Context, data: dict[str, Any]) -> tuple[Campaign, ReferralProgramme]:
    campaign = campaign_of(ctx, str(data.get("cid", "")))
    if campaign is None:
        raise Invalid("ref.no_programme")
    return campaign, programme(campaign)


def _import_week_options(ctx: Context, data: dict[str, Any]) -> list[Choice]:
    _, prog = _import_campaign(ctx, data)
    return week_choices(ctx, prog, form_choice, started_only=True)


def _parse_import_week(ctx: Context, text: str) -> int:
    _, prog = _import_campaign(ctx, ctx.state.data)
    week = parse_week_number(ctx, prog, text)
    start = prog.weeks[week - 1].start
    if start > ctx.clock.today():
        raise Invalid("ref.mark.not_started", week=week, start=full_date(start))
    # A chat that cannot carry files (Zalo) gets an upload link instead of the file step.
    ctx.state.data["_web"] = not ctx.traits.files
    return week


def _file_prompt(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.t("ref.import.ask_file", week=data["week"],
                 unit=unit_name(ctx, str(data.get("unit", ""))))


async def _parse_list_file(ctx: Context, _text: str) -> dict[str, Any]:
    data = ctx.state.data
    campaign, prog = _import_campaign(ctx, data)
    week = int(data["week"])
    unit = None if ctx.access.is_admin else data.get("unit")
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
            repo_of(ctx), campaign_id=campaign.id, week=week,
            week_start=prog.weeks[week - 1].start, today=ctx.clock.today(),
            source=document.data, filename=document.filename or "danh-sach",
            units=units, scope_unit=unit, imported_by=ctx.person.id, now=ctx.clock.now())
    except ImportRefused as exc:
        raise Invalid(f"ref.import.err.{exc.kind}", row=exc.row or "", week=week,
                      **exc.params) from exc
    if report.conflicts and not report.already_imported:
        await tell_conflicts(ctx.session, delivery_of(ctx.services), campaign, week, units,
                             ctx.clock.now())
    return {"text": report_text(ctx.services.messages, report)}


async def _finish_import(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    campaign = campaign_of(ctx, str(data.get("cid", "")))
    if campaign is None:
        return stale(ctx)
    if data.get("_web"):
        week, unit = int(data["week"]), str(data.get("unit", ""))
        text = await link_text(
            ctx, UPLOAD, {"kind": "referrals_week", "campaign": campaign.id, "unit": unit,
                          "week": week}, "web.chat.upload_link", "web.chat.no_public_url",
            week=week, command=cli_import_command(
                campaign.id, week, None if ctx.access.is_admin else unit))
        return [await progress_view(ctx, campaign, unit, text)]
    result = data.get("report") or {}
    return [await progress_view(ctx, campaign, str(data.get("unit")), str(result.get("text")))]


def import_form() -> Form:
    """Return the import form: which week, then the file (CSV or XLSX)."""
    steps = (
        Step(Steps.CHOOSING_IMPORT_WEEK, "week", "ref.import.ask_week",
             parse=_parse_import_week, pick=_parse_import_week, options=_import_week_options,
             invalid="ref.week.bad", max_length=20),
        Step(Steps.SENDING_LIST_FILE, "report", _file_prompt, parse=_parse_list_file,
             invalid="ref.import.need_file", attachments=True,
             when=lambda data: not data.get("_web")),
    )
    return Form(IMPORT, "ref.import.title", steps, _finish_import)


# --------------------------------------------------------------------------- other unit


def _parse_report_unit(ctx: Context, text: str) -> str:
    _, prog = _import_campaign(ctx, ctx.state.data)
    units = ctx.services.units
    hits = [u for u, _ in units.search(text, on=programme_day(ctx, prog), limit=20)
            if manages_unit(ctx, u.code) and in_area(ctx, prog, u.code)
            and len(f"f:{u.code}") <= 64][:6]
    if not hits:
        raise Invalid("ref.manage.unit_not_found", query=text[:60])
    raise Invalid("reg.unit_pick",
                  choices=[Choice(units.path_text(u.code), "f:" + u.code) for u in hits])


def _pick_report_unit(ctx: Context, code: str) -> str:
    _, prog = _import_campaign(ctx, ctx.state.data)
    if (ctx.services.units.get(code) is None or not manages_unit(ctx, code)
            or not in_area(ctx, prog, code)):
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


async def _finish_reassign(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    campaign = campaign_of(ctx, str(data.get("cid", "")))
    repo = repo_of(ctx)
    member = await repo.member(int(data["member"]))
    target = await repo.participant(int(data["target"]))
    if campaign is None or member is None or target is None or not ctx.access.is_admin:
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
        yes_no_step(Steps.CONFIRMING_REASSIGN, "confirm", _confirm_prompt,
                    yes="ref.reassign.yes", no="form.cancel", invalid="ref.reassign.pick"),
    )
    return Form(REASSIGN, "ref.reassign.title", steps, _finish_reassign)
