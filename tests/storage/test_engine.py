"""The engine's pool: connections are kept under load, and a connection the server closed
while it sat idle is replaced before anyone uses it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, text

from storage.db import create_engine
from tests.conftest import PG_URL


async def test_busy_work_reuses_the_pooled_connections(db_url: str) -> None:
    engine = create_engine(db_url)
    opened = 0

    def _count(*_args: object) -> None:
        nonlocal opened
        opened += 1

    event.listen(engine.sync_engine, "connect", _count)

    async def one() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            await asyncio.sleep(0.01)

    try:
        for _ in range(5):
            await asyncio.gather(*(one() for _ in range(16)))
        assert opened <= 16  # the first wave opens them, the next ones reuse them
    finally:
        await engine.dispose()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only")
async def test_an_idle_connection_the_server_closed_is_replaced(db_url: str) -> None:
    engine = create_engine(db_url, idle_ping_seconds=0.0)
    admin = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            pid = await conn.scalar(text("SELECT pg_backend_pid()"))
        async with admin.connect() as conn:  # e.g. a server restart, an idle timeout
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            await conn.commit()
        await asyncio.sleep(0.2)
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT 41 + 1")) == 42
            assert await conn.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        await engine.dispose()
        await admin.dispose()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only")
async def test_after_a_burst_a_quiet_process_reuses_one_connection_without_checks(
        db_url: str) -> None:
    # A burst opens many connections; once it is over they all sit idle. The quiet traffic
    # that follows takes the connection given back last, again and again: checked once
    # (idle too long), not each time as it would be if it went round all of them in turn.
    engine = create_engine(db_url, idle_ping_seconds=1.0)
    dialect = engine.sync_engine.dialect
    checked = 0
    ping = dialect.do_ping

    def _ping(dbapi_connection: Any) -> bool:
        nonlocal checked
        checked += 1
        return bool(ping(dbapi_connection))

    dialect.do_ping = _ping  # type: ignore[method-assign]

    async def one(pause: float) -> int:
        async with engine.connect() as conn:
            pid = await conn.scalar(text("SELECT pg_backend_pid()"))
            await asyncio.sleep(pause)
        return int(pid)

    try:
        burst = await asyncio.gather(*(one(0.05) for _ in range(12)))
        assert len(set(burst)) == 12
        await asyncio.sleep(1.5)  # every connection now idle for longer than 1 s
        quiet = [await one(0.0) for _ in range(10)]
        assert checked == 1
        assert len(set(quiet)) == 1
    finally:
        await engine.dispose()
