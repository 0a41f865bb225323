"""Benchmark the rule lookup: index build time and per-query latency, on today's content and
on ten times as much (the five plans copied under other ids and places).

Run: uv run python bench/lookup.py  (add --no-freeze to measure without gc.freeze())
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from pathlib import Path

from content.loader import load_campaigns
from content.schema import Campaign
from content.search import SearchIndex, build_index

ROOT = Path(__file__).resolve().parents[1]
SETS = [ROOT.parent.parent / "shared" / "eval" / "lookup_dev.tsv",
        ROOT / "tests" / "content" / "lookup_heldout.tsv",
        ROOT / "tests" / "content" / "lookup_heldout2.tsv",
        ROOT / "tests" / "content" / "lookup_heldout3.tsv",
        ROOT / "tests" / "content" / "lookup_heldout4.tsv",
        ROOT / "tests" / "content" / "lookup_heldout5.tsv"]
ROUNDS = 20
COPIES = 10
FREEZE = "--no-freeze" not in sys.argv


def questions() -> list[str]:
    """Questions of the development and held-out sets (whichever are present)."""
    out: list[str] = []
    for path in SETS:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip() and not line.startswith("#") and "\t" in line:
                    out.append(line.split("\t", 1)[0])
    return out or ["hạn chót đăng ký công trình", "dan van kheo bao nhieu tuoi"]


PLACES = ["Bảo Yên", "Văn Bàn", "Lục Yên", "Đình Lập", "Cao Lộc", "Lộc Ninh", "Bù Đốp",
          "Phù Cát", "Hoài Ân"]


def _renamed(text: str, old: str, new: str) -> str:
    return text.replace(old, new)


def copies(campaigns: list[Campaign], n: int) -> list[Campaign]:
    """The campaigns plus n-1 copies of each, as if issued by another district: other id,
    name and aliases, and the district's name replaced in the plan text."""
    out = list(campaigns)
    for k in range(1, n):
        for c in campaigns:
            old = c.issuer.split("huyện", 1)[-1].strip()
            new = PLACES[(k - 1) % len(PLACES)]
            update: dict[str, object] = {
                "id": f"{c.id}-copy-{k}",
                "short_name": _renamed(c.short_name, old, new),
                "aliases": [_renamed(a, old.lower(), new.lower()) for a in c.aliases],
                "issuer": f"UBND huyện {new}",
                "title": _renamed(c.title, old, new),
            }
            if c.plan is not None:
                sections = [
                    s.model_copy(update={
                        "heading": _renamed(s.heading, old, new),
                        "passages": [_renamed(p, old, new) for p in s.passages],
                    })
                    for s in c.plan.sections
                ]
                # The whole plan text names the other district: preamble and title too, or
                # the copies would still say "Chi Lăng" and blur which plan a name steers to.
                update["plan"] = c.plan.model_copy(update={
                    "sections": sections,
                    "preamble": [_renamed(p, old, new) for p in c.plan.preamble],
                    "title": _renamed(c.plan.title, old, new) if c.plan.title else c.plan.title,
                })
            out.append(c.model_copy(update=update))
    return out


def run(label: str, campaigns: list[Campaign], items: list[str]) -> None:
    started = time.perf_counter()
    cpu_started = time.thread_time()
    index: SearchIndex = build_index(campaigns)
    build_ms = (time.perf_counter() - started) * 1000
    # CPU time too: on a shared machine the wall time includes other processes' turns.
    build_cpu_ms = (time.thread_time() - cpu_started) * 1000
    # The index lives as long as the bot: keep the collector from rescanning it (the bot
    # does the same after loading content).
    gc.collect()
    if FREEZE:
        gc.freeze()
    rounds: list[list[float]] = []
    cpu: list[float] = []
    for _ in range(ROUNDS):
        timings: list[float] = []
        for q in items:
            c0 = time.thread_time()
            t0 = time.perf_counter()
            index.search(q)
            timings.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
        rounds.append(timings)
    # Passages that read the same (a plan copied from a template) are scored once.
    print(f"{label} (gc.freeze {'on' if FREEZE else 'off'}): campaigns {len(campaigns)}, "
          f"passages indexed {len(index)} ({len(index._shape_members)} distinct), "
          f"index build {build_ms:.0f} ms (CPU {build_cpu_ms:.0f} ms)")
    # The first round has no cached typo corrections: report it apart.
    _report("  first round", rounds[0])
    _report(f"  all rounds ({len(items)} questions x {ROUNDS})", [t for r in rounds for t in r])
    # On a shared machine single timings include other processes' bursts: the median of each
    # question's rounds shows the lookup's own cost.
    medians = [statistics.median(r[k] for r in rounds) for k in range(len(items))]
    _report("  per-question median", medians)
    best = [min(r[k] for r in rounds) for k in range(len(items))]
    _report("  per-question best of rounds", best)
    # CPU time of the lookup itself: what wall time is on a machine nobody else is using.
    _report("  CPU time (all rounds)", cpu)
    gc.unfreeze()


def _report(label: str, timings: list[float]) -> None:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    p50 = statistics.median(ordered)
    print(f"{label}: p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {ordered[-1]:.3f} ms")


def main() -> None:
    """Print build time and p50/p99 query time (milliseconds), 1x and 10x content."""
    campaigns = load_campaigns()
    items = questions()
    run("today's content", campaigns, items)
    run(f"{COPIES}x content", copies(campaigns, COPIES), items)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
