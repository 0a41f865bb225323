"""SQLite statements run on the event loop, but a write that must wait for another program
(a backup, `thidua retention`, a console command) waits without stopping the bot: other
chats are answered meanwhile, and the write goes in once the other program is done."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, is_sqlite, read_first


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    if not is_sqlite(db_url):
        pytest.skip("SQLite only: PostgreSQL has no single writer")
    engine = create_engine(db_url, busy_timeout_ms=3000)
    yield engine
    await engine.dispose()


def _other_program(db_url: str) -> sqlite3.Connection:
    """Another process's connection to the same file, holding the write lock."""
    other = sqlite3.connect(str(make_url(db_url).database), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO link_codes (code, person_id, created_at, expires_at) "
                  "SELECT 'x', 1, '2024-01-01', '2024-01-02' WHERE 0")
    return other


async def test_a_write_waits_for_another_program_while_reads_go_on(
        engine: AsyncEngine, db_url: str) -> None:
    other = _other_program(db_url)
    ticks = 0

    async def loop_alive() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def write() -> int:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE IF NOT EXISTS waits_probe (n INTEGER)"))
            await conn.execute(text("INSERT INTO waits_probe VALUES (7)"))
        async with engine.connect() as conn:
            return int(await conn.scalar(text("SELECT n FROM waits_probe")) or 0)

    ticker = asyncio.create_task(loop_alive())
    try:
        writing = asyncio.create_task(write())
        await asyncio.sleep(0.3)
        assert not writing.done()  # waiting for the other program's lock …
        assert ticks >= 10  # … without stopping the event loop
        with read_first():  # and reads (of messages that only read) are served meanwhile
            async with engine.connect() as conn:
                assert await conn.scalar(text("SELECT 41 + 1")) == 42
        other.execute("ROLLBACK")
        assert await asyncio.wait_for(writing, 10) == 7
    finally:
        ticker.cancel()
        other.close()


async def test_a_write_still_locked_out_after_the_busy_timeout_fails_cleanly(
        db_url: str) -> None:
    if not is_sqlite(db_url):
        pytest.skip("SQLite only")
    engine = create_engine(db_url, busy_timeout_ms=200)
    other = _other_program(db_url)
    try:
        with pytest.raises(OperationalError, match="locked"):
            async with engine.begin() as conn:
                await conn.execute(text("SELECT 1"))
        other.execute("ROLLBACK")
        async with engine.begin() as conn:  # the connection is usable again
            assert await conn.scalar(text("SELECT 2")) == 2
    finally:
        other.close()
        await engine.dispose()


async def test_a_long_query_outside_the_message_path_does_not_stall_other_chats(
        engine: AsyncEngine) -> None:
    # A report over every participant runs on the connection's thread: other chats are
    # served meanwhile. Only the small statements of `inline_statements()` use the loop.
    ticks = 0
    done = asyncio.Event()

    async def other_chats() -> None:
        nonlocal ticks
        while not done.is_set():
            await asyncio.sleep(0.001)
            ticks += 1

    long_query = text("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                      "WHERE i < 3000000) SELECT count(*) FROM n")
    served = asyncio.create_task(other_chats())
    await asyncio.sleep(0)
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))  # the transaction has begun
        before = ticks
        assert (await connection.execute(long_query)).scalar() == 3000000
        during = ticks - before
    done.set()
    await served
    assert during > 0  # on the loop itself the count would block every other chat


async def test_many_small_commits_keep_the_wal_small_and_the_file_complete(
        engine: AsyncEngine, db_url: str) -> None:
    # A message's small transaction commits on the loop; SQLite's own checkpoint (which
    # would then run there too) is off, and the engine folds the WAL into the database file
    # every CHECKPOINT_EVERY commits on the connection's thread instead.
    from pathlib import Path

    from storage.sqlite_driver import CHECKPOINT_EVERY, inline_statements

    path = Path(str(make_url(db_url).database))
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE IF NOT EXISTS wal_probe (n INTEGER, pad TEXT)"))
    size_before = path.stat().st_size
    for n in range(3 * CHECKPOINT_EVERY):
        async with engine.begin() as conn:
            with inline_statements():
                await conn.execute(text("INSERT INTO wal_probe VALUES (:n, :pad)"),
                                   {"n": n, "pad": "x" * 3000})
    wal = Path(f"{path}-wal")
    # 300 commits of a page or two each: without checkpoints the WAL would hold them all
    # (over 2 MB); checkpoints let it start over, and the rows reached the file itself.
    assert wal.stat().st_size < 1_500_000
    assert path.stat().st_size > size_before + 500_000
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM wal_probe")) == 3 * CHECKPOINT_EVERY
