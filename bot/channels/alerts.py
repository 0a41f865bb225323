"""Tell the admins, on their other channel, that a channel is paused (through the outbox)."""

from __future__ import annotations

import logging

from bot.channels.base import OnAlert
from bot.delivery.service import Delivery
from storage.delivery.repo import NewMessage, OutboxRepo, Source
from storage.ops import admin_accounts_off

logger = logging.getLogger(__name__)

ALERT_KEY = "channel.paused_alert"
ALERT_KIND = "ops_alert"


def admin_alert(delivery: Delivery) -> OnAlert:
    """Return the callback a channel calls when the platform refuses it (once per episode)."""

    async def alert(channel: str, reason: str) -> None:
        now = delivery.clock.now()
        async with delivery.sessions() as session:
            accounts = await admin_accounts_off(session, channel)
            rows = [NewMessage(f"alert:{channel}:{reason}:{a.person_id}:{now:%Y%m%d%H}",
                               Source.NOTICE, ALERT_KIND, a.person_id, a.account_id, a.channel,
                               now, message_key=ALERT_KEY,
                               params={"channel": channel.capitalize(), "reason": reason})
                    for a in accounts]
            await OutboxRepo(session).insert(rows, now)
            await session.commit()
        if rows:
            delivery.wake()
            logger.warning("channel %s paused: %d admin(s) alerted on another channel",
                           channel, len(rows))
        else:
            logger.error("channel %s paused and no admin is reachable on another channel",
                         channel)

    return alert
