"""Behaviour of the rule lookup beyond the aggregate quality figures."""

from __future__ import annotations

import pytest

from content.browse import hit_text
from content.loader import load_campaigns
from content.messages import Messages
from content.query import load_vocab
from content.search import SearchIndex, build_index
from content.search_base import conflicts, qualifier_values

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


def test_the_bots_own_rules_are_never_quoted_as_the_plan(index: SearchIndex) -> None:
    hit = index.search("Dân vận khéo: mỗi người phải vận động thêm mấy tài khoản?")[0]
    assert "ít nhất 02 tài khoản" in hit.text and hit.source == "III.1.b"
    assert all("Bot ghi nhận" not in h.text for h in index.search("vận động tối đa mấy tài khoản"))


@pytest.mark.parametrize(
    "question",
    [
        "Huyện Văn Chấn đăng ký công trình phần việc trước ngày nào?",  # a place no plan covers
        "dan van kheo nam 2026 co to chuc khong",  # a year the campaign does not have
        "Kỷ niệm 90 năm Tổng tuyển cử có phong trào thi đua không?",  # another anniversary
        "Giải nhất cuộc thi Dân vận khéo được thưởng bao nhiêu tiền?",  # money: never stated
        "Điểm thi Dân vận khéo của tôi là bao nhiêu?",  # points
        "Mỗi tuần thi Dân vận khéo có bao nhiêu câu hỏi?",  # the quiz itself
    ],
)
def test_what_the_plans_do_not_say_is_not_found(index: SearchIndex, question: str) -> None:
    assert index.search(question) == []


def test_a_who_question_is_answered_with_the_body_in_the_heading(index: SearchIndex) -> None:
    hit = index.search("Ai thẩm định hồ sơ khen thưởng Dân vận khéo?")[0]
    assert hit.heading == "Phòng Nội vụ" and hit.source == "IV.2"
    assert hit_text(Messages.load(), hit).startswith("Phòng Nội vụ: Thẩm định hồ sơ")


def test_a_how_many_question_gets_the_passage_with_that_count(index: SearchIndex) -> None:
    hit = index.search("xã mik phải đk mấy ctrình vậy ad")[0]
    assert "ít nhất 02 công trình" in hit.text


def test_a_document_the_plans_do_not_cite_is_not_found(index: SearchIndex) -> None:
    assert index.search("Chỉ thị 20 của Thủ tướng nói về việc gì?") == []
    hit = index.search("chỉ thị 19 của thủ tướng ban hành ngày nào")[0]
    assert "16 tháng 7 năm 2021" in hit.text


def test_an_everyday_topic_the_plans_never_mention_is_not_found(index: SearchIndex) -> None:
    assert index.search("Thủ đô của nước Pháp là gì?") == []
    assert index.search("Quyết toán thuế thu nhập cá nhân hạn chót ngày nào?") == []


def test_the_askers_story_does_not_decide_the_answer(index: SearchIndex) -> None:
    # A village and a year of the asker's own life are not places or years the plan lacks.
    hits = index.search(
        "Bác ơi cho cháu hỏi, cháu ở thôn Nà Hin xã Tân Lập, năm 2009 cháu mới vào lớp 1, "
        "bố mẹ cháu bảo đi thi Dân vận khéo cho vui, vậy cuộc thi thi đến hết ngày nào ạ?"
    )
    assert hits and "28/4/2024" in hits[0].text


def test_a_district_in_the_story_that_no_plan_covers_is_still_not_found(
    index: SearchIndex,
) -> None:
    assert index.search(
        "Tôi là cán bộ văn phòng ở huyện Văn Chấn mới chuyển về, cho tôi hỏi đăng ký công "
        "trình phần việc trước ngày nào?"
    ) == []


def test_a_contact_question_gets_the_plans_office(index: SearchIndex) -> None:
    hits = index.search("dân vận khéo có vấn đề thì hỏi ai")
    assert hits and hits[0].source.startswith("IV")
    assert "Phòng Nội vụ" in hits[0].text or "Phòng Nội vụ" in hits[0].heading


def test_a_word_typed_with_other_diacritics_is_not_the_plans_word(index: SearchIndex) -> None:
    # "họp" (meet) is not "hợp" of "phối hợp": the meeting's length is found, not a
    # passage about co-ordination.
    hits = index.search("Hội nghị cấp xã họp bao lâu?")
    assert hits and "1/2 ngày" in hits[0].text


def test_a_stopword_spelled_otherwise_makes_a_word_with_its_neighbour(
    index: SearchIndex,
) -> None:
    # "đề" is not "để": "chủ đề" is the plan's theme.
    hits = index.search("chủ đề thi đua của Trạm Tấu là gì")
    assert hits and "ra sức thi đua" in hits[0].text


def test_a_long_passage_is_quoted_by_the_sentence_holding_the_fact(index: SearchIndex) -> None:
    hits = index.search("Thời gian hoàn thành kế hoạch tuyên truyền của phòng văn hóa chi lăng")
    assert hits and hits[0].sentence == "Thời gian hoàn thành tháng 11/2024."
    assert hits[0].sentence in hits[0].text  # verbatim, from the passage found
    assert hits[0].source == "IV.3"


def test_a_short_passage_is_quoted_whole(index: SearchIndex) -> None:
    hits = index.search("dân vận khéo thi đến ngày nào")
    assert hits and hits[0].sentence == "" and "28/4/2024" in hits[0].text


def test_year_only_in_a_document_number_is_not_covered(index: SearchIndex) -> None:
    # The Bắc Sơn plan cites Decree 98/2023/NĐ-CP: that does not make it a plan for 2023.
    assert index.search("Đợt thi đua Dân vận khéo năm 2023 khen thưởng hình thức gì?") == []
    hits = index.search("Đợt thi đua Dân vận khéo năm 2024 khen thưởng hình thức gì?")
    assert hits and hits[0].campaign_id == BAC_SON and "Giấy khen" in hits[0].text


def test_when_question_needs_a_date_in_the_answer(index: SearchIndex) -> None:
    # The plan says where achievement reports go, never by when: no date is made up.
    assert index.search("Báo cáo thành tích Dân vận khéo phải gửi Ban Dân vận ngày nào?") == []
    hits = index.search("Dân vận khéo thi đến ngày nào?")
    assert hits and "28/4/2024" in hits[0].text
    # A number of days answers "when" too ("trước 15 ngày").
    hits = index.search("Chi Lăng: gửi kế hoạch, lịch tổ chức hội nghị cấp xã khi nào?")
    assert hits and "15 ngày" in hits[0].text


def test_campaign_results_are_not_in_the_plans(index: SearchIndex) -> None:
    assert index.search("Đã có bao nhiêu người tham gia thi Dân vận khéo ở Bắc Sơn?") == []
    assert index.search("hội nghị điển hình tiên tiến chi lăng bao nhiêu lượt người dự") == []
    # Counted things and words between the count and what happened vary.
    assert index.search("bao nhiêu người ở Hớn Quản đã được khen?") == []
    assert index.search("có bao nhiêu bạn đã dự thi dân vận khéo") == []
    # A count the plans set is still answered.
    hits = index.search("bao nhiêu công trình được gắn biển ở trạm tấu")
    assert hits and "02 công trình" in hits[0].text


def test_asking_who_someone_is_needs_a_body_of_the_plans(index: SearchIndex) -> None:
    assert index.search("người sáng lập ra dân tộc là ai") == []
    # The plans rank no one: "the most … person" is never theirs.
    assert index.search("Ai là người nổi tiếng nhất Việt Nam?") == []
    hits = index.search("Ai là cơ quan thường trực hội đồng thi đua Trạm Tấu")
    assert hits and hits[0].campaign_id == TRAM_TAU


def test_a_share_typed_as_a_percent_sign_finds_the_percentage(index: SearchIndex) -> None:
    hits = index.search("tỷ lệ đại biểu trực tiếp sản xuất bn %")
    assert hits and "70%" in (hits[0].sentence or hits[0].text)


def test_body_acting_in_its_own_words_beats_a_list_of_addressees(index: SearchIndex) -> None:
    # "Đề nghị các cơ quan chuyên môn, Ủy ban Mặt trận…, các tổ chức… và UBND các xã" names
    # four bodies; the bullet where the Front itself acts answers what the Front does.
    hits = index.search("Mặt trận Tổ quốc Hớn Quản phải làm gì?")
    assert hits and "phản biện xã hội" in (hits[0].sentence or hits[0].text)
    assert hits[0].source == "III.1.b"


def test_question_on_a_label_heading_gets_the_whole_section(index: SearchIndex) -> None:
    # "Yêu cầu" is the heading of I.2: its passages are the answer, not a passage elsewhere
    # that happens to say "yêu cầu".
    hits = index.search("yeu cau cua dot thi dua dan van kheo la gi")
    assert hits and hits[0].source == "I.2" and hits[0].campaign_id == BAC_SON
    assert len(hits[0].section_texts) == 3
    assert "kịp thời, công khai, dân chủ" in " ".join(hits[0].section_texts)


def test_a_word_typed_with_other_marks_is_not_a_campaign_name(index: SearchIndex) -> None:
    # "bậc so" is one letter from "Bắc Sơn" once folded, but typed with other marks.
    hits = index.search("Trạm Tấu nâng chỉ số SIPAS lên mấy bậc so với năm 2023")
    assert hits and hits[0].campaign_id == TRAM_TAU
    assert "ít nhất 1 bậc" in (hits[0].sentence or hits[0].text)


def test_a_count_word_inside_a_plan_word_names_a_thing(index: SearchIndex) -> None:
    # "mẫu số" is the plans' word for a form: "số" there does not ask "how many".
    hits = index.search("mẫu số 08 là mẫu gì")
    assert hits and "mẫu số 08" in (hits[0].sentence or hits[0].text)


def test_an_edition_in_roman_numerals_answers_which_time(index: SearchIndex) -> None:
    hits = index.search("tuy phước thực hiện nghị quyết đại hội đảng bộ tỉnh lần thứ mấy")
    assert hits and "lần thứ XX" in (hits[0].sentence or hits[0].text)


TUY_PHUOC = "tuy-phuoc-chi-thi-19"
HON_QUAN = "hon-quan-tong-tuyen-cu-80"


def test_the_plan_signer_answers_who_signed_it(index: SearchIndex) -> None:
    hits = index.search("người ký kế hoạch Tuy Phước?")
    assert [h.text for h in hits] == ["CHỦ TỊCH Huỳnh Nam"]
    assert hits[0].source == "chữ ký" and hits[0].campaign_id == TUY_PHUOC
    rendered = hit_text(Messages.load(), hits[0])
    assert "(Phần chữ ký)" in rendered


def test_plan_fields_answer_only_questions_about_the_plan(index: SearchIndex) -> None:
    assert index.search("ai ban hành kế hoạch hớn quản")[0].text == "UBND huyện Hớn Quản"
    day = index.search("kế hoạch dân vận khéo ban hành ngày nào")[0]
    assert day.text == "Bắc Sơn, ngày tháng 3 năm 2024"  # as written, blank day included
    # The plan of Trạm Tấu prints no number: "not found", never a number made up.
    assert index.search("kế hoạch trạm tấu số mấy") == []
    # A plan field is never the answer to an ordinary question.
    hits = index.search("UBND huyện Hớn Quản có nhiệm vụ gì", limit=3)
    assert hits and all(h.text != "UBND huyện Hớn Quản" for h in hits)


def test_a_document_the_plan_follows_is_found_in_its_preamble(index: SearchIndex) -> None:
    hit = index.search(
        "Kế hoạch Chỉ thị 19 của Tuy Phước thực hiện theo kế hoạch số mấy của tỉnh?"
    )[0]
    assert "106/KH-HĐTĐKT" in hit.text
    hit = index.search(
        "Đợt thi đua Dân vận khéo ở Bắc Sơn thực hiện theo văn bản nào của Huyện ủy?"
    )[0]
    assert "1686-CV/HU" in hit.text


def test_the_year_in_a_laws_name_is_not_a_date(index: SearchIndex) -> None:
    assert index.search("luật thi đua khen thưởng năm 2022 có hiệu lực từ ngày nào") == []


def test_the_titles_own_dates_name_the_occasion(index: SearchIndex) -> None:
    # "(06/01/1946 - 06/01/2026)" in a passage names the anniversary, it dates no meeting:
    # a question on the day of the meetings of the people's council is not answered by it.
    hits = index.search("hội đồng nhân dân huyện hớn quản họp ngày nào", limit=3)
    assert all("06/01/2026" not in h.text or h.source == "mở đầu" for h in hits)
    title = index.search("80 năm tổng tuyển cử là tính tới ngày nào")[0]
    assert "06/01/2026" in title.text and title.campaign_id == HON_QUAN


def test_a_time_relative_to_an_event_answers_when(index: SearchIndex) -> None:
    hit = index.search("tuy phuoc khen thuong covid trao thuong luc nao")[0]
    assert "ngay sau khi" in hit.text and hit.source == "II.7.b"


def test_office_holders_names_and_unknown_districts_are_not_found(index: SearchIndex) -> None:
    assert index.search("giám đốc sở nội vụ lạng sơn là ai") == []
    assert index.search("phòng văn hóa huyện tuy phước ở đâu") == []
    assert index.search("kế hoạch phong trào thi đua của huyện văn bàn là gì") == []
    # "Huyện ủy Hớn Quản" is the district's party committee, not an unknown district.
    assert index.search("Ban Tuyên giáo Huyện ủy Hớn Quản được đề nghị làm gì")


def test_a_word_written_rarely_is_found_where_the_plans_write_it(index: SearchIndex) -> None:
    hit = index.search("tuy phước có khen ng ở vùng khó khăn ko ạ")[0]
    assert "vùng khó khăn" in hit.text and hit.source == "II.4.b"


def test_i_and_y_spellings_find_the_same_passage(index: SearchIndex) -> None:
    hit = index.search("mk là chiến sĩ thì thi dvk đc hok")[0]
    assert "chiến sỹ" in hit.text and hit.campaign_id == BAC_SON


def test_a_period_question_is_answered_by_a_period(index: SearchIndex) -> None:
    hit = index.search(
        "Tại hội nghị điển hình tiên tiến sẽ phát động phong trào thi đua giai đoạn nào?"
    )[0]
    assert "2025 - 2030" in (hit.sentence or hit.text) and hit.source == "II.1"
    # A short campaign's period is a span of days: it answers "giai đoạn nào" too.
    assert "28/4/2024" in index.search("dân vận khéo giai đoạn nào")[0].text


def test_a_requirement_question_is_answered_by_the_requirements(index: SearchIndex) -> None:
    hit = index.search(
        "Gương điển hình tiên tiến trong phong trào Tổng tuyển cử phải được nhân rộng bảo đảm "
        "những yêu cầu gì?"
    )[0]
    assert hit.campaign_id == HON_QUAN and hit.source == "I.2" and hit.heading == "Yêu cầu"


CHI_LANG = "chi-lang-dai-hoi-thi-dua"


def test_qualifier_values_are_read_from_the_text_and_its_headings() -> None:
    groups = load_vocab().qualifiers
    huyen = qualifier_values(("Không quá 300 đại biểu.", "Đối với cấp huyện"), groups)
    asked = qualifier_values(("hội nghị cấp xã có tối đa bao nhiêu đại biểu",), groups)
    both = qualifier_values(("Đối với cấp xã", "không vượt quá đại biểu Hội nghị cấp huyện"),
                            groups)
    assert conflicts(asked, huyen)  # cấp xã asked, cấp huyện only named
    assert not conflicts(asked, both)
    assert not conflicts(asked, {})  # a passage naming no level answers any level
    assert not conflicts({}, huyen)  # a question naming no level conflicts with nothing
    # Another group of values: tập thể / cá nhân.
    person = qualifier_values(("tiêu chí đối với cá nhân",), groups)
    assert conflicts(person, qualifier_values(("Đối với tập thể",), groups))
    assert not conflicts(person, qualifier_values(("các tập thể, cá nhân",), groups))


def test_a_question_on_one_level_is_not_answered_by_another_levels_passage(
    index: SearchIndex,
) -> None:
    # The lead's console example: the cấp huyện passage ("không quá 300 đại biểu") is not the
    # answer for cấp xã; the plan's cấp xã passage says who decides the number.
    hits = index.search("bác ơi cháu ở xã nhân lý, cháu muốn hỏi hội nghị cấp xã có tối đa "
                        "bao nhiêu đại biểu ạ")
    assert hits and hits[0].campaign_id == CHI_LANG
    assert hits[0].source == "II.2.1" and "300" not in hits[0].text
    assert "quyết định" in hits[0].text
    assert all(h.source != "II.2.2" for h in hits)
    huyen = index.search("hội nghị cấp huyện có tối đa bao nhiêu đại biểu")
    assert huyen and huyen[0].source == "II.2.2" and "300" in huyen[0].text


def test_a_question_naming_no_level_gets_the_parallel_passages_together(
    index: SearchIndex,
) -> None:
    # Not the pilot commune's "tháng 02/2025": the times of both levels, each under its heading.
    hits = index.search("hoi nghi dien hinh tien tien chi lang to chuc khi nao")
    assert hits and hits[0].campaign_id == CHI_LANG
    shown = hit_text(Messages.load(), hits[0])
    assert "quý I năm 2025" in shown and "tháng 4 năm 2025" in shown
    assert "Đối với cấp xã" in shown and "Đối với cấp huyện" in shown
    assert "02/2025" not in shown
    assert "II.2.1" in shown and "II.2.2" in shown


def test_a_question_on_individuals_is_not_answered_by_the_criteria_for_collectives(
    index: SearchIndex,
) -> None:
    hits = index.search("cá nhân phải kiểm tra đôn đốc việc tham gia cuộc thi không")
    assert hits and hits[0].campaign_id == BAC_SON
    assert hits[0].source == "III.1.b" and "đôn đốc" in hits[0].text
    assert all(h.source != "III.1.a" for h in hits)


def test_a_value_the_plan_never_writes_does_not_set_its_passages_apart(
    index: SearchIndex,
) -> None:
    groups = load_vocab().qualifiers
    asked = qualifier_values(("khen thưởng bằng khen của ai",), groups)
    giay = qualifier_values(("Giấy khen của Chủ tịch UBND huyện.",), groups)
    assert conflicts(asked, giay)
    assert not conflicts(asked, giay, written=giay)  # the plan writes Giấy khen only
    # The Bắc Sơn plan gives Giấy khen, never Bằng khen: that passage is the answer.
    hits = index.search("dân vận khéo khen thưởng bằng khen của ai")
    assert hits and hits[0].campaign_id == BAC_SON and "Giấy khen" in hits[0].text
