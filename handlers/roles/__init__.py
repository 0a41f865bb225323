"""/quyen: give roles with one-time invite codes, list and revoke them; /nhanquyen CODE."""

from __future__ import annotations

import logging
from datetime import timedelta
from enum import StrEnum
from typing import Any

from bot.core.context import COMMAND_PAYLOAD, Context
from bot.core.dispatcher import Router
from bot.core.forms import Form, Invalid, Step
from bot.core.permissions import may_grant
from bot.core.types import Choice, Reply
from handlers.common.feature import Feature
from handlers.common.registration import require_registration
from handlers.common.steps import unit_label, unit_suggestions
from handlers.roles.payloads import (
    ListGrants,
    NewInvite,
    PendingInvites,
    Revoke,
    RevokeConfirmed,
)
from storage.access import (
    GrantRepo,
    InviteRepo,
    is_code_shape,
    normalise_code,
)

logger = logging.getLogger(__name__)

INVITE = "role_invite"
MANAGERS = frozenset({"admin", "liaison"})
GRANTABLE = ("liaison", "reviewer", "admin")
LIST_LIMIT = 30
REVOKE_CHOICES = 10


class Steps(StrEnum):
    """What the admin or liaison is doing while making an invite."""

    CHOOSING_ROLE = "choosing_role"
    CHOOSING_UNIT = "choosing_unit"


def _role_name(ctx: Context, role: str) -> str:
    return ctx.t(f"role.{role}") if f"role.{role}" in ctx.services.messages else role


def _may_grant_role(ctx: Context, role: str) -> bool:
    """Tell whether the person may grant role for at least one unit (or globally)."""
    if role == "admin":
        return may_grant(ctx.grants, role, None, ctx.services.units)
    if ctx.access.is_admin:
        return True
    return role == "reviewer" and bool(ctx.access.units(("liaison",)))


def _role_options(ctx: Context, _data: dict[str, Any]) -> list[Choice]:
    return [Choice(_role_name(ctx, role), "f:" + role) for role in GRANTABLE
            if _may_grant_role(ctx, role)]


def _pick_role(ctx: Context, role: str) -> str:
    if role not in GRANTABLE or not _may_grant_role(ctx, role):
        logger.warning("roles: a role the person may not grant was picked")
        raise Invalid("roles.pick_role")
    return role


def _parse_role(_ctx: Context, _text: str) -> str:
    raise Invalid("roles.pick_role")


def _needs_unit(data: dict[str, Any]) -> bool:
    return data.get("role") != "admin"


def _parse_unit(ctx: Context, text: str) -> str:
    role = str(ctx.state.data.get("role", ""))
    units = ctx.services.units

    def allowed(code: str) -> bool:
        return may_grant(ctx.grants, role, code, units)

    # The shared suggestions: a former commune ("Long Đống") leads to the one it became.
    choices = [c for c in unit_suggestions(ctx, text) if allowed(c.payload.removeprefix("f:"))]
    if not choices:  # none of those in the granter's units: look further among today's
        hits = units.search(text, on=ctx.clock.today(), limit=10)
        choices = [Choice(units.path_text(unit.code), "f:" + unit.code)
                   for unit, _score in hits if allowed(unit.code)][:5]
    if not choices:
        raise Invalid("roles.unit_not_found", query=text[:60])
    raise Invalid("roles.unit_pick", choices=choices)


def _pick_unit(ctx: Context, code: str) -> str:
    role = str(ctx.state.data.get("role", ""))
    if ctx.services.units.get(code) is None or not may_grant(ctx.grants, role, code,
                                                              ctx.services.units):
        logger.warning("roles: a unit outside the person's scope was picked")
        raise Invalid("roles.unit_not_allowed")
    return code


def _summary(ctx: Context, data: dict[str, Any]) -> str:
    return ctx.t("roles.invite_summary", role=_role_name(ctx, str(data.get("role"))),
                 unit=_unit_text(ctx, data.get("unit_code")),
                 hours=ctx.services.settings.invite_ttl_hours)


def _unit_text(ctx: Context, code: Any) -> str:
    return unit_label(ctx, code) if code else ctx.t("roles.everywhere")


async def _finish_invite(ctx: Context, data: dict[str, Any]) -> list[Reply]:
    role = str(data.get("role"))
    unit_code = data.get("unit_code") if role != "admin" else None
    if not may_grant(ctx.grants, role, unit_code, ctx.services.units):
        logger.warning("roles: invite refused at the last check")
        return [ctx.main_menu(ctx.t("roles.not_allowed"))]
    ttl = timedelta(hours=ctx.services.settings.invite_ttl_hours)
    code, invite = await InviteRepo(ctx.session).create(role, unit_code, ctx.person.id,
                                                        ctx.clock.now(), ttl)
    logger.info("role invite %s created (person %s)", invite.id, ctx.person.id)
    shown = f"{code[:4]}-{code[4:]}"
    expires = invite.expires_at.astimezone(ctx.clock.tz).strftime("%H:%M %d/%m/%Y")
    return [ctx.main_menu(ctx.t("roles.invite_created", code=shown, role=_role_name(ctx, role),
                                unit=_unit_text(ctx, unit_code), expires=expires))]


async def roles_command(ctx: Context) -> list[Reply]:
    """/quyen: what an admin or liaison can do with roles."""
    rows = [[Choice(ctx.t("roles.action.invite"), NewInvite().pack())],
            [Choice(ctx.t("roles.action.list"), ListGrants().pack())],
            [Choice(ctx.t("roles.action.pending"), PendingInvites().pack())]]
    scope = ", ".join(unit_label(ctx, code) for code in ctx.access.units(("liaison",)))
    text = ctx.t("roles.intro_admin") if ctx.access.is_admin else ctx.t("roles.intro_liaison",
                                                                        units=scope or "—")
    return [Reply(text, rows)]


async def _person_label(ctx: Context, person_id: int) -> str:
    person = await ctx.people.find(person_id)
    if person is None:
        return ctx.t("roles.person_deleted", id=person_id)
    if not person.full_name:
        return ctx.t("roles.person_unnamed", id=person_id)
    return ctx.t("roles.person", id=person_id, name=person.full_name)


def _may_manage(ctx: Context, role: str, unit_code: str | None) -> bool:
    """Tell whether the person may see and revoke a grant (admins: every grant)."""
    if ctx.access.is_admin:
        return True
    return may_grant(ctx.grants, role, unit_code, ctx.services.units)


async def _list(ctx: Context) -> list[Reply]:
    grants = [g for g in await GrantRepo(ctx.session).all_active(limit=500)
              if _may_manage(ctx, g.role, g.unit_code)][:LIST_LIMIT]
    if not grants:
        return [ctx.main_menu(ctx.t("roles.list_empty"))]
    lines = []
    for grant in grants:
        lines.append(ctx.t("roles.list_line", id=grant.id,
                           person=await _person_label(ctx, grant.person_id),
                           role=_role_name(ctx, grant.role),
                           unit=_unit_text(ctx, grant.unit_code),
                           since=grant.granted_at.astimezone(ctx.clock.tz).strftime("%d/%m/%Y")))
    rows = [[Choice(ctx.t("roles.revoke_choice", id=g.id), Revoke(g.id).pack())]
            for g in grants[:REVOKE_CHOICES]]
    return [Reply(ctx.t("roles.list", lines="\n".join(lines)), rows)]


async def _pending(ctx: Context) -> list[Reply]:
    invites = await InviteRepo(ctx.session).pending(
        ctx.clock.now(), None if ctx.access.is_admin else ctx.person.id)
    if not invites:
        return [ctx.main_menu(ctx.t("roles.pending_empty"))]
    lines = [ctx.t("roles.pending_line", id=i.id, role=_role_name(ctx, i.role),
                   unit=_unit_text(ctx, i.unit_code),
                   expires=i.expires_at.astimezone(ctx.clock.tz).strftime("%H:%M %d/%m/%Y"))
             for i in invites[:LIST_LIMIT]]
    return [ctx.main_menu(ctx.t("roles.pending", lines="\n".join(lines)))]


async def _revoke(ctx: Context, grant_id: int, confirmed: bool) -> list[Reply]:
    repo = GrantRepo(ctx.session)
    grant = await repo.get(grant_id)
    if grant is None or not grant.active:
        return [ctx.main_menu(ctx.t("roles.grant_gone"))]
    if not _may_manage(ctx, grant.role, grant.unit_code):
        logger.warning("roles: revoke outside the person's scope refused (grant %s)", grant_id)
        return [ctx.main_menu(ctx.t("roles.not_allowed"))]
    person = await _person_label(ctx, grant.person_id)
    params = {"person": person, "role": _role_name(ctx, grant.role),
              "unit": _unit_text(ctx, grant.unit_code)}
    if not confirmed:
        rows = [[Choice(ctx.t("roles.revoke_yes"), RevokeConfirmed(grant.id).pack())],
                [Choice(ctx.t("roles.revoke_no"), ListGrants().pack())]]
        return [Reply(ctx.t("roles.revoke_confirm", **params), rows)]
    await repo.revoke(grant.id, ctx.clock.now(), revoked_by=ctx.person.id, reason="chat")
    logger.info("role grant %s revoked (by person %s)", grant.id, ctx.person.id)
    if grant.person_id == ctx.person.id:
        ctx.grants = tuple(await repo.active_for(ctx.person.id))
        await ctx.reload_person()
    return [ctx.main_menu(ctx.t("roles.revoked", **params))]


async def _new(ctx: Context, _payload: NewInvite) -> list[Reply]:
    return await ctx.forms.start(ctx, INVITE)


async def _list_grants(ctx: Context, _payload: ListGrants) -> list[Reply]:
    return await _list(ctx)


async def _pending_invites(ctx: Context, _payload: PendingInvites) -> list[Reply]:
    return await _pending(ctx)


async def _revoke_choice(ctx: Context, payload: Revoke | RevokeConfirmed) -> list[Reply]:
    return await _revoke(ctx, payload.grant_id, confirmed=isinstance(payload, RevokeConfirmed))


async def accept(ctx: Context) -> list[Reply]:
    """/nhanquyen CODE: take the role an invite code gives."""
    _, _, arg = ctx.text.partition(" ")
    code = normalise_code(arg)
    if not code:
        return [Reply(ctx.t("roles.accept_usage"))]
    if not is_code_shape(code):
        return [Reply(ctx.t("roles.bad_code"))]
    if not ctx.person.is_registered:  # register now; the code is used once it is done
        started = await require_registration(ctx, f"{COMMAND_PAYLOAD}nhanquyen {code}") or []
        return [Reply(ctx.t("roles.need_profile")), *started]
    now = ctx.clock.now()
    invites = InviteRepo(ctx.session)
    # Check first, use after: a refused try leaves the code valid for the one it is meant for.
    invite = await invites.peek(code, now)
    grants = GrantRepo(ctx.session)
    creator_grants = await grants.active_for(invite.created_by) if invite and invite.created_by \
        else []
    if invite is None or not may_grant(creator_grants, invite.role, invite.unit_code,
                                       ctx.services.units):
        logger.info("role invite code refused (unknown, used, expired or creator lost rights)")
        return [Reply(ctx.t("roles.unknown_code"))]
    if invite.created_by == ctx.person.id:
        logger.info("role invite %s: its creator tried it, refused", invite.id)
        return [Reply(ctx.t("roles.own_code"))]
    invite = await invites.consume(code, ctx.person.id, now)
    if invite is None:
        logger.info("role invite code refused (used meanwhile)")
        return [Reply(ctx.t("roles.unknown_code"))]
    await grants.grant(ctx.person.id, invite.role, invite.unit_code, now,
                       granted_by=invite.created_by, reason=f"invite #{invite.id}")
    ctx.grants = tuple(await grants.active_for(ctx.person.id))
    await ctx.reload_person()
    logger.info("role invite %s used (person %s)", invite.id, ctx.person.id)
    return [ctx.main_menu(ctx.t("roles.accepted", role=_role_name(ctx, invite.role),
                                unit=_unit_text(ctx, invite.unit_code)))]


def register(router: Router) -> None:
    """Register /quyen, /nhanquyen and the invite form."""
    router.forms.add(Form(INVITE, "roles.invite_title", (
        Step(Steps.CHOOSING_ROLE, "role", "roles.ask_role", parse=_parse_role, pick=_pick_role,
             options=_role_options, invalid="roles.pick_role", max_length=100),
        Step(Steps.CHOOSING_UNIT, "unit_code", "roles.ask_unit", parse=_parse_unit,
             pick=_pick_unit, when=_needs_unit, max_length=200),
    ), _finish_invite, summary=_summary, roles=MANAGERS))
    router.command("quyen", menu_label="menu.roles", roles=MANAGERS, order=850)(roles_command)
    router.command("nhanquyen")(accept)
    router.action(NewInvite, roles=MANAGERS)(_new)
    router.action(ListGrants, roles=MANAGERS)(_list_grants)
    router.action(PendingInvites, roles=MANAGERS)(_pending_invites)
    router.action(Revoke, roles=MANAGERS)(_revoke_choice)
    router.action(RevokeConfirmed, roles=MANAGERS)(_revoke_choice)


FEATURE = Feature("roles", register)
