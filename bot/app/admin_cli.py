"""`thidua admin grant|revoke CHANNEL:ID`: the first administrator of a fresh install.

The account (and an empty person) is created when the bot has never seen it, so the admin
can be named before writing to the bot; the grant is audited like every other one.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from bot.app import create_app
from bot.app.config_check import CHANNELS
from bot.core.config import Settings
from storage.access import GrantRepo
from storage.people import PeopleRepo

REASON = "thidua admin"


def parse_account(value: str) -> tuple[str, str] | None:
    """Return (channel, id) from `telegram:123456`, or None when it is not of that form."""
    channel, sep, external_id = value.strip().partition(":")
    channel, external_id = channel.strip().lower(), external_id.strip()
    if not sep or channel not in CHANNELS or not external_id:
        return None
    return channel, external_id


def account_args(parser: argparse.ArgumentParser) -> None:
    """The one argument: CHANNEL:ID."""
    parser.add_argument("account", help="cli.help.admin_account")


async def grant_admin(args: argparse.Namespace, settings: Settings,
                      say: Callable[[str], None], t: Callable[..., str]) -> int:
    """Make an account (created if needed) an administrator."""
    parsed = parse_account(args.account)
    if parsed is None:
        say(t("ops.admin_bad_account", value=args.account, known=", ".join(CHANNELS)))
        return 2
    channel, external_id = parsed
    app = create_app(settings)
    try:
        await app.start()
        now = app.services.clock.now()
        async with app.sessions() as session:
            people = PeopleRepo(session)
            account = await people.account(channel, external_id)
            if account is None:
                # In a private chat the chat id is the user id on both channels.
                _person, account = await people.create_with_account(
                    channel, external_id, external_id, now)
            grants = GrantRepo(session)
            already = any(g.role == "admin" and g.unit_code is None
                          for g in await grants.active_for(account.person_id))
            await grants.grant(account.person_id, "admin", None, now, granted_by=None,
                               reason=REASON)
            await session.commit()
    finally:
        await app.close()
    key = "ops.admin_already" if already else "ops.admin_granted"
    say(t(key, account=f"{channel}:{external_id}", person=account.person_id))
    return 0


async def revoke_admin(args: argparse.Namespace, settings: Settings,
                       say: Callable[[str], None], t: Callable[..., str]) -> int:
    """End an account's administrator grants."""
    parsed = parse_account(args.account)
    if parsed is None:
        say(t("ops.admin_bad_account", value=args.account, known=", ".join(CHANNELS)))
        return 2
    channel, external_id = parsed
    name = f"{channel}:{external_id}"
    app = create_app(settings)
    try:
        await app.start()
        now = app.services.clock.now()
        async with app.sessions() as session:
            account = await PeopleRepo(session).account(channel, external_id)
            grants = GrantRepo(session)
            admin = [] if account is None else [
                g for g in await grants.active_for(account.person_id) if g.role == "admin"]
            for grant in admin:
                await grants.revoke(grant.id, now, revoked_by=None, reason=REASON)
            await session.commit()
    finally:
        await app.close()
    if not admin:
        say(t("ops.admin_not_admin", account=name))
        return 1
    say(t("ops.admin_revoked", account=name))
    if parsed in settings.admin_accounts():
        say(t("ops.admin_still_listed", account=name))
    return 0
