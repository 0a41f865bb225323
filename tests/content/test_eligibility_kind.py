"""A question asking how long or how many is no "who may take part" question, even when it
ends "… thì … được" ("thì" folds to "thi", the contest): off the plans, it is "not found"."""

from __future__ import annotations

import pytest

from content.search import SearchIndex


@pytest.mark.parametrize("question", [
    "Phân chuồng ủ bao lâu thì bón cho cây chè được?",
    "Bê con nuôi bao lâu thì xuất chuồng được?",
])
def test_how_long_off_the_plans_is_not_found(committed: SearchIndex, question: str) -> None:
    assert committed.search(question) == []


@pytest.mark.parametrize("question", [
    "15 tuổi thi được không",
    "mình là hội viên hội nông dân thì thi dvk được không",
])
def test_who_may_take_part_is_still_answered_by_the_eligibility_part(
        committed: SearchIndex, question: str) -> None:
    hits = committed.search(question)
    assert hits and hits[0].source == "II.1"  # Bắc Sơn's "Đối tượng thi đua"
