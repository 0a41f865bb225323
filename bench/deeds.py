"""Benchmark good-deed reports: queue queries, a versioned decision, and the XLSX export.

Run: `uv run python -m bench.deeds [REPORTS]` (default 5000 reports on a temporary SQLite).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from bot.app import load_content
from content.units import UnitTree
from handlers.deeds.export import nominations_xlsx
from handlers.deeds.workflow import OPEN, Status
from storage.db import create_engine, session_factory
from storage.deeds.repo import DeedsRepo, load_nominations
from storage.migrate import upgrade
from storage.models import DeedEventRow, DeedRow, PersonRow

STATUSES = [s.value for s in Status]
ROUNDS = 200


def _scope(units: UnitTree, code: str) -> list[str]:
    return [code, *(u.code for u in units.descendants(code))]


async def _seed(url: str, count: int, communes: list[str]) -> None:
    engine = create_engine(url)
    now = datetime(2024, 4, 10, 2, 0, tzinfo=UTC)
    async with session_factory(engine)() as session:
        session.add(PersonRow(id=1, full_name="Người báo", role="resident", created_at=now,
                              updated_at=now))
        session.add(PersonRow(id=2, full_name="Cán bộ", role="liaison", created_at=now,
                              updated_at=now))
        await session.flush()
        rows = []
        for i in range(count):
            status = STATUSES[i % len(STATUSES)]
            rows.append({
                "id": i + 1, "campaign_id": "bac-son-dan-van-kheo-2024", "reporter_id": 1,
                "unit_code": communes[i % len(communes)], "status": status, "version": 1,
                "is_self": False, "nominee_name": f"Người số {i}", "nominee_minor": "no",
                "village": "thôn Khuôn Pục", "what": "Nhặt được ví, trả lại người đánh rơi. " * 3,
                "happened_on": date(2024, 4, 1) + timedelta(days=i % 9), "place": "chợ",
                "contact_ok": False, "phone": None, "original": {}, "reviewer_id": 2,
                "reward_form": "Giấy khen (Chủ tịch UBND huyện)", "reward_source": "III.2",
                "reject_reason": None, "nominee_consent": "person",
                "submitted_at": now + timedelta(seconds=i), "updated_at": now})
        for start in range(0, len(rows), 1000):
            await session.execute(insert(DeedRow), rows[start:start + 1000])
        events = [{"deed_id": r["id"], "actor_id": 2, "at": now, "action": "nominate",
                   "text": r["reward_form"]} for r in rows
                  if r["status"] in ("nominated", "awarded")]
        for start in range(0, len(events), 1000):
            await session.execute(insert(DeedEventRow), events[start:start + 1000])
        await session.commit()
    await engine.dispose()


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered):.2f} ms, p99 {p99:.2f} ms"


async def _measure(url: str, units: UnitTree, scope: list[str]) -> None:
    engine = create_engine(url)
    sessions = session_factory(engine)
    counts, queues, decisions = [], [], []
    async with sessions() as session:
        repo = DeedsRepo(session)
        for _ in range(ROUNDS):
            t0 = time.perf_counter()
            await repo.counts(scope)
            counts.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            await repo.queue(scope, list(OPEN), 11)
            queues.append((time.perf_counter() - t0) * 1000)
    for deed_id in range(2, 2 + ROUNDS * 7, 7):  # every 7th report is in review
        async with sessions() as session:
            t0 = time.perf_counter()
            repo = DeedsRepo(session)
            deed = await repo.get(deed_id)
            assert deed is not None
            now = datetime.now(UTC)
            if await repo.transition(deed.id, deed.version, now, status="approved"):
                await repo.add_event(deed.id, 2, now, "approve", status_before=deed.status,
                                     status_after="approved")
            await session.commit()
            decisions.append((time.perf_counter() - t0) * 1000)
    print(f"counts per status, district scope of {len(scope)} units: {_ms(counts)}")
    print(f"open queue page (11 rows): {_ms(queues)}")
    print(f"read + versioned decision + history row + commit: {_ms(decisions)}")
    content = load_content()
    async with sessions() as session:
        t0 = time.perf_counter()
        data = await load_nominations(session, None)
        loaded = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        book = nominations_xlsx(data, content.messages, units, content.campaigns,
                                ZoneInfo("Asia/Ho_Chi_Minh"))
        built = (time.perf_counter() - t0) * 1000
    print(f"export: {len(data.items)} nominations read in {loaded:.0f} ms, "
          f"XLSX built in {built:.0f} ms ({len(book) / 1024:.0f} KiB)")
    await engine.dispose()


async def main(count: int) -> None:
    """Seed `count` reports over the communes of Huyện Chi Lăng and print the figures."""
    units = load_content().units
    scope = _scope(units, "ls.chi-lang")
    communes = [u.code for u in units.communes("ls.chi-lang")]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await upgrade(url)
        t0 = time.perf_counter()
        await _seed(url, count, communes)
        print(f"seeded {count} reports over {len(communes)} communes in "
              f"{time.perf_counter() - t0:.1f} s")
        await _measure(url, units, scope)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))
