"""The channel's own cost per message, in one process: the Telegram adapter with its durable
inbox and the real app, over the fast fake Bot API of bench.throughput, N users of five
messages each (as bench.throughput drives them), all at once.

Printed: answered/s, p50/p99, CPU of this process per message (the fake Bot API and the
users included: compare runs, not this figure with bench.throughput's), and what each
message costs the database under load: statements (the inbox's among them) and
transactions (on PostgreSQL each adds BEGIN and COMMIT to the statements' round trips;
statements run in autocommit have none). Deterministic enough to compare two versions of
the channel on a busy machine, where bench.throughput's answered/s is not.

    uv run python -m bench.channel                      # 200 users, SQLite
    uv run python -m bench.channel --users 500 --db postgresql   # BENCH_PG_URL
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.throughput import BOT_TOKENS, Result, drive, fresh_database
from bench.throughput import FakeBotApi as _FakeBotApi


async def run(users: int, db: str) -> None:
    from bot.app import create_app
    from bot.channels.inbox import Inbox
    from bot.channels.telegram import TelegramChannel
    from bot.core.config import Settings

    api = _FakeBotApi()
    await api.start()
    token = BOT_TOKENS["thidua"]
    with tempfile.TemporaryDirectory() as tmp:
        url = await fresh_database(db, Path(tmp))
        settings = Settings(_env_file=None, database_url=url,  # type: ignore[call-arg]
                            rate_limit_messages=0, log_level="WARNING")
        app = create_app(settings)
        await app.start()
        counts = {"statements": 0, "inbox": 0, "commits": 0, "transactions": 0}
        kinds: dict[str, int] = {}

        @event.listens_for(app.engine.sync_engine, "before_cursor_execute")
        def _count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            counts["statements"] += 1
            counts["inbox"] += " inbox" in statement[:40]
            words = statement.split(None, 3)
            kind = " ".join(words[:3] if words[0] in ("UPDATE", "INSERT") else words[:1])
            kinds[kind] = kinds.get(kind, 0) + 1

        @event.listens_for(app.engine.sync_engine, "begin")
        def _begin(conn: Any) -> None:
            # A transaction of its own (PostgreSQL: BEGIN and COMMIT, two round trips);
            # autocommit statements run without one.
            if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
                counts["transactions"] += 1

        @event.listens_for(app.engine.sync_engine, "commit")
        def _commit(_conn: Any) -> None:
            counts["commits"] += 1

        channel = TelegramChannel(token, handle=app.handle, on_blocked=app.mark_blocked,
                                  texts=app.services.messages.t, api_base=api.base_url,
                                  inbox=Inbox(app.sessions), poll_timeout=30)
        await channel.start()
        try:
            while api.bots[token].polling < 1:
                await asyncio.sleep(0.05)
            for key in counts:
                counts[key] = 0
            kinds.clear()
            cpu = time.process_time()
            result: Result = await drive(api, token, users)
            result.cpu_seconds = time.process_time() - cpu
        finally:
            await channel.stop()
            await app.close()
            await api.close()
    per = max(1, result.answered)
    print(f"channel {users:>4} users {db[:6]}  {result.answered}/{result.sent} "
          f"{result.rate:7.1f}/s  p50 {1000 * result.pct(0.5):6.0f} ms  "
          f"p99 {1000 * result.pct(0.99):6.0f} ms  cpu {result.cpu_ms_per_message:5.2f} ms/msg  "
          f"sql {counts['statements'] / per:4.2f}/msg (inbox {counts['inbox'] / per:4.2f})  "
          f"transactions {counts['transactions'] / per:4.2f}/msg", flush=True)
    print("  statements per message: " + ", ".join(
        f"{kind} {n / per:.2f}" for kind, n in sorted(kinds.items(), key=lambda kv: -kv[1])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, nargs="+", default=[200])
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"])
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    async def all_runs() -> None:
        for db in args.db:
            for users in args.users:
                await run(users, db)

    asyncio.run(all_runs())


if __name__ == "__main__":
    main()
