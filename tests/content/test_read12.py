"""Rule lookup, kinds read from set 12's misses (issue #12), on a plan imported with no
hand-written field (no keyword can have been added for a question) and on the committed plans:

- a question word inside a name the plan writes ("Không để ai bị bỏ lại phía sau", "Không ai
  đứng ngoài cuộc") is part of that name, not asked: a yes-no question on the movement gets
  the sentence naming it, not the sentence of a long passage that names a body ("ai" would
  otherwise ask who). A question word the asker types around the name still asks.
- a yes-no question quoting the plan ("… có phong trào Học tập và làm theo tư tưởng, đạo đức,
  phong cách Hồ Chí Minh không") gets the passage writing the longest run of its words as they
  stand, not a shorter passage holding the same words in another order; a question asking a
  kind of fact, or using a phrase of the field in a longer question, is not read so.
- a yes-no question checking a claim ("Có phải các xã … gửi thẳng lên Phòng Nội vụ không?"):
  what is done decides the passage, which names the right body; the body named after it only
  ranks (it is the part checked, maybe wrong).
- which one of a thing the plan chooses or praises ("Hai công trình được chọn gắn biển … là
  công trình nào?", "tập thể nào được khen", "… tên là gì"): the plan says how many, not which,
  so "not found"; a passage naming one ("xã Phong Niên") still answers, and so does the count.
- a claim of who signed the plan ("Có phải kế hoạch … do Phó Chủ tịch huyện ký không?",
  "kế hoạch … là chủ tịch ubnd huyện ký đúng không"): the signature answers, right or wrong;
  a title before a body ("Phó Chủ tịch") is no unknown name.
"""

from __future__ import annotations

import pytest

from content.search import SearchIndex
from tests.content.answers import quoted
from tests.harness import Chat

PLAN = """\
ỦY BAN NHÂN DÂN
HUYỆN BẢO THẮNG
Số: 31/KH-UBND
Bảo Thắng, ngày 12 tháng 3 năm 2025

KẾ HOẠCH
Phát động phong trào thi đua năm 2025

I. MỤC ĐÍCH, YÊU CẦU

- Tạo khí thế thi đua sôi nổi trong cán bộ, đảng viên và Nhân dân trên địa bàn huyện.

II. NỘI DUNG

1. Các phong trào trọng tâm

- Tiếp tục thực hiện các phong trào thi đua do Ủy ban nhân dân tỉnh và Ban Thi đua - Khen \
thưởng tỉnh phát động trên mọi lĩnh vực của đời sống xã hội. Trọng tâm là phong trào \
“Chung sức vì cộng đồng - Không ai đứng ngoài cuộc” và phong trào “Thôn bản sáng, xanh, \
sạch, đẹp”, gắn với xây dựng nông thôn mới.

2. Công trình chào mừng

- Ủy ban nhân dân huyện sẽ lựa chọn 02 công trình tiêu biểu về quy mô, công năng sử dụng để gắn \
biển chào mừng Đại hội. Chọn xã Phong Niên làm điểm để rút kinh nghiệm trước khi nhân rộng.

3. Thời gian

- Phong trào được phát động từ tháng 3 năm 2025 đến hết tháng 12 năm 2025.

III. TỔ CHỨC THỰC HIỆN

1. Phòng Nội vụ: Tham mưu Ủy ban nhân dân huyện theo dõi, đôn đốc thực hiện Kế hoạch; thẩm \
định hồ sơ đề nghị khen thưởng, báo cáo thành tích của các tập thể, cá nhân.

2. Ủy ban nhân dân các xã, thị trấn: Sau khi bình xét, hoàn thiện báo cáo thành tích của tập \
thể, cá nhân gửi Phòng Văn hóa và Thông tin tổng hợp.

CHỦ TỊCH
Hoàng Văn Sơn
"""


IMPORTED = ("bao-thang-read12.txt", "bao-thang-read12")  # the `imported` fixture (conftest)


@pytest.mark.parametrize(
    "question",
    [
        "Bảo Thắng có phong trào Chung sức vì cộng đồng - Không ai đứng ngoài cuộc không?",
        "bao thang co phong trao chung suc vi cong dong khong ai dung ngoai cuoc khong",
        "kế hoạch có nhắc tới chung sức vì cộng đồng, không ai đứng ngoài cuộc ko",
    ],
)
def test_a_question_word_inside_the_plans_name_is_not_asked(
    imported: SearchIndex, question: str
) -> None:
    assert "Không ai đứng ngoài cuộc" in quoted(imported, question)


def test_a_question_word_the_asker_types_still_asks(imported: SearchIndex) -> None:
    q = imported._scoped(imported._analyse("ai theo dõi đôn đốc thực hiện kế hoạch"),
                         "ai theo dõi đôn đốc thực hiện kế hoạch")
    assert "#org" in q.core
    named = "có phong trào chung sức vì cộng đồng không ai đứng ngoài cuộc không"
    assert "#org" not in imported._scoped(imported._analyse(named), named).core


@pytest.mark.parametrize(
    "question",
    [
        "chi lang co phong trao vi nguoi ngheo khong de ai bi bo lai phia sau khong",
        "Trạm Tấu có phong trào Chung tay vì người nghèo - Không để ai bị bỏ lại phía sau không?",
    ],
)
def test_a_movement_of_the_committed_plans_named_with_ai(
    committed: SearchIndex, question: str
) -> None:
    assert "không để ai bị bỏ lại phía sau" in quoted(committed, question).lower()


async def test_a_movement_named_with_a_question_word_in_chat(chat: Chat) -> None:
    await chat.send("chi lang co phong trao vi nguoi ngheo khong de ai bi bo lai phia sau khong")
    answer = await chat.reply()
    assert "Không để ai bị bỏ lại phía sau" in answer and "(Mục III.3)" in answer


@pytest.mark.parametrize(
    ("question", "expected", "section"),
    [
        ("Trạm Tấu có phong trào Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí "
         "Minh không?", "Học tập và làm theo tư tưởng", "II.5.b"),
        ("tram tau co phong trao hoc tap va lam theo tu tuong dao duc phong cach ho chi minh ko",
         "Học tập và làm theo tư tưởng", "II.5.b"),
        ("Kế hoạch của Trạm Tấu có nhắc đến học tập và làm theo tư tưởng, đạo đức, phong cách "
         "hồ chí minh không?", "Học tập và làm theo tư tưởng", "II.5.b"),
    ],
)
def test_a_yes_no_question_quoting_the_plan_gets_the_passage_writing_it(
    committed: SearchIndex, question: str, expected: str, section: str
) -> None:
    hits = committed.search(question)
    assert hits and hits[0].source == section
    assert expected in quoted(committed, question)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # A when-question echoing a passage: the date answers, not the echo.
        ("phong noi vu chi lang thanh lap ban to chuc hoi nghi xong khi nao", "11/2024"),
        # A phrase of the field inside a longer yes-no question.
        ("cbcc trạm tấu có phải cùng cq làm ctrình phần việc đã đk ko mới đc khen",
         "cùng với tập thể thực hiện công trình"),
    ],
)
def test_an_echo_of_the_plan_that_asks_something_else_is_not_read_as_a_quote(
    committed: SearchIndex, question: str, expected: str
) -> None:
    assert expected in quoted(committed, question)


@pytest.mark.parametrize(
    "question",
    [
        "Có phải các xã ở Bảo Thắng hoàn thiện báo cáo thành tích rồi gửi thẳng lên Phòng Nội "
        "vụ không?",
        "co phai xa hoan thien bao cao thanh tich xong gui len phong noi vu khong",
    ],
)
def test_a_wrong_body_in_a_claim_gets_the_passage_naming_the_right_one(
    imported: SearchIndex, question: str
) -> None:
    assert "gửi Phòng Văn hóa và Thông tin tổng hợp" in quoted(imported, question)


def test_a_body_asked_as_the_subject_still_decides(imported: SearchIndex) -> None:
    hits = imported.search("có phải phòng nội vụ thẩm định hồ sơ đề nghị khen thưởng không")
    assert hits and "Phòng Nội vụ" in hits[0].heading


def test_a_claim_with_a_wrong_body_of_the_committed_plans(committed: SearchIndex) -> None:
    question = ("Có phải các xã ở Bắc Sơn tự hoàn thiện báo cáo thành tích rồi gửi thẳng lên "
                "Phòng Nội vụ không?")
    assert "gửi Ban Dân vận Huyện ủy tổng hợp" in quoted(committed, question)


@pytest.mark.parametrize(
    "question",
    [
        "Hai công trình được chọn gắn biển chào mừng Đại hội ở Bảo Thắng là công trình nào?",
        "bao thang chon 2 cong trinh tieu bieu gan bien ten la gi",
        "những tập thể nào được khen thưởng trong phong trào ở bảo thắng",
    ],
)
def test_which_one_the_plan_does_not_name_is_not_found(
    imported: SearchIndex, question: str
) -> None:
    assert imported.search(question) == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Bảo Thắng chọn xã nào làm điểm để rút kinh nghiệm?", "Phong Niên"),
        ("xa nao duoc chon lam diem o bao thang", "Phong Niên"),
        ("bảo thắng lựa chọn mấy công trình tiêu biểu để gắn biển", "02 công trình"),
    ],
)
def test_which_one_the_plan_names_and_how_many_are_answered(
    imported: SearchIndex, question: str, expected: str
) -> None:
    assert expected in quoted(imported, question)


async def test_which_flagship_works_in_chat_is_not_found(chat: Chat) -> None:
    await chat.send("Hai công trình được chọn gắn biển chào mừng Đại hội ở Trạm Tấu là công "
                    "trình nào?")
    assert "Chưa tìm thấy" in await chat.reply()
    await chat.send("Trạm Tấu chọn mấy công trình tiêu biểu để gắn biển chào mừng Đại hội?")
    assert "02 công trình" in await chat.reply()


@pytest.mark.parametrize(
    "question",
    [
        "Có phải kế hoạch của Bảo Thắng do Phó Chủ tịch huyện ký không?",
        "ke hoach bao thang co phai do chu tich ubnd huyen ky ko",
        "Kế hoạch Bảo Thắng là Phó Chủ tịch UBND huyện ký đúng không ạ?",
    ],
)
def test_a_claim_of_who_signed_the_plan_gets_the_signature(
    imported: SearchIndex, question: str
) -> None:
    assert "Hoàng Văn Sơn" in quoted(imported, question)


def test_signing_another_document_is_not_the_plans_signature(imported: SearchIndex) -> None:
    hits = imported.search("kế hoạch bảo thắng có phải chủ tịch huyện ký quyết định khen "
                           "thưởng không")
    assert not hits or "Hoàng Văn Sơn" not in quoted(
        imported, "kế hoạch bảo thắng có phải chủ tịch huyện ký quyết định khen thưởng không")


async def test_a_signer_claim_in_chat(chat: Chat) -> None:
    await chat.send("Có phải kế hoạch Đại hội thi đua yêu nước của Chi Lăng do Phó Chủ tịch "
                    "huyện ký không?")
    assert "Vi Nông Trường" in await chat.reply()
