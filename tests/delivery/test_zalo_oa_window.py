"""The outbox over the Zalo OA: sent inside the window, rerouted or recorded unreachable
outside it, and a token that expires mid-broadcast refreshed once with nothing lost."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.webhook import WebhookServer
from bot.channels.zalo_oa import ZaloOAChannel, admin_alert
from bot.channels.zalo_oa_api import ZaloOAApi, ZaloOAuth
from bot.channels.zalo_oa_tokens import OATokens, store_first_grant
from bot.core.clock import MovableClock
from bot.core.types import Reply
from storage.models import ChannelAccountRow, OutboxRow
from storage.zalo_oa.repo import ZaloOARepo
from tests.channels.fake_zalo_oa import FakeZaloOA
from tests.delivery.conftest import MakeChat
from tests.delivery.helpers import outbox_rows, seed_people
from tests.delivery.test_sender import Platform, broadcast_to_all

TEXTS = {"channel.unsupported": "Xin lỗi, mình chỉ đọc được tin nhắn chữ.",
         "error.group_chat": "Mời bạn nhắn riêng cho Trợ lý."}


async def _nobody(incoming: object) -> list[Reply]:
    return []


async def _ignore(channel: str, user_id: str) -> None:
    return None


@pytest.fixture
async def oa_app(make_chat: MakeChat, clock: MovableClock
                 ) -> AsyncIterator[tuple[App, FakeZaloOA, ZaloOAChannel]]:
    app, chat = await make_chat(delivery_zalo_oa_rate=500.0)
    await chat.send("/start")  # the console admin exists (author of broadcasts)
    await chat.replies()
    fake = FakeZaloOA(clock)
    await fake.start()
    api = ZaloOAApi(base_url=fake.base_url, rate_backoff=0.01)
    oauth = ZaloOAuth(fake.app_id, fake.app_secret, fake.base_url, session_factory=api.session)
    api.tokens = OATokens(app.sessions, oauth, fake.oa_id, now=clock.now)
    await store_first_grant(app.sessions, oauth, fake.oa_id, fake.issue_code(), now=clock.now)
    channel = ZaloOAChannel(api, app_id=fake.app_id, oa_id=fake.oa_id,
                            oa_secret_key=fake.oa_secret_key, handle=_nobody,  # type: ignore[arg-type]
                            on_blocked=_ignore, texts=TEXTS,
                            webhook_server=WebhookServer("127.0.0.1", 0),
                            sessions=app.sessions, now=clock.now)
    yield app, fake, channel
    await api.close()
    await fake.close()


async def interacted(app: App, fake: FakeZaloOA, user_ids: list[str], at: datetime) -> None:
    """Record that these people wrote to the OA at `at` (on both sides of the API)."""
    async with app.sessions() as session:
        repo = ZaloOARepo(session)
        for user_id in user_ids:
            await repo.touch(fake.oa_id, user_id, at, True)
            fake.person(user_id).last_interaction = at
        await session.commit()


async def by_chat(app: App) -> dict[tuple[str, str], tuple[str, str | None]]:
    async with app.sessions() as session:
        rows = await session.execute(
            select(ChannelAccountRow.channel, ChannelAccountRow.external_id, OutboxRow.status,
                   OutboxRow.last_error)
            .join(OutboxRow, OutboxRow.account_id == ChannelAccountRow.id)
            .where(OutboxRow.source == "broadcast"))
        return {(c, e): (s, err) for c, e, s, err in rows.all()}


async def test_inside_48h_sent_after_7_days_rerouted_or_unreachable(
        oa_app: tuple[App, FakeZaloOA, ZaloOAChannel], clock: MovableClock) -> None:
    app, fake, channel = oa_app
    recent, between, old_linked, old_alone = await seed_people(
        app.sessions, 4, clock.now(), channel="zalo_oa")
    await interacted(app, fake, [old_linked, old_alone], clock.now() - timedelta(days=8))
    await interacted(app, fake, [between], clock.now() - timedelta(days=3))
    await interacted(app, fake, [recent], clock.now() - timedelta(hours=2))
    async with app.sessions() as session:  # old_linked also has a Telegram account
        person = await session.scalar(select(ChannelAccountRow.person_id).where(
            ChannelAccountRow.external_id == old_linked))
        session.add(ChannelAccountRow(person_id=person, channel="telegram", external_id="9001",
                                      chat_id="9001", created_at=clock.now(),
                                      last_seen_at=clock.now() - timedelta(days=30)))
        await session.commit()
    await broadcast_to_all(app, clock)
    sent = await app.delivery.sender("zalo_oa", channel).drain()
    assert sent == 1 and [m["recipient"]["user_id"] for m in fake.sent] == [recent]
    outcome = await by_chat(app)
    assert outcome[("zalo_oa", recent)] == ("sent", None)
    assert outcome[("zalo_oa", between)][0] == "failed"
    assert "paid sends not allowed" in (outcome[("zalo_oa", between)][1] or "")
    assert outcome[("zalo_oa", old_linked)] == (
        "cancelled", "rerouted to telegram: no interaction with the OA in 7 days")
    assert outcome[("zalo_oa", old_alone)] == (
        "failed", "unreachable: no interaction with the OA in 7 days")
    assert fake.refused == []  # nothing was tried outside the window
    platform = Platform()
    assert await app.delivery.sender("telegram", platform).drain() == 1
    assert [chat for chat, _ in platform.sent] == ["9001"]


async def test_a_window_error_from_zalo_is_not_retried(
        oa_app: tuple[App, FakeZaloOA, ZaloOAChannel], clock: MovableClock) -> None:
    app, fake, channel = oa_app
    [person] = await seed_people(app.sessions, 1, clock.now(), channel="zalo_oa")
    await interacted(app, fake, [person], clock.now() - timedelta(hours=1))
    fake.fail("v3.0/oa/message/cs", -227)  # banned or inactive: our ledger could not know
    await broadcast_to_all(app, clock)
    await app.delivery.sender("zalo_oa", channel).drain()
    [row] = await outbox_rows(app.sessions)
    assert row.status == "failed" and (row.last_error or "").startswith("unreachable:")
    assert "-227" in (row.last_error or "")
    clock.advance(timedelta(hours=1))
    assert await app.delivery.sender("zalo_oa", channel).drain() == 0
    assert [code for _, code in fake.refused] == [-227]


async def test_a_token_expiring_mid_broadcast_is_refreshed_once_with_0_lost(
        oa_app: tuple[App, FakeZaloOA, ZaloOAChannel], clock: MovableClock) -> None:
    app, fake, channel = oa_app
    people = await seed_people(app.sessions, 120, clock.now(), channel="zalo_oa")
    await interacted(app, fake, people, clock.now() - timedelta(hours=1))
    original = fake._send_cs
    count = 0

    def expire_after_50(payload: dict[str, object]):  # type: ignore[no-untyped-def]
        nonlocal count
        count += 1
        if count == 50:
            fake.expire_all_access_tokens()
        return original(payload)

    fake._send_cs = expire_after_50  # type: ignore[method-assign]
    await broadcast_to_all(app, clock)
    await app.delivery.sender("zalo_oa", channel).drain()
    rows = await outbox_rows(app.sessions)
    assert {r.status for r in rows} == {"sent"} and len(rows) == 120
    assert sorted(m["recipient"]["user_id"] for m in fake.sent) == sorted(people)
    assert fake.refreshes == 1
    assert sum(1 for _, code in fake.refused if code == -220) >= 1


async def test_a_broadcast_with_a_third_outside_the_window_accounts_for_everyone(
        oa_app: tuple[App, FakeZaloOA, ZaloOAChannel], clock: MovableClock,
        make_chat: MakeChat) -> None:
    app, fake, channel = oa_app
    people = await seed_people(app.sessions, 300, clock.now(), channel="zalo_oa")
    inside, linked, alone = people[:100], people[100:200], people[200:]
    await interacted(app, fake, inside, clock.now() - timedelta(hours=5))
    await interacted(app, fake, linked + alone, clock.now() - timedelta(days=9))
    async with app.sessions() as session:
        ids = dict((await session.execute(select(ChannelAccountRow.external_id,
                                                 ChannelAccountRow.person_id).where(
            ChannelAccountRow.external_id.in_(linked)))).all())
        for number, external in enumerate(linked):
            session.add(ChannelAccountRow(person_id=ids[external], channel="telegram",
                                          external_id=f"t{number}", chat_id=f"t{number}",
                                          created_at=clock.now(),
                                          last_seen_at=clock.now() - timedelta(days=60)))
        await session.commit()
    broadcast_id = await broadcast_to_all(app, clock)
    await app.delivery.sender("zalo_oa", channel).drain()
    platform = Platform()
    await app.delivery.sender("telegram", platform).drain()
    await app.delivery.pump_broadcasts()
    assert len(fake.sent) == 100 and len(platform.sent) == 100
    statuses = {(r.channel, r.status, (r.last_error or "").split(":")[0])
                for r in await outbox_rows(app.sessions) if r.broadcast_id == broadcast_id}
    assert statuses == {("zalo_oa", "sent", ""), ("telegram", "sent", ""),
                        ("zalo_oa", "cancelled", "rerouted to telegram"),
                        ("zalo_oa", "failed", "unreachable")}
    _app, admin = await make_chat(delivery_zalo_oa_rate=500.0)
    await admin.send("/as admin")
    await admin.replies()
    await admin.send("/thongbao")
    await admin.reply()
    await admin.send("2")  # the broadcast, first in the list after "new"
    detail = await admin.reply()
    for line in ("Người nhận: 300", "Đã gửi: 200", "Chuyển sang kênh khác: 100",
                 "Không liên lạc được: 100", "Lỗi: 0"):
        assert line in detail, detail


async def test_a_follower_about_to_leave_the_window_is_prompted_once(
        oa_app: tuple[App, FakeZaloOA, ZaloOAChannel], clock: MovableClock) -> None:
    app, fake, channel = oa_app
    quiet, fresh, late, later = await seed_people(app.sessions, 4, clock.now(),
                                                  channel="zalo_oa")
    [no_consent] = await seed_people(app.sessions, 1, clock.now(), channel="zalo_oa",
                                     consent=False, first_external=200_000)
    await interacted(app, fake, [quiet, no_consent], clock.now() - timedelta(hours=47))
    await interacted(app, fake, [fresh], clock.now() - timedelta(hours=20))
    await interacted(app, fake, [late], clock.now() - timedelta(days=3))
    await channel.plan_keepalive(clock.now())
    await channel.plan_keepalive(clock.now())  # the same prompt is queued once
    assert await app.delivery.sender("zalo_oa", channel).drain() == 1
    [text] = fake.texts_to(quiet)
    assert "/menu" in text and "nhắc nhở" in text
    # With paid sends allowed, the prompt waits until day 6 of the 7-day window.
    channel.allow_paid_sends = True
    await interacted(app, fake, [later], clock.now() - timedelta(days=2))
    await channel.plan_keepalive(clock.now())
    assert await app.delivery.sender("zalo_oa", channel).drain() == 0
    clock.advance(timedelta(days=4, hours=1))
    await channel.plan_keepalive(clock.now())
    assert await app.delivery.sender("zalo_oa", channel).drain() == 1
    assert "/menu" in fake.texts_to(later)[-1]
    assert len(fake.texts_to(quiet)) == 1 and fake.texts_to(no_consent) == []
    assert fake.texts_to(fresh) == [] and fake.texts_to(late) == [] and fake.refused == []


async def test_a_refused_refresh_holds_the_queue_and_alerts_the_admin_elsewhere(
        oa_app: tuple[App, FakeZaloOA, ZaloOAChannel], clock: MovableClock) -> None:
    app, fake, channel = oa_app
    people = await seed_people(app.sessions, 3, clock.now(), channel="zalo_oa")
    await interacted(app, fake, people, clock.now() - timedelta(hours=1))
    tokens = channel._api.tokens
    assert isinstance(tokens, OATokens)
    tokens._on_failure = admin_alert(app.sessions, app.settings, clock.now)
    for grant in fake.grants.values():
        grant.refresh_used = True  # the admin revoked the app, or another copy refreshed
    fake.expire_all_access_tokens()
    await broadcast_to_all(app, clock)
    await app.delivery.sender("zalo_oa", channel).drain()
    rows = await outbox_rows(app.sessions)
    oa_rows = [r for r in rows if r.channel == "zalo_oa"]
    assert len(oa_rows) == 3 and {r.status for r in oa_rows} == {"pending"}  # none lost
    [alert] = [r for r in rows if r.message_key == "zalo_oa.token_failed"]
    assert alert.channel == "console" and "refresh refused" in str(alert.params["reason"])
    assert tokens.state == "failed" and fake.sent == []
