"""Ranking by headings: an item whose short title names what is asked answers before passages
that only share the question's common field words (kinds of questions, not listed ones)."""

from __future__ import annotations

import pytest

from content.loader import load_campaigns
from content.search import SearchIndex, build_index


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return build_index(load_campaigns())


def test_an_item_titled_with_the_questions_words_answers(index: SearchIndex) -> None:
    # "Tiêu chuẩn khen thưởng" is the title of Hớn Quản's III.2.b; the list of awards under
    # "Hình thức, tiêu chuẩn, số lượng khen thưởng" only shares the words.
    hits = index.search("tiêu chuẩn khen thưởng hớn quản")
    assert hits and hits[0].source == "III.2.b"
    assert hits[0].heading == "Tiêu chuẩn khen thưởng"


def test_a_title_beats_a_passage_using_the_same_words_in_passing(index: SearchIndex) -> None:
    # Trạm Tấu's "Chủ đề thi đua" item, not the commune plans "với chủ đề, mục tiêu…".
    hits = index.search("chủ đề thi đua của trạm tấu là gì")
    assert hits and hits[0].heading == "Chủ đề thi đua"
    assert "ra sức thi đua" in hits[0].text


def test_a_long_heading_listing_those_addressed_is_no_title(index: SearchIndex) -> None:
    # "Đối với cán bộ, công chức, viên chức, lực lượng vũ trang" lists whom criteria address;
    # the passage naming the armed forces' own movements answers.
    hits = index.search("trong lực lượng vũ trang trạm tấu đẩy mạnh phong trào thi đua gì")
    assert hits and "Quyết thắng" in (hits[0].sentence or hits[0].text)
