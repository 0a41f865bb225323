"""The engine's pool: connections are kept under load, and a connection the server closed
while it sat idle is replaced before anyone uses it."""

from __future__ import annotations

import asyncio

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
