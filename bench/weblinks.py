"""Benchmark the link pages: the progress page (tables and SVG charts of every feature) and
a download, over real HTTP, for a district with 50,000 participants.

Run: `uv run python -m bench.weblinks [--participants 50000] [--database-url URL]`
(default: a fresh SQLite file in a temporary folder).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import event, insert

from bench.referrals import CAMPAIGN, report, seed, timings
from bot.app import App, create_app
from bot.app.features import FEATURES
from bot.app.web import link_pages
from bot.channels.webhook import WebhookServer
from bot.core.clock import MovableClock
from bot.core.config import Settings
from bot.core.weblinks import DOWNLOAD, PROGRESS, make_link
from handlers.referrals.rules import timeline
from storage.access import GrantRepo
from storage.base import PersonRow
from storage.migrate import upgrade
from storage.referrals.repo import ReferralRepo

ROUNDS = 30
NOW = datetime(2024, 4, 24, 9, 0)


async def main() -> None:
    """Seed, open the pages, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=50_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-weblinks-"))
    url = args.database_url or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    await upgrade(url)
    settings = Settings(_env_file=None, database_url=url,  # type: ignore[call-arg]
                        public_url="https://thidua.example.vn")
    app = create_app(settings, MovableClock(start=NOW))
    await app.start()
    campaign = app.services.campaigns[CAMPAIGN]
    prog = campaign.programmes.referral
    assert prog is not None
    tree = app.services.units
    units = [prog.home_unit, *(u.code for u in tree.descendants(prog.home_unit))]
    started = time.perf_counter()
    accounts = await seed(url, args.participants, units)
    print(f"database: {url.split(':')[0]}; {args.participants:,} participants, "
          f"{accounts:,} followed accounts in {len(units)} units "
          f"(seeded in {time.perf_counter() - started:.1f} s)")
    await _time_counts(app, units)  # what the page costs beyond the referrals query
    now = app.services.clock.now()
    async with app.sessions() as session:
        person_id = args.participants + 1
        await session.execute(insert(PersonRow).values(
            id=person_id, full_name="Quản trị", role="resident", created_at=now,
            updated_at=now))
        await GrantRepo(session).grant(person_id, "admin", None, now, granted_by=None,
                                       reason="bench")
        progress = await make_link(session, settings, person_id, PROGRESS,
                                   {"campaign": CAMPAIGN, "unit": prog.home_unit}, now)
        download = await make_link(session, settings, person_id, DOWNLOAD,
                                   {"kind": "referrals_progress", "campaign": CAMPAIGN,
                                    "unit": "ls.bac-son.long-dong"}, now)
        await session.commit()
    assert progress and download
    server = WebhookServer("127.0.0.1", 0)
    link_pages(app, FEATURES).mount(server.app)
    await server.serve_pages()
    base = f"http://127.0.0.1:{server.port}"
    progress_url = base + progress.split("thidua.example.vn", 1)[1]
    download_url = base + download.split("thidua.example.vn", 1)[1] + "/tai-ve"
    async with aiohttp.ClientSession() as http:
        size = 0

        async def page() -> None:
            nonlocal size
            async with http.get(progress_url) as response:
                assert response.status == 200, response.status
                size = len(await response.read())

        times = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            await page()
            times.append((time.perf_counter() - started) * 1000)
        report(f"progress page, whole district ({size / 1000:.0f} KB HTML)", times)
        statements: list[tuple[float, str]] = []
        with _statements(app, statements):
            await page()
        slowest = max(statements)
        print(f"progress page: {len(statements)} SQL statements, the slowest {slowest[0]:.0f} ms "
              f"({slowest[1]}…)")
        started = time.perf_counter()
        async with http.get(download_url) as response:
            data = await response.read()
        print(f"download of one commune's progress XLSX: "
              f"{(time.perf_counter() - started) * 1000:.0f} ms, {len(data) / 1000:.0f} KB")
    await server.close()
    await app.close()


@contextmanager
def _statements(app: App, into: list[tuple[float, str]]) -> Iterator[None]:
    """Record (milliseconds, first words) of every SQL statement run meanwhile."""
    engine = app.engine.sync_engine

    def before(_conn: Any, _cursor: Any, _sql: str, _params: Any, context: Any,
               _many: bool) -> None:
        context.bench_started = time.perf_counter()

    def after(_conn: Any, _cursor: Any, sql: str, _params: Any, context: Any,
              _many: bool) -> None:
        into.append(((time.perf_counter() - context.bench_started) * 1000,
                     " ".join(sql.split())[:60]))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


async def _time_counts(app: App, units: list[str]) -> None:
    campaign = app.services.campaigns[CAMPAIGN]
    prog = campaign.programmes.referral
    assert prog is not None
    line = timeline(prog.weeks, app.services.clock.today())
    async with app.sessions() as session:
        repo = ReferralRepo(session)
        report("unit counts query alone (whole district)", await timings(
            lambda: repo.unit_counts(CAMPAIGN, None, line, prog.min_referrals.number), 10))


if __name__ == "__main__":
    asyncio.run(main())
