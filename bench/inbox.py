"""Benchmark the durable inbox alone: store, claim, mark answering, close (no core, no HTTP).

Run: `uv run python -m bench.inbox [UPDATES]` (default 2000 on a temporary SQLite; set
DATABASE_URL to a PostgreSQL URL to measure there; its inbox table is emptied first).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete

from bot.channels.inbox import Inbox
from storage.db import create_engine, session_factory
from storage.inbox.models import InboxRow
from storage.inbox.repo import InboxStatus
from storage.migrate import upgrade

WORKERS = 16


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{Path(folder) / 'b.db'}"
        await upgrade(url)
        engine = create_engine(url)
        sessions = session_factory(engine)
        async with sessions() as session:
            await session.execute(delete(InboxRow))
            await session.commit()
        inbox = Inbox(sessions)
        updates = [(str(n), {"update_id": n, "message": {"text": "/help"}}) for n in range(count)]
        started = time.perf_counter()
        for start in range(0, count, 100):
            await inbox.store("telegram", updates[start:start + 100])
        stored = time.perf_counter() - started

        async def handle_one(row_id: int) -> None:
            await inbox.answering(row_id)
            await inbox.finish(row_id, InboxStatus.DONE)

        started = time.perf_counter()
        while True:
            items = await inbox.claim("telegram", WORKERS)
            if not items:
                break
            await asyncio.gather(*(handle_one(item.id) for item in items))
        handled = time.perf_counter() - started
        await engine.dispose()
    print(f"{count} updates: stored in {stored:.2f} s ({count / stored:.0f}/s, batches of 100); "
          f"claimed, marked and closed in {handled:.2f} s ({count / handled:.0f}/s, "
          f"{1000 * handled / count:.2f} ms each, {WORKERS} at a time)")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
