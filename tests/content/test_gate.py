"""Rule lookup, the "not found" gate (issue #12): in-scope questions the plans answer are no
longer refused, on a plan imported with no hand-written field (no keyword can have been added
for a question) and on the committed plans, while the near misses stay "not found":

- typed initials no one knows ("trg", "tc": no vowel, no Vietnamese syllable) do not weigh as
  a word the plans lack; a place typed as initials ("tỉnh ls") is no unknown province;
- a yes-no question's own verb ("có bắt … không"), a word the plans never write, need not be
  in the passage stating the rule, while a question of everyday words ("có bị mưa đá không")
  stays outside the plans;
- "X có vai trò gì" asks what the body named does (its item of the plan);
- "X thuộc tỉnh nào" is answered by the passage naming the plan's province, never by one that
  names none ("huyện thuộc tỉnh" is no district called "thuộc tỉnh");
- "… tháng mấy" is answered by a month or a day, never by a bare year;
- "kế hoạch … có phần … không": "phần", "mục" and the plan named first frame the question;
- an event the plan does not schedule stays "not found": another plan's event asked of a
  district ("Trạm Tấu tổ chức hội nghị điển hình tiên tiến tháng mấy"), or the event a
  campaign is held in honour of ("… chào mừng Đại hội Đảng bộ huyện": when is the congress).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from content.errors import ContentError
from content.search import SearchIndex
from content.search_scope import gate_words
from tests.content.answers import quoted
from tests.harness import Chat

PLAN = """\
ỦY BAN NHÂN DÂN
HUYỆN MƯỜNG KHƯƠNG
Số: 41/KH-UBND
Mường Khương, ngày 05 tháng 4 năm 2025

KẾ HOẠCH
Phát động phong trào thi đua xây dựng mô hình dân vận tiêu biểu năm 2025

Thực hiện Kế hoạch số 77/KH-UBND ngày 20/3/2025 của Ủy ban nhân dân tỉnh Lào Cai về phong trào \
thi đua xây dựng mô hình dân vận tiêu biểu;

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

- Biểu dương, nhân rộng các mô hình dân vận tiêu biểu trong Nhân dân.

2. Yêu cầu

- Phong trào được triển khai thiết thực, tiết kiệm, tránh hình thức.

II. NỘI DUNG

1. Đăng ký mô hình

- Mỗi xã, thị trấn đăng ký xây dựng ít nhất 03 mô hình dân vận tiêu biểu.

- Các xã gửi đăng ký mô hình về Phòng Nội vụ trước ngày 15/5/2025.

2. Thời gian

- Phong trào thực hiện từ tháng 4/2025 đến hết tháng 11/2025.

3. Tổng kết

- Hội nghị tổng kết phong trào được tổ chức trong năm 2026.

III. TỔ CHỨC THỰC HIỆN

1. Phòng Nội vụ: Tham mưu Ủy ban nhân dân huyện theo dõi, đôn đốc, tổng hợp kết quả phong \
trào; thẩm định hồ sơ đề nghị khen thưởng.

2. Trung tâm Văn hóa - Thể thao: Tuyên truyền về phong trào trên sóng phát thanh của huyện.

Nơi nhận:
- Như trên;
- Lưu: VT.

CHỦ TỊCH
Lù Văn Páo
"""


IMPORTED = ("muong-khuong.txt", "muong-khuong-dan-van")  # the `imported` fixture (conftest)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # Typed initials no one knows rank, they do not refuse.
        ("trg kh mỗi xã đk bn mô hình", "ít nhất 03 mô hình"),
        ("hạn gửi đk mô hình về pnv tc là bh", "15/5/2025"),
        # A yes-no question's own verb the plans never write.
        ("có bắt mỗi xã đăng ký mô hình dân vận không", "ít nhất 03 mô hình"),
        ("thị trấn có bắt buộc đăng ký ít nhất mấy mô hình ko ad", "ít nhất 03 mô hình"),
        # What a body named does.
        ("phòng nội vụ có vai trò gì", "thẩm định hồ sơ"),
        ("trung tâm văn hóa thể thao giữ vai trò gì trong phong trào", "sóng phát thanh"),
        # The plan's province, from its preamble.
        ("mường khương thuộc tỉnh nào", "tỉnh Lào Cai"),
        ("huyện mường khương là huyện thuộc tỉnh nào ạ", "tỉnh Lào Cai"),
        # The year asked is stated; a month of another event still is.
        ("hội nghị tổng kết phong trào tổ chức năm nào", "năm 2026"),
        ("phong trào kết thúc vào tháng mấy", "tháng 11/2025"),
        # Whether the plan has a part on a subject: "phần", "mục", the plan named frame it.
        ("kh mường khương có phần nói về trung tâm văn hóa ko", "sóng phát thanh"),
        ("kế hoạch có mục đăng ký mô hình không ad", "mô hình"),
    ],
)
def test_an_in_scope_question_of_the_kind_is_answered_on_an_imported_plan(
    imported: SearchIndex, question: str, expected: str
) -> None:
    assert expected in quoted(imported, question)


@pytest.mark.parametrize(
    "question",
    [
        # Everyday words around a yes-no frame: the weather, not a rule.
        "mường khương mai có bị mưa đá không",
        "tối nay mường khương có giông lốc không ad",
        "hôm nay mường khương có sương muối không",
        "mưa to thế này thì có phải đi họp ko",
        "trời mưa to có được hoãn nộp hồ sơ không",
        "lào cai mấy hôm nữa có bão vào không ạ",
        # Another district's province, a gift, prize money: nothing the plan states.
        "huyện văn chấn thuộc tỉnh nào",
        "đăng ký mô hình xong có được tặng quà không",
        "mô hình tiêu biểu được thưởng bao nhiêu tiền",
        "đăng ký mô hình có được thưởng tiền ko ad",
        "mô hình tiêu biểu có được cộng điểm thi đua không",
        # A month asked of an event the plan dates by its year only.
        "hội nghị tổng kết tổ chức vào tháng mấy",
    ],
)
def test_a_near_miss_stays_not_found_on_an_imported_plan(
    imported: SearchIndex, question: str
) -> None:
    assert imported.search(question) == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("huyện bắc sơn thuộc tỉnh nào", "Lạng Sơn"),
        ("trạm tấu là huyện thuộc tỉnh nào ạ", "Yên Bái"),
        ("trạm tấu có bắt mỗi xã đăng ký công trình không", "ít nhất 02 công trình"),
        ("ban dân vận huyện ủy có vai trò gì", "Ban Dân vận Huyện ủy"),
    ],
)
def test_an_in_scope_question_of_the_kind_is_answered_on_the_committed_plans(
    committed: SearchIndex, question: str, expected: str
) -> None:
    hits = committed.search(question)
    assert hits, f"not found: {question}"
    assert expected in f"{hits[0].heading} {hits[0].text}"


@pytest.mark.parametrize(
    "question",
    [
        # Another plan's own event asked of a district whose plan does not hold it.
        "trạm tấu tổ chức hội nghị điển hình tiên tiến tháng mấy",
        "tuy phước thi dân vận khéo đến bao giờ",
        # The event a campaign is held in honour of: the plan schedules the campaign only.
        "đại hội đảng bộ huyện trạm tấu tổ chức tháng mấy",
        "dai hoi dang bo huyen tram tau lan thu 17 to chuc luc nao",
    ],
)
def test_an_event_the_plan_does_not_schedule_is_not_found(
    committed: SearchIndex, question: str
) -> None:
    assert committed.search(question) == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # The district's own plan holds the event; a title dating its event answers.
        ("chi lăng tổ chức hội nghị điển hình tiên tiến cấp huyện tháng mấy", "tháng 4 năm 2025"),
        ("bắc sơn thi dân vận khéo đến ngày nào", "28/4/2024"),
        ("ngay tong tuyen cu dau tieen bau quoc hoi la ngay nao", "06/01/1946"),
    ],
)
def test_an_event_the_plan_schedules_is_still_answered(
    committed: SearchIndex, question: str, expected: str
) -> None:
    hits = committed.search(question)
    assert hits, f"not found: {question}"
    assert expected in f"{hits[0].text} {hits[0].sentence}"


def test_the_gate_vocabulary_is_read_and_a_broken_entry_names_the_file(
    tmp_path: Path,
) -> None:
    words = gate_words()
    assert ("vai", "tro") in words["duty_words"]
    assert ("thuoc", "tinh", "nao") in words["province_asks"]
    broken = tmp_path / "lookup_vocab.yaml"
    broken.write_text("gate:\n  duty_words: vai trò\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"gate\.duty_words"):
        gate_words(broken)


async def test_province_and_yes_no_questions_are_answered_in_chat(chat: Chat) -> None:
    await chat.send("chi lăng thuộc tỉnh nào vậy ad")
    answer = await chat.reply()
    assert "Chưa tìm thấy" not in answer and "Lạng Sơn" in answer
    await chat.send("trạm tấu có bắt mỗi xã đăng ký công trình không")
    answer = await chat.reply()
    assert "ít nhất 02 công trình" in answer and "(Mục IV.1.b)" in answer
    await chat.send("Mai đi nương ở Trạm Tấu có bị mưa đá không ad?")
    assert "Chưa tìm thấy" in await chat.reply()


@pytest.mark.parametrize("question", [
    "văn chấn có phải đăng ký công trình không",
    "mù cang chải có phải tổ chức hội nghị điển hình không",
])
def test_a_yes_no_question_about_a_place_no_plan_names_stays_not_found(
    committed: SearchIndex, question: str
) -> None:
    """The words before "có" / "phải" are the subject (a place typed in lower case), not the
    asker's own verb that a passage need not say."""
    assert committed.search(question) == []
