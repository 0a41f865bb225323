"""/quyenriengtu: see what is stored and why, export it, withdraw consent, delete the account."""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.core.context import Context
from bot.core.dispatcher import Router
from bot.core.forms import Form
from bot.core.types import Attachment, AttachmentKind, Choice, Reply
from bot.core.weblinks import links_enabled
from content.privacy import Purpose
from handlers.common.feature import Feature
from handlers.common.registration import policy, run_command
from handlers.common.steps import confirm_step
from handlers.common.weblinks import DOWNLOAD, link_text
from handlers.privacy.export import export_parts, has_content, purpose_name, section_name
from handlers.privacy.payloads import (
    MENU,
    DeleteAccount,
    EditProfile,
    Export,
    Overview,
    Withdraw,
    WithdrawMenu,
)
from storage.audit import Action, AuditRepo
from storage.core_personal_data import register_core_sections
from storage.people import Consent
from storage.personal_data import (
    Record,
    erase_person,
    export_json,
    export_person,
    withdraw_purpose,
)

logger = logging.getLogger(__name__)

EXPORT_FILENAME = "du-lieu-cua-toi.json"
WITHDRAW = "privacy_withdraw"
DELETE = "privacy_delete"
# Withdrawing the first purpose also withdraws these (they cannot exist without it).
# Reports and unit records are tied to the registered person: they go with the profile.
DEPENDENT_PURPOSES: dict[str, tuple[str, ...]] = {
    Purpose.PROFILE: (Purpose.REMINDERS, Purpose.DEEDS, Purpose.UNIT_REPORTS)}
# Typed confirmations also accept the action's words ("xoá", "giữ nguyên"): content/vocab.yaml.
CONFIRM_WORDS = "privacy"


class Steps(StrEnum):
    """What the person is doing in the privacy forms."""

    DECIDING_WITHDRAWAL = "deciding_withdrawal"
    CONFIRMING_DELETION = "confirming_deletion"


def _date(ctx: Context, moment: datetime | None) -> str:
    return moment.astimezone(ctx.clock.tz).strftime("%d/%m/%Y") if moment else ""


def _consent_status(ctx: Context, consent: Consent | None) -> str:
    if consent is None:
        return ctx.t("privacy.status.not_asked")
    if consent.withdrawn_at is not None:
        return ctx.t("privacy.status.withdrawn", date=_date(ctx, consent.withdrawn_at))
    if consent.granted:
        return ctx.t("privacy.status.granted", date=_date(ctx, consent.decided_at))
    return ctx.t("privacy.status.refused", date=_date(ctx, consent.decided_at))


async def overview(ctx: Context, prefix: str | None = None) -> list[Reply]:
    """Show what is stored and why, the consents with dates, and the actions."""
    current = await ctx.consents.current(ctx.person.id)
    purposes = [ctx.t("privacy.purpose_line", name=purpose_name(ctx, purpose),
                      what=ctx.t(f"privacy.purpose.{purpose}"),
                      status=_consent_status(ctx, current.get(purpose)))
                for purpose in policy(ctx).purposes]
    purposes.append(ctx.t("privacy.purpose_operation"))
    data = await export_person(ctx.session, ctx.services.router.personal_data, ctx.person.id)
    stored = [ctx.t("privacy.stored_line", name=section_name(ctx, key), count=len(records))
              for key, records in data.items() if records and has_content(key, records)]
    text = ctx.t("privacy.overview", version=policy(ctx).version,
                 purposes="\n".join(purposes),
                 stored="\n".join(stored) or ctx.t("privacy.nothing_stored"))
    if prefix:
        text = f"{prefix}\n\n{text}"
    rows = [[Choice(ctx.t(label), action.pack())] for label, action in MENU]
    return [Reply(text, rows)]


def _value_labels(ctx: Context) -> dict[str, dict[str, str]]:
    return {section.key: dict(getattr(section, "value_labels", None) or {})
            for section in ctx.services.router.personal_data.sections}


def export_text(ctx: Context, data: dict[str, list[Record]]) -> list[str]:
    """Return an export as readable text: labelled parts, one message each."""
    return export_parts(ctx, data, _value_labels(ctx))


async def export(ctx: Context) -> list[Reply]:
    """Send everything stored about the person: text, and a JSON file where possible."""
    now = ctx.clock.now()
    data = await export_person(ctx.session, ctx.services.router.personal_data, ctx.person.id)
    await AuditRepo(ctx.session).append(Action.PRIVACY_EXPORT, now, actor_id=ctx.person.id,
                                        target_type="person", target_id=ctx.person.id,
                                        after={"sections": [k for k, v in data.items() if v]})
    logger.info("personal data exported (person %s)", ctx.person.id)
    replies = [Reply(part) for part in export_text(ctx, data)]
    if ctx.traits.files:
        document = export_json(data, exported_at=now, policy_version=policy(ctx).version)
        replies.append(Reply(ctx.t("privacy.export_file", name=EXPORT_FILENAME), attachments=[
            Attachment(AttachmentKind.DOCUMENT, data=document, filename=EXPORT_FILENAME,
                       size=len(document))]))
    elif links_enabled(ctx.services.settings):  # Zalo: the JSON file through a one-time link
        replies.append(Reply(await link_text(ctx, DOWNLOAD, {"kind": "privacy"},
                                             "web.chat.privacy_link", "web.chat.privacy_link")))
    replies.append(Reply(ctx.t("privacy.after_export"),
                         [[Choice(ctx.t("privacy.back"), Overview().pack())]]))
    return replies


async def _withdraw_menu(ctx: Context) -> list[Reply]:
    current = await ctx.consents.current(ctx.person.id)
    active = [p for p in policy(ctx).purposes if (c := current.get(p)) is not None and c.active]
    back = [Choice(ctx.t("privacy.back"), Overview().pack())]
    if not active:
        return [Reply(ctx.t("privacy.withdraw_none"), [back])]
    rows = [[Choice(purpose_name(ctx, p), Withdraw(p).pack())] for p in active]
    return [Reply(ctx.t("privacy.withdraw_pick"), [*rows, back])]


def _withdraw_prompt(ctx: Context, data: dict[str, Any]) -> str:
    purpose = str(data.get("purpose", ""))
    key = f"privacy.withdraw_explain.{purpose}"
    explain = ctx.t(key) if key in ctx.services.messages else ctx.t("privacy.withdraw_generic")
    return ctx.t("privacy.withdraw_confirm", name=purpose_name(ctx, purpose), explain=explain)


async def _finish_withdraw(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    purpose = str(data.get("purpose", ""))
    if data.get("decision") != "yes" or purpose not in policy(ctx).purposes:
        return await overview(ctx, ctx.t("privacy.kept"))
    now = ctx.clock.now()
    await withdraw_purpose(ctx.session, ctx.services.router.personal_data, ctx.person.id,
                           purpose, now, also=DEPENDENT_PURPOSES.get(purpose, ()))
    logger.info("consent withdrawn (person %s, purpose %s)", ctx.person.id, purpose)
    await ctx.reload_person()
    key = f"privacy.withdrawn.{purpose}"
    done = ctx.t(key) if key in ctx.services.messages else ctx.t("privacy.withdrawn_generic",
                                                                 name=purpose_name(ctx, purpose))
    return [ctx.main_menu(done)]


def _delete_prompt(ctx: Context, _data: dict[str, Any]) -> str:
    return ctx.t("privacy.delete_confirm")


async def _finish_delete(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    if data.get("decision") != "yes":
        return await overview(ctx, ctx.t("privacy.kept"))
    person_id = ctx.person.id
    await erase_person(ctx.session, ctx.services.router.personal_data, person_id,
                       ctx.clock.now(), actor_id=person_id, reason="self-service")
    ctx.state.clear_form()
    ctx.state.start_payload = None
    ctx.state.forget = True
    logger.info("account deleted by its owner (person %s)", person_id)
    return [Reply(ctx.t("privacy.deleted"))]


async def privacy_command(ctx: Context) -> list[Reply]:
    """/quyenriengtu: the privacy overview."""
    return await overview(ctx)


async def _overview(ctx: Context, _payload: Overview) -> list[Reply]:
    return await overview(ctx)


async def _export(ctx: Context, _payload: Export) -> list[Reply]:
    return await export(ctx)


async def _edit(ctx: Context, _payload: EditProfile) -> list[Reply]:
    return await run_command(ctx, "toi") or [ctx.main_menu()]


async def _withdraw(ctx: Context, _payload: WithdrawMenu) -> list[Reply]:
    return await _withdraw_menu(ctx)


async def _withdraw_one(ctx: Context, payload: Withdraw) -> list[Reply]:
    if payload.purpose not in policy(ctx).purposes:
        logger.warning("privacy: unexpected choice payload refused")
        return [ctx.main_menu(ctx.t("error.stale_choice"))]
    if await ctx.consents.has(ctx.person.id, payload.purpose):
        return await ctx.forms.start(ctx, WITHDRAW, {"purpose": payload.purpose})
    return await _withdraw_menu(ctx)


async def _delete(ctx: Context, _payload: DeleteAccount) -> list[Reply]:
    return await ctx.forms.start(ctx, DELETE)


def register(router: Router) -> None:
    """Register /quyenriengtu, its forms and the core personal-data sections."""
    register_core_sections(router.personal_data)
    router.forms.add(Form(WITHDRAW, "privacy.withdraw_title", (
        confirm_step(Steps.DECIDING_WITHDRAWAL, "decision", _withdraw_prompt,
                     yes="privacy.withdraw_yes", no="privacy.withdraw_no",
                     invalid="privacy.confirm_invalid", confirm=CONFIRM_WORDS),
    ), _finish_withdraw))
    router.forms.add(Form(DELETE, "privacy.delete_title", (
        confirm_step(Steps.CONFIRMING_DELETION, "decision", _delete_prompt,
                     yes="privacy.delete_yes", no="privacy.delete_no",
                     invalid="privacy.confirm_invalid", confirm=CONFIRM_WORDS),
    ), _finish_delete))
    router.command("quyenriengtu", menu_label="menu.privacy", order=30)(privacy_command)
    router.action(Overview)(_overview)
    router.action(Export)(_export)
    router.action(EditProfile)(_edit)
    router.action(WithdrawMenu)(_withdraw)
    router.action(Withdraw)(_withdraw_one)
    router.action(DeleteAccount)(_delete)


FEATURE = Feature("privacy", register)
