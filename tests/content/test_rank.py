"""Ranking of the rule lookup: which passage answers first, on kinds of questions (not on
listed questions of the quality sets)."""

from __future__ import annotations

import pytest

from content.loader import load_campaigns
from content.search import SearchIndex, build_index

BAC_SON = "bac-son-dan-van-kheo-2024"


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return build_index(load_campaigns())


def test_plan_words_are_not_a_misspelt_campaign_name(index: SearchIndex) -> None:
    # "trách nhiệm" is written in every plan; it is not "trắc nghiệm" (the Dân vận khéo quiz)
    # typed wrongly, so it does not narrow the search to that campaign.
    hits = index.search("trách nhiệm của người đứng đầu là gì")
    assert hits and {h.campaign_id for h in hits} != {BAC_SON}
    # A campaign name typed with a typo is still one.
    assert {h.campaign_id for h in index.search("dan van khoe het han ngay nao")} == {BAC_SON}


def test_a_passage_saying_the_words_beats_one_borrowing_them_from_headings(
    index: SearchIndex,
) -> None:
    # The label "Thành phần, số lượng đại biểu:" only repeats its headings' words; the passage
    # that says who attends the commune conference answers.
    hits = index.search("chi lăng hội nghị xã có những đại biểu nào")
    assert hits and "200" in hits[0].text


def test_a_document_named_by_its_number_finds_the_passage_citing_it(index: SearchIndex) -> None:
    # "chỉ thị 34" is the document asked about, not a count typed by the asker.
    hits = index.search("chỉ thị 34 của bộ chính trị là về việc gì")
    assert hits and "34-CT/TW" in (hits[0].sentence or hits[0].text)
    hits = index.search("kế hoạch 106 của tỉnh ban hành ngày nào")
    assert hits and "18/10/2021" in (hits[0].sentence or hits[0].text)


def test_a_document_number_alone_is_enough_to_answer(index: SearchIndex) -> None:
    # Only "1686" and "ngày nào": the number names the document the plan follows.
    hits = index.search("văn bản 1686 ban hành ngày nào")
    assert hits and "04/3/2024" in (hits[0].sentence or hits[0].text)


def test_dh_typed_in_chat_is_dai_hoi(index: SearchIndex) -> None:
    hits = index.search("nghị quyết đh đảng bộ huyện trạm tấu lần thứ mấy")
    assert hits and "XVI" in (hits[0].sentence or hits[0].text)


def test_a_yes_no_question_on_a_count_does_not_need_a_number(index: SearchIndex) -> None:
    # "Số đại biểu … có được vượt quá … không?" asks whether; the rule says it in words.
    hits = index.search("số đại biểu hội nghị cấp xã có được vượt quá hội nghị cấp huyện không")
    assert hits and hits[0].source.startswith("II.2.1")
    shown = "\n".join(hits[0].section_texts) or hits[0].text
    assert "không vượt quá số lượng đại biểu Hội nghị cấp huyện" in shown


def test_a_short_question_about_the_plans_own_date_gets_its_date_line(
        index: SearchIndex) -> None:
    # "ngày kế hoạch dvk?": the Bắc Sơn plan's own date line, not "not found".
    hits = index.search("ngày kế hoạch dvk?")
    assert hits and "tháng 3 năm 2024" in (hits[0].sentence or hits[0].text)
    # A deadline for sending a plan is not the plan's own date.
    hits = index.search("hạn nộp kế hoạch tổ chức hội nghị cấp xã là ngày nào")
    assert not hits or "tháng 3 năm 2024" not in (hits[0].sentence or hits[0].text)
