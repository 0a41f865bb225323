"""Lookup quality on imported plans: curated campaigns against a fresh import of the seeds.

Run: uv run python -m bench.imported_lookup [--sets dev,3,4] [--keep] [--jobs N]

1. The project is copied to a temporary directory (the files git knows, committed or not).
2. In the copy, every campaign file made from a seed plan (its `document.file` names a file of
   the seeds directory) is removed, so none of its curated passages, keywords, aliases or dated
   notes can be searched.
3. Each seed is imported as a NEW campaign with no hand-written field at all:
   `thidua content import SEED --campaign ke-hoach-N --unit CODE` (the unit is the one the
   removed campaign named: the only thing the admin tells the importer), then
   `thidua content check` must pass.
4. The shared scorer (`score_lookup.py --quiet`) runs on the development set and on every
   held-out set present in tests/content (lookup_heldout.tsv, lookup_heldout2.tsv …), once on
   the project itself (curated) and once on the copy (imported). Only summary lines are read:
   no miss is printed (the last held-out set may be a judging set).

The table shows, per set, in-scope correct and out-of-scope "not found" for both, and the gap
(imported minus curated, in points). Paths: --scorer (default ../shared/eval/score_lookup.py
above the project, else /work/shared/eval), --seeds (default content/plans, the plans kept
in the repository).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
_SCORE_RE = re.compile(
    r"in-scope (?P<ok_in>\d+)/(?P<n_in>\d+) = \d+% correct \((?P<cited>\d+)/(?P<n_cited>\d+) "
    r"with the section cited\); out-of-scope (?P<ok_out>\d+)/(?P<n_out>\d+)")
_SEED_RE = re.compile(r"^(\d+)_")


def _shared(name: str) -> Path:
    """Return ../shared/NAME of the project (worktrees sit one level deeper), else /work/shared."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / name).exists():
            return base / "shared" / name
    return Path("/work/shared") / name


@dataclass(frozen=True)
class Score:
    """The scorer's summary line for one set and one project."""

    ok_in: int
    n_in: int
    cited: int
    ok_out: int
    n_out: int

    @property
    def share_in(self) -> float:
        return self.ok_in / max(1, self.n_in)

    @property
    def share_out(self) -> float:
        return self.ok_out / max(1, self.n_out)


def held_out_sets(project: Path) -> list[tuple[str, Path | None]]:
    """Return (name, path) of the development set (path None) and every held-out set."""
    sets: list[tuple[str, Path | None]] = [("dev", None)]
    found = []
    for path in (project / "tests" / "content").glob("lookup_heldout*.tsv"):
        suffix = path.stem.removeprefix("lookup_heldout")
        number = int(suffix) if suffix.isdigit() else 1
        found.append((number, path))
    sets += [(str(n), p) for n, p in sorted(found)]
    return sets


def copy_project(source: Path, target: Path) -> None:
    """Copy the files git knows (tracked, or untracked and not ignored) into target."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=source, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        src = source / name
        if src.is_file():
            dst = target / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


def curated_seed_units(campaigns: Path, seeds: list[Path]) -> dict[str, tuple[Path, str]]:
    """Return seed file name → (campaign file made from it, its unit code)."""
    names = {seed.name for seed in seeds}
    out: dict[str, tuple[Path, str]] = {}
    for path in sorted(campaigns.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        document = data.get("document") if isinstance(data, dict) else None
        file = document.get("file") if isinstance(document, dict) else None
        if file in names:
            out[file] = (path, str(data["unit"]))
    return out


def _uv(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env.setdefault("LOG_LEVEL", "WARNING")
    return subprocess.run(["uv", "run", "--quiet", *args], cwd=cwd, env=env, text=True,
                          capture_output=True, check=False)


def fresh_import(copy: Path, seeds: list[Path]) -> list[str]:
    """Replace the seed campaigns of the copy by fresh imports; return the summary lines."""
    campaigns = copy / "content" / "campaigns"
    units = curated_seed_units(campaigns, seeds)
    missing = [s.name for s in seeds if s.name not in units]
    if missing:
        raise SystemExit(f"no campaign file names these seeds: {', '.join(missing)}")
    for path, _ in units.values():
        path.unlink()
    lines = []
    for seed in seeds:
        number = _SEED_RE.match(seed.name)
        campaign = f"ke-hoach-{int(number.group(1)) if number else seed.stem}"
        done = _uv(["thidua", "content", "import", str(seed), "--campaign", campaign,
                    "--unit", units[seed.name][1]], copy)
        if done.returncode != 0:
            raise SystemExit(f"import of {seed.name} failed:\n{done.stdout}\n{done.stderr}")
        first = done.stdout.splitlines()[0] if done.stdout else ""
        review = [ln for ln in done.stdout.splitlines() if ln.startswith("Cần xem lại")]
        lines.append(f"  {campaign}: {first}" + (f" {review[0]}" if review else ""))
    check = _uv(["thidua", "content", "check"], copy)
    if check.returncode != 0:
        raise SystemExit(f"content check failed on the imported copy:\n{check.stdout}"
                         f"\n{check.stderr}")
    lines.append(f"  content check: {check.stdout.strip().splitlines()[-1]}")
    return lines


def score(scorer: Path, project: Path, tsv: Path | None) -> Score:
    """Run the shared scorer quietly on one set; return its summary."""
    # A generous timeout: the first answer waits for the bot to start on a loaded machine.
    args = [sys.executable, str(scorer), "--project", str(project), "--quiet",
            "--timeout", "120"]
    if tsv is not None:
        args += ["--tsv", str(tsv)]
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    done = subprocess.run(args, cwd=project, env=env, text=True, capture_output=True,
                          check=False)
    m = _SCORE_RE.search(done.stdout)
    if m is None:
        raise SystemExit(f"scorer output not understood:\n{done.stdout}\n{done.stderr}")
    return Score(*(int(m[k]) for k in ("ok_in", "n_in", "cited", "ok_out", "n_out")))


def _pct(share: float) -> str:
    return f"{share * 100:3.0f} %"


def table(rows: list[tuple[str, Score | None, Score | None]]) -> list[str]:
    """Return the figures as a Markdown table (curated, imported, gap in points)."""
    out = ["| set | in/out | curated in | curated out | imported in | imported out | gap in |"
           " gap out |", "|---|---|---|---|---|---|---|---|"]
    for name, cur, imp in rows:
        ref = cur or imp
        assert ref is not None
        cells = [name, f"{ref.n_in}/{ref.n_out}"]
        for s in (cur, imp):
            cells += ([f"{s.ok_in}/{s.n_in} {_pct(s.share_in)}",
                       f"{s.ok_out}/{s.n_out} {_pct(s.share_out)}"] if s else ["—", "—"])
        if cur and imp:
            cells += [f"{(imp.share_in - cur.share_in) * 100:+.0f}",
                      f"{(imp.share_out - cur.share_out) * 100:+.0f}"]
        else:
            cells += ["—", "—"]
        out.append("| " + " | ".join(cells) + " |")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scorer", type=Path, default=_shared("eval") / "score_lookup.py")
    ap.add_argument("--seeds", type=Path, default=ROOT / "content" / "plans")
    ap.add_argument("--sets", default="", help="comma-separated: dev,1,2,… (default: all)")
    ap.add_argument("--only", choices=("curated", "imported"), default=None)
    ap.add_argument("--keep", action="store_true", help="keep the imported copy, print its path")
    ap.add_argument("--jobs", type=int, default=2, help="scorer processes at once")
    args = ap.parse_args(argv)
    seeds = sorted(args.seeds.glob("*.txt"))
    sets = held_out_sets(ROOT)
    if args.sets:
        wanted = args.sets.split(",")
        sets = [s for s in sets if s[0] in wanted]
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="imported-lookup-"))
    copy = tmp / "project"
    try:
        if args.only != "curated":
            copy_project(ROOT, copy)
            print(f"fresh import of {len(seeds)} seeds into {copy}:")
            print("\n".join(fresh_import(copy, seeds)), flush=True)
            _uv(["python", "-c", "pass"], copy)  # build the copy's environment once
        jobs = []
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for _, tsv in sets:
                cur = (pool.submit(score, args.scorer, ROOT, tsv)
                       if args.only != "imported" else None)
                imp = (pool.submit(score, args.scorer, copy, tsv)
                       if args.only != "curated" else None)
                jobs.append((cur, imp))
            rows = [(name, cur.result() if cur else None, imp.result() if imp else None)
                    for (name, _), (cur, imp) in zip(sets, jobs, strict=True)]
    finally:
        if args.keep and copy.exists():
            print(f"kept: {copy}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print()
    print("\n".join(table(rows)))
    print(f"\n({time.monotonic() - started:.0f} s; scorer {args.scorer})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
