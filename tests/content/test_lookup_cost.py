"""The lookup's shortcuts for copies of a plan (content/search_corpus.py, search_candidates.py)
and the fast fold (content/text.py) give what the plain computation gives: a district's copy
of a plan is read as if it were indexed alone, and only passages that read alike are ranked
as one. (Cost itself is measured in bench/lookup.py, answers in bench/lookup_answers.py.)"""

from __future__ import annotations

import unicodedata

import pytest

from bench.lookup import copies
from content.loader import load_campaigns
from content.search import SearchIndex, build_index
from content.text import _D_MAP, _TABLE_END, _UNMARKED, fold, fold_words

COPIES = 3


@pytest.fixture(scope="module")
def copied() -> SearchIndex:
    return build_index(copies(load_campaigns(), COPIES))


def _plain_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def test_fold_strips_every_mark_as_the_plain_definition() -> None:
    assert fold("Hạn chót ĐĂNG KÝ công trình") == "han chot dang ky cong trinh"
    assert fold_words("Bác ơi, cho cháu hỏi: hạn nộp hồ sơ?") == [
        "bac", "oi", "cho", "chau", "hoi", "han", "nop", "ho", "so"]
    # Every character of the alphabets and marks, and some far above them (musical and
    # variation marks), alone and between letters.
    codes = [c for c in range(0x3100) if not 0xD800 <= c <= 0xDFFF]
    codes += [0x1D165, 0x1D167, 0xE0100, 0x1F600, 0x20000]
    for code in codes:
        text = f"a{chr(code)}ệ{chr(code)}"
        assert fold(text) == _plain_fold(text), hex(code)


def test_odd_characters_do_not_grow_the_fold_table() -> None:
    fold("".join(chr(c) for c in range(0x4E00, 0x5E00)))  # ten thousand CJK characters
    assert all(code < _TABLE_END for code in _UNMARKED)


def test_each_copy_of_a_plan_reads_as_if_indexed_alone(copied: SearchIndex) -> None:
    """Work shared between the copies' identical passages never carries one plan's words
    into another's passages (the copies name their own district)."""
    for campaign in copies(load_campaigns(), COPIES)[-2:]:
        alone = build_index([campaign])
        mine = [d for d in copied._docs if d.campaign_id == campaign.id]
        assert len(mine) == len(alone._docs)
        for shared, own in zip(mine, alone._docs, strict=True):
            assert shared.passage.text == own.passage.text
            assert dict(shared.tf) == dict(own.tf)
            assert (shared.own, shared.length, shared.quals, shared.heading_quals) == (
                own.own, own.length, own.quals, own.heading_quals)


def test_only_passages_that_read_alike_are_ranked_as_one(copied: SearchIndex) -> None:
    twins: dict[int, list[int]] = {}
    for i, first in enumerate(copied._twins):
        twins.setdefault(first, []).append(i)
    shared = [group for group in twins.values() if len(group) > 1]
    assert shared  # the copies' passages that do not name their district
    assert max(len(group) for group in shared) == COPIES
    for group in shared:
        docs = [copied._docs[i] for i in group]
        assert len({(d.passage.text, d.heading, d.own) for d in docs}) == 1
        assert len({frozenset(copied._sat[i].items()) for i in group}) == 1
        assert len({d.campaign_id for d in docs}) == len(docs)
