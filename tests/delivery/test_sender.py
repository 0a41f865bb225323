"""The sender against what platforms answer: blocks, refusals, 429s, network errors, crashes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.app import App
from bot.core.channel_errors import Blocked, PermanentError, RetryAfter, TransientError
from bot.core.clock import MovableClock
from bot.core.types import Reply
from bot.delivery.sender import OutboxSender
from storage.delivery.repo import BroadcastRepo, OutboxRepo, OutboxStatus
from storage.models import BroadcastRow, ChannelAccountRow, OutboxRow
from tests.delivery.conftest import MakeChat, person_id
from tests.delivery.helpers import outbox_rows, seed_people

TEXT = "Lịch tổng kết phong trào: 8 giờ sáng Chủ nhật tại hội trường xã."


class Platform:
    """Stands in for Zalo or Telegram at the send boundary: answers as scripted per chat."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.script: dict[str, list[Exception]] = {}

    async def send(self, chat_id: str, reply: Reply) -> None:
        errors = self.script.get(chat_id)
        if errors:
            raise errors.pop(0)
        self.sent.append((chat_id, reply.text))


async def broadcast_to_all(app: App, clock: MovableClock) -> int:
    """Record a broadcast to everyone by the console admin and enqueue it; return its id."""
    await app.role_of("console", "admin")
    author = await person_id(app, "admin")
    async with app.sessions() as session:
        broadcast = await BroadcastRepo(session).create(author, TEXT, None, {"type": "everyone"},
                                                       clock.now(), clock.now())
        await session.commit()
    await app.delivery.pump_broadcasts()
    return broadcast.id


async def statuses(app: App) -> dict[str, str]:
    async with app.sessions() as session:
        rows = await session.execute(
            select(ChannelAccountRow.external_id, OutboxRow.status)
            .join(OutboxRow, OutboxRow.account_id == ChannelAccountRow.id)
            .where(OutboxRow.source == "broadcast"))
        return dict(rows.all())


async def test_each_platform_answer_leads_to_the_right_outcome(make_chat: MakeChat,
                                                               clock: MovableClock) -> None:
    app, _chat = await make_chat(delivery_retry_limit=3)
    blocked, refused, slowed, flaky, fine = await seed_people(app.sessions, 5, clock.now())
    broadcast_id = await broadcast_to_all(app, clock)
    platform = Platform()
    platform.script = {blocked: [Blocked("bot was blocked by the user")],
                       refused: [PermanentError("Bad Request: chat not found")],
                       slowed: [RetryAfter(0.05)],
                       flaky: [TransientError("timeout")] * 3}
    sender = app.delivery.sender("telegram", platform)
    await sender.drain()
    assert await statuses(app) == {blocked: "blocked", refused: "failed", slowed: "pending",
                                   flaky: "pending", fine: "sent"}
    waits = {r.account_id: (r.next_attempt_at - clock.now()).total_seconds()
             for r in await outbox_rows(app.sessions, ["pending"])}
    short, long = sorted(waits.values())
    assert short <= 1.2 and 29 <= long <= 30.5  # 429: its short wait; network error: 30 s
    clock.advance(timedelta(seconds=2))
    await sender.drain()
    assert (await statuses(app))[slowed] == "sent"
    for attempts in (2, 3):  # network errors are retried with growing waits, then given up
        clock.advance(timedelta(minutes=5))
        await sender.drain()
        [row] = [r for r in await outbox_rows(app.sessions) if r.attempts == attempts
                 and r.last_error == "TransientError: timeout"]
        assert row.status == ("pending" if attempts == 2 else "failed")
    assert (await statuses(app))[flaky] == "failed"
    assert sorted(platform.sent) == sorted([(slowed, platform.sent[0][1]),
                                            (fine, platform.sent[0][1])])
    assert "THÔNG BÁO" in platform.sent[0][1] and TEXT in platform.sent[0][1]
    async with app.sessions() as session:
        account = await session.scalar(select(ChannelAccountRow)
                                       .where(ChannelAccountRow.external_id == blocked))
        flaky_row = await session.scalar(
            select(OutboxRow).join(ChannelAccountRow,
                                   ChannelAccountRow.id == OutboxRow.account_id)
            .where(ChannelAccountRow.external_id == flaky))
    assert account is not None and account.blocked_at is not None
    assert flaky_row is not None and flaky_row.attempts == 3 and "timeout" in (
        flaky_row.last_error or "")
    await app.delivery.pump_broadcasts()
    async with app.sessions() as session:
        row = await session.get(BroadcastRow, broadcast_id)
    assert row is not None
    assert (row.status, row.sent, row.failed, row.blocked) == ("done", 2, 2, 1)


async def test_a_blocked_account_is_left_out_of_the_next_broadcast(make_chat: MakeChat,
                                                                   clock: MovableClock) -> None:
    app, _chat = await make_chat()
    blocked, fine = await seed_people(app.sessions, 2, clock.now())
    await broadcast_to_all(app, clock)
    platform = Platform()
    platform.script = {blocked: [Blocked("blocked")]}
    await app.delivery.sender("telegram", platform).drain()
    await broadcast_to_all(app, clock)
    await app.delivery.sender("telegram", platform).drain()
    assert [chat for chat, _ in platform.sent] == [fine, fine]


async def test_rows_left_sending_by_a_crash_are_sent_once_and_sent_rows_never_again(
    make_chat: MakeChat, clock: MovableClock
) -> None:
    app, _chat = await make_chat()
    chats = await seed_people(app.sessions, 4, clock.now())
    await broadcast_to_all(app, clock)
    platform = Platform()
    async with app.sessions() as session:  # a process claimed them, sent one, then died
        outbox = OutboxRepo(session)
        claimed = await outbox.claim("telegram", clock.now(), 10)
        await outbox.mark_sent(claimed[0].id, clock.now())
        await session.commit()
    assert await app.delivery.sender("telegram", platform).drain() == 0  # nothing is pending
    async with app.sessions() as session:
        assert await OutboxRepo(session).recover(clock.now()) == 3
        await session.commit()
    await app.delivery.sender("telegram", platform).drain()
    assert sorted(chat for chat, _ in platform.sent) == sorted(chats[1:])


async def test_cancel_pending_for_stops_waiting_messages_of_a_person(
    make_chat: MakeChat, clock: MovableClock
) -> None:
    app, _chat = await make_chat()
    await seed_people(app.sessions, 1, clock.now())
    await broadcast_to_all(app, clock)
    await broadcast_to_all(app, clock)
    async with app.sessions() as session:
        await app.delivery.notify(session, 1, "test:notice", "broadcast.done_notice",
                                  {"id": 9, "sent": 1, "failed": 0, "blocked": 0,
                                   "cancelled": 0})
        await session.commit()
    async with app.sessions() as session:
        outbox = OutboxRepo(session)
        assert await outbox.cancel_pending_for(1, kinds=["broadcast"], now=clock.now()) == 2
        assert await outbox.cancel_pending_for(1, now=clock.now()) == 1
        assert await outbox.cancel_pending_for(1, now=clock.now()) == 0
        await session.commit()
    rows = await outbox_rows(app.sessions)
    assert {(r.source, r.status) for r in rows} == {("broadcast", OutboxStatus.CANCELLED),
                                                   ("notice", OutboxStatus.CANCELLED)}


async def test_a_notice_needs_no_reminder_consent_but_waits_for_morning(
    make_chat: MakeChat, clock: MovableClock
) -> None:
    app, _chat = await make_chat()
    [chat] = await seed_people(app.sessions, 1, clock.now(), consent=False)
    clock.set(clock.now().replace(hour=22))
    async with app.sessions() as session:
        assert await app.delivery.notify(session, 1, "deed:returned:1",
                                         "broadcast.not_running", {"id": 3})
        await session.commit()
    platform = Platform()
    sender = app.delivery.sender("telegram", platform)
    await sender.drain()
    assert platform.sent == []
    clock.set(clock.now().replace(hour=7, minute=0) + timedelta(days=1))
    await sender.drain()
    assert platform.sent == [
        (chat, "Thông báo #3 đã gửi xong hoặc đã dừng, không còn gì để dừng.")]


async def test_people_are_reached_on_a_channel_that_runs(make_chat: MakeChat,
                                                         clock: MovableClock) -> None:
    app, _chat = await make_chat()
    [on_zalo] = await seed_people(app.sessions, 1, clock.now(), channel="zalo")
    async with app.sessions() as session:  # the same person also uses Telegram, more lately
        session.add(ChannelAccountRow(person_id=1, channel="telegram", external_id="777",
                                      chat_id="777", created_at=clock.now(),
                                      last_seen_at=clock.now() + timedelta(minutes=5)))
        await session.commit()
    await broadcast_to_all(app, clock)
    app.delivery.live_channels = frozenset({"zalo"})  # as `thidua run` with a Zalo token only
    await broadcast_to_all(app, clock)
    assert [r.channel for r in await outbox_rows(app.sessions)] == ["telegram", "zalo"]
    assert on_zalo


class FlakyRecording(OutboxRepo):
    """The outbox as the sender records outcomes, with the database gone after `ok` sends."""

    ok = 0
    down = False
    calls = 0

    async def mark_sent(self, row_id: int, now: datetime) -> None:
        cls = FlakyRecording
        cls.calls += 1
        if cls.down or cls.calls > cls.ok:
            cls.down = True
            raise OperationalError("UPDATE outbox", {}, ConnectionError("database down"))
        await super().mark_sent(row_id, now)

    async def postpone(self, row_ids: Sequence[int], until: datetime, now: datetime,
                       error: str | None = None, attempted: bool = False) -> None:
        if FlakyRecording.down:
            raise OperationalError("UPDATE outbox", {}, ConnectionError("database down"))
        await super().postpone(row_ids, until, now, error, attempted)


async def test_a_database_outage_mid_broadcast_stops_sending_until_it_can_record(
    make_chat: MakeChat, clock: MovableClock
) -> None:
    app, _chat = await make_chat()
    chats = await seed_people(app.sessions, 12, clock.now())
    await broadcast_to_all(app, clock)
    platform = Platform()
    sender = OutboxSender(app.delivery, "telegram", platform, rate=None, chat_rate=None,
                          max_in_flight=1, batch=50)
    sender.repo_factory = FlakyRecording
    sender.write_retries = 1
    FlakyRecording.ok, FlakyRecording.down, FlakyRecording.calls = 4, False, 0
    await sender.drain()
    # Four recorded, the fifth sent but not recorded; the rest of the batch is held.
    assert len(platform.sent) == 5
    clock.advance(timedelta(seconds=30))
    await sender.drain()  # still down: nothing more goes out
    assert len(platform.sent) == 5
    FlakyRecording.down, FlakyRecording.ok = False, 1000
    clock.advance(timedelta(minutes=5))
    await sender.drain()
    sent = [chat for chat, _ in platform.sent]
    assert sorted(set(sent)) == sorted(chats)  # everyone received it
    assert len(sent) <= len(chats) + 1  # at most the unrecorded one twice
    assert all(sent.count(chat) <= 2 for chat in chats)
    assert set((await statuses(app)).values()) == {"sent"}
