"""Rule lookup, the "not found" decision both ways (issue #12), on a plan imported with no
hand-written field (no keyword can have been added for a question) and on the committed plans:

- a choice question ("thi trên giấy hay thi trên mạng") is asked once per alternative when
  nothing answers it whole;
- a when-question whose asking words another idea took ("trước ngày nào", "trong mấy ngày")
  still needs a date or a span, and the date of the event it names ("khai mạc ngày nào"), not
  of another event of the same passage; a span after an event ("xong … trong mấy ngày") is not
  one before it ("trước 10 ngày");
- a number for each unit ("mỗi xã được cử mấy người") is not a total; a how-many question any
  number answers still needs a count, not a document's number;
- a public service (residence, land, taxes, pensions), a venue no plan names, a time before
  the plan's own ("năm ngoái"), a level ("cấp tỉnh") or a unit ("mỗi thôn") other than the
  passage's, a count of a group of people it does not give: not found;
- a document cited with "số" is the plan's document written without it; a number followed by
  a unit ("chỉ thi 3 tuần") is no document the plans lack; "để thi" folded is not "đề thi".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from content.errors import ContentError
from content.search import SearchIndex
from content.search_scope import choice_variants, past_times, public_services, scope_asks
from tests.content.answers import quoted
from tests.harness import Chat

PLAN = """\
ỦY BAN NHÂN DÂN
HUYỆN NGUYÊN BÌNH
Số: 58/KH-UBND
Nguyên Bình, ngày 12 tháng 3 năm 2025

KẾ HOẠCH
Tổ chức Hội thi tìm hiểu pháp luật về thi đua, khen thưởng năm 2025

Thực hiện Chỉ thị 07/CT-UBND ngày 15/01/2025 của Ủy ban nhân dân tỉnh về đẩy mạnh phong \
trào thi đua yêu nước;

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

- Nâng cao nhận thức của cán bộ, công chức và Nhân dân về pháp luật thi đua, khen thưởng.

2. Yêu cầu

- Hội thi được tổ chức thiết thực, tiết kiệm, tránh hình thức.

II. NỘI DUNG

1. Hình thức thi

- Hội thi được tổ chức theo hình thức thi trắc nghiệm trực tuyến trên Internet.

2. Đối tượng dự thi

- Toàn huyện cử không quá 120 thí sinh dự vòng chung kết.

3. Thời gian

- Các xã gửi danh sách thí sinh về Phòng Nội vụ trước ngày 20/5/2025.

- Hội thi khai mạc ngày 02/6/2025 và kết thúc ngày 30/6/2025.

III. TỔ CHỨC THỰC HIỆN

1. Phòng Nội vụ: Tham mưu sửa đổi quy chế hội thi; hướng dẫn các xã triển khai Chỉ thị \
07/CT-UBND.

2. Ủy ban nhân dân các xã: Trước khi tổ chức vòng sơ loại gửi kế hoạch về Phòng Nội vụ \
trước 10 ngày.

Nơi nhận:
- Như trên;
- Lưu: VT.

CHỦ TỊCH
Hoàng Văn Sơn
"""


IMPORTED = ("nguyen-binh.txt", "nguyen-binh-hoi-thi")  # the `imported` fixture (conftest)


@pytest.mark.parametrize(
    ("question", "variants"),
    [
        ("cuoc thi thi tren giay hay thi tren mang",
         ["cuoc thi thi tren giay", "cuoc thi thi tren mang"]),
        ("Hội thi viết hay hội thi trắc nghiệm về pháp luật?",
         ["Hội thi viết", "hội thi trắc nghiệm về pháp luật?"]),
        ("nộp bản giấy hoặc bản mềm", ["nộp bản giấy", "nộp bản mềm"]),
        # "… hay không", "hãy …": no choice.
        ("hội thi có tổ chức hay không", []),
        ("hãy cho tôi biết hạn nộp", []),
        ("hạn nộp hồ sơ là ngày nào", []),
    ],
)
def test_a_choice_question_is_read_as_its_alternatives(
    question: str, variants: list[str]
) -> None:
    assert choice_variants(question) == variants


def test_the_scope_vocabulary_is_read_and_a_broken_entry_names_the_file(
    tmp_path: Path,
) -> None:
    assert "chuyển khẩu" in public_services()
    assert "năm ngoái" in past_times()
    requires, asks = scope_asks()["venue"]
    assert requires.search("to chuc tai hoi truong uy ban nhan dan huyen")
    assert any(a.search("chi lang to chuc hoi nghi o dau") for a in asks)
    broken = tmp_path / "lookup_vocab.yaml"
    broken.write_text("scope_asks:\n  venue:\n    requires: '('\n    asks: ['x']\n",
                      encoding="utf-8")
    with pytest.raises(ContentError, match=r"scope_asks\.venue"):
        scope_asks(broken)
    broken.write_text("public_services: chuyển khẩu\n", encoding="utf-8")
    with pytest.raises(ContentError, match="public_services"):
        public_services(broken)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # A choice: the alternative the plan states.
        ("hội thi thi viết hay thi trắc nghiệm", "trắc nghiệm trực tuyến"),
        ("hoi thi thi tren giay hay thi tren internet", "trên Internet"),
        # The dates it does state, of the event asked.
        ("Các xã gửi danh sách thí sinh trước ngày nào?", "20/5/2025"),
        ("Hội thi khai mạc ngày nào?", "02/6/2025"),
        # A span before an event, asked as such.
        ("Trước khi tổ chức vòng sơ loại các xã gửi kế hoạch trước mấy ngày?", "10 ngày"),
        # A document cited with "số", written without it in the plan.
        ("Chỉ thị số 07/CT-UBND ngày 15/01/2025 là của cơ quan nào?", "Ủy ban nhân dân tỉnh"),
        # A total asked as a total.
        ("Toàn huyện cử bao nhiêu thí sinh dự vòng chung kết?", "120"),
    ],
)
def test_what_the_imported_plan_states_is_answered(
    imported: SearchIndex, question: str, expected: str
) -> None:
    assert expected in quoted(imported, question)


@pytest.mark.parametrize(
    "question",
    [
        # A date the plan does not give: its passage has none.
        "Phòng Nội vụ phải sửa xong quy chế hội thi trước ngày nào?",
        # A span after the event: the plan gives one before it only.
        "Tổ chức xong vòng sơ loại thì các xã gửi báo cáo về huyện trong mấy ngày?",
        # Another event than the passage dates.
        "Hội thi trao giải ngày nào?",
        # A number for each commune: the plan gives a total.
        "Mỗi xã được cử mấy thí sinh dự vòng chung kết?",
        # Any number would do, but the passage holds only a document's number.
        "Phòng Nội vụ hướng dẫn các xã mấy lần?",
        # Where, last year, a public service.
        "Hội thi khai mạc ở đâu?",
        "Năm ngoái Nguyên Bình có tổ chức hội thi không?",
        "chuyen khau tu xa nay sang xa khac lam o dau",
        "Tách thửa đất nông nghiệp cần giấy tờ gì?",
        "Nghỉ hưu trước tuổi thì lương hưu tính thế nào?",
    ],
)
def test_what_the_imported_plan_does_not_state_is_not_found(
    imported: SearchIndex, question: str
) -> None:
    assert imported.search(question) == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # "… chỉ thi 3 tuần": a span, not "Chỉ thị 3".
        ("mk rủ đc 2 đứa bạn rồi mà tụi nó chỉ thi 3 tuần thôi thì mk có đc khen ko ad",
         "05 tuần"),
        # Folded "để thi đạt kết quả tốt" is not the quiz's "đề thi".
        ("tap the dvk cos phai thuong xuyen kiem tra ddon doc de thi dat ket qua tot khong",
         "kiểm tra, đôn đốc"),
        ("Trạm Tấu: mỗi xã đăng ký mấy công trình?", "ít nhất 02"),
        ("Hội nghị điển hình tiên tiến cấp huyện Chi Lăng có bao nhiêu đại biểu?", "300"),
        ("Đợt thi đua của huyện Bắc Sơn hưởng ứng cuộc thi viết hay cuộc thi trắc nghiệm về Dân "
         "vận khéo?", "trắc nghiệm"),
    ],
)
def test_what_the_committed_plans_state_is_answered(
    committed: SearchIndex, question: str, expected: str
) -> None:
    assert expected in quoted(committed, question)


@pytest.mark.parametrize(
    "question",
    [
        "Hội nghị điển hình tiên tiến cấp huyện Chi Lăng phân bổ cho mỗi xã được cử mấy đại biểu?",
        "Tuy Phước phải sửa xong quy chế thi đua, khen thưởng của huyện trước ngày nào?",
        "Chi Lăng tổ chức hội nghị điển hình tiên tiến cấp huyện ở đâu?",
        "Hội đồng thi đua Tuy Phước họp mấy lần một năm?",
        "Đề thi dân vận khéo có khó không?",
        "de thi tuan 2 dvk the nao",
        "Năm ngoái Bắc Sơn có tổ chức thi Dân vận khéo không?",
        "Cấp lại căn cước công dân bị mất ở đâu?",
        # Another level than the passage's ("Đối với cấp huyện: … không quá 300").
        "Hội nghị điển hình tiên tiến cấp tỉnh Lạng Sơn có bao nhiêu đại biểu?",
        # Another unit than the plan counts for ("Mỗi xã, thị trấn … ít nhất 02").
        "Trạm Tấu: mỗi thôn đăng ký mấy công trình?",
        # What has already happened: plans set rules, they report no results.
        "tram tau cong trinh nao da hoan thanh roi ad",
        # A group of people the plan gives no number of.
        "Hội nghị cấp huyện Chi Lăng có bao nhiêu đại biểu là dân tộc thiểu số?",
    ],
)
def test_near_misses_stay_not_found_on_the_committed_plans(
    committed: SearchIndex, question: str
) -> None:
    assert committed.search(question) == []


def test_an_alternative_is_answered_only_by_its_own_words(committed: SearchIndex) -> None:
    # "giấy" of "thi trên giấy" is not the "Giấy khen" of the reward passage: the plan says
    # "trên Internet", which no alternative names, so nothing is made up.
    assert committed.search("cuoc thi dan van kheo thi tren giay hay thi tren mang") == []


async def test_a_public_service_and_a_choice_in_chat(chat: Chat) -> None:
    await chat.send("Làm sổ hồng lần đầu mất bao lâu vậy ad?")
    assert "Chưa tìm thấy" in await chat.reply()
    await chat.send("Đợt thi đua Dân vận khéo của huyện Bắc Sơn hưởng ứng cuộc thi viết hay "
                    "cuộc thi trắc nghiệm?")
    answer = await chat.reply()
    assert "Chưa tìm thấy" not in answer and "trắc nghiệm" in answer
