"""Lookup quality over the hand-written question set: top-1 accuracy and abstention rate."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from content.browse import hit_text
from content.loader import load_campaigns
from content.messages import Messages
from content.passages import iter_passages
from content.search import Hit, SearchIndex, build_index
from content.text import fold

QUESTIONS = Path(__file__).with_name("questions.yaml")

# Floors at the level reached when the set was last measured (rounded down); raise, never lower.
# Measured on the imported plan text (the `plan:` block), whose sections are finer than the
# curated ones this set was written against, hence lower than the 94 % of the curated era.
MIN_ACCURACY = 0.87
MIN_ABSTENTION = 0.96
# The held-out set (lookup_heldout.tsv) was written from the plans before the lookup was tuned
# and is never tuned on; floors are its measured shares, rounded down.
HELDOUT = Path(__file__).with_name("lookup_heldout.tsv")
MIN_HELDOUT_IN = 0.96
MIN_HELDOUT_OUT = 0.96
# Later held-out sets, each written before a round of changes; floors are the shares measured
# after that round (set 3 was at 71 % / 73 % when first scored, before the round; set 4 at
# 88 % / 80 %, written on branch lookup before its changes).
LATER_HELDOUT = [
    ("lookup_heldout2.tsv", 0.97, 1.0),
    ("lookup_heldout3.tsv", 0.97, 0.96),
    ("lookup_heldout4.tsv", 0.98, 1.0),
    # Set 5 (branch qset) was at 58 % / 96 % when first scored, before the lookup3 round; its
    # misses were read in that round. Set 6, written with it, is the judge of that round: it is
    # scored only with the shared scorer's --quiet summary, never here (its misses stay unread).
    ("lookup_heldout5.tsv", 0.93, 0.96),
    # Sets 6, 7 and 8 judged the next three rounds (69 % / 84 %, 72 % / 92 % and 68 % / 96 %
    # when first scored) and were read in the rounds after. Set 9 judged the `kinds` round
    # (76 % / 88 % when first scored) and was read in the `kinds2` round. Set 10 judged the
    # kinds2/scope/cover round (79 % / 96 % when first scored) and was the validation set of the
    # gate/slang/rank round (scored by style only there). Set 11 judged that round (76 % / 96 %,
    # unchanged by it) and was read in the short gate2/rank2 round; set 12 judged both and was
    # read in the read12 round. Sets 13 and 14 judged the reach/variants/read12 round (90 % /
    # 92 % and 87 % / 100 %, unchanged by it) and validated the gate5/long5/rank5 round (by
    # style only: 91 % / 92 %, 88 % / 100 %); they stay out, unread. Sets 17-20 were written
    # for that round as training data (80 %, 80 %, 87 %, 79 % in scope when first scored) and
    # read in it; sets 15 and 16 judged it (78 % / 92 % and 84 % / 96 % before, 87 % / 96 % and
    # 88 % / 100 % after): they stay out, unread. Sets 23-26 were the training data of the short
    # gate6/read6/rank6 round (83 %, 86 %, 83 %, 91 % when first scored); sets 21 and 22 judged
    # it (92 % / 96 % and 88 % / 100 %, before and after): out, unread. Sets 29-32 were the
    # fresh training data of the gate7/read7/rank7 round (93 %, 86 %, 87 %, 87 % in scope, 96 %
    # out on average when first scored); sets 21 and 22 validated it (by style only) and sets 27
    # and 28 judged it (92 % / 100 % and 93 % / 96 % after it; set 28's out-of-scope miss was
    # read): out, unread. Floors of the read sets raised to this round's figures.
    ("lookup_heldout6.tsv", 0.96, 0.96),
    ("lookup_heldout7.tsv", 0.97, 0.96),
    ("lookup_heldout8.tsv", 0.93, 0.96),
    ("lookup_heldout9.tsv", 0.94, 0.96),
    ("lookup_heldout10.tsv", 0.96, 0.96),
    ("lookup_heldout11.tsv", 0.92, 0.96),
    ("lookup_heldout12.tsv", 0.94, 0.96),
    ("lookup_heldout17.tsv", 0.93, 0.96),
    ("lookup_heldout18.tsv", 0.94, 0.96),
    ("lookup_heldout19.tsv", 0.97, 0.96),
    ("lookup_heldout20.tsv", 0.96, 0.96),
    ("lookup_heldout23.tsv", 0.93, 0.96),
    ("lookup_heldout24.tsv", 0.92, 0.96),
    ("lookup_heldout25.tsv", 0.89, 0.96),
    ("lookup_heldout26.tsv", 0.93, 0.96),
    ("lookup_heldout29.tsv", 0.97, 0.96),
    ("lookup_heldout30.tsv", 0.92, 0.96),
    ("lookup_heldout31.tsv", 0.92, 0.96),
    ("lookup_heldout32.tsv", 0.93, 0.96),
]


@dataclass(frozen=True)
class Outcome:
    """How one question fared."""

    question: dict[str, Any]
    hit: Hit | None
    ok: bool


def load_questions() -> list[dict[str, Any]]:
    """Read the question set."""
    data = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def judge(index: SearchIndex, item: dict[str, Any]) -> Outcome:
    """Ask one question and decide whether the top hit (or abstention) is right."""
    hits = index.search(str(item["q"]), prefer_campaign=item.get("prefer"))
    top = hits[0] if hits else None
    if item.get("abstain"):
        return Outcome(item, top, top is None)
    sources = item["source"] if isinstance(item["source"], list) else [item["source"]]
    ok = (
        top is not None
        and top.campaign_id == item["campaign"]
        # Parallel passages quoted together cite each of their sections ("II.2.1, II.2.2").
        and any(part in [str(s) for s in sources] for part in top.source.split(", "))
        and str(item.get("contains", "")) in top.text
    )
    return Outcome(item, top, ok)


def measure(index: SearchIndex) -> tuple[float, float, list[Outcome]]:
    """Return (top-1 accuracy on in-scope questions, abstention rate out of scope, misses)."""
    outcomes = [judge(index, item) for item in load_questions()]
    in_scope = [o for o in outcomes if not o.question.get("abstain")]
    out_scope = [o for o in outcomes if o.question.get("abstain")]
    accuracy = sum(o.ok for o in in_scope) / len(in_scope)
    abstention = sum(o.ok for o in out_scope) / len(out_scope)
    return accuracy, abstention, [o for o in outcomes if not o.ok]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return build_index(load_campaigns())


def test_question_set_is_broad_enough() -> None:
    questions = load_questions()
    in_scope = [q for q in questions if not q.get("abstain")]
    assert len(questions) >= 80
    assert sum(1 for q in questions if q.get("abstain")) >= 15
    assert {q["campaign"] for q in in_scope} == {c.id for c in load_campaigns()}


def test_expected_sources_exist(index: SearchIndex) -> None:
    sources = {(c.id, loc.passage.source) for c in load_campaigns() for loc in iter_passages(c)}
    for q in load_questions():
        if q.get("abstain"):
            continue
        expected = q["source"] if isinstance(q["source"], list) else [q["source"]]
        assert any((q["campaign"], str(s)) in sources or s == "mở đầu" for s in expected), q


def test_accuracy_and_abstention(index: SearchIndex) -> None:
    accuracy, abstention, misses = measure(index)
    print(f"\ntop-1 accuracy {accuracy:.1%}, abstention {abstention:.1%}")
    for miss in misses:
        hit = miss.hit
        got = f"{hit.campaign_id} {hit.source} {hit.text[:50]!r}" if hit else "(abstained)"
        print(f"  MISS {miss.question['q']!r}: got {got}")
    assert accuracy >= MIN_ACCURACY
    assert abstention >= MIN_ABSTENTION


def _folded(text: str) -> str:
    return " ".join(fold(text).replace(" - ", "-").replace("- ", "-").replace(" -", "-").split())


def heldout_rows(path: Path = HELDOUT) -> list[tuple[str, str, str]]:
    """(question, expected alternatives, in|out) rows of a held-out set."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            question, expected, kind = line.split("\t")[:3]
            rows.append((question, expected, kind.strip()))
    return rows


def _shares(index: SearchIndex, path: Path) -> tuple[dict[str, int], float, float]:
    messages = Messages.load()
    good = {"in": 0, "out": 0}
    total = {"in": 0, "out": 0}
    for question, expected, kind in heldout_rows(path):
        hits = index.search(question)
        reply = _folded(hit_text(messages, hits[0])) if hits else ""
        ok = not hits if kind == "out" else bool(hits) and any(
            _folded(w) in reply for w in expected.split("|"))
        total[kind] += 1
        good[kind] += ok
        if not ok:
            print(f"  MISS [{kind}] {question!r}")
    share_in, share_out = good["in"] / total["in"], good["out"] / total["out"]
    print(f"{path.name}: in scope {share_in:.1%}, out of scope {share_out:.1%}")
    return total, share_in, share_out


def test_heldout_questions_as_people_type_them(index: SearchIndex) -> None:
    """The answer a new user reads holds the expected words, or says "not found"."""
    total, share_in, share_out = _shares(index, HELDOUT)
    assert total["in"] >= 50 and total["out"] >= 15
    assert share_in >= MIN_HELDOUT_IN
    assert share_out >= MIN_HELDOUT_OUT


@pytest.mark.parametrize(("name", "min_in", "min_out"), LATER_HELDOUT)
def test_later_heldout_sets(index: SearchIndex, name: str, min_in: float, min_out: float) -> None:
    """The same measure on the sets written later, never tuned on row by row."""
    total, share_in, share_out = _shares(index, Path(__file__).with_name(name))
    assert total["in"] >= 30 and total["out"] >= 10
    assert share_in >= min_in
    assert share_out >= min_out
