"""Benchmark works compliance over a national-size unit list (~10,000 communes) on SQLite."""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bot.app import load_content
from content.units import Unit, UnitTree
from handlers.works.export import export_works
from handlers.works.rules import Status, bound_units, by_status, works_compliance
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.works.models import WorkRow
from storage.works.repo import WorksRepo

PROVINCES = 63
DISTRICTS_PER_PROVINCE = 11
COMMUNES_PER_DISTRICT = 15  # 63 x 11 x 15 = 10,395 communes
AGENCIES_PER_DISTRICT = 8
VILLAGES_PER_COMMUNE = 2    # below communes: never asked for works themselves
ROOT = "vn"
DAY = date(2024, 10, 20)


def _unit(code: str, name: str, type_code: str, type_name: str, parent: str | None,
          commune: bool = False) -> Unit:
    return Unit(code, name, type_code, type_name, parent, None, None, (), (), name, commune)


def national_tree() -> UnitTree:
    """Return a generated country: provinces, districts, communes, villages, agencies."""
    types = load_content().units.types
    units = [_unit(ROOT, "Việt Nam", "tinh", "Tỉnh", None)]
    for p in range(PROVINCES):
        province = f"{ROOT}.p{p}"
        units.append(_unit(province, f"Tỉnh {p}", "tinh", "Tỉnh", ROOT))
        for d in range(DISTRICTS_PER_PROVINCE):
            district = f"{province}.d{d}"
            units.append(_unit(district, f"Huyện {p}-{d}", "huyen", "Huyện", province))
            for a in range(AGENCIES_PER_DISTRICT):
                units.append(_unit(f"{district}.a{a}", f"Phòng {p}-{d}-{a}", "co_quan",
                                   "Cơ quan", district))
            for c in range(COMMUNES_PER_DISTRICT):
                commune = f"{district}.c{c}"
                kind = ("thi_tran", "Thị trấn") if c == 0 else ("xa", "Xã")
                units.append(_unit(commune, f"{kind[1]} {p}-{d}-{c}", kind[0], kind[1],
                                   district, commune=True))
                for v in range(VILLAGES_PER_COMMUNE):
                    units.append(_unit(f"{commune}.v{v}", f"Thôn {v}", "thon", "Thôn", commune))
    return UnitTree(types, units)


def _ms(started: float) -> str:
    return f"{(time.perf_counter() - started) * 1000:.1f} ms"


async def main() -> None:
    """Print timings of each step of a national compliance report and export."""
    started = time.perf_counter()
    tree = national_tree()
    print(f"unit tree: {len(tree)} units built in {_ms(started)} (includes the search index)")
    source = load_content().campaigns["tram-tau-dai-hoi-dang"]
    campaign = source.model_copy(update={"unit": ROOT})
    programme = campaign.programmes.works
    assert programme is not None

    started = time.perf_counter()
    units = bound_units(tree, ROOT, programme.register_by.date)
    communes = sum(1 for u in units if u.commune_level)
    print(f"bound units: {len(units)} ({communes} communes) in {_ms(started)}")

    rng = random.Random(7)
    now = datetime(2024, 10, 20, 3, tzinfo=UTC)
    rows = []
    for unit in units:
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            registered = DAY + timedelta(days=rng.randint(-20, 15))
            rows.append({"campaign_id": campaign.id, "unit_code": unit.code, "name": "Công trình",
                         "volume": "1 km", "location": "thôn", "value_vnd": 800_000_000,
                         "funding": "ngân sách", "due_on": date(2025, 6, 30),
                         "due_precision": "month", "progress": 0, "flagship": False,
                         "registered_on": registered, "created_at": now, "updated_at": now})
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await upgrade(url)
        engine = create_engine(url)
        sessions = session_factory(engine)
        started = time.perf_counter()
        async with sessions() as session:
            for i in range(0, len(rows), 1000):
                await session.execute(insert(WorkRow), rows[i:i + 1000])
            await session.commit()
        print(f"inserted {len(rows)} works in {_ms(started)}")

        async with sessions() as session:
            started = time.perf_counter()
            days = await WorksRepo(session).registration_days(campaign.id)
            query_time = _ms(started)
            started = time.perf_counter()
            lists = by_status(works_compliance(units, programme, days))
            print(f"registration days query: {query_time}; compliance of {len(units)} units: "
                  f"{_ms(started)}")
            print("  " + ", ".join(f"{s.value} {len(lists[s])}" for s in Status))
            started = time.perf_counter()
            data, count = await export_works(session, load_content().messages, tree, campaign,
                                             lambda _code: True)
            print(f"XLSX export: {count} works, {len(units)} unit rows, "
                  f"{len(data) // 1024} KiB in {_ms(started)}")
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
