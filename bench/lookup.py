"""Benchmark the rule lookup: index build time and per-query latency over the question set."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import yaml

from content.loader import load_campaigns
from content.search import build_index

QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "content" / "questions.yaml"
ROUNDS = 50


def main() -> None:
    """Print build time and p50/p99 query time (milliseconds)."""
    campaigns = load_campaigns()
    started = time.perf_counter()
    index = build_index(campaigns)
    build_ms = (time.perf_counter() - started) * 1000
    items = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    rounds: list[list[float]] = []
    for _ in range(ROUNDS):
        timings: list[float] = []
        for item in items:
            t0 = time.perf_counter()
            index.search(str(item["q"]), prefer_campaign=item.get("prefer"))
            timings.append((time.perf_counter() - t0) * 1000)
        rounds.append(timings)
    print(f"campaigns: {len(campaigns)}, passages indexed: {len(index)}")
    print(f"index build: {build_ms:.1f} ms")
    # The first round has no cached typo corrections: report it apart.
    _report(f"first round ({len(items)} queries)", rounds[0])
    _report(f"all rounds ({len(items)} questions x {ROUNDS})", [t for r in rounds for t in r])


def _report(label: str, timings: list[float]) -> None:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    p50 = statistics.median(ordered)
    print(f"{label}: p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {ordered[-1]:.3f} ms")


if __name__ == "__main__":
    main()
