"""The inbox on a real database: stored once across processes, claimed without overlap,
recovered after a crash, and an update that could not be stored is never confirmed."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.inbox import Inbox, make_owner, owner_is_gone
from bot.channels.telegram import TelegramChannel
from bot.core.types import Incoming, Reply
from storage.db import create_engine, session_factory
from storage.inbox.models import InboxRow
from storage.inbox.repo import InboxRepo, InboxStatus
from tests.channels.fake_telegram import FakeTelegram, TelegramChat
from tests.channels.scripted import ScriptedCore


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(db_url)
    yield session_factory(engine)
    await engine.dispose()


def _update(n: int) -> tuple[str, dict[str, object]]:
    return str(n), {"update_id": n, "note": f"u{n}"}


async def test_an_update_is_stored_once_even_from_two_processes(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    one, two = Inbox(sessions), Inbox(sessions)
    await asyncio.gather(one.store("telegram", [_update(1), _update(2)]),
                         two.store("telegram", [_update(2), _update(3)]))
    await one.store("zalo", [_update(1)])  # another channel's key space
    assert await one.counts() == {("telegram", "pending"): 3, ("zalo", "pending"): 1}


async def test_two_processes_never_claim_the_same_update(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    one, two = Inbox(sessions), Inbox(sessions)
    await one.store("telegram", [_update(n) for n in range(40)])
    claims = await asyncio.gather(*(inbox.claim("telegram", 7)
                                    for inbox in (one, two, one, two, one, two, one, two)))
    ids = [item.id for batch in claims for item in batch]
    assert len(ids) == len(set(ids)) == 40
    first = [item.update_key for item in claims[0]]
    assert first == sorted(first, key=int)  # oldest first


async def test_after_a_crash_half_handled_updates_return_and_half_answered_ones_do_not(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    dead = Inbox(sessions, owner="host-a:999999:dead")
    await dead.store("zalo", [_update(n) for n in range(4)])
    taken = await dead.claim("zalo", 4)
    await dead.answering(taken[1].id)  # its replies were going out when it died
    await dead.finish(taken[2].id, InboxStatus.DONE)
    alive_elsewhere = Inbox(sessions, owner="host-b:1:other")
    assert (await alive_elsewhere.recover("zalo")).requeued == 0  # another host: its lease
    restarted = Inbox(sessions, owner="host-a:12345:new")
    assert owner_is_gone("host-a:999999:dead", "host-a:12345:new")
    result = await restarted.recover("zalo")
    assert (result.requeued, result.unsure) == (2, 1)
    again = await restarted.claim("zalo", 10)
    assert sorted(i.update_key for i in again) == ["0", "3"]
    assert again[0].payload == {"update_id": 0, "note": "u0"}
    async with sessions() as session:
        counts = await InboxRepo(session).counts()
    assert counts[("zalo", "unsure")] == 1 and counts[("zalo", "done")] == 1


def test_an_owner_on_this_host_with_a_live_pid_is_not_gone() -> None:
    me = make_owner()
    host, pid, _ = me.split(":")
    assert not owner_is_gone(me, me)
    assert owner_is_gone(f"{host}:{pid}:older-run", me)  # our pid, an earlier run
    assert not owner_is_gone(f"other-host:{pid}:x", me)


async def test_finished_rows_lose_their_payload_and_are_purged_later(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = [datetime(2026, 1, 1, tzinfo=UTC)]
    inbox = Inbox(sessions, now=lambda: clock[0], keep_hours=48)
    await inbox.store("telegram", [_update(1)])
    (item,) = await inbox.claim("telegram", 1)
    await inbox.finish(item.id, InboxStatus.DONE)
    await inbox.store("telegram", [_update(1)])  # a redelivery is still recognised
    assert await inbox.claim("telegram", 1) == []
    clock[0] = datetime(2026, 1, 3, 1, tzinfo=UTC)
    assert await inbox.purge() == 1


async def test_an_update_that_cannot_be_stored_is_not_confirmed_to_telegram(
    sqlite_url: str, fake_telegram: FakeTelegram, core: ScriptedCore,
    make_telegram: Callable[..., TelegramChannel],
) -> None:
    engine = create_engine(sqlite_url, busy_timeout_ms=50)
    channel = make_telegram(inbox=Inbox(session_factory(engine)))
    path = str(make_url(sqlite_url).database)
    locker = sqlite3.connect(path, isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")  # the database is unusable for writers
        await channel.start()
        chat = TelegramChat(fake_telegram, 4242)
        update = chat.send("/start")
        for _ in range(100):
            if [m for m in fake_telegram.methods() if m == "getUpdates"][3:]:
                break
            await asyncio.sleep(0.05)
        assert fake_telegram.confirmed_offset <= update["update_id"]
        assert core.calls == []
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert "tên là gì" in (await chat.reply(timeout=10))["text"]
    await channel.stop()
    assert fake_telegram.confirmed_offset == update["update_id"] + 1
    assert [c.chat_id for c in core.calls] == ["4242"]
    await engine.dispose()


async def test_a_claim_takes_no_more_than_asked(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    inbox = Inbox(sessions)
    await inbox.store("telegram", [_update(n) for n in range(40)])
    taken = await inbox.claim("telegram", 5)
    assert [item.update_key for item in taken] == ["0", "1", "2", "3", "4"]
    counts = await inbox.counts()
    assert counts == {("telegram", "handling"): 5, ("telegram", "pending"): 35}


async def test_an_update_requeued_after_a_crash_is_taken_before_newer_ones(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    dead = Inbox(sessions, owner="host-a:999999:dead")
    await dead.store("telegram", [_update(n) for n in range(30)])
    await dead.store("zalo", [_update(n) for n in range(3)])
    taken = await dead.claim("telegram", 25)
    for item in taken[1:]:
        await dead.finish(item.id, InboxStatus.DONE)  # closed rows are never taken again
    restarted = Inbox(sessions, owner="host-a:12345:new")
    assert (await restarted.recover("telegram")).requeued == 1  # "0", held by the dead one
    await restarted.store("telegram", [_update(n) for n in range(30, 33)])
    first = await restarted.claim("telegram", 3)
    rest = await restarted.claim("telegram", 10)
    assert [i.update_key for i in first] == ["0", "25", "26"]
    assert [i.update_key for i in rest] == ["27", "28", "29", "30", "31", "32"]
    assert await restarted.claim("telegram", 10) == []


async def test_writes_asked_for_together_share_one_transaction(
    db_url: str,
) -> None:
    engine = create_engine(db_url)
    commits = 0

    def _commit(_conn: object) -> None:
        nonlocal commits
        commits += 1

    event.listen(engine.sync_engine, "commit", _commit)
    inbox = Inbox(session_factory(engine))
    await inbox.store("telegram", [_update(n) for n in range(20)])
    first = await inbox.claim("telegram", 16)
    commits = 0
    # 16 handlers at once: 8 mark their replies as going out, 8 finish; the channel's
    # loop claims more and a poll stores 3 new updates.
    results = await asyncio.gather(
        *(inbox.answering(item.id) for item in first[:8]),
        *(inbox.finish(item.id, InboxStatus.DONE) for item in first[8:]),
        inbox.claim("telegram", 8),
        inbox.store("telegram", [_update(n) for n in range(20, 23)]))
    assert commits == 1
    more = results[16]
    assert [item.update_key for item in more] == ["16", "17", "18", "19", "20", "21", "22"]
    assert await inbox.counts() == {("telegram", "answering"): 8, ("telegram", "done"): 8,
                                    ("telegram", "handling"): 7}
    await engine.dispose()


async def test_an_idle_worker_gets_the_next_updates_claimed_as_they_are_stored(
    db_url: str,
) -> None:
    engine = create_engine(db_url)
    claims = 0

    def _count(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        nonlocal claims
        claims += statement.lstrip().upper().startswith("UPDATE")

    event.listen(engine.sync_engine, "before_cursor_execute", _count)
    inbox, other = Inbox(session_factory(engine)), Inbox(session_factory(engine))
    # The worker found nothing pending and waits for 2 updates at most.
    waiting = asyncio.create_task(inbox.wait_stored("telegram", 2, timeout=30))
    await asyncio.sleep(0.05)
    await inbox.store("telegram", [_update(n) for n in range(1, 4)])
    handed = await asyncio.wait_for(waiting, 30)
    assert [(item.update_key, item.payload) for item in handed] == [
        ("1", {"update_id": 1, "note": "u1"}), ("2", {"update_id": 2, "note": "u2"})]
    assert claims == 0  # stored claimed: no claim's update
    assert inbox.wakeup("telegram").is_set()  # the third is pending: claim it
    assert [item.update_key for item in await other.claim("telegram", 10)] == ["3"]
    assert await inbox.counts() == {("telegram", "handling"): 3}
    # A stop gives the handed rows back like any claimed row; a worker that stopped
    # waiting is handed nothing.
    assert (await inbox.release("telegram")).requeued == 2
    inbox.wakeup("telegram").clear()
    assert await inbox.wait_stored("telegram", 5, timeout=0.05) == []
    await inbox.store("telegram", [_update(4)])
    assert await inbox.counts() == {("telegram", "handling"): 1, ("telegram", "pending"): 3}
    await engine.dispose()


async def test_a_write_that_fails_does_not_fail_the_others_of_its_round(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    inbox = Inbox(sessions)
    await inbox.store("telegram", [_update(1), _update(2)])
    taken = await inbox.claim("telegram", 2)
    unstorable = ("3", {"update_id": 3, "bad": {1, 2}})  # not JSON
    results = await asyncio.gather(inbox.answering(taken[0].id),
                                   inbox.store("telegram", [unstorable]),
                                   inbox.finish(taken[1].id, InboxStatus.DONE),
                                   return_exceptions=True)
    assert results[0] is True and results[2] is True  # marked, closed
    assert isinstance(results[1], Exception)  # the poll is not confirmed: asked again
    assert await inbox.counts() == {("telegram", "answering"): 1, ("telegram", "done"): 1}


async def test_a_close_whose_caller_gave_up_is_written_before_a_stop_releases_the_rows(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    inbox = Inbox(sessions)
    await inbox.store("zalo", [_update(n) for n in range(3)])
    taken = await inbox.claim("zalo", 3)
    await inbox.answering(taken[0].id)
    # The drain timeout at stop cancels handlers, here while their close waits for a round.
    closing = [asyncio.create_task(inbox.finish(taken[0].id, InboxStatus.DONE)),
               asyncio.create_task(inbox.finish(taken[1].id, InboxStatus.FAILED, "ValueError"))]
    await asyncio.sleep(0)
    for task in closing:
        task.cancel()
    released = await inbox.release("zalo")  # taken[2] was still being handled
    assert (released.requeued, released.unsure) == (1, 0)
    assert await inbox.counts() == {("zalo", "done"): 1, ("zalo", "failed"): 1,
                                    ("zalo", "pending"): 1}


async def test_one_chat_s_burst_does_not_hold_back_another_chat(
    sessions: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram,
    core: ScriptedCore, make_telegram: Callable[..., TelegramChannel],
) -> None:
    # Two slots; one person pastes six messages, then another person writes once.
    core.delay = 0.2
    channel = make_telegram(inbox=Inbox(sessions), max_in_flight=2)
    busy, other = TelegramChat(fake_telegram, 501), TelegramChat(fake_telegram, 502)
    for n in range(6):
        busy.send(f"vọng {n}")
    other.send("vọng xin chào")
    await channel.start()
    assert (await other.reply(timeout=10))["text"] == "Bạn gõ: xin chào"
    # The other person was answered while the first one's messages were still going, and
    # the first one's answers keep their order.
    assert len(fake_telegram.sent_to(501)) < 6
    answers = [(await busy.reply(timeout=10))["text"] for _ in range(6)]
    assert answers == [f"Bạn gõ: {n}" for n in range(6)]
    assert core.texts_of("501") == [f"vọng {n}" for n in range(6)]
    await channel.stop()


@pytest.mark.parametrize("again_by", ["another process", "this process"])
async def test_an_update_claimed_again_after_its_claim_was_lost_is_answered_once(
    again_by: str, sessions: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram,
    core: ScriptedCore, make_telegram: Callable[..., TelegramChannel],
) -> None:
    # A claim commits without waiting for the disk (PostgreSQL): a crash of the database
    # server can lose it while its update is being handled. The row is then pending again
    # and is claimed a second time, here or by another process; both handlers run to the
    # end, and only the one whose close takes answers.
    entered, go = asyncio.Event(), asyncio.Event()

    async def slow(incoming: Incoming) -> list[Reply]:
        if not go.is_set():
            entered.set()
            await asyncio.wait_for(go.wait(), 10)
        return await core.handle(incoming)

    # The first process's worker looks for pending updates again soon, or not for a while.
    first = make_telegram(inbox=Inbox(sessions, owner="host-a:1:first"), handle=slow,
                          idle_claim_wait=0.05 if again_by == "this process" else 30)
    chat = TelegramChat(fake_telegram, 777)
    chat.send("vọng một lần")
    await first.start()
    await asyncio.wait_for(entered.wait(), 10)
    async with sessions() as session:  # the claim, lost in the server's crash
        await session.execute(update(InboxRow).values(
            status=InboxStatus.PENDING, claimed_by=None, claimed_at=None))
        await session.commit()
    if again_by == "another process":
        second = make_telegram(inbox=Inbox(sessions, owner="host-b:2:second"))
        await second.start()
        assert (await chat.reply(timeout=10))["text"] == "Bạn gõ: một lần"
        go.set()  # the first handler ends now: its close does not take
    else:
        # This process's worker claims it again; its handling waits for the chat's turn.
        for _ in range(200):
            if len(core.calls) or await _claimed(sessions):
                break
            await asyncio.sleep(0.05)
        assert await _claimed(sessions)
        go.set()
        assert (await chat.reply(timeout=10))["text"] == "Bạn gõ: một lần"
    for _ in range(200):
        if len(core.calls) == 2:
            break
        await asyncio.sleep(0.05)
    await first.stop()
    assert len(core.calls) == 2  # handled twice
    assert [m["text"] for m in fake_telegram.sent_to(777)] == ["Bạn gõ: một lần"]  # once
    assert await Inbox(sessions).counts() == {("telegram", "done"): 1}


async def _claimed(sessions: async_sessionmaker[AsyncSession]) -> bool:
    async with sessions() as session:
        status = await session.scalar(select(InboxRow.status))
    return status == InboxStatus.HANDLING
