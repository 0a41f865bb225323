"""Long questions with a story: which part asks, which part tells (issue #12, long5)."""

from __future__ import annotations

import pytest

from content.query import normalise_words, referred_clause, split_story, sub_questions
from content.search import SearchIndex


@pytest.mark.parametrize(
    ("text", "second"),
    [
        (
            "Dạ cho cháu hỏi, cháu là học sinh lớp 11 ở thị trấn, cháu nghe trường sắp cử người "
            "đi thi, thí sinh thi vào ngày nào, có phải nộp lệ phí không ạ?",
            "có phải nộp lệ phí không",
        ),
        (
            "Em là cán bộ tư pháp xã, em đang lo phần tổng kết, hồ sơ gửi lên huyện gồm những "
            "gì, và hạn nộp là ngày nào ạ?",
            "hạn nộp là ngày nào",
        ),
    ],
)
def test_a_second_question_after_the_first_stays_in_the_question(text: str, second: str) -> None:
    story, asked = split_story(text)
    assert story and second in asked


def test_padding_after_the_question_is_not_a_second_question() -> None:
    text = ("Em chào anh chị, em là văn thư ở xã, hồ sơ gửi lên huyện gồm những giấy tờ gì, "
            "anh chị chỉ giúp em với ạ?")
    assert split_story(text)[1] == "hồ sơ gửi lên huyện gồm những giấy tờ gì,"


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        (
            # "còn" folds like "con", a self word: it does not make the clause the asker's own.
            "Tôi làm ở hội phụ nữ xã, tôi thấy nhiều cuộc thi làm cho có. Theo kế hoạch thì "
            "những cuộc thi còn làm cho có, chưa hiệu quả phải làm gì ạ?",
            "Theo kế hoạch thì những cuộc thi còn làm cho có, chưa hiệu quả phải làm gì ạ?",
        ),
    ],
)
def test_a_short_question_clause_keeps_its_subject_named_before_it(
    text: str, subject: str
) -> None:
    story, asked = split_story(text)
    assert asked == subject and story.endswith("làm cho có.")


def test_a_question_clause_naming_its_own_subject_does_not_take_the_story() -> None:
    text = ("Chị ơi, em làm kế toán ở xã, năm nào sổ sách cũng chất đống, tìm mãi không ra, "
            "kế hoạch của huyện có nói gì về việc số hóa sổ sách thi đua không ạ?")
    story, asked = split_story(text)
    assert asked.startswith("kế hoạch của huyện") and "chất đống" in story


@pytest.mark.parametrize(
    "told",
    [
        # (story | question: the message is both, joined by a space)
        "Dạ em là cán bộ văn phòng xã, chủ tịch bảo em tìm hiểu xem | cuộc thi năm nay nhận "
        "bài dự thi đến hết ngày nào ạ?",
        "Tôi là trưởng thôn, xã giao tôi rà soát lại danh sách xem | hộ gia đình được khen "
        "phải đạt những tiêu chí gì?",
    ],
)
def test_the_errand_the_asker_was_sent_on_is_story(told: str) -> None:
    story, question = told.split(" | ")
    assert split_story(f"{story} {question}") == (story, question)


def test_an_errand_asked_about_stays_in_the_question() -> None:
    # The question word comes first: who checks is asked, not what is checked.
    text = ("Em là cán bộ văn hóa ở xã, cho em hỏi ai có trách nhiệm kiểm tra xem hồ sơ "
            "khen thưởng đã đủ giấy tờ chưa ạ?")
    assert "kiểm tra xem" in split_story(text)[1]


@pytest.mark.parametrize(
    ("story", "question", "referred"),
    [
        (
            "Chào anh, tôi là công chức xã, nghe nói kế hoạch có nói về lấy ý kiến nhân dân,",
            "xã phải làm gì trong việc đó?",
            "nghe nói kế hoạch có nói về lấy ý kiến nhân dân,",
        ),
        (
            "Em ở hội cựu chiến binh, hội em có mấy cụ tham gia dạy chữ cho trẻ em,",
            "huyện có khen những người như vậy không ạ?",
            "hội em có mấy cụ tham gia dạy chữ cho trẻ em,",
        ),
    ],
)
def test_the_clause_a_question_points_back_to(story: str, question: str, referred: str) -> None:
    assert referred_clause(story, question) == referred


@pytest.mark.parametrize(
    ("story", "question"),
    [
        # "như thế nào" asks how; it points nowhere.
        ("Em là giáo viên, trường em muốn tổ chức buổi giao lưu,", "hồ sơ làm như thế nào?"),
        # "trong đó" is a part of a list, "sau đó" what comes next.
        ("Cháu ở đoàn thanh niên xã, xã cháu có ba chi đoàn,", "trong đó ai phụ trách?"),
        # Only the asker's own clause before it: nothing told to point to.
        ("Tôi là chủ tịch hội nông dân xã,", "hội tôi làm việc đó thế nào?"),
    ],
)
def test_a_question_pointing_nowhere_refers_to_nothing(story: str, question: str) -> None:
    assert referred_clause(story, question) == ""


def test_the_errand_does_not_decide_the_answer(committed: SearchIndex) -> None:
    """Sent to find out, the asker's errand words ("rà lại", "kế hoạch của huyện") do not
    leave the question they were sent with unanswered."""
    question = ("Dạ em chào anh chị, em là văn thư ở xã bên Bắc Sơn, trưởng ban bảo em rà lại "
                "kế hoạch của huyện xem thời gian tổ chức cuộc thi Dân vận khéo từ ngày nào "
                "đến ngày nào ạ?")
    hits = committed.search(question)
    assert hits and "28/4/2024" in hits[0].text


@pytest.mark.parametrize(
    "asked",
    [
        "hồ sơ nộp cho phòng nào | hạn cuối là ngày nào ạ?",
        "giải thưởng gồm những loại nào, | người đạt giải được khen thế nào?",
        "hội nghị có chiếu phim không | ai là người dẫn chương trình?",
    ],
)
def test_a_message_asking_two_things_is_read_as_two_questions(asked: str) -> None:
    first, second = asked.split(" | ")
    joined = f"{first} và {second}" if not first.endswith(",") else f"{first} {second}"
    assert sub_questions(joined) == [first.rstrip(","), second]


@pytest.mark.parametrize(
    "asked",
    [
        "hồ sơ gồm những giấy tờ gì và nộp ở phòng nội vụ huyện",  # the second asks nothing
        "cá nhân và tập thể được khen như thế nào?",  # one question naming two things
        "ai chủ trì và phối hợp tổ chức hội nghị?",
    ],
)
def test_one_question_is_not_split(asked: str) -> None:
    assert sub_questions(asked) == []


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Dạ cho em hỏi, em là đoàn viên ở Bắc Sơn, cuộc thi Dân vận khéo cho người từ bao "
         "nhiêu tuổi được thi và em phải làm bài trước ngày nào ạ?", "16 tuổi"),
        ("Tôi là công chức ở Chi Lăng, hội nghị điển hình tiên tiến cấp huyện họp trong mấy "
         "ngày và có bao nhiêu đại biểu?", "1/2 ngày"),
    ],
)
def test_two_questions_no_passage_answers_together_are_answered_one_by_one(
    committed: SearchIndex, question: str, answer: str
) -> None:
    hits = committed.search(question)
    assert hits and answer in hits[0].text


def test_nhu_vay_pointing_back_is_not_where_the_story_ends() -> None:
    text = ("Tôi là bí thư chi đoàn ở xã, chi đoàn tôi tổ chức dọn vệ sinh đường làng mỗi tuần, "
            "xin hỏi việc làm như vậy có được tính là thành tích thi đua không?")
    story, asked = split_story(text)
    assert asked == "việc làm như vậy có được tính là thành tích thi đua không?"
    assert referred_clause(story, asked) == (
        "chi đoàn tôi tổ chức dọn vệ sinh đường làng mỗi tuần,")


@pytest.mark.parametrize(
    ("text", "question"),
    [
        (
            "Dạ em là chuyên viên Phòng Văn hóa - Thông tin huyện, cho em hỏi phòng em phải "
            "làm gì trong đợt thi đua ạ?",
            "Phòng Văn hóa - Thông tin phải làm gì trong đợt thi đua ạ?",
        ),
        (
            "Chào ad, tôi mới về Trung tâm Văn hóa, Thể thao và Truyền thông được ít hôm, vậy "
            "trung tâm tôi phụ trách việc gì?",
            "Trung tâm Văn hóa, Thể thao và Truyền thông phụ trách việc gì?",
        ),
    ],
)
def test_the_askers_own_body_is_meant_by_the_name_the_story_gives(
    text: str, question: str
) -> None:
    assert split_story(text)[1] == question


def test_a_body_the_story_does_not_name_stays_as_typed() -> None:
    text = ("Em là cán bộ ở một ban của huyện, mới nhận việc được vài hôm, cho em hỏi ban em "
            "phải làm gì trong đợt thi đua ạ?")
    assert split_story(text)[1] == "ban em phải làm gì trong đợt thi đua ạ?"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        # What the asker supposes one waits for is not what is asked.
        ("bằng khen có phải đợi đến hội nghị tổng kết mới phát không",
         "bang khen co phat khong"),
        ("hồ sơ có phải chờ đến khi có quyết định mới nộp không", "ho so co nop khong"),
        # "chờ" folds like "cho", "đợi" like "đổi": only a wait is dropped.
        ("có phải cho cán bộ mới đi học không", "co phai cho can bo moi di hoc khong"),
        ("xã phải đổi mới cách làm thế nào", "xa phai doi moi cach lam the nao"),
    ],
)
def test_the_wait_the_asker_supposes_is_not_asked(typed: str, meant: str) -> None:
    assert " ".join(normalise_words(typed, known=lambda w: True)) == meant
