"""When-questions: the passage dating the event asked about by day or month answers, not the
one naming only the year of something else ("Hội nghị … năm 2025")."""

from __future__ import annotations

import pytest

from content.loader import load_campaigns
from content.search import SearchIndex, build_index


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return build_index(load_campaigns())


def test_a_day_or_month_answers_when_rather_than_a_named_year(index: SearchIndex) -> None:
    # Phòng Nội vụ's duties end "… Hội nghị điển hình tiên tiến huyện Chi Lăng năm 2025";
    # the item's next passage says when they are due.
    hits = index.search("phòng nội vụ chi lăng hướng dẫn khen thưởng xong khi nào")
    assert hits and hits[0].heading == "Phòng Nội vụ"
    assert "11/2024" in (hits[0].sentence or hits[0].text)


def test_a_deadline_by_day_still_answers(index: SearchIndex) -> None:
    hits = index.search("hạn đăng ký công trình trạm tấu")
    assert hits and "25/10/2024" in (hits[0].sentence or hits[0].text)


def test_a_bare_year_still_answers_which_year(index: SearchIndex) -> None:
    # "… năm nào" asks for a year: the passage giving the congress's year answers, not the
    # passages dated by day about something else.
    hits = index.search("Đại hội Thi đua yêu nước tỉnh Lạng Sơn lần thứ VI tổ chức năm nào?")
    assert hits and "lần thứ VI" in (hits[0].sentence or hits[0].text)
