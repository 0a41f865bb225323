"""Save the rule lookup's answers, then show that a change left every one of them unchanged.

Run:
  uv run python -m bench.lookup_answers save [DIR]    # before a change (default DIR below)
  uv run python -m bench.lookup_answers check [DIR]   # after it: exit 1 when an answer differs

Questions: the development set (../shared/eval/lookup_dev.tsv) and every held-out set of
tests/content (lookup_heldout*.tsv) but the unread judges (UNREAD_JUDGES). Content: today's
campaigns (1x) and ten times as much (bench/lookup.py's copies: the plans issued again by other
districts).

Two records per content size, each a file of DIR:
- chat_<n>x.jsonl: the replies of `thidua chat --jsonl` (the whole bot: dispatcher, lookup,
  rendering), asked as ../shared/eval/score_lookup.py asks them ("/huy" before each question),
  on a throwaway SQLite database. For 10x the chat runs with the copied campaigns (`serve`).
- hits_<n>x.jsonl: what `SearchIndex.search` returns for each question, every field of every
  hit (scores included), asked plainly and while browsing a campaign (prefer_campaign).
`check` asks the questions saved, in the same order, and compares byte for byte.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.lookup import COPIES, copies
from content.loader import load_campaigns
from content.search import build_index

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = Path(tempfile.gettempdir()) / "lookup_answers"
SIZES = (1, COPIES)
CHAT_TIMEOUT = 1200.0  # seconds for one whole chat (every question of every set)


def _dev_set() -> Path:
    for base in (ROOT.parent, ROOT.parent.parent, Path("/work")):
        path = base / "shared" / "eval" / "lookup_dev.tsv"
        if path.exists():
            return path
    return ROOT / "tests" / "content" / "lookup_dev.tsv"


# Held-out sets that judge rounds and are never read by a tool (see docs/lookup.md).
UNREAD_JUDGES = frozenset({13, 14, 15, 16, 21, 22})


def question_sets() -> list[tuple[str, Path]]:
    """(name, path) of the development set and of each held-out set, in order (not the
    unread judges)."""
    held = []
    for path in (ROOT / "tests" / "content").glob("lookup_heldout*.tsv"):
        suffix = path.stem.removeprefix("lookup_heldout")
        number = int(suffix) if suffix.isdigit() else 1
        if number not in UNREAD_JUDGES:
            held.append((number, path))
    return [("dev", _dev_set())] + [(f"set{n}", p) for n, p in sorted(held)]


def read_questions() -> list[tuple[str, str]]:
    """(set name, question) of every set, in file order."""
    out: list[tuple[str, str]] = []
    for name, path in question_sets():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#") and "\t" in line:
                question = line.split("\t", 1)[0].replace("\n", " ").strip()
                if question:
                    out.append((name, question))
    return out


def chat_replies(questions: list[str], size: int) -> list[str]:
    """The JSON line `thidua chat --jsonl` prints for each question (content size x size)."""
    lines = ["/start"]
    for q in questions:
        lines += ["/huy", q]
    with tempfile.TemporaryDirectory(prefix="lookup-answers-") as tmp:
        env = dict(os.environ)
        env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp}/answers.db"
        env.setdefault("LOG_LEVEL", "WARNING")
        command = [sys.executable, "-m", "bench.lookup_answers", "serve", str(size)]
        done = subprocess.run(command, cwd=ROOT, env=env, input="\n".join(lines) + "\n",
                              capture_output=True, text=True, encoding="utf-8",
                              timeout=CHAT_TIMEOUT, check=False)
    records = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or len(records) != len(lines):
        raise RuntimeError(f"chat x{size} ended with {done.returncode}, {len(records)} of "
                           f"{len(lines)} replies: {done.stderr[-2000:]}")
    out = []
    for k, q in enumerate(questions):
        record = records[2 + 2 * k]
        if json.loads(record)["in"] != q:
            raise RuntimeError(f"reply {record[:80]!r} is not the answer to {q!r}")
        out.append(record)
    return out


def search_hits(questions: list[str], size: int) -> list[str]:
    """Every field of every hit, asked plainly and while browsing one campaign."""
    campaigns = load_campaigns()
    index = build_index(copies(campaigns, size) if size > 1 else campaigns)
    ids = [c.id for c in campaigns]
    out = []
    for k, q in enumerate(questions):
        prefer = ids[k % len(ids)]
        plain = [dataclasses.asdict(h) for h in index.search(q)]
        browsing = [dataclasses.asdict(h) for h in index.search(q, prefer_campaign=prefer)]
        out.append(json.dumps({"q": q, "hits": plain, "prefer": prefer, "hits_prefer": browsing},
                              ensure_ascii=False, default=str))
    return out


def _answers(questions: list[str]) -> dict[str, list[str]]:
    """Every record, by file name (the chats run as child processes, side by side)."""
    with ThreadPoolExecutor(max_workers=len(SIZES)) as pool:
        chats = {size: pool.submit(chat_replies, questions, size) for size in SIZES}
        files = {f"hits_{size}x.jsonl": search_hits(questions, size) for size in SIZES}
        for size, future in chats.items():
            files[f"chat_{size}x.jsonl"] = future.result()
    return files


def save(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    asked = read_questions()
    (folder / "questions.jsonl").write_text(
        "".join(json.dumps({"set": s, "q": q}, ensure_ascii=False) + "\n" for s, q in asked),
        encoding="utf-8")
    for name, records in _answers([q for _, q in asked]).items():
        (folder / name).write_text("".join(r + "\n" for r in records), encoding="utf-8")
        print(f"{name}: {len(records)} answers saved")
    return 0


def check(folder: Path) -> int:
    asked = [json.loads(line) for line in
             (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    differing = 0
    for name, records in _answers([a["q"] for a in asked]).items():
        saved = (folder / name).read_text(encoding="utf-8").splitlines()
        changed = [k for k, (old, new) in enumerate(zip(saved, records, strict=True))
                   if old != new]
        differing += len(changed)
        print(f"{name}: {len(records) - len(changed)}/{len(records)} identical")
        for k in changed[:5]:
            print(f"  [{asked[k]['set']}] {asked[k]['q']}\n    was: {saved[k][:300]}"
                  f"\n    now: {records[k][:300]}")
    print("answers identical" if not differing else f"{differing} answers differ")
    return 1 if differing else 0


def serve(size: int) -> int:
    """`thidua chat --jsonl` with the campaigns copied size times (bench/lookup.py)."""
    # Only the child process needs the bot (its channels take a while to import).
    import bot.app as app
    from bot.__main__ import main

    loaded = app.load_campaigns()
    app.load_campaigns = lambda *_a, **_k: copies(loaded, size)  # type: ignore[assignment]
    return main(["chat", "--jsonl"])


def main() -> int:
    args = sys.argv[1:]
    if not args or args[0] not in ("save", "check", "serve"):
        print(__doc__)
        return 2
    if args[0] == "serve":
        return serve(int(args[1]))
    folder = Path(args[1]) if len(args) > 1 else DEFAULT_DIR
    return save(folder) if args[0] == "save" else check(folder)


if __name__ == "__main__":
    sys.exit(main())
