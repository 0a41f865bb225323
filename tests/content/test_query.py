"""Reading a question as typed: pure functions over the chat vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.errors import ContentError
from content.query import conversation_kind, fix_telex, load_vocab, normalise_words, split_story


def words(text: str) -> str:
    return " ".join(normalise_words(text, known=lambda w: False))


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("hanj", "han"),
        ("choot", "chot"),
        ("moox", "mo"),
        ("kheos", "kheo"),
        ("nhaats", "nhat"),
        ("nhieeu", "nhieu"),
        ("tuoir", "tuoi"),
        ("ddai", "dai"),
        ("thuonwg", "thuong"),
        ("ngayf", "ngay"),
        ("han", "han"),  # a clean word stays as it is
        ("ubnd", "ubnd"),  # no vowel: an abbreviation, not Telex
        ("2024", "2024"),
    ],
)
def test_telex_leftovers_are_removed(typed: str, meant: str) -> None:
    assert fix_telex(typed) == meant


def test_telex_is_fixed_only_in_words_the_caller_does_not_know() -> None:
    assert normalise_words("xoong", known=lambda w: w == "xoong") == ["xoong"]
    assert normalise_words("hanj choot", known=lambda w: False) == ["han", "chot"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("mik 15t thi dc ko", "minh 15 tuoi thi duoc khong"),
        ("xã mik phải đk mấy tk", "xa minh phai dang ky may tai khoan"),
        # the asker's own school is their story, "xã mình" stays (a unit of the plans)
        ("trg mik mún đc khen cx phải đk à", "muon duoc khen cung phai dang ky"),
        ("xã mik mún đc khen", "xa minh muon duoc khen"),
        ("rủ mấy bn bè thi", "ru may ban be thi"),
        ("rủ mấy bn thi", "ru may ban thi"),
        ("thi trên đt dc ko", "thi tren dien thoai duoc khong"),
        ("trg tháng 4 nhìu hn wá", "trong thang 4 nhieu hoi nghi qua"),
        ("cbcc cần mấy năm htxs nv", "can bo cong chuc can may nam hoan thanh xuat sac nhiem vu"),
        ("dvk thi bh ket thuc", "dan van kheo thi bao gio ket thuc"),
        ("bằng khen ubtvqh có ko", "bang khen uy ban thuong vu quoc hoi co khong"),
        ("hn cấp xã họp mấy tiếng", "hoi nghi cap xa hop may tieng"),
        ("ai lo vụ thành lập btc", "ai lo vu thanh lap ban to chuc"),
        ("gửi hs cho phòng nv", "gui ho so cho phong noi vu"),
        ("đk j để đc khen", "dieu kien gi de duoc khen"),
        ("tg thi vs ai", "thoi gian thi voi ai"),
        ("hs lớp 9 thi đc ko", "hoc sinh lop 9 thi duoc khong"),
        ("bn % là hộ gđ sx giỏi", "bao nhieu phan tram la ho gia dinh san xuat gioi"),
        ("tối thiểu 50% sv", "toi thieu 50 phan tram sinh vien"),
    ],
)
def test_chat_abbreviations_are_expanded(typed: str, meant: str) -> None:
    assert words(typed) == meant


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Bác ơi cho cháu hỏi hạn dvk ạ", "han dan van kheo"),
        ("Chào bạn, cho mình hỏi hạn chót là ngày nào vậy ad", "han chot la ngay nao"),
        ("Kính gửi ban tổ chức, xin hỏi hạn nộp hồ sơ", "han nop ho so"),
    ],
)
def test_polite_wrappers_are_dropped(typed: str, meant: str) -> None:
    assert words(typed) == meant


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Chào bạn", "greeting"),
        ("xin chao", "greeting"),
        ("hi", "greeting"),
        ("cảm ơn bot nhé", "thanks"),
        ("ok cảm ơn ad", "thanks"),
        ("menu", "menu"),
        ("hướng dẫn", "help"),
        ("huong dan su dung", "help"),
        ("Vâng", "ack"),
        ("ok", "ack"),
        ("huỷ", "cancel"),
        ("thôi không làm nữa", "cancel"),
        ("thôi", "ack"),
        ("Chào bạn, hạn dvk là ngày nào?", None),
        ("Bạn tên là gì?", None),
        ("hạn chót", None),
        ("9", None),
        ("", None),
    ],
)
def test_small_talk_is_told_from_questions(text: str, kind: str | None) -> None:
    assert conversation_kind(text) == kind


def test_a_broken_vocabulary_file_names_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "vocab.yaml"
    bad.write_text("wrappers: ['(unclosed']\n", encoding="utf-8")
    with pytest.raises(ContentError, match="wrappers"):
        load_vocab(bad)
    bad.write_text("conversation: {chitchat: [hello]}\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"conversation\.chitchat"):
        load_vocab(bad)


def test_a_long_message_is_cut_after_its_last_ask_marker() -> None:
    story, asked = split_story(
        "Bác ơi cho cháu hỏi, cháu ở thôn Nà Hin, năm nay cháu mới học lớp 10 thôi, bố mẹ "
        "cháu bảo đi thi cho vui, vậy cuộc thi của huyện thi đến hết ngày nào ạ?"
    )
    assert asked == "cuộc thi của huyện thi đến hết ngày nào ạ?"
    assert story.startswith("Bác ơi") and "lớp 10" in story


def test_the_cut_works_without_diacritics() -> None:
    story, asked = split_story(
        "toi la can bo xa moi ve nhan cong tac duoc hai thang nay, cho em hoi hoi nghi "
        "cap xa hop bao lau"
    )
    assert asked == "hoi nghi cap xa hop bao lau"
    assert "hai thang" in story


@pytest.mark.parametrize(
    "text",
    [
        "ai lo vụ thành lập btc hội nghị điển hình tiên tiến vậy",  # short: all question
        "Ở Trạm Tấu nếu một thôn còn có người buôn bán ma túy thì thôn đó có được khen không?",
        "Cho tôi hỏi tài khoản dự thi phải thuộc huyện nào mới được khen cá nhân trong đợt này",
    ],
)
def test_a_message_without_a_story_is_all_question(text: str) -> None:
    assert split_story(text) == ("", text)


@pytest.mark.parametrize(
    ("typed", "canon"),
    [("si", "si"), ("sy", "si"), ("ly", "li"), ("ky", "ki"), ("ty", "ti"), ("qui", "quy"),
     ("thuy", "thuy"), ("quy", "quy"), ("huy", "huy"), ("y", "y"), ("may", "may")],
)
def test_i_and_y_spellings_read_alike(typed: str, canon: str) -> None:
    from content.query import canon_word

    assert canon_word(typed) == canon


@pytest.mark.parametrize(
    ("text", "asks", "yes_no"),
    [
        ("dan van kheo het han ngay nao", True, False),
        ("có phải đăng ký mới được hỏi quy định không?", True, True),
        ("tuy phước có khen ng ở vùng khó khăn ko ạ", True, True),
        ("hội nghị cấp xã có thể tổ chức thành hội nghị biểu dương không ạ", True, True),
        ("Hoàng Văn Ba", False, False),
        ("Nguyễn Thị Lan", False, False),
        # "mấy" before a unit asks how many, with or without marks; "máy" or a name does not.
        ("rủ bạn bè thi dvk xong phải nhắc tụi nó thi mấy tuần liền", True, False),
        ("thi may tuan lien", True, False),
        ("máy tính của xã", False, False),
        ("Nguyễn Văn Mấy", False, False),
    ],
)
def test_one_question_detector_tells_questions_and_yes_no_questions(
    text: str, asks: bool, yes_no: bool
) -> None:
    from content.query import looks_like_question, read_question

    shape = read_question(text)
    assert (shape.asks, shape.yes_no) == (asks, yes_no)
    assert looks_like_question(text) is asks


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("người ký kế hoạch Tuy Phước?", "signed_by"),
        ("ai ký kế hoạch dân vận khéo", "signed_by"),
        # Asked by the signer's title alone, no question word.
        ("chủ tịch ký kh trạm tấu?", "signed_by"),
        ("kế hoạch chi lăng do ai ký", "signed_by"),
        ("ke hoach chi lang ban hanh ngay nao", "date_text"),
        ("kế hoạch trạm tấu số mấy", "number"),
        ("kế hoạch hớn quản do cơ quan nào ban hành", "issuer"),
        ("chi thi 19 ct ttg ve viec gi", "title"),
        ("tên đầy đủ của kế hoạch chi lăng", "title"),
        # Not the plan's own fields: a signer of something else, a document the plan follows.
        ("theo kế hoạch bằng khen do ai ký", None),
        ("chủ tịch ký kế hoạch khen thưởng những ai", None),
        # A question starting with a cited document asks about that document.
        ("Chỉ thị số 19/CT-TTg mà Tuy Phước xây dựng kế hoạch thực hiện do ai ban hành?", None),
        ("Kế hoạch Chỉ thị 19 thực hiện theo kế hoạch số mấy của tỉnh?", None),
        ("hạn chót đăng ký công trình", None),
    ],
)
def test_questions_about_the_plan_document_are_told(text: str, field: str | None) -> None:
    from content.query import read_question

    assert read_question(text).field == field


@pytest.mark.parametrize(
    ("text", "question"),
    [
        (
            "Em chào các anh chị, em là công chức văn phòng ở một xã của Tuy Phước, xã em hằng "
            "năm đều làm sơ kết, theo kế hoạch thì khi tổng kết cần gắn với kết quả gì ạ?",
            "theo kế hoạch thì khi tổng kết cần gắn với kết quả gì ạ?",
        ),
        (
            "Chào anh chị, em là thư ký của xã ở Chi Lăng, lãnh đạo giao xem hội nghị phải bảo "
            "đảm những yêu cầu gì để còn chuẩn bị, anh chị chỉ giúp em với ạ?",
            "lãnh đạo giao xem hội nghị phải bảo đảm những yêu cầu gì để còn chuẩn bị,",
        ),
    ],
)
def test_a_story_without_an_ask_marker_ends_at_the_clause_that_asks(
    text: str, question: str
) -> None:
    story, asked = split_story(text)
    assert asked == question and story and text.startswith(story)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        (
            "Chào anh chị, em là giáo viên ở Trạm Tấu, em muốn biết kế hoạch của huyện đặt ra "
            "yêu cầu gì về chất lượng giáo dục để trường em đăng ký phần việc cho phù hợp ạ?",
            "kế hoạch của huyện đặt ra yêu cầu gì về chất lượng giáo dục",
        ),
        (
            "Hồ sơ đề nghị khen thưởng của xã theo kế hoạch gồm những giấy tờ gì để em còn "
            "chuẩn bị ạ",
            "Hồ sơ đề nghị khen thưởng của xã theo kế hoạch gồm những giấy tờ gì",
        ),
    ],
)
def test_the_askers_purpose_after_a_long_question_is_story(text: str, question: str) -> None:
    story, asked = split_story(text)
    assert asked == question and "để" in story


@pytest.mark.parametrize(
    "text",
    [
        # A short question: what follows "để" is its topic.
        "cần chuẩn bị giấy tờ gì để em đăng ký công trình",
        # A goal the plan may set ("được khen", "đạt") is asked about.
        "Theo kế hoạch thi đua của huyện thì cá nhân phải làm những việc gì để em được khen",
        # A question word after it: the question goes on.
        "Kế hoạch của huyện đặt ra yêu cầu gì về chất lượng giáo dục để em biết thì làm sao",
    ],
)
def test_what_follows_de_stays_in_the_question(text: str) -> None:
    assert split_story(text)[1] == text


def test_a_list_with_commas_is_not_a_story() -> None:
    text = "Kế hoạch Chỉ thị 19 coi việc phát hiện, bồi dưỡng điển hình tiên tiến là nhiệm vụ gì?"
    assert split_story(text) == ("", text)


@pytest.mark.parametrize(("typed", "meant"), [
    ("chỉ thị 05-CT/TW là gì", "chi thi 05 ct tw la gi"),
    ("chi thi 34 ct/tw cua bo chinh tri", "chi thi 34 ct tw cua bo chinh tri"),
    ("kết luận 01-KL/TW", "ket luan 01 kl tw"),
])
def test_a_document_code_is_kept_as_the_plans_write_it(typed: str, meant: str) -> None:
    # "tw" alone is chat for "trung ương"; inside a code it is the code, as in "34-CT/TW".
    assert " ".join(normalise_words(typed)) == meant
    assert " ".join(normalise_words("nghị quyết của tw")) == "nghi quyet cua trung uong"
