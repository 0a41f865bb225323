"""Train the lookup's re-ranker (content/search_rerank.py) and validate it leave-one-set-out.

Run: uv run python -m bench.rerank_train [--no-write] [--l2 0.05] [--force]

1. Every question of the development set and held-out sets 1-9 (tests/content; set 10 and
   later are never read: they judge rounds; set 9, the third session's judge, is read since)
   is asked in process, with today's order; the best
   candidates (content.search_rerank.TOP) of the ranking and their features are recorded.
2. Each candidate is labelled the way the shared scorer judges an answer: the search is run
   again with that candidate put first, and the reply a user would read (content.browse.hit_text
   of the top hit) must hold one of the expected fragments (folded), or say "not found" for an
   out-of-scope row.
3. Leave-one-set-out: for each of the 10 sets, a model trained on the 9 others picks the answer
   of each question of the left-out set; the table shows in scope / out of scope per set,
   today's order beside the model's.
4. The model trained on all 10 sets is written to content/search_rerank.json, enabled only when
   LOSO in scope beats today's order on most sets (a majority) and out of scope stays at or
   above today's, and at 95 % or more, on every set (--force writes it enabled anyway;
   --no-write writes nothing). The model trained on all sets is also run through the search
   itself (in sample) to check that the simulated picks are the search's own.

The model is a linear listwise softmax (one question's candidates compete; the right ones
share the probability), fitted by full-batch gradient descent from zero weights with an L2
penalty: deterministic, pure Python, a minute or two.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from content.browse import hit_text
from content.loader import load_campaigns
from content.messages import Messages
from content.search import SearchIndex, build_index
from content.search_rerank import FEATURES, TOP, WEIGHTS_FILE, Reranker

ROOT = Path(__file__).resolve().parents[1]
SETS: tuple[tuple[str, str], ...] = (
    ("dev", "lookup_dev.tsv"),
    *((str(n), f"lookup_heldout{'' if n == 1 else n}.tsv") for n in range(1, 10)),
)
NOT_FOUND = "chua tim thay"


def fold(text: str) -> str:
    """Folded as the shared scorer folds (no diacritics, đ->d, lower case, one space, no
    spaces around '-')."""
    text = unicodedata.normalize("NFD", text or "")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    text = text.replace("đ", "d").replace("Đ", "D").casefold()
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"\s*-\s*", "-", text).strip()


def read_set(path: Path) -> list[tuple[str, str, str]]:
    """(question, expected, in|out) rows of a TSV set."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) >= 3:
            rows.append((cols[0], cols[1], cols[2].strip()))
    return rows


class Probe:
    """Stands in for the model: records the candidates and their features, and puts one
    chosen candidate first (or keeps today's order)."""

    top = TOP

    def __init__(self) -> None:
        self.force: int | None = None
        self.calls: list[tuple[list[list[float]], list[int]]] = []

    def order(self, rows: Sequence[Sequence[float]], refs: Sequence[int]) -> list[int]:
        self.calls.append(([list(r) for r in rows], list(refs)))
        n = len(refs)
        if self.force is None or self.force not in refs:
            return list(range(n))
        k = list(refs).index(self.force)
        return [k, *(j for j in range(n) if j != k)]


@dataclass
class Question:
    set_name: str
    kind: str  # in | out
    today: bool  # right with today's order
    rows: list[list[float]] = field(default_factory=list)
    labels: list[bool] = field(default_factory=list)


def judged(index: SearchIndex, messages: Messages, question: str, expected: str,
           kind: str) -> bool:
    hits = index.search(question)
    reply = fold(hit_text(messages, hits[0])) if hits else NOT_FOUND
    if kind == "out":
        return NOT_FOUND in reply
    return NOT_FOUND not in reply and any(fold(w) in reply for w in expected.split("|"))


def collect(index: SearchIndex, messages: Messages) -> list[Question]:
    probe = Probe()
    index.__dict__["rerank_model"] = probe
    questions = []
    for name, file in SETS:
        for text, expected, kind in read_set(ROOT / "tests" / "content" / file):
            probe.force, probe.calls = None, []
            today = judged(index, messages, text, expected, kind)
            q = Question(name, kind, today)
            if probe.calls:
                rows, refs = probe.calls[-1]
                q.rows = rows
                for ref in refs:
                    probe.force, probe.calls = ref, []
                    q.labels.append(judged(index, messages, text, expected, kind))
            questions.append(q)
    del index.__dict__["rerank_model"]
    return questions


def standardise(questions: Sequence[Question]) -> tuple[list[float], list[float]]:
    rows = [r for q in questions for r in q.rows]
    n = len(FEATURES)
    if not rows:
        return [0.0] * n, [1.0] * n
    means = [sum(r[j] for r in rows) / len(rows) for j in range(n)]
    scales = []
    for j in range(n):
        var = sum((r[j] - means[j]) ** 2 for r in rows) / len(rows)
        scales.append(math.sqrt(var) if var > 1e-12 else 1.0)
    return means, scales


def train(questions: Sequence[Question], l2: float, steps: int = 300,
          rate: float = 0.5) -> Reranker:
    """Listwise softmax: maximise the log of the probability the right candidates share."""
    means, scales = standardise([q for q in questions if q.rows])
    n = len(FEATURES)
    lists = []
    for q in questions:
        if q.kind != "in" or not q.labels or all(q.labels) or not any(q.labels):
            continue  # nothing to learn: every candidate right, or none
        xs = [[(r[j] - means[j]) / scales[j] for j in range(n)] for r in q.rows]
        lists.append((xs, q.labels))
    w = [0.0] * n
    if not lists:
        return Reranker(tuple(w), tuple(means), tuple(scales))
    # Adam-free plain gradient descent with a fixed rate and momentum: deterministic.
    velocity = [0.0] * n
    for _ in range(steps):
        grad = [l2 * wj for wj in w]
        for xs, labels in lists:
            scores = [sum(wj * xj for wj, xj in zip(w, x, strict=True)) for x in xs]
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            z = sum(exps)
            zr = sum(e for e, ok in zip(exps, labels, strict=True) if ok)
            scale = 1.0 / len(lists)
            for x, e, ok in zip(xs, exps, labels, strict=True):
                # d(-log zr/z)/ds = p_all - p_right
                g = (e / z - (e / zr if ok else 0.0)) * scale
                if g:
                    for j in range(n):
                        grad[j] += g * x[j]
        for j in range(n):
            velocity[j] = 0.9 * velocity[j] - rate * grad[j]
            w[j] += velocity[j]
    return Reranker(tuple(w), tuple(means), tuple(scales))


def outcome(model: Reranker | None, q: Question) -> bool:
    """Whether the question is answered right when the model orders its candidates."""
    if model is None or len(q.rows) < 2:
        return q.today
    pick = model.order(q.rows, list(range(len(q.rows))))[0]
    return q.labels[pick]


def shares(model: Reranker | None, questions: Sequence[Question]) -> tuple[int, int, int, int]:
    ok_in = sum(outcome(model, q) for q in questions if q.kind == "in")
    n_in = sum(1 for q in questions if q.kind == "in")
    ok_out = sum(outcome(model, q) for q in questions if q.kind == "out")
    n_out = sum(1 for q in questions if q.kind == "out")
    return ok_in, n_in, ok_out, n_out


def pct(a: int, b: int) -> str:
    return f"{a}/{b} {a / max(1, b):.0%}"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--l2", type=float, default=0.05, help="L2 penalty (default 0.05)")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--no-write", action="store_true", help="validate only")
    ap.add_argument("--force", action="store_true", help="write the model enabled anyway")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    index = build_index(load_campaigns())
    messages = Messages.load()
    questions = collect(index, messages)
    reachable = sum(1 for q in questions if q.kind == "in" and any(q.labels) and not q.today)
    print(f"{len(questions)} questions, candidates labelled in {time.monotonic() - t0:.0f} s; "
          f"{reachable} in-scope misses have a right candidate among the first {TOP}")
    print("| set | today (in / out) | LOSO model (in / out) |")
    print("|---|---|---|")
    better = worse = 0
    out_kept = True
    min_out = 1.0
    totals = [0, 0, 0, 0, 0, 0]
    for name, _ in SETS:
        held = [q for q in questions if q.set_name == name]
        model = train([q for q in questions if q.set_name != name], args.l2, args.steps)
        ti, ni, to, no = shares(None, held)
        mi, _, mo, _ = shares(model, held)
        better += mi > ti
        worse += mi < ti
        out_kept = out_kept and mo >= to
        min_out = min(min_out, mo / max(1, no))
        for k, v in enumerate((ti, mi, ni, to, mo, no)):
            totals[k] += v
        print(f"| {name} | {pct(ti, ni)} / {pct(to, no)} | {pct(mi, ni)} / {pct(mo, no)} |")
    print(f"| all | {pct(totals[0], totals[2])} / {pct(totals[3], totals[5])} | "
          f"{pct(totals[1], totals[2])} / {pct(totals[4], totals[5])} |")
    # "Most sets": better on a majority of them; out of scope never lower, 95 % or more.
    ship = better * 2 > len(SETS) and out_kept and min_out >= 0.95
    verdict = "ships" if ship else "stays off"
    print(f"LOSO: better on {better} sets, worse on {worse}, out of scope kept: {out_kept} "
          f"-> the model {verdict}")
    model = train(questions, args.l2, args.steps)
    simulated = shares(model, questions)
    index.__dict__["rerank_model"] = model
    live = [0, 0, 0, 0]
    for _, file in SETS:
        for text, expected, kind in read_set(ROOT / "tests" / "content" / file):
            ok = judged(index, messages, text, expected, kind)
            live[0 if kind == "in" else 2] += ok
            live[1 if kind == "in" else 3] += 1
    del index.__dict__["rerank_model"]
    print(f"model on all sets, in sample: simulated {pct(simulated[0], simulated[1])} / "
          f"{pct(simulated[2], simulated[3])}, through the search {pct(live[0], live[1])} / "
          f"{pct(live[2], live[3])}")
    if args.no_write:
        return 0
    enabled = ship or args.force
    data = model.to_json(enabled=enabled, l2=args.l2, steps=args.steps,
                         trained_on=[file for _, file in SETS])
    WEIGHTS_FILE.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n",
                            encoding="utf-8")
    print(f"wrote {WEIGHTS_FILE.relative_to(ROOT)} (enabled: {enabled}) "
          f"in {time.monotonic() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
