"""Reading the question as people type it (issue #12): the asker's own story, words of the
plans said otherwise, chat abbreviations. Each case states what a user would notice: an
answer from the right section, or an honest "not found"."""

from __future__ import annotations

import pytest

from content.loader import load_campaigns
from content.query import normalise_words, split_story
from content.search import SearchIndex, build_index


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return build_index(load_campaigns())


@pytest.mark.parametrize(
    "question",
    [
        # The asker writes names with capitals: "huyện" followed by a lowercase word is the
        # district of the plan, not a district no plan covers.
        "Cháu là sinh viên quê Tuy Phước, cho cháu hỏi kế hoạch thực hiện Chỉ thị 19 của "
        "huyện mong thi đua trở thành gì của mỗi cấp, mỗi ngành ạ?",
        "Tôi là y sĩ ở Trạm Tấu, đọc kế hoạch thi đua đặc biệt của huyện thấy nói nhiều thứ "
        "quá, tôi muốn biết kế hoạch nói gì về chất lượng dịch vụ y tế?",
    ],
)
def test_a_lowercase_word_after_huyen_is_not_another_district(
    index: SearchIndex, question: str
) -> None:
    assert index.search(question)


@pytest.mark.parametrize(
    "question",
    [
        "huyện văn bàn đăng ký công trình trước ngày nào?",
        "Huyện Văn Chấn đăng ký công trình trước ngày nào?",
    ],
)
def test_a_district_no_plan_covers_is_still_not_found(index: SearchIndex, question: str) -> None:
    assert index.search(question) == []


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("dn có cần tạo việc làm cho ng lđ ko",
         "doanh nghiep co can tao viec lam cho nguoi lao dong khong"),
        ("mấy vb chuyên đề", "may van ban chuyen de"),
        ("nld", "nguoi lao dong"),
    ],
)
def test_chat_abbreviations_of_the_field_are_expanded(typed: str, meant: str) -> None:
    assert " ".join(normalise_words(typed, known=lambda w: False)) == meant


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # "kêu gọi", "nêu", "đề cập": how the question refers to the plan, not its topic.
        ("Kế hoạch Hớn Quản kêu gọi các đại biểu và cá nhân dám làm những gì?", "dám làm"),
        # "lần mấy" asks for an edition like "lần thứ mấy".
        ("kh hớn quản hướng tới đh đảng bộ tỉnh bình phước lần mấy v ad", "lần thứ XII"),
    ],
)
def test_words_about_the_plan_itself_do_not_hide_the_answer(
    index: SearchIndex, question: str, expected: str
) -> None:
    hits = index.search(question)
    assert hits and expected in hits[0].text


def test_a_question_passed_on_is_the_question() -> None:
    message = ("Chị ơi, em là đoàn viên ở Bắc Sơn, em đang đi tuyên truyền cho bà con thi Dân "
               "vận khéo, bà con hỏi đợt thi đua này phát hiện để khen những ai rồi nhân rộng, "
               "em nên trả lời sao ạ?")
    story, asked = split_story(message)
    assert "tuyên truyền cho bà con" in story and "bà con hỏi" not in asked
    # "em nên trả lời sao": how to pass the answer on, not what is asked.
    assert " ".join(normalise_words(asked, known=lambda w: False)) == (
        "dot thi dua nay phat hien de khen nhung ai roi nhan rong"
    )


def test_the_head_of_an_office_as_people_say_it(index: SearchIndex) -> None:
    hits = index.search("thi dvk có cần tham mưu cho sếp ko mới đc khen")
    assert hits and "người đứng đầu" in hits[0].text


@pytest.mark.parametrize(
    "question",
    [
        "huyen van quan dang ky cong trinh truoc ngay nao",
        "huyen luc yen dvk ket thuc khi nao",
        "huyen dinh hoa co to chuc dvk ko",
    ],
)
def test_a_district_typed_without_diacritics_that_no_plan_covers_is_not_found(
    index: SearchIndex, question: str
) -> None:
    assert index.search(question) == []


@pytest.mark.parametrize(
    "question",
    [
        "ban tuyen giao huyen uy tram tau lam gi",  # "huyện ủy": the marker is part of a word
        "huyen bac son to chuc dvk khi nao",
        "cac xa trong huyen xay dung ke hoach khi nao",
        "cap huyen to chuc hoi nghi bao nhieu dai bieu",
        "hoi nghi cap huyen bao nhiu dai bieu",  # a question word, mistyped
    ],
)
def test_words_after_huyen_typed_without_diacritics_are_not_a_place(
    index: SearchIndex, question: str
) -> None:
    assert index.search(question)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("mik muon bt han dang ky", "minh muon biet han dang ky"),
        ("cb ccvc", "can bo cong chuc vien chuc"),
        ("kh do ai ki", "ke hoach do ai ky"),
    ],
)
def test_more_chat_abbreviations_are_expanded(typed: str, meant: str) -> None:
    assert " ".join(normalise_words(typed, known=lambda w: False)) == meant


@pytest.mark.parametrize("question", ["ai ki ke hoach tuy phuoc", "kh tuy phuoc do ai ki"])
def test_who_signed_the_plan_typed_with_i(index: SearchIndex, question: str) -> None:
    hits = index.search(question)
    assert hits and "Huỳnh Nam" in hits[0].text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # "ngoài … ra" is a connective, "nước ngoài" a thing.
        ("Ngoài phong trào thi đua hằng năm, Tuy Phước còn phát động thi đua theo hình thức "
         "nào?", "II.2.b"),
        ("Tuy Phước có khen thưởng người nước ngoài không?", "II.4.c"),
        # "kết thúc bằng" asks the order of a programme, not a deadline.
        ("chuong trinh hoi nghi dien hinh tien tien ket thuc bang phan nao", "II.1"),
    ],
)
def test_connectives_do_not_decide_the_answer(
    index: SearchIndex, question: str, expected: str
) -> None:
    hits = index.search(question)
    assert hits and hits[0].source == expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # "chỉ số" names a thing of the plans ("chỉ số hạnh phúc", "chỉ số SIPAS"), it does
        # not ask how many, though "chỉ" alone is a filler word.
        ("tram tau muon nang cao chi so gi cua nhan dan", "II.5.e"),
        ("chỉ số SIPAS trạm tấu?", "II.5.h"),
    ],
)
def test_a_count_word_inside_a_word_of_the_plans_names_a_thing(
    index: SearchIndex, question: str, expected: str
) -> None:
    hits = index.search(question)
    assert hits and hits[0].source == expected


def test_encouraging_said_in_other_words(index: SearchIndex) -> None:
    # The plan says "động viên …, phát huy sáng kiến", the asker "khuyến khích".
    hits = index.search(
        "phong trao tong tuyen cu o hon quan co khuyen khich phat huy sang kien khong"
    )
    assert hits and "phát huy sáng kiến" in hits[0].text
