"""Behaviour of the rule lookup beyond the aggregate quality figures."""

from __future__ import annotations

import pytest

from content.browse import hit_text
from content.loader import load_campaigns
from content.messages import Messages
from content.search import SearchIndex, build_index

BAC_SON = "bac-son-dan-van-kheo-2024"
TRAM_TAU = "tram-tau-dai-hoi-dang"


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return build_index(load_campaigns())


def test_accents_do_not_matter(index: SearchIndex) -> None:
    accented = index.search("Dân vận khéo hết hạn ngày nào")
    plain = index.search("dan van kheo het han ngay nao")
    assert accented and plain
    assert (accented[0].campaign_id, accented[0].text) == (plain[0].campaign_id, plain[0].text)
    assert "28/4/2024" in plain[0].text and plain[0].source == "II.3"


def test_out_of_scope_abstains(index: SearchIndex) -> None:
    assert index.search("giá vàng hôm nay") == []
    assert index.search("") == []
    assert index.search("???") == []


def test_preferred_campaign_answers_short_question(index: SearchIndex) -> None:
    assert index.search("hạn chót?", prefer_campaign=BAC_SON)[0].campaign_id == BAC_SON
    assert index.search("hạn chót?", prefer_campaign=TRAM_TAU)[0].campaign_id == TRAM_TAU


def test_place_name_beats_preferred_campaign(index: SearchIndex) -> None:
    hits = index.search("trạm tấu hạn đăng ký công trình", prefer_campaign=BAC_SON)
    assert hits and all(h.campaign_id == TRAM_TAU for h in hits)
    assert "25/10/2024" in hits[0].text


def test_hits_are_distinct_and_limited(index: SearchIndex) -> None:
    hits = index.search("tiêu chí hộ gia đình trạm tấu", limit=2)
    assert len(hits) == 2
    assert len({h.text for h in hits}) == 2
    assert hits[0].score >= hits[1].score


def test_replaced_decree_note_follows_the_answer(index: SearchIndex) -> None:
    hit = index.search("báo cáo thành tích theo mẫu nào", prefer_campaign=BAC_SON)[0]
    assert "98/2023/NĐ-CP" in hit.text
    assert any("152/2025/NĐ-CP" in text for _day, text in hit.notes)
    rendered = hit_text(Messages.load(), hit)
    assert rendered.index("(Mục IV.1)") < rendered.index("152/2025/NĐ-CP")


def test_campaign_name_alone_gives_its_title(index: SearchIndex) -> None:
    hits = index.search("dân vận khéo")
    assert [(h.campaign_id, h.source) for h in hits] == [(BAC_SON, "mở đầu")]


def test_typo_is_tolerated(index: SearchIndex) -> None:
    hits = index.search(
        "hội nghị cấp huyện bao nhiu đại biểu", prefer_campaign="chi-lang-dai-hoi-thi-dua"
    )
    assert hits and "300" in hits[0].text
