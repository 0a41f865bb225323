"""Lookup quality over the hand-written question set: top-1 accuracy and abstention rate."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from content.loader import load_campaigns
from content.passages import iter_passages
from content.search import Hit, SearchIndex, build_index

QUESTIONS = Path(__file__).with_name("questions.yaml")

# Floors at the level reached when the set was last measured (rounded down); raise, never lower.
MIN_ACCURACY = 0.94
MIN_ABSTENTION = 1.0


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
        and top.source in [str(s) for s in sources]
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
