"""Ranking of the rule lookup, round rank2: kinds of question forms (not listed questions of
the quality sets)."""

from __future__ import annotations

import pytest

from content.loader import load_campaigns
from content.query import split_story
from content.search import SearchIndex, build_index


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return build_index(load_campaigns())


@pytest.mark.parametrize("text", [
    "Ngoài Ban Tổ chức, Phòng Nội vụ còn phải chuẩn bị những tài liệu gì cho Hội nghị điển"
    " hình tiên tiến của huyện?",
    "Ủy ban nhân dân các xã phải gửi báo cáo thành tích của tập thể cho Hội đồng Thi đua -"
    " Khen thưởng huyện trước ngày nào?",
])
def test_a_capitalised_name_after_cho_is_not_an_ask_marker(text: str) -> None:
    # "cho Hội nghị", "cho Hội đồng" fold like "cho hỏi" but name a body: the question is not
    # cut there.
    _, asked = split_story(text)
    assert " gì cho Hội" in asked or " gửi báo cáo" in asked


def test_cho_hoi_still_starts_the_question() -> None:
    story, asked = split_story(
        "Dạ em là văn thư của xã, em mới nhận việc nên chưa rõ lắm, cho em hỏi hạn nộp hồ sơ"
        " khen thưởng là ngày nào ạ?")
    assert story and asked.startswith("hạn nộp")


def test_what_else_besides_a_named_body_keeps_the_question_whole(index: SearchIndex) -> None:
    # The words before "cho Hội nghị …" are the question ("thành lập những bộ phận nào").
    hits = index.search("Ngoài Ban Tổ chức, Phòng Nội vụ Chi Lăng còn phải thành lập những bộ"
                        " phận nào cho Hội nghị điển hình tiên tiến?")
    assert hits and "tiểu ban" in (hits[0].sentence or hits[0].text)


@pytest.mark.parametrize(("question", "answer"), [
    ("đổi mới tuyên truyền thi đua ở tuy phước là đổi mới mấy cái gì", "đa dạng hóa nội dung"),
    ("ubnd xa hon quan trien khai phong trao phai dam bao may cai gi", "thiết thực"),
    ("ban dan van bac son tuyen truyen cuoc thi bang may cai gi", "nhiều hình thức phù hợp"),
])
def test_may_cai_gi_asks_what_the_things_are_not_how_many(
    index: SearchIndex, question: str, answer: str,
) -> None:
    # "mấy cái gì", "mấy cái j": the things themselves, not a passage holding a number.
    hits = index.search(question)
    assert hits and answer in (hits[0].sentence or hits[0].text)


@pytest.mark.parametrize(("question", "answer"), [
    ("tuy phước các xã triển khai chỉ thị 19 theo đúng cái gì", "đúng mục đích"),
    ("trạm tấu tôn vinh khen thưởng phải có cái gì", "ý nghĩa thiết thực"),
    ("tuy phuoc trien khai chi thi 19 gan voi viec thuc hien nhiem vu gi",
     "nhiệm vụ chính trị được giao"),
])
def test_the_words_before_the_question_word_find_the_passage_going_on_from_them(
    index: SearchIndex, question: str, answer: str,
) -> None:
    # "… theo đúng cái gì": the passage writing "theo đúng" states what follows it.
    hits = index.search(question)
    assert hits and answer in (hits[0].sentence or hits[0].text)


@pytest.mark.parametrize(("question", "answer"), [
    ("số lượng giấy khen huyện 80 năm tổng tuyển cử", "phân bổ số lượng biểu dương"),
    ("số lượng bằng khen tỉnh tổng tuyển cử hớn quản?", "theo số lượng phân bổ của tỉnh"),
])
def test_a_heading_alone_does_not_answer_the_number_asked(
    index: SearchIndex, question: str, answer: str,
) -> None:
    # The heading "Số lượng khen thưởng tổng kết … năm 2025" holds a year, not the number
    # asked: the passage under it that names the award asked answers.
    hits = index.search(question)
    assert hits and answer in (hits[0].sentence or hits[0].text)


def test_what_comes_after_an_event_of_the_story_is_in_the_passage_going_on_from_it(
    index: SearchIndex,
) -> None:
    # "… đã thẩm định thành tích rồi, … sau đó được gửi lên đâu, qua phòng nào": "sau đó" is
    # the next step, not a passage saying "Sau khi …"; the passage telling the step after the
    # appraisal ("… gửi UBND huyện (qua Phòng Nội vụ)") answers, not the one after it.
    hits = index.search(
        "Cơ quan tôi ở huyện Bắc Sơn có hai đồng chí tích cực trong cuộc thi Dân vận khéo, Ban"
        " Dân vận Huyện ủy đã thẩm định thành tích xong, vậy hồ sơ đề nghị khen thưởng sau đó"
        " gửi lên đâu, qua phòng nào?")
    assert hits and "qua Phòng Nội vụ" in (hits[0].sentence or hits[0].text)


@pytest.mark.parametrize(("question", "number"), [
    ("chi lang quyet dinh quy che hoat dong cua ubnd huyen so may", "4895/QĐ-UBND"),
    ("tram tau chi thi cua tinh uy so may", "05/CT-TU"),
])
def test_a_kind_of_document_and_so_may_asks_the_number_of_the_document_cited(
    index: SearchIndex, question: str, number: str,
) -> None:
    # "văn bản … số mấy", "chỉ thị … số mấy": the passage citing a document of that kind.
    hits = index.search(question)
    assert hits and number in (hits[0].sentence or hits[0].text)


@pytest.mark.parametrize(("question", "answer"), [
    ("chi lang hoi nghi dhtt sau phan bao cao tham luan cua cac dien hinh tien tien thi phan"
     " nao tiep theo", "giao lưu"),
    ("chương trình hội nghị chi lăng sau mục phát động phong trào thi đua giai đoạn 2025 - 2030"
     " thì kế tiếp là mục nào", "Thông qua danh sách đại biểu"),
])
def test_sau_x_tiep_theo_is_the_next_item_of_the_list_x_quotes(
    index: SearchIndex, question: str, answer: str,
) -> None:
    # "sau phần X thì phần nào tiếp theo": the item after X in the plan's list.
    hits = index.search(question)
    assert hits and answer in (hits[0].sentence or hits[0].text)


def test_ddc_typed_in_telex_is_duoc_not_the_initials_of_a_plan_term(index: SearchIndex) -> None:
    # "ddc" is "đc" (được) typed with Telex's "dd" for "đ", not "đại dịch Covid".
    hits = index.search("hoi nghi cap huyen chi lang ddc moi toi da bao nhieu dai bieu")
    assert hits and "300" in (hits[0].sentence or hits[0].text)


@pytest.mark.parametrize(("question", "answer"), [
    ("chi lang bieu duong ton vinh cac guong dien hinh tien tien tieu bieu o nhung mat nao",
     "các lĩnh vực"),
    ("cong ty o tram tau phai tieu bieu trong cong dong doanh nghiep cua huyen ve nhung mat nao",
     "quy mô, doanh thu"),
])
def test_nhung_mat_nao_asks_the_aspects_the_passage_lists(
    index: SearchIndex, question: str, answer: str,
) -> None:
    # "mặt" of "những mặt nào" is the question's form, not a word the answer must hold.
    hits = index.search(question)
    assert hits and answer in (hits[0].sentence or hits[0].text)
