"""The same question in other forms (issue #12, bench/variants.py): a form people type must
not change the answer."""

from __future__ import annotations

import pytest

from content.query import plain_case, read_question, typed_with_marks
from content.search import SearchIndex
from content.search_reading import near_words
from tests.content.answers import top_answer
from tests.harness import Chat


def test_a_message_typed_in_capitals_is_read_in_lower_case() -> None:
    assert plain_case("HẠN NỘP HỒ SƠ LÀ NGÀY NÀO?") == "hạn nộp hồ sơ là ngày nào?"
    assert plain_case("ĐẠI HỘI THI ĐUA Ở CHI LĂNG vào tháng mấy") == (
        "đại hội thi đua ở chi lăng vào tháng mấy")


def test_names_and_codes_in_capitals_keep_their_case() -> None:
    for text in ("UBND xã Nhân Lý làm gì?", "Chỉ thị 34-CT/TW của Bộ Chính trị ban hành ngày nào",
                 "HĐND và UBND huyện Chi Lăng phối hợp thế nào", "ok", "XIN CHÀO"):
        assert plain_case(text) == text


@pytest.mark.parametrize("question", [
    "Xã nào được huyện Chi Lăng chọn chỉ đạo điểm tổ chức hội nghị?",
    "Ở Chi Lăng, số lượng đại biểu hội nghị cấp xã do ai quyết định?",
    "Ban Tuyên giáo Huyện ủy Hớn Quản được đề nghị làm gì trong phong trào thi đua này?",
])
def test_a_question_in_capitals_gets_the_same_answer(committed: SearchIndex,
                                                     question: str) -> None:
    assert top_answer(committed, question.upper()) == top_answer(committed, question)


async def test_a_shouted_question_is_answered_in_chat(chat: Chat) -> None:
    await chat.send("THỦ TỤC HÀNH CHÍNH VỀ THI ĐUA KHEN THƯỞNG CẤP HUYỆN, XÃ ĐƯỢC CẢI CÁCH "
                    "THẾ NÀO?")
    answer = await chat.reply()
    assert "Chưa tìm thấy" not in answer
    assert "thủ tục hành chính" in answer.lower()


def test_words_one_keystroke_away() -> None:
    near = near_words("khne")
    assert {"khen", "khe", "khnei"} <= near  # swapped, dropped, added
    assert "khne" not in near
    assert "ngay" in near_words("ngya") and "thanh" in near_words("thannh")


@pytest.mark.parametrize(("typed", "meant"), [
    ("cuộc thi dân vận khéo kết thúc ngya nào", "cuộc thi dân vận khéo kết thúc ngày nào"),
    ("giấy khne dân vận khéo do ai cấp", "giấy khen dân vận khéo do ai cấp"),
    ("hình thức kehn thưởng trong phong trào 80 năm tổng tuyển cử",
     "hình thức khen thưởng trong phong trào 80 năm tổng tuyển cử"),
    ("hội nghị điển hihn tiên tiến cấp huyện họp bao lâu",
     "hội nghị điển hình tiên tiến cấp huyện họp bao lâu"),
])
def test_a_mistyped_word_is_read_by_its_neighbours(committed: SearchIndex, typed: str,
                                                   meant: str) -> None:
    assert top_answer(committed, typed) == top_answer(committed, meant)


@pytest.mark.parametrize("question", [
    "ad làm thơ về mùa lúa được không",
    "mùa mưa năm nay bao giờ thì dứt",
])
def test_a_word_the_plans_lack_is_not_taken_for_a_typo(committed: SearchIndex,
                                                       question: str) -> None:
    assert committed.search(question) == []


async def test_a_mistyped_question_is_answered_in_chat(chat: Chat) -> None:
    await chat.send("nghị quyết 27-NQ/TW ban hành ngya nào")
    answer = await chat.reply()
    assert "Chưa tìm thấy" not in answer and "09/11/2022" in answer


def test_a_message_with_marks_on_a_few_words_only_is_typed_without_them() -> None:
    assert typed_with_marks("Hội nghị điển hình tiên tiến tổ chức ở đâu")
    assert typed_with_marks("thi dvk bao giờ")
    assert not typed_with_marks("Cho mình hỏi ca nhan dan van kheo phai co tai khoan thuoc dau ạ")
    assert not typed_with_marks("hoi nghi to chuc o dau")


def test_a_polite_wrapper_typed_with_marks_keeps_the_plain_question_plain(
        committed: SearchIndex) -> None:
    plain = "phong trao thi dua dac biet tram tau ket thuc thang nao"
    assert top_answer(committed, f"Anh chị ơi {plain} ạ?") == top_answer(committed, plain)
    assert committed.search("Cho mình hỏi chuyen khau tu xa nay sang xa khac lam o dau ạ") == []


async def test_a_plain_question_in_a_polite_wrapper_is_answered_in_chat(chat: Chat) -> None:
    await chat.send("Anh chị ơi phong trao thi dua dac biet tram tau ket thuc thang nao ạ?")
    answer = await chat.reply()
    assert "12/2025" in answer and "Chưa tìm thấy" not in answer


@pytest.mark.parametrize(("text", "field"), [
    ("nguoi ky ke hoachj Tram Tau", "signed_by"),
    ("ngayf ban hanhf ke hoach dvk", "date_text"),
])
def test_telex_keys_left_in_a_question_about_the_plan_document(text: str, field: str) -> None:
    assert read_question(text).field == field


def test_a_common_word_for_the_plans_own_gets_the_same_answer(committed: SearchIndex) -> None:
    meant = "Ai tuyên truyền kế hoạch thi đua tới cán bộ công chức ở Chi Lăng?"
    assert top_answer(committed, meant.replace("tuyên truyền", "phổ biến")) == top_answer(
        committed, meant)
    meant = "cuộc thi Dân vận khéo tìm hiểu những nội dung gì"
    assert top_answer(committed, meant.replace("cuộc thi", "hội thi")) == top_answer(
        committed, meant)


def test_chat_spellings_of_must_and_how_many(committed: SearchIndex) -> None:
    meant = "cá nhân thi dvk phải đạt kết quả thế nào mới được khen"
    assert top_answer(committed, meant.replace("phải", "fai")) == top_answer(committed, meant)
    assert committed.search("Chi Lăng có bnhiu thôn?") == []
