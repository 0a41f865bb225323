"""Yes-no questions carry the asker's own verb ("có khuyến khích … không"): a passage that
says the rest of the question word for word answers, a loose match of single words does not."""

from __future__ import annotations

import pytest

from content.loader import load_campaigns
from content.search import SearchIndex, build_index


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return build_index(load_campaigns())


@pytest.mark.parametrize(("question", "said"), [
    ("chi lăng có khuyến khích đẩy mạnh học tập suốt đời không", "học tập suốt đời"),
    ("trạm tấu có khuyến khích huy động sức mạnh tổng hợp không",
     "huy động sức mạnh tổng hợp"),
])
def test_a_passage_saying_the_rest_of_the_question_answers(
    index: SearchIndex, question: str, said: str
) -> None:
    hits = index.search(question)
    assert hits and said in (hits[0].sentence or hits[0].text)


@pytest.mark.parametrize("question", [
    # The plans speak of funds for works, never of supporting them: no near passage.
    "trạm tấu có hỗ trợ kinh phí làm công trình không",
    "Lạng Sơn tuần này có băng giá không ad",
])
def test_single_words_in_common_do_not_answer_a_yes_no_question(
    index: SearchIndex, question: str
) -> None:
    assert index.search(question) == []
