"""Benchmark referrals: import a 100,000-row official list; unit progress over 50,000 people.

Run: `uv run python bench/referrals.py [--participants 50000] [--rows 100000]
[--database-url URL]` (default: a fresh SQLite file in a temporary folder).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import insert

from content.loader import load_campaigns
from content.units import load_units
from handlers.referrals.imports import import_official_list
from handlers.referrals.rules import timeline
from handlers.referrals.xlsx import ExportScope, progress_workbook
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import PersonRow, RefMemberRow, RefParticipantRow
from storage.referrals.repo import ReferralRepo

CAMPAIGN = "bac-son-dan-van-kheo-2024"
TODAY = date(2024, 4, 24)
NOW = datetime(2024, 4, 24, 2, 0, tzinfo=UTC)
ROUNDS = 50
BATCH = 5000


def phone(n: int) -> str:
    """Return the n-th synthetic mobile number, normalised."""
    return f"+849{n:08d}"


async def seed(url: str, participants: int, units: list[str]) -> int:
    """Insert participants with 1-4 referred accounts and random weeks; return accounts."""
    rng = random.Random(42)
    engine = create_engine(url)
    sessions = session_factory(engine)
    serial = 0
    async with sessions() as session:
        for start in range(0, participants, BATCH):
            ids = range(start + 1, min(start + BATCH, participants) + 1)
            await session.execute(insert(PersonRow), [
                {"id": i, "full_name": f"Người {i}", "birth_year": 1990, "role": "resident",
                 "registered_at": NOW, "created_at": NOW, "updated_at": NOW} for i in ids])
            await session.execute(insert(RefParticipantRow), [
                {"id": i, "campaign_id": CAMPAIGN, "person_id": i,
                 "unit_code": units[i % len(units)], "code": f"VD-B{i:05d}", "joined_at": NOW,
                 "updated_at": NOW} for i in ids])
            members: list[dict[str, Any]] = []
            for i in ids:
                for k in range(1 + rng.randint(1, 4)):
                    serial += 1
                    members.append({
                        "participant_id": i, "campaign_id": CAMPAIGN,
                        "kind": "self" if k == 0 else "referral",
                        "display_name": None if k == 0 else f"R{k}",
                        "relation": None if k == 0 else "ban_be", "quiz_account": phone(serial),
                        "account_kind": "phone", "reported_mask": rng.randint(0, 15),
                        "verified_mask": 0, "official_mask": 0, "created_at": NOW,
                        "updated_at": NOW})
            await session.execute(insert(RefMemberRow), members)
        await session.commit()
    await engine.dispose()
    return serial


def write_csv(path: Path, rows: int, accounts: int) -> None:
    """Write an official list: 60% followed accounts, the rest strangers, a few bad rows."""
    rng = random.Random(1)
    with path.open("w", encoding="utf-8") as out:
        out.write("\ufeffSTT;Họ và tên;Số điện thoại;Email;Điểm\n")
        for n in range(1, rows + 1):
            roll = rng.random()
            if roll < 0.6:
                number = f"0{phone(rng.randint(1, accounts))[3:]}"
            elif roll < 0.995:
                number = f"08{n:08d}"
            else:
                number = "0912 34"
            out.write(f"{n};Thí sinh {n};{number[:4]} {number[4:7]} {number[7:]};;{n % 10}\n")


def write_xlsx(path: Path, rows: int, accounts: int, seed: int) -> None:
    """Write the same kind of list as XLSX, phones as numbers (as Excel often keeps them)."""
    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("DS")
    sheet.append(["Danh sách tham gia tuần"])
    sheet.append(["STT", "Họ tên", "SĐT"])
    for n in range(1, rows + 1):
        value = (int(phone(rng.randint(1, accounts))[3:]) if rng.random() < 0.6
                 else 800_000_000 + n)
        sheet.append([n, f"Thí sinh {n}", value])
    book.save(path)


async def run_import(url: str, path: Path, week: int, traced: bool) -> tuple[float, int, Any]:
    """Import one file; return seconds, peak traced bytes (0 when not traced), report."""
    engine = create_engine(url)
    campaigns = {c.id: c for c in load_campaigns()}
    prog = campaigns[CAMPAIGN].programmes.referral
    assert prog is not None
    ticks: list[int] = []
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    async with session_factory(engine)() as session:
        report = await import_official_list(
            ReferralRepo(session), campaign_id=CAMPAIGN, week=week,
            week_start=prog.weeks[week - 1].start, today=TODAY, source=path,
            filename=path.name, units=None, scope_unit=None,
            imported_by=None, now=NOW, progress=ticks.append, commit_batches=True)
        await session.commit()
    seconds = time.perf_counter() - started
    peak = 0
    if traced:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    await engine.dispose()
    return seconds, peak, report


async def timings(call: Callable[[], Any], rounds: int = ROUNDS) -> list[float]:
    """Run an async call several times; return milliseconds."""
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        await call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def report(label: str, values: list[float]) -> None:
    """Print p50/p99/max of timings in milliseconds."""
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"{label}: p50 {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms, "
          f"max {ordered[-1]:.1f} ms ({len(values)} runs)")


async def main() -> None:
    """Seed, import, query, and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=50_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-referrals-"))
    url = args.database_url or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    await upgrade(url)
    tree = load_units()
    campaign = next(c for c in load_campaigns() if c.id == CAMPAIGN)
    prog = campaign.programmes.referral
    assert prog is not None
    units = [prog.home_unit, *(u.code for u in tree.descendants(prog.home_unit))]
    started = time.perf_counter()
    accounts = await seed(url, args.participants, units)
    print(f"database: {url.split(':')[0]}; seeded {args.participants:,} participants, "
          f"{accounts:,} followed accounts in {time.perf_counter() - started:.1f} s")

    csv_path = folder / "tuan3.csv"
    write_csv(csv_path, args.rows, accounts)
    seconds, peak, result = await run_import(url, csv_path, 3, traced=False)
    print(f"import CSV {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.1f} MB): "
          f"{seconds:.2f} s ({args.rows / seconds:,.0f} rows/s); matched {result.matched:,}, "
          f"newly verified {result.newly_verified:,}, unmatched {result.unmatched:,}, "
          f"duplicates {result.duplicates:,}, errors {result.errors:,}, "
          f"conflicts {result.conflicts:,}")
    write_csv(folder / "tuan2.csv", args.rows, accounts)
    (folder / "tuan2.csv").write_text((folder / "tuan2.csv").read_text(encoding="utf-8")
                                      + "999999;x;0900 000 001;;1\n", encoding="utf-8")
    seconds, peak, _ = await run_import(url, folder / "tuan2.csv", 2, traced=True)
    print(f"import CSV {args.rows:,} rows under tracemalloc: {seconds:.2f} s, "
          f"peak Python memory {peak / 1e6:.1f} MB")
    seconds, _, again = await run_import(url, csv_path, 3, traced=False)
    print(f"re-import of the same file: {seconds * 1000:.0f} ms "
          f"(already imported: {again.already_imported})")
    xlsx_path = folder / "tuan1.xlsx"
    write_xlsx(xlsx_path, args.rows, accounts, seed=2)
    seconds, _, result = await run_import(url, xlsx_path, 1, traced=False)
    print(f"import XLSX {args.rows:,} rows ({xlsx_path.stat().st_size / 1e6:.1f} MB): "
          f"{seconds:.2f} s ({args.rows / seconds:,.0f} rows/s); matched {result.matched:,}")
    write_xlsx(folder / "tuan4.xlsx", args.rows, accounts, seed=3)
    seconds, peak, _ = await run_import(url, folder / "tuan4.xlsx", 4, traced=True)
    print(f"import XLSX {args.rows:,} rows under tracemalloc: {seconds:.2f} s, "
          f"peak Python memory {peak / 1e6:.1f} MB")

    engine = create_engine(url)
    line = timeline(prog.weeks, TODAY)
    commune = "ls.bac-son.long-dong"
    async with session_factory(engine)() as session:
        repo = ReferralRepo(session)
        report("unit progress, whole campaign (admin)", await timings(
            lambda: repo.unit_counts(CAMPAIGN, None, line, prog.min_referrals.number)))
        report("unit progress, district subtree as 39 codes", await timings(
            lambda: repo.unit_counts(CAMPAIGN, units, line, prog.min_referrals.number)))
        report("unit progress, one commune (liaison)", await timings(
            lambda: repo.unit_counts(CAMPAIGN, [commune], line, prog.min_referrals.number)))
        report("followed accounts, whole campaign (export size check)", await timings(
            lambda: repo.followed_accounts(CAMPAIGN, None)))
        report("who owes week 4, count + first 180 (whole campaign)", await timings(
            lambda: _owing(repo, line.current or 1)))
        for label, scope_units, root in (("one commune", [commune], commune),
                                         ("the whole campaign", None, prog.home_unit)):
            scope = ExportScope(campaign, prog, line, scope_units, root, NOW)
            counts = await repo.unit_counts(CAMPAIGN, scope_units, line,
                                            prog.min_referrals.number)
            started = time.perf_counter()
            data = await progress_workbook(repo, scope, counts, _messages(), tree)
            print(f"progress XLSX for {label} "
                  f"({sum(c.accounts for c in counts.values()):,} accounts): "
                  f"{time.perf_counter() - started:.2f} s, {len(data) / 1e6:.1f} MB")
    await engine.dispose()


async def _owing(repo: ReferralRepo, week: int) -> None:
    await repo.count_owing(CAMPAIGN, week, None)
    await repo.owing(CAMPAIGN, week, None, limit=180)


def _messages() -> Any:
    from content.messages import Messages

    return Messages.load()


if __name__ == "__main__":
    asyncio.run(main())
