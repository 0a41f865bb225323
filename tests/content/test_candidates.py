"""Candidate gathering of the rule lookup (content/search_candidates.py): with many
near-duplicate plans (each district's copy of the same template) the right passage still
wins, and the shortcuts (shapes, pruning) keep every passage that could answer, with the score
that scoring every passage gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.lookup import copies
from content.loader import load_campaigns
from content.query import load_vocab
from content.search import SearchIndex, build_index, load_synonyms
from content.search_base import RERANK, _Query

COPIES = 3  # the five plans and two copies of each, under other districts (bench.lookup)
TRAM_TAU = "tram-tau-dai-hoi-dang"
DEV = Path(__file__).parent / "lookup_dev.tsv"


class Recording(SearchIndex):
    """The lookup, remembering what each candidate gathering was asked and gave."""

    calls: list[tuple[_Query, float, float, float, dict[int, float]]]

    def _candidates(self, q: _Query, total: float, min_coverage: float,
                    slack: float) -> dict[int, float]:
        found = super()._candidates(q, total, min_coverage, slack)
        self.calls.append((q, total, min_coverage, slack, found))
        return found


@pytest.fixture(scope="module")
def copied() -> Recording:
    index = Recording(copies(load_campaigns(), COPIES), load_synonyms(), load_vocab())
    index.calls = []
    return index


def _questions() -> list[str]:
    rows = DEV.read_text(encoding="utf-8").splitlines()
    return [r.split("\t", 1)[0] for r in rows if r.strip() and not r.startswith("#")]


def test_copies_of_a_plan_are_scored_as_one(copied: Recording) -> None:
    searched = [i for i, doc in enumerate(copied._docs) if not doc.field]
    # A passage that does not name its district reads the same in every copy.
    assert len(copied._shape_members) < len(searched)
    assert sum(copied._shape_size) == len(searched)
    shared = max(copied._shape_members, key=len)
    assert len(shared) == COPIES
    assert len({copied._docs[i].campaign_id for i in shared}) == COPIES


def test_the_district_asked_is_answered_from_its_own_plan(copied: Recording) -> None:
    hits = copied.search("trạm tấu hạn đăng ký công trình")
    assert hits and all(h.campaign_id == TRAM_TAU for h in hits)
    assert "25/10/2024" in hits[0].text


def test_copies_do_not_change_the_answer(copied: Recording) -> None:
    one = build_index(load_campaigns())
    for question in ("hạn chót đăng ký công trình trạm tấu",
                     "hội nghị cấp xã tối đa bao nhiêu đại biểu"):
        a, b = one.search(question), copied.search(question)
        assert a and b
        assert (a[0].text, a[0].source, a[0].sentence) == (b[0].text, b[0].source, b[0].sentence)


def _scored(index: SearchIndex, q: _Query) -> dict[int, float]:
    """Every passage's coverage, scoring them all (the features heaviest first, as the
    lookup adds them), of those holding what the question requires."""
    out: dict[int, float] = {}
    for i, doc in enumerate(index._docs):
        if doc.field or (q.campaigns and doc.campaign_id not in q.campaigns):
            continue
        sats: Any = index._sat[i]
        if not all(any(f in sats for f in group) for group in q.required):
            continue
        score = None
        for feat, weight in sorted(q.core.items(), key=lambda kv: -kv[1]):
            if feat in sats:
                score = (score or 0.0) + weight * sats[feat]
        if score is not None:
            out[i] = score
    return out


def test_no_passage_that_could_answer_is_left_out(copied: Recording) -> None:
    copied.calls.clear()
    for question in _questions():
        copied.search(question)
    assert len(copied.calls) > 50
    for q, total, min_coverage, slack, found in copied.calls:
        every = _scored(copied, q)
        best = sorted(every.values(), reverse=True)
        floor = min_coverage * total - 1e-9
        if len(best) >= RERANK:
            floor = max(floor, best[RERANK - 1] - slack * total)
        # Each candidate has the score scoring everything gives, to the last bit...
        for i, score in found.items():
            assert every[i] == score
        # ...and every passage that reaches the floor is a candidate.
        assert {i for i, score in every.items() if score >= floor} <= set(found)
