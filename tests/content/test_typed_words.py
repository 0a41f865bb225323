"""A word typed with its marks that the plans do not write is a word of its own, not a typo of
the plans' word one letter away ("ngâm" is not "năm"); a typo keeps its marks ("nghệp" is
"nghiệp"). A choice asked of the assistant ("bạn nghĩ … nên … hay …") is advice: "not found"."""

from __future__ import annotations

import pytest

from content.search import SearchIndex


def test_a_marked_word_off_the_plans_is_no_typo_of_a_plan_word(committed: SearchIndex) -> None:
    # Read as "năm" it was answered with a conference's duration ("Thời gian: 1/2 ngày").
    assert committed.search("Dưa muối ngâm mấy ngày thì ăn được?") == []


def test_a_typo_that_keeps_its_marks_is_still_read(committed: SearchIndex) -> None:
    hits = committed.search("doanh nghệp tiêu biểu cần đạt gì")
    assert hits and "doanh nghiệp" in hits[0].text.lower()


@pytest.mark.parametrize("question", [
    "Bạn nghĩ xã mình nên đăng ký công trình hay phần việc?",
    "ad thấy em nên thi trắc nghiệm hay viết bài ạ",
])
def test_advice_between_two_choices_is_not_found(committed: SearchIndex, question: str) -> None:
    assert committed.search(question) == []
