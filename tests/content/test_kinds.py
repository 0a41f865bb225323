"""Rule lookup, kinds of questions once missed (issue #12): each kind on a plan imported with no
hand-written field (so no keyword can have been added for it) and on the committed plans.

- the plan named as the text asked about ("Kế hoạch X yêu cầu …", "theo kế hoạch thì …");
- a long passage holding every word of the question, under the plain coverage floor;
- whether the asker may take part ("mình là hội viên … thì thi được không");
- a stage of the plan answering "khi nào" ("vào thời gian tổng kết"), never a deadline;
- the first or last item of a programme ("mở đầu bằng gì", "kết thúc bằng phần nào");
- who-questions asking for the people a passage speaks of ("biểu dương những ai").
"""

from __future__ import annotations

import pytest

from content.search import SearchIndex
from tests.content.answers import top_answer

PLAN = """\
ỦY BAN NHÂN DÂN
HUYỆN BẢO LÂM
Số: 45/KH-UBND
Bảo Lâm, ngày 03 tháng 3 năm 2025

KẾ HOẠCH
Tổ chức Hội nghị biểu dương người tốt, việc tốt năm 2025

Thực hiện Văn bản số 112-CV/HU ngày 10/02/2025 của Huyện ủy Bảo Lâm về công tác thi đua, \
khen thưởng;

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

- Biểu dương, tôn vinh các tập thể, cá nhân có nhiều việc tốt trong lao động, sản xuất \
và đời sống.

2. Yêu cầu

- Hội nghị được tổ chức trang trọng, tiết kiệm, tránh phô trương, hình thức.

II. NỘI DUNG

1. Đối tượng tham gia

- Cán bộ, công chức, đoàn viên, hội viên và Nhân dân đang sinh sống trên địa bàn huyện, \
người Bảo Lâm đang lao động ở nước ngoài.

- Độ tuổi: Cá nhân từ 18 tuổi trở lên.

2. Chương trình hội nghị

- Văn nghệ chào mừng;

- Tuyên bố lý do, giới thiệu đại biểu;

- Báo cáo kết quả phong trào người tốt, việc tốt;

- Trao Giấy khen cho các điển hình;

- Bế mạc hội nghị.

3. Nhiệm vụ trọng tâm

Các cơ quan, đơn vị tiếp tục đẩy mạnh cải cách hành chính, phân cấp, phân quyền đi đôi \
với tăng cường kiểm tra, giám sát; xây dựng nông thôn mới, đô thị văn minh; chăm lo đời \
sống người có công, hộ nghèo, hộ cận nghèo; phát triển kinh tế tập thể, hợp tác xã; giữ \
vững quốc phòng, an ninh, trật tự an toàn xã hội; đẩy mạnh chuyển đổi số, ứng dụng công \
nghệ thông tin trong quản lý; bảo vệ môi trường, phòng, chống thiên tai; nâng cao chất \
lượng giáo dục, y tế, văn hóa, thể thao ở cơ sở; xây dựng gia đình no ấm, tiến bộ, hạnh \
phúc.

III. TỔ CHỨC THỰC HIỆN

1. Phòng Nội vụ: Tổng hợp, lập hồ sơ đề nghị khen thưởng vào thời gian tổng kết phong trào.

2. Phòng Văn hóa và Thông tin: Tuyên truyền về hội nghị trên Trang thông tin điện tử của huyện.

Nơi nhận:
- Như trên;
- Lưu: VT.

CHỦ TỊCH
Trần Văn Bình
"""


IMPORTED = ("bao-lam.txt", "bao-lam-nguoi-tot")  # the `imported` fixture (conftest)


@pytest.mark.parametrize(
    ("question", "source", "expected"),
    [
        # The plan named as the text, and what it does ("yêu cầu", "nêu", "đánh giá").
        ("Kế hoạch Bảo Lâm yêu cầu đẩy mạnh phân cấp, phân quyền đi đôi với việc gì?", "II.3",
         "tăng cường kiểm tra, giám sát"),
        ("Theo kế hoạch thì hội nghị phải tổ chức trang trọng, tiết kiệm hay phô trương?",
         "I.2", "tránh phô trương"),
        # A long passage holding every word of the question.
        ("bảo lâm chăm lo đời sống người có công, hộ nghèo ra sao", "II.3", "người có công"),
        # Who may take part: the whole "Đối tượng" part.
        ("mk là hội viên hội nông dân xã thì tham gia đc ko ạ", "II.1", "hội viên"),
        ("ng bảo lâm đi lao động ở nước ngoài có được tham gia không", "II.1", "nước ngoài"),
        ("cháu 16 tuổi thì tham gia được không", "II.1", "18 tuổi"),
        # "… biểu dương những ai": the people the plan speaks of, not a body.
        ("mục đích là biểu dương những ai", "I.1", "các tập thể, cá nhân"),
        # A stage of the plan answers "khi nào".
        ("lập hồ sơ đề nghị khen thưởng khi nào?", "III.1", "vào thời gian tổng kết"),
        # The first and the last item of a programme.
        ("hội nghị mở đầu bằng gì", "II.2", "Văn nghệ chào mừng;"),
        ("chương trình hội nghị kết thúc bằng phần nào", "II.2", "Bế mạc hội nghị."),
    ],
)
def test_kinds_of_question_are_answered_on_an_imported_plan(
    imported: SearchIndex, question: str, source: str, expected: str
) -> None:
    found, text = top_answer(imported, question)
    assert found == source and expected in text


def test_who_may_take_part_quotes_the_whole_part(imported: SearchIndex) -> None:
    _, text = top_answer(imported, "mình là đoàn viên thì tham gia được không")
    assert "đoàn viên" in text and "18 tuổi" in text


@pytest.mark.parametrize(
    "question",
    [
        # A deadline needs a date: a stage of the plan does not give one.
        "hạn cuối nộp hồ sơ khen thưởng",
        # A long passage missing the word asked about ("tên") stays out.
        "Hội nghị Bảo Lâm tổ chức ở hội trường nào?",
        # Not whether one may take part: a rule of the contest the plan does not state.
        "thi có đc mở tài liệu khi làm bài ko ad",
    ],
)
def test_what_the_imported_plan_does_not_state_is_not_found(
    imported: SearchIndex, question: str
) -> None:
    assert imported.search(question) == []


def test_the_plan_as_the_topic_is_still_searched(committed: SearchIndex) -> None:
    # "kế hoạch" at the start, doing nothing: the plan itself is what is asked about.
    source, text = top_answer(committed, "kế hoạch dvk đăng ở đâu v ad")
    assert source == "IV.3" and "Trang thông tin điện tử" in text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Kế hoạch Hớn Quản đánh giá cuộc Tổng tuyển cử đầu tiên đã tạo ra điều gì cho đất nước?",
         "bước ngoặt quan trọng"),
        ("phong trao giai phong mat bang du an trong diem o chi lang giai doan nao",
         "2022 - 2025"),
        ("trạm tấu hướng tới đại hội toàn quốc lần mấy?", "lần thứ XIV"),
        ("hoi nghi dien hinh tien tien chi lang mo dau bang gi", "Chào cờ;"),
        ("chi lang tuyen truyen tu tuong cua ai ve thi dua yeu nuoc", "tư tưởng Hồ Chí Minh"),
        ("Hội nghị điển hình tiên tiến ở Chi Lăng biểu dương và tôn vinh những ai?",
         "các gương điển hình tiên tiến"),
        # The district named decides between two plans whose names the question holds.
        ("thi đua đặc biệt chi lăng gắn với gì", "Học tập và làm theo tư tưởng"),
    ],
)
def test_kinds_of_question_are_answered_on_the_committed_plans(
    committed: SearchIndex, question: str, expected: str
) -> None:
    _, text = top_answer(committed, question)
    assert expected in text


@pytest.mark.parametrize(
    "question",
    [
        "Công trình gắn biển chào mừng Đại hội ở Trạm Tấu tên là gì?",
        "Kế hoạch thực hiện Chỉ thị 19 của huyện Tuy Phước được ký ngày nào?",
        "hạn cuối nộp hồ sơ khen thưởng dvk",
    ],
)
def test_near_misses_stay_not_found_on_the_committed_plans(
    committed: SearchIndex, question: str
) -> None:
    assert committed.search(question) == []
