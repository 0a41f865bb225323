"""Rule lookup, out of scope: a question about a place, year, edition, name or everyday topic no
plan covers is answered "not found"; so is a question whose best passages hold the kind of
fact asked for only about something else (a cited document's date, a date with none of the
question's words)."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from content.errors import ContentError
from content.query import (
    VOCAB_FILE,
    Vocab,
    canon_word,
    canon_words,
    normalise_words,
    typed_with_marks,
)
from content.schema import Campaign
from content.search_base import (
    _ACCENTED_RE,
    _DATE_RE,
    _DISTRICT_MARKERS,
    _FULL_DATE_RE,
    _KIND_MARKS,
    _NAME_RE,
    _PERIOD_RE,
    _PLACE_RE,
    _RELATIVE_TIME_RE,
    _ROMAN_RE,
    _YEAR_RE,
    DATE_ANSWER,
    DAY_ANSWER,
    STAGE_ANSWER,
    STAGE_TIME_RE,
    Hit,
    _norm_token,
    _phrase_feats,
    _Query,
    _Synonyms,
    _text_features,
    conflicts,
    qualifier_values,
    spelling_key,
    without_law_years,
)
from content.search_corpus import Corpus
from content.text import fold_words, nfc
from content.yaml_file import read_mapping

# District-level markers as typed ("thị xã", "thành phố" are caught by their last word).
_ACCENTED_DISTRICTS = frozenset({"huyện", "tỉnh", "quận"})
_DISTRICT_BODIES = frozenset({"ủy", "uỷ", "đoàn", "đội", "hội", "lỵ"})

# A document cited by its number and code, with its date ("Văn bản số 1686-CV/HU ngày
# 04/3/2024", "Chỉ thị số 19/CT-TTg ngày 16 tháng 7 năm 2021"): that date is the document's,
# not the date of anything the plan schedules.
_CITED_DATE_RE = re.compile(
    r"\d+[\w.-]*/[\w./-]*[^\W\d_][\w./-]*,?\s+(?:ngày\s+)?"
    r"\d{1,2}(?:/\d{1,2}/\d{2,4}|\s+tháng\s+\d{1,2}\s+năm\s+\d{4})"
)
# An edition or term asked for ("lần thứ V", "lần thứ 10", "khóa XVI"), on folded words; "lần
# 2" counts when an event is named just before ("cuộc thi … lần 2", not "thi lại lần 2").
_EDITION_WORDS = (("lan", "thu"), ("khoa",), ("nhiem", "ky", "thu"), ("ky", "hop", "thu"))
_EVENT_PAIRS = frozenset({
    ("cuoc", "thi"), ("hoi", "thi"), ("dai", "hoi"), ("hoi", "nghi"), ("ky", "hop"),
    ("dot", "thi"), ("phong", "trao"), ("giai", "thuong"),
})
_AGAIN_WORDS = frozenset({"lai", "them", "moi", "nhieu", "may", "thu"})  # "thi lại lần 2"
_EDITION_TEXT_RE = re.compile(
    r"(?<!\w)(?:lần thứ|khóa|khoá|kỳ họp thứ|nhiệm kỳ thứ)\s+([IVXLC]+|\d{1,3})(?!\w)",
    re.IGNORECASE,
)
# A body named with capitals ("Phòng Tư pháp", "Sở Y tế", "Hội Cựu chiến binh"): its kind, then
# up to three capitalised words of its name (an abbreviation such as "THPT" ends it).
_BODY_RE = re.compile(
    r"(?<!\w)(Phòng|Sở|Ban|Hội|Trung tâm|Chi cục|Cục|Công an|Đài|Viện|Tòa án|Hội đồng)\s+"
    r"((?:[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ][a-zđâăêôơưáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ"
    r"ấầẩẫậắằẳẵặếềểễệốồổỗộớờởỡợứừửữự]*\s*){1,3})"
)
# Units of a time span ("trong 2 tháng"); the features a when-question about anything but a
# document needs instead of those a cited document's date also gives.
_DURATION_UNITS = ("ngay", "tuan", "thang", "nam", "quy")
# A date asked part by part ("ngày nào tháng nào", "ngày mấy tháng mấy năm nào", "ngày tháng
# năm nào"), folded.
_DATE_ASK = r"(nao|may|bao nhieu|bn)"
_DATE_FRAME_RE = re.compile(
    rf"\bngay {_DATE_ASK}( va)? thang {_DATE_ASK}( va)?( nam {_DATE_ASK})?\b"
    rf"|\bngay thang( nam)? {_DATE_ASK}\b"
)
# A day asked within a month the question names ("ngày mấy tháng 2", "vào ngày nào trong tháng
# 10"), folded; and a day a passage gives ("ngày 15/10", "25/10/2024", "ngày 07 tháng 4").
_DAY_IN_MONTH_ASKED_RE = re.compile(
    r"\bngay (may|nao|bao nhieu|bn)( trong| cua)? thang \d"
)
_DAY_GIVEN_RE = re.compile(r"(?<![\d/])\d{1,2}/\d{1,2}(?![\d])|(?i:ngày)\s+\d")
_EVENT_FEATURES = {
    "#day": "#eday", "#date": "#edate", **{f"#n_{u}": f"#e_n_{u}" for u in _DURATION_UNITS}
}
# The place a plan is issued for, after its level ("UBND huyện Chi Lăng").
_ISSUER_PLACE_RE = re.compile(r"(?i:huyện|thị xã|thành phố|quận|tỉnh|xã|phường|thị trấn)\s+(.+)$")
_LEVEL_WORD = "cap"  # "cấp huyện", "cấp xã": the level of a body or event, not a place
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
# A province named in a passage ("tỉnh Lạng Sơn", "Ủy ban nhân dân tỉnh Yên Bái").
_PROVINCE_NAMED_RE = re.compile(
    r"(?<!\w)(?:tỉnh|Tỉnh)\s+[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ]")
# Every Vietnamese syllable holds one of these (folded): a token without any is initials.
_VOWELS = frozenset("aeiouy")
# What typed initials nobody knows weigh in ranking, as a share of an unknown word's weight.
GATE_INITIAL_SHARE = 0.1
# What the words naming the kind of answer ("vai trò", "thuộc") weigh in ranking, as a share.
GATE_DUTY_SHARE = 0.3
# A yes-no claim ("có phải … gửi lên Phòng Nội vụ không"): a body named this many words or more
# after "có phải" is the part checked; this many other words of the question must stay.
CLAIM_GAP = 2
CLAIM_KEPT = 2
# A question asking a fact (a date, a number, a body) is answered only by a passage holding
# at least this share of the weight of its other words: the fact alone ("28/4/2024") does not
# answer "Giấy khen được trao vào ngày nào?".
MIN_TOPIC_SHARE = 0.25
_FACT_MARKS = ("#date", "#num", "#org")
# Words that make a when-question one about a document ("ban hành", "ký"): then the
# documents' own dates answer it.
_DOCUMENT_ACTS = (("ban", "hanh"), ("ky",), ("hieu", "luc"))
# A span after an event ("sau hội nghị", "xong"), and a passage giving one only before an event
# ("trước khi tổ chức …", "trước 15 ngày") without a word of after.
_AFTER_TYPED = re.compile(r"(?<!\w)(sau|xong)(?!\w)")
_AFTER_FOLDED = re.compile(r"(?<!\w)(sau khi|sau hoi nghi|sau dai hoi|xong)(?!\w)")


# A question word inside this many words written as a plan writes them is part of a name.
NAMED_RUN = 5


def _names_instance(text: str, noun: tuple[str, ...]) -> bool:
    """Whether the passage names one thing of this kind: the noun followed, within two words,
    by a capitalised or quoted name ("xã Nhân Lý", "công trình “Nhà văn hóa thôn”")."""
    tokens = nfc(text).split()
    folded = [canon_words(t) for t in tokens]
    n = len(noun)
    for i in range(len(tokens) - n + 1):
        if tuple(w for ws in folded[i : i + n] for w in ws) != noun:
            continue
        for t in tokens[i + n : i + n + 2]:
            head = t.lstrip("(*")
            if head[:1] in "“\"" or (head[:1].isupper() and not head.isupper()):
                return True
    return False


def _spans(words: Sequence[str], phrases: Sequence[tuple[str, ...]]) -> set[str]:
    """The words of the question that stand in one of the phrases, where they do."""
    found: set[str] = set()
    present = set(words)
    for p in phrases:
        if p and p[0] in present and any(_at(words, p, i) for i in range(len(words))):
            found.update(p)
    return found


def _at(words: Sequence[str], phrase: tuple[str, ...], i: int) -> bool:
    """Whether the phrase stands in the words from position i."""
    return words[i] == phrase[0] and tuple(words[i : i + len(phrase)]) == phrase


def _holds_any(words: Sequence[str], phrases: Sequence[tuple[str, ...]]) -> bool:
    """Whether the words hold one of the phrases, word for word (a phrase whose first word
    the question lacks is passed over at once)."""
    present = set(words)
    return any(
        p and p[0] in present and any(_at(words, p, i) for i in range(len(words)))
        for p in phrases
    )


def _before_only(text: str) -> bool:
    return bool(re.search(r"(?<!\w)trước(?!\w)", text)) and not re.search(
        r"(?<!\w)(sau|xong|kết thúc|kể từ)(?!\w)", text)


# "mỗi xã", "từng đơn vị" asked (typed with diacritics); a passage giving a number for each unit
# says "mỗi …", "từng …" itself. A person's own number ("mỗi người vận động mấy tài khoản") is
# the rule for a person, which passages state without "mỗi".
# The assistant addressed, and the verbs asking what it finds ("bạn thấy …", "ad nghĩ …").
_ADDRESSED = frozenset({"ban", "ad", "admin", "bot"})
_OPENERS = frozenset({"thay", "nghi"})

_PER_UNIT_ASKED = re.compile(r"(?<!\w)(mỗi|từng)\s+(\w+)")
_PER_UNIT_TEXT = re.compile(r"(?<!\w)(mỗi|từng|mọi)(?!\w)")


def _per_unit_text(text: str, unit: str) -> bool:
    """Whether a passage gives a number for each unit, of the unit asked ("Mỗi xã, thị trấn
    …" answers "mỗi xã", not "mỗi thôn")."""
    return bool(_PER_UNIT_TEXT.search(text)) and bool(
        re.search(rf"(?<!\w){re.escape(unit)}(?!\w)", text))


_PER_PERSON = frozenset({"người", "cá", "bạn", "tài", "thành", "đại", "em", "mình", "tôi"})
# "A hay B", "A hoặc B": a choice between two alternatives ("hãy" is no "hay"); "… hay không",
# "… hay sao" ask yes or no.
_CHOICE_WORDS = frozenset({"hay", "hoặc", "hoac", "hay là"})
_NOT_A_CHOICE = frozenset({"khong", "ko", "k", "hok", "chua", "sao", "ko?", "j", "gi", "nhi"})
# A count in a passage: a number that is not a date, a year, a document's number or code
# ("Chỉ thị số 19/CT-TTg", "ngày 16/7/2021", "năm 2025"), an edition, a section's number or
# a span of time ("Kế hoạch 5 năm").
_NOT_A_COUNT_RE = re.compile(
    r"\d+[\w.-]*/[\w./-]*|(?i:số|thứ|khóa|khoá|mục|điều|khoản|ngày|tháng|năm|quý)\s+\d+"
    # a number joined to a name ("Covid-19"), or naming a document ("Chỉ thị 19")
    r"|[^\W\d_]+-\d+|(?i:chỉ thị|nghị quyết|quyết định|nghị định|thông tư|văn bản|công văn"
    r"|tờ trình|kết luận|luật)\s+\d+"
    r"|(?<!\d)(?:19|20)\d{2}(?!\d)|\d+\s*-\s*\d+"
    r"|\d+\s+(?i:ngày|tuần|tháng|năm|quý|giờ|phút|buổi)(?!\w)"
)
_COUNT_RE = re.compile(r"(?<![\w/])\d+(?![\w/])")
# The least weight of the word naming the event a when-question dates (see _event_asked).
EVENT_WEIGHT = 1.0
# Words between an event and the when-question dating it ("… kết thúc vào ngày nào").
# "Văn bản 1686-CV/HU ký ngày nào": of a document named by its number, signing is what its own
# date dates ("Văn bản số 1686-CV/HU ngày 04/3/2024"), no event for the passage to hold.
_DOCUMENT_EVENTS = frozenset({"ki", "ky"})
_WHOM_FEATS = frozenset({"~doituong", "doi_tuong"})
_YEAR_ASKED = frozenset({("nam", "nao"), ("nam", "may"), ("nam", "bao")})
# Words of time before a question word ("ngày nào", "khi nào"): then the time is asked.
_TIME_NOUNS = frozenset({"ngay", "thang", "nam", "khi", "luc", "gio", "tuan", "quy", "hom",
                         "dot", "bao", "thoi"})
STAGE_SHARE = 0.1  # what the stage a question opens with weighs in ranking, as a share
_JUDGING = frozenset({("binh", "xet")})  # "bình xét khen thưởng": judging, a topic
# A pair of the question's words the plans write together at most this often may be met apart.
CHANCE_PAIR_DF = 2
# "mấy" read as "those" in a yes-no question, unless a count is asked in other words.
_PLURAL_MAY = "may"
_COUNT_ASKED = frozenset({("bao", "nhieu"), ("toi", "da"), ("toi", "thieu"), ("it", "nhat"),
                          ("nhieu", "nhat"), ("vuot", "qua"), ("nhieu", "hon")})
ISSUED = "ban hành"  # what signing a document named is (see _signed_as_issued)
# Words before a document naming it as what another one follows ("thực hiện Chỉ thị 19").
_CITING = frozenset({"theo", "ve", "cua"})
_CITING_PAIRS = frozenset({("thuc", "hien"), ("trien", "khai"), ("can", "cu")})
_EVENT_FILLERS = frozenset({"la", "vao", "duoc", "se", "tu", "trong", "den", "truoc", "sau",
                            "het", "luc", "cho", "do", "nay", "vay", "a", "ha"})
# "Trong mấy ngày", "mấy tuần", "bao nhiêu tháng": a span, answered by a number of that unit or
# a near one (never by a number of something else).
SPAN_UNITS = {
    "ngay": ("#n_ngay", "#n_tuan", "#n_thang"),
    "tuan": ("#n_tuan", "#n_ngay", "#n_thang"),
    "thang": ("#n_thang", "#n_tuan", "#n_ngay", "#n_nam"),
}


@functools.cache
def public_services(path: Path = VOCAB_FILE) -> tuple[str, ...]:
    """The public services of `public_services` in lookup_vocab.yaml, as typed (lower case,
    with diacritics); ContentError (file named) for a key that is not a list of phrases."""
    raw = read_mapping(path).get("public_services") or []
    if not isinstance(raw, list) or not all(isinstance(p, str) and p.strip() for p in raw):
        raise ContentError(path.name, "public_services", "must be a list of phrases")
    return tuple(nfc(p).strip().lower() for p in raw)


@functools.cache
def gate_words(path: Path = VOCAB_FILE) -> dict[str, tuple[tuple[str, ...], ...]]:
    """`gate` of lookup_vocab.yaml: per list (duty_words, province_asks, connectives,
    month_asks, part_asks, celebrates, instance_nouns, instance_acts, name_asks,
    name_frames, considered, considered_for, stage_openers, whom_asks, final_words,
    final_acts, named_kinds, modal_words), its
    phrases as folded words; ContentError (file and entry named) for a list that is not one
    of phrases."""
    raw = read_mapping(path).get("gate") or {}
    if not isinstance(raw, dict):
        raise ContentError(path.name, "gate", "must map a list name to its phrases")
    found: dict[str, tuple[tuple[str, ...], ...]] = {}
    for name in ("duty_words", "province_asks", "connectives", "month_asks", "part_asks",
                 "celebrates", "instance_nouns", "instance_acts", "name_asks", "name_frames",
                 "considered", "considered_for", "stage_openers", "whom_asks", "final_words",
                 "final_acts", "named_kinds", "modal_words"):
        phrases = raw.get(name) or []
        if not isinstance(phrases, list) or not all(
            isinstance(p, str) and p.strip() for p in phrases
        ):
            raise ContentError(path.name, f"gate.{name}", "must be a list of phrases")
        found[name] = tuple(k for k in (canon_words(p) for p in phrases) if k)
    return found


@functools.cache
def strict_qualifiers(path: Path = VOCAB_FILE) -> tuple[str, ...]:
    """`strict_qualifiers` of lookup_vocab.yaml as typed."""
    raw = read_mapping(path).get("strict_qualifiers") or []
    if not isinstance(raw, list) or not all(isinstance(p, str) and p.strip() for p in raw):
        raise ContentError(path.name, "strict_qualifiers", "must be a list of phrases")
    return tuple(nfc(p).strip().lower() for p in raw)


@functools.cache
def past_times(path: Path = VOCAB_FILE) -> tuple[str, ...]:
    """`past_times` of lookup_vocab.yaml as typed (lower case, with diacritics)."""
    raw = read_mapping(path).get("past_times") or []
    if not isinstance(raw, list) or not all(isinstance(p, str) and p.strip() for p in raw):
        raise ContentError(path.name, "past_times", "must be a list of phrases")
    return tuple(nfc(p).strip().lower() for p in raw)


@functools.cache
def scope_asks(
    path: Path = VOCAB_FILE,
) -> dict[str, tuple[re.Pattern[str], tuple[re.Pattern[str], ...]]]:
    """`scope_asks` of lookup_vocab.yaml: per kind of fact, what a passage stating it holds
    (`requires`) and the shapes of questions asking for it (`asks`), regular expressions over
    folded words; ContentError (file and entry named) for a missing or invalid pattern."""
    raw = read_mapping(path).get("scope_asks") or {}
    if not isinstance(raw, dict):
        raise ContentError(path.name, "scope_asks", "must map a kind of fact to its patterns")
    found: dict[str, tuple[re.Pattern[str], tuple[re.Pattern[str], ...]]] = {}
    for name, entry in raw.items():
        where = f"scope_asks.{name}"
        if not isinstance(entry, dict) or not entry.get("requires") or not entry.get("asks"):
            raise ContentError(path.name, where, "needs requires and asks")
        asks = entry["asks"]
        if not isinstance(asks, list):
            raise ContentError(path.name, where, "asks must be a list of patterns")
        try:
            found[str(name)] = (
                re.compile(str(entry["requires"])), tuple(re.compile(str(a)) for a in asks)
            )
        except re.error as exc:
            raise ContentError(path.name, where, f"bad pattern: {exc}") from exc
    return found


def choice_variants(query: str) -> list[str]:
    """The question asked of each side of its first "hay" / "hoặc" ("cuộc thi viết hay cuộc thi
    trắc nghiệm về …" → "… cuộc thi viết", "… cuộc thi trắc nghiệm về …"): the left part as
    typed, and the right part after the left one's words before the alternative (where the
    right part's first word last stands on the left, else as many words back as it has).
    "… hay không", "hãy …" ask no choice: []."""
    return [variant for variant, _ in choices(query)]


def choices(query: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each question of choice_variants with the folded words only its alternative says
    ("thi trên giấy hay thi trên mạng": "giay" for the first, "mang" for the second)."""
    lowered = nfc(query).lower()
    if not any(word in lowered for word in _CHOICE_WORDS):  # most questions: no fold at all
        return []
    tokens = query.split()
    folded = ["".join(fold_words(t)) for t in tokens]
    for k, token in enumerate(tokens):
        word = nfc(token).lower().strip("?,.!;:")
        if word not in _CHOICE_WORDS or k == 0 or k + 1 >= len(tokens):
            continue
        if folded[k + 1] in _NOT_A_CHOICE:
            return []
        left, right = tokens[:k], tokens[k + 1 :]
        rfold = folded[k + 1 :]
        if rfold[0] == "la" and len(right) > 1:
            right, rfold = right[1:], rfold[1:]
        starts = [j for j in range(len(left)) if folded[j] == rfold[0]]
        j = starts[-1] if starts else max(0, len(left) - len(right))
        # (the right part may run on past its alternative: "… cuộc thi trắc nghiệm về Dân vận
        # khéo"; as many words as the left one's, and one more)
        first, second = folded[j:k], rfold[: k - j + 1]
        return [
            (" ".join(left), tuple(first)),
            (" ".join([*left[:j], *right]), tuple(second)),
        ]
    return []


def _choice_pairs(asked: list[tuple[str, tuple[str, ...]]], n: int) -> set[str]:
    """The n-th alternative's own words as the pairs a passage must say ("trên giấy", not the
    "giấy" of "giấy khen"); pairs made only of the other alternative's words left out."""
    other = set(asked[1 - n][1])
    return {
        f"{a}_{b}" for a, b in itertools.pairwise(canon_word(w) for w in asked[n][1] if w)
        if a not in other or b not in other
    }


def roman_value(word: str) -> int | None:
    """The value of a Roman numeral ("xiv" → 14), None for anything else."""
    word = word.lower()
    if not word or any(c not in _ROMAN_VALUES for c in word):
        return None
    total = 0
    for i, c in enumerate(word):
        value = _ROMAN_VALUES[c]
        nxt = _ROMAN_VALUES[word[i + 1]] if i + 1 < len(word) else 0
        total += -value if value < nxt else value
    return total if total > 0 else None


def edition_value(word: str) -> int | None:
    """An edition as typed ("XI", "11", "xi") as a number."""
    if word.isdigit():
        return int(word) if 0 < int(word) < 1000 else None
    return roman_value(word)


def asked_editions(query: str) -> list[int]:
    """The editions or terms a question names ("lần thứ V", "khóa 15", "cuộc thi … lần 2")."""
    words = fold_words(query)
    found: list[int] = []
    for i in range(len(words)):
        for marker in _EDITION_WORDS:
            n = len(marker)
            if tuple(words[i : i + n]) == marker and i + n < len(words):
                value = edition_value(words[i + n])
                if value is not None:
                    found.append(value)
        before = words[max(0, i - 6) : i]
        if (
            words[i] == "lan"
            and i + 1 < len(words)
            and words[i + 1].isdigit()
            and (i == 0 or words[i - 1] not in _AGAIN_WORDS)
            and any(pair in _EVENT_PAIRS for pair in itertools.pairwise(before))
        ):
            value = edition_value(words[i + 1])
            if value is not None:
                found.append(value)
    return found


def cited_dates_removed(text: str) -> str:
    """The text without the dates of the documents it cites (see _CITED_DATE_RE)."""
    return _CITED_DATE_RE.sub(" ", text)


class Scope(Corpus):
    """Checks that put a question outside the plans."""

    def __init__(
        self, campaigns: Sequence[Campaign], synonyms: _Synonyms, vocab: Vocab | None = None
    ) -> None:
        super().__init__(campaigns, synonyms, vocab)
        gate_words()  # read with the index, not by the first question after a start (~0.6 s)
        self._editions: dict[str, frozenset[int]] = {}
        for doc in self._docs:
            values = {
                v for text in (doc.passage.text, doc.heading)
                for m in _EDITION_TEXT_RE.finditer(text or "")
                if (v := edition_value(m.group(1))) is not None
            }
            if values:
                self._editions[doc.campaign_id] = (
                    self._editions.get(doc.campaign_id, frozenset()) | values
                )
        self._title_refs = frozenset(self._titles.values())
        # The district each plan is issued for ("UBND huyện Chi Lăng" → "chi lang").
        self._districts: dict[str, tuple[str, ...]] = {}
        for campaign in campaigns:
            issuer = getattr(getattr(campaign, "plan", None), "issuer", None) or campaign.issuer
            found = _ISSUER_PLACE_RE.search(issuer or "")
            if found:
                place = canon_words(found.group(1))
                if place:
                    self._districts[campaign.id] = place
        self._deadline_heads = frozenset(d[0] for d in self._lex.deadline_words)
        # The relative times ("năm tới") each plan writes itself ("… 5 năm tới").
        by_campaign: dict[str, list[str]] = {}
        for doc in self._docs:
            by_campaign.setdefault(doc.campaign_id, []).extend((doc.passage.text, doc.heading))
        # Times before the plans' own (`past_times`) count as other times too.
        past = past_times()
        self._times_accented = (*self._lex.other_times_accented, *past)
        self._times_folded = self._lex.other_times | frozenset(
            key for key in (canon_words(p) for p in past) if key
        )
        self._written_times: dict[str, frozenset[str]] = {}
        for campaign_id, texts in by_campaign.items():
            written = "\n".join(nfc(t).lower() for t in texts if t)
            self._written_times[campaign_id] = frozenset(
                p for p in self._times_accented
                if p in written and re.search(rf"(?<!\w){re.escape(p)}(?!\w)", written)
            )
        self._index_event_dates()
        self._words_memo: tuple[str, list[str]] = ("", [])
        # Public services (lookup_vocab.yaml `public_services`) the plans never write: as typed
        # and folded (each phrase counts only where no plan uses it, both ways).
        written = "\n".join(nfc(t).lower() for texts in by_campaign.values() for t in texts if t)
        services = [p for p in public_services() if not re.search(
            rf"(?<!\w){re.escape(p)}(?!\w)", written)]
        self._services_accented = tuple(services)
        self._services_folded = frozenset(
            key for key in (canon_words(p) for p in services)
            if key and not all(f in self._df for f in _phrase_feats(key))
        )
        # Qualifier values (lookup_vocab.yaml `strict_qualifiers`) a passage naming only
        # another value of their group never answers.
        self._strict_values = frozenset(
            key for key in (canon_words(v) for v in strict_qualifiers()) if key
        )
        # The campaigns stating each kind of fact of `scope_asks` (a venue…).
        folded = {c: " ".join(fold_words("\n".join(t for t in texts if t)))
                  for c, texts in by_campaign.items()}
        self._stated: dict[str, frozenset[str]] = {
            name: frozenset(c for c, text in folded.items() if requires.search(text))
            for name, (requires, _) in scope_asks().items()
        }
        # When-phrases ("ngày nào", "khi nào") as word runs: a question saying one asks a date
        # even where a longer phrase of another idea took its words ("trước ngày nào").
        self._when_runs: dict[tuple[str, ...], tuple[str, ...]] = {
            key: DAY_ANSWER if group.day else STAGE_ANSWER
            for key, group in synonyms.phrases.items()
            if group is not None and group.required and "#date" in group.marks
            and not group.period and not group.ordinal
        }

    def _index_event_dates(self) -> None:
        """"#eday" / "#edate" / "#e_n_ngay"…: the passage holds a day, a date or a number of
        days, weeks, months that is not only the date of a document it cites ("Chỉ thị số
        34-CT/TW ngày 07 tháng 4 năm 2014" is no "07 tháng"), for when-questions about
        anything but a document."""
        for i, doc in enumerate(self._docs):
            if STAGE_TIME_RE.search(doc.passage.text):
                self._sat[i]["#stage"] = 1.0
            if "#num" in doc.tf and _COUNT_RE.search(
                _NOT_A_COUNT_RE.sub(" ", cited_dates_removed(without_law_years(doc.passage.text)))
            ):
                self._sat[i]["#e_num"] = self._sat[i]["#num"]
            tf = doc.tf
            if "#date" not in tf and "#day" not in tf and not any(
                f"#n_{unit}" in tf for unit in _DURATION_UNITS
            ):
                continue
            text = cited_dates_removed(without_law_years(doc.passage.text))
            words = fold_words(text)
            for k, w in enumerate(words[:-1]):
                unit = words[k + 1]
                if (
                    w.isdigit() and unit in _DURATION_UNITS and f"#n_{unit}" in tf
                    and (k == 0 or words[k - 1] not in _DURATION_UNITS)
                ):
                    # "trong 2 tháng", "trước 15 ngày" (not "ngày 07 tháng 4": a date).
                    self._sat[i][f"#e_n_{unit}"] = self._sat[i][f"#n_{unit}"]
            if i not in self._title_refs:
                for day in self._title_days_of(doc.campaign_id):
                    text = text.replace(day, "____")
            sats = self._sat[i]
            if "#day" in tf and _FULL_DATE_RE.search(text):
                sats["#eday"] = sats["#day"]
            if "#date" in tf and (
                _DATE_RE.search(text) or _PERIOD_RE.search(text)
                or _RELATIVE_TIME_RE.search(text) or _PERIOD_RE.search(doc.heading or "")
            ):
                sats["#edate"] = sats["#date"]

    def _unknown_body(self, query: str, campaigns: frozenset[str]) -> bool:
        """Whether the question names, with capitals, a body no plan (of the campaigns
        named) names ("Phòng Tư pháp", "Hội Cựu chiến binh"): its word pairs are not theirs."""
        for match in _BODY_RE.finditer(query):
            words = list(canon_words(f"{match.group(1)} {match.group(2)}"))
            pairs = [f"{a}_{b}" for a, b in itertools.pairwise(words[:3])]
            if pairs and not all(self._present(p, campaigns) for p in pairs):
                return True
        return False

    def _other_time(self, query: str, campaigns: frozenset[str] = frozenset()) -> bool:
        """Whether the question asks about another time than the plans', named relatively
        ("năm sau", "đợt tới": `other_times`) and written in no plan (of those named)."""
        named = campaigns or frozenset(self._written_times)
        written = frozenset().union(*(self._written_times.get(c, frozenset()) for c in named))
        typed = nfc(query).lower()
        if "".join(fold_words(typed)) != "".join(re.findall(r"\w", typed)):
            # Typed with diacritics: as written ("đăng ký tối thiểu" is no "kỳ tới").
            return any(
                # (the plain substring test first: it rules out nearly every phrase at once)
                p in typed and re.search(rf"(?<!\w){re.escape(p)}(?!\w)", typed)
                and p not in written
                for p in self._times_accented
            )
        written_folded = {
            canon_words(p) for p in written
        }
        words = list(canon_words(query))
        df = self._df
        for phrase in self._times_folded:
            n = len(phrase)
            if phrase in written_folded:
                continue  # the plan speaks of it
            for i in range(len(words) - n + 1):
                if tuple(words[i : i + n]) != phrase:
                    continue
                # "đăng ký tối thiểu" folds to "dang ky toi thieu": "ky toi" is no "kỳ tới".
                if i > 0 and f"{words[i - 1]}_{words[i]}" in df:
                    continue
                if i + n < len(words) and f"{words[i + n - 1]}_{words[i + n]}" in df:
                    continue
                return True
        return False

    def _blocked(self, words: list[str], i: int) -> bool:
        """Whether the word at i is part of a blocker of the synonym table ("hạn chế")."""
        syn = self._syn
        for start in range(max(0, i - syn.max_len + 1), i + 1):
            for end in range(i + 1, min(len(words), start + syn.max_len) + 1):
                key = tuple(words[start:end])
                if key in syn.phrases and syn.phrases[key] is None:
                    return True
        return False

    def _plain_word(self, word: str) -> bool:
        """Whether a folded word is one of the plans' or the chat vocabulary's (else Telex
        keys may be left in it: "tor trinh" is "tờ trình")."""
        return word in self._vocab_set or word in self._abbrev_words or word.isdigit()

    def _title_days_of(self, campaign_id: str) -> tuple[str, ...]:
        return self._name_days.get(campaign_id, ())

    def _scoped(self, q: _Query, query: str) -> _Query:
        """The question as the scope checks leave it: "not found" for an edition no plan
        (of the campaigns named) has; a when-question about anything but a document needs a
        date that is not only a cited document's."""
        if q.out_of_scope or q.field:
            return q
        district = self._named_districts(query)
        if len(district) == 1 and len(q.campaigns) > 1 and district <= q.campaigns:
            # "thi đua đặc biệt chi lăng …": the district's own plan, though other words of
            # the question are another plan's name too.
            q = dataclasses.replace(q, campaigns=frozenset(district))
            if not any(w >= EVENT_WEIGHT for f, w in q.core.items() if f[0] != "#"):
                # "Trạm Tấu tổ chức hội nghị điển hình tiên tiến tháng mấy": nothing is asked
                # but the other plan's own event, of a district whose plan does not hold it.
                return dataclasses.replace(q, out_of_scope=True)
        asked = tuple(
            g for g in q.required
            if not (all(f.startswith("#f_") for f in g) and self._facet_joined(query, g))
            # "tờ trình số mấy của phòng nội vụ": a filler after the count word is no unit.
            and not (len(g) == 1 and g[0].startswith("#n_")
                     and g[0][3:] in self._syn.stopwords)
        )
        if asked != q.required:
            q = dataclasses.replace(q, required=asked)
        q = self._named_asks(q, query)
        if self._scope_refusal(q, query):
            return dataclasses.replace(q, out_of_scope=True)
        q = self._initials_light(q)
        q = self._askers_words_light(q)
        q = self._modal_light(q, query)
        q = self._opener_light(q, query)
        q = self._duty_light(q, query)
        q = self._name_light(q, query)
        q = self._considered_light(q, query)
        q = self._whom_light(q, query)
        q = self._claim_light(q, query)
        q = self._province_asked(q, query)
        q = self._part_light(q, query)
        q = self._date_frame_light(q, query)
        q = self._final_light(q, query)
        if "#num" in q.core and q.yes_no and _PLURAL_MAY in self._read_words(query) and not (
            _COUNT_ASKED & set(itertools.pairwise(self._read_words(query)))
        ):
            # "có phê bình mấy người lơ là không", "có giao lưu với mấy gương điển hình ko":
            # in a yes-no question "mấy" before a noun is "those", no count asked.
            q = self._lighter(q, ["#num"], GATE_DUTY_SHARE)
        if "#num" in q.core and not q.yes_no and not any(
            f == "#num" or f.startswith("#n_") for g in q.required for f in g
        ) and self._counts_any(query):
            # "họp mấy lần một năm": any number answers, but a number it must be, not the
            # number of a document or a date ("Chỉ thị số 19"). A yes-no question asks
            # whether ("có phê bình mấy người lơ là không": "mấy" is "those"), not how many.
            q = dataclasses.replace(q, required=(*q.required, ("#e_num",)))
        unit = self._term_counted(query) if "#num" in q.core and not q.yes_no else None
        if unit and not any(f.startswith("#n_") for g in q.required for f in g):
            # "bao nhiêu Bằng khen": a number of that thing, which no passage writes.
            q = dataclasses.replace(q, required=(*q.required, (f"#n_{unit}",)))
        if "#date" in q.core and self._law_year_asked(self._read_words(query)):
            # "Luật Thi đua, khen thưởng năm nào": the year of the law's name answers, which
            # is never a date of a passage (search_base.without_law_years).
            q = dataclasses.replace(q, required=tuple(
                g for g in q.required if g not in (DAY_ANSWER, DATE_ANSWER, STAGE_ANSWER)))
            return self._lighter(q, ["#date"], STAGE_SHARE)
        if "#date" in q.core and self._stage_opened(self._read_words(query)):
            # "kết thúc phong trào … có những hình thức khen thưởng nào": the stage the
            # question starts from, another thing asked.
            q = dataclasses.replace(q, required=tuple(
                g for g in q.required if g not in (DAY_ANSWER, DATE_ANSWER, STAGE_ANSWER)))
            return self._lighter(q, [f for f in q.core if f in ("#date", "~han")], STAGE_SHARE)
        when_asked = any(g in (DAY_ANSWER, DATE_ANSWER, STAGE_ANSWER) for g in q.required)
        if not when_asked:
            hidden = self._hidden_when(query)
            if hidden:
                q = dataclasses.replace(q, required=(*q.required, hidden))
                when_asked = True
        if not when_asked and not self._deadline_heads.intersection(fold_words(query)):
            return q  # (read no further: most questions ask neither)
        words = self._read_words(query)
        asks_other = "#date" not in q.core and any(w in self._lex.question_words for w in words)
        if not asks_other and not when_asked:
            # "hạn cuối nộp hồ sơ …": a deadline is asked (and no "ai", "đâu"…), a passage
            # without a date does not answer it.
            canon = [canon_word(w) for w in words]
            if any(
                tuple(canon[i : i + len(d)]) == d and not self._blocked(canon, i)
                for d in self._lex.deadline_words for i in range(len(canon))
            ):
                q = dataclasses.replace(q, required=(*q.required, DATE_ANSWER))
        if _holds_any([canon_word(w) for w in words], gate_words()["month_asks"]):
            # "… tổ chức tháng mấy": a month or a day answers, not a bare year ("năm 2025").
            q = dataclasses.replace(q, required=tuple(
                DAY_ANSWER if g in (DATE_ANSWER, STAGE_ANSWER) else g for g in q.required))
        when = [g for g in q.required if g in (DAY_ANSWER, DATE_ANSWER, STAGE_ANSWER)]
        if not when:
            return q
        kinds = (*self._lex.document_kinds, *_DOCUMENT_ACTS)
        if any(tuple(words[i : i + len(k)]) == k for k in kinds for i in range(len(words))):
            return self._signed_as_issued(q, query, words)
        required = tuple(
            tuple(_EVENT_FEATURES.get(f, f) for f in g) if g in when else g for g in q.required
        )
        return dataclasses.replace(q, required=required)

    def _with_chance_pairs(self, q: _Query, core_scores: dict[int, float]) -> dict[int, float]:
        """The candidates' scores with the question's chance pairs met apart: a pair of words
        the plans write together at most `CHANCE_PAIR_DF` times ("huyện chọn", "tốt trên") is
        as likely the question's own juxtaposition as a term of theirs, and a passage holding
        both its words (its fillers aside) apart, "Ủy ban nhân dân huyện sẽ lựa chọn …", meets
        it as surely as one holding the pair."""
        pairs = [
            (f, w, halves) for f, w in q.core.items()
            if f[0] not in "#~§@=!" and "_" in f and self._df.get(f, 0) <= CHANCE_PAIR_DF
            and not any(c.isdigit() for c in f)  # "năm 2022" is a year, not two words
            for halves in (tuple(h for h in f.split("_") if h not in self._syn.stopwords),)
            if halves
        ]
        if not pairs:
            return core_scores
        sat = self._sat
        return {
            i: score + sum(
                w * min(sat[i].get(h, 0.0) for h in halves)
                for f, w, halves in pairs if f not in sat[i])
            for i, score in core_scores.items()
        }

    @staticmethod
    def _law_year_asked(words: Sequence[str]) -> bool:
        """Whether the question asks the year of a law it names ("luật thi đua khen thưởng
        năm nào", "Luật … năm mấy"): a law's name holds its year."""
        at = next((i for i, w in enumerate(words) if w == "luat"), None)
        return at is not None and any(
            (a, b) in _YEAR_ASKED for a, b in itertools.pairwise(words[at + 1 :]))

    def _stage_opened(self, words: Sequence[str]) -> bool:
        """Whether the question opens with the stage it starts from ("kết thúc phong trào …",
        "khi kết thúc cuộc thi …": `gate.stage_openers`) and asks something else after it: a
        question word not right after a word of time ("… hình thức khen thưởng nào", not "…
        kết thúc ngày nào")."""
        openers = gate_words()["stage_openers"]
        start = next((len(o) for o in openers if tuple(words[: len(o)]) == o), 0)
        if not start:
            return False
        return any(
            w in self._lex.question_words and words[i - 1] not in _TIME_NOUNS
            for i, w in enumerate(words) if i > start + 1
        )

    def _signed_as_issued(self, q: _Query, query: str, words: Sequence[str]) -> _Query:
        """"Chỉ thị 19 của Thủ tướng ký ngày nào": signing a document the question names is
        issuing it. The plans cite a document with its date ("Chỉ thị số 19/CT-TTg ngày 16
        tháng 7 năm 2021"), seldom with "ký": the question is read as "… ban hành ngày nào"
        (a frame word, no topic), so the words naming the document are what is searched. Only a
        document named by its number, first in the question (not one the plan cites after
        "thực hiện", nor "quyết định khen thưởng" with no number)."""
        if not any(f in q.core for f in _DOCUMENT_EVENTS):
            return q
        # The first document named is the one signed; the plan itself ("Kế hoạch thực hiện
        # Chỉ thị 19 … được ký ngày nào", no number of its own) is the plan's date line.
        first = next((
            (i, k) for i in range(len(words)) for k in self._lex.document_kinds
            if _at(words, k, i)), None)
        if first is None:
            return q
        i, kind = first
        if i and (words[i - 1] in _CITING or tuple(words[max(i - 2, 0) : i]) in _CITING_PAIRS):
            return q  # "(Kế hoạch) thực hiện Chỉ thị 19 … được ký": the plan citing it
        if not any(w.isdigit() for w in words[i + len(kind) : i + len(kind) + 3]):
            # A document not named by its number ("quyết định khen thưởng ký ngày nào", or
            # the plan itself): which one is signed is not said.
            return q
        tokens = [
            ISSUED if len(ws) == 1 and ws[0] in _DOCUMENT_EVENTS else token
            for token in query.split() for ws in (fold_words(token),)
        ]
        plain = self._analyse(" ".join(tokens))
        if plain.out_of_scope or not plain.core:
            return q
        return dataclasses.replace(q, core=plain.core, bonus={**q.bonus, **plain.bonus})

    def _analyse(self, query: str, story: str = "") -> _Query:
        """The question read into weighted features (search_reading.py)."""
        raise NotImplementedError

    def _named_asks(self, q: _Query, query: str) -> _Query:
        """"chi lăng có phong trào vì người nghèo - không để ai bị bỏ lại phía sau không": a
        question word inside a run of the plans' own words (`NAMED_RUN` words, a movement's
        name or a slogan, the question word neither first nor last) is part of what the plan
        writes, not asked: the kind of fact it would ask (who, what, when) is neither ranked
        nor required."""
        marks = [m for m in _KIND_MARKS if m in q.core]
        if not marks and not q.required:
            return q
        tokens = query.split()
        folded = [fold_words(t) for t in tokens]
        words = [w for ws in folded for w in ws]
        asking = {i for i, w in enumerate(words) if w in self._lex.question_words}
        if not asking:
            return q
        runs = self._plan_runs()
        named = {
            i for i in asking
            if any(" ".join(words[i - a : i - a + NAMED_RUN]) in runs
                   for a in range(1, NAMED_RUN - 1) if i - a >= 0)
        }
        if not named:
            return q
        kept: list[str] = []
        at = 0
        for token, ws in zip(tokens, folded, strict=True):
            if not (len(ws) == 1 and at in named):
                kept.append(token)
            at += len(ws)
        plain = self._analyse(" ".join(kept))
        core = {f: w for f, w in q.core.items() if f not in marks or f in plain.core}
        required = tuple(g for g in q.required if g in plain.required)
        if core == q.core and required == q.required:
            return q
        return dataclasses.replace(q, core=core, required=required)

    def _plan_runs(self) -> frozenset[str]:
        """Every run of `NAMED_RUN` folded words of a passage that holds a question word
        ("ai", "gì", "nào"…) neither first nor last: the names and slogans the plans write
        with one ("Không để ai bị bỏ lại phía sau")."""
        runs: frozenset[str] | None = self.__dict__.get("_plan_runs_cache")
        if runs is None:
            found: set[str] = set()
            asking = self._lex.question_words
            for doc in self._docs:
                words = fold_words(doc.passage.text)
                for i, w in enumerate(words):
                    if w not in asking:
                        continue
                    for a in range(1, NAMED_RUN - 1):
                        if i - a >= 0 and i - a + NAMED_RUN <= len(words):
                            found.add(" ".join(words[i - a : i - a + NAMED_RUN]))
            runs = self.__dict__["_plan_runs_cache"] = frozenset(found)
        return runs

    def _initials_light(self, q: _Query) -> _Query:
        """Typed initials no one could read back ("trg", "tc", "đb", "hđ": no vowel, so no
        Vietnamese syllable) that neither the chat vocabulary nor the plans know rank a
        passage but do not count against its coverage: a word found nowhere weighs as much
        as the rarest word of the plans, which an abbreviation is not."""
        light = [
            f for f in q.core
            if f[0] not in "#~§@=" and "_" not in f and not f.isdigit()
            and (f[0] == "!" or f not in self._idf)
            and not _VOWELS.intersection(f.lstrip("!"))
        ]
        if not light or len(light) == len(q.core):
            return q
        core = {f: w for f, w in q.core.items() if f not in light}
        bonus = {**q.bonus, **{f: GATE_INITIAL_SHARE * q.core[f] for f in light}}
        return dataclasses.replace(q, core=core, bonus=bonus)

    @staticmethod
    def _lighter(q: _Query, light: Sequence[str], share: float) -> _Query:
        """The question with these core features moved to its ranking bonus (at share of
        their weight), unless that would leave no word of it to search."""
        core = {f: w for f, w in q.core.items() if f not in light}
        if not light or not any(f[0] != "#" for f in core):
            return q
        bonus = {**q.bonus, **{f: share * q.core[f] for f in light}}
        return dataclasses.replace(q, core=core, bonus=bonus)

    def _final_light(self, q: _Query, query: str) -> _Query:
        """A deciding act said to be the last one ("ai quyết định khen thưởng cuối cùng", "ai
        duyệt sau cùng"): "cuối cùng" stresses who has the last word, it is no end of a period
        ("ngày cuối cùng") the passage must write; "… cuối cùng là …" (an order) stays."""
        words = [canon_word(w) for w in self._read_words(query)]
        gate = gate_words()
        for act in gate["final_acts"]:
            for i in range(len(words)):
                if not _at(words, act, i):
                    continue
                after = i + len(act)
                for final in gate["final_words"]:
                    for j in range(after, min(after + 4, len(words))):
                        end = j + len(final)
                        if _at(words, final, j) and (end >= len(words) or words[end] != "la"):
                            drop = set(final) | {"_".join(final)}
                            core = {f: w for f, w in q.core.items() if f not in drop}
                            if core != q.core and any(f[0] != "#" for f in core):
                                return dataclasses.replace(q, core=core)
                            return q
        return q

    @staticmethod
    def _date_frame_light(q: _Query, query: str) -> _Query:
        """A date asked part by part ("… là ngày nào tháng nào", "ngày tháng năm nào"): "tháng"
        and "năm" are the asking frame, no topic the passage must write ("06/01/1946")."""
        if "#date" not in q.core:
            return q
        frame = _DATE_FRAME_RE.search(" ".join(fold_words(query)))
        if not frame:
            return q
        asking = set(frame.group(0).split()) & {"ngay", "thang", "nam"}
        core = {f: w for f, w in q.core.items() if f not in asking}
        return q if core == q.core else dataclasses.replace(q, core=core)

    def _askers_words_light(self, q: _Query) -> _Query:
        """A yes-no question ("có bắt mỗi xã đăng ký … không") carries the asker's own verb:
        a word the plans never write (found nowhere, or typed with marks they seldom use)
        ranks, but the passage stating the rule need not say it."""
        if not q.yes_no:
            return q
        # Words before the frame's "có" / "phải" are its subject ("văn chấn có phải đăng ký
        # … không": a place no plan names), not the asker's verb.
        frame = next((i for i, w in enumerate(q.words) if w in ("co", "phai")), 0)
        subject = set(q.words[:frame])
        light = [
            f for f in q.core
            if (f[0] == "!" or (
                f[0] not in "#~§@=" and "_" not in f and not f.isdigit() and f not in self._idf
            )) and f.lstrip("!") not in subject
        ]
        kept = [f for f in q.core if f[0] != "#" and f not in light]
        if len(kept) < len(light) + 1 or not any(f[0] == "~" for f in kept):
            # What is left must still be a question of the field ("đăng ký công trình"),
            # not the asker's everyday words ("có bị mưa đá không": the weather).
            return q
        return self._lighter(q, light, GATE_INITIAL_SHARE)

    def _modal_light(self, q: _Query, query: str) -> _Query:
        """"… có bắt buộc phải công khai các thủ tục không": whether a rule obliges, asked
        with a modal word of the yes-no frame (`gate.modal_words`), which the passage stating
        the rule seldom writes: it ranks, it is no topic."""
        if not q.yes_no:
            return q
        words = [canon_word(w) for w in self._read_words(query)]
        modal = gate_words()["modal_words"]
        said = _spans(words, modal)
        if not said:
            return q
        light = self._framing(q, modal, said, skip="#~§@")
        if len(light) == len([f for f in q.core if f[0] != "#"]):
            return q  # nothing else asked
        return self._lighter(q, light, GATE_INITIAL_SHARE)

    def _opener_light(self, q: _Query, query: str) -> _Query:
        """"bạn thấy hội nghị tổng kết tổ chức ở đâu": the assistant addressed and asked what
        it finds (`_OPENERS`) before a rule asked (an opinion is refused before this); the
        opener's verb is no topic, though a plan that never writes it leaves it unknown."""
        words = [canon_word(w) for w in self._read_words(query)]
        if len(words) < 3 or words[0] not in _ADDRESSED or words[1] not in _OPENERS:
            return q
        light = [f for f in q.core if f.lstrip("!=") == words[1]]
        return self._lighter(q, light, GATE_INITIAL_SHARE) if light else q

    def _framing(self, q: _Query, phrases: Sequence[tuple[str, ...]], said: set[str],
                 skip: str = "#~§@=") -> list[str]:
        """The question's features that are a frame's phrases, or made only of the words it
        said (`said`, from _spans), but for those whose first character is in skip."""
        feats = self._phrase_feats_of(phrases)
        return [f for f in q.core if f in feats or (
            f[0] not in skip and set(f.lstrip("!=").split("_")) <= said)]

    def _phrase_feats_of(self, phrases: Sequence[tuple[str, ...]]) -> frozenset[str]:
        """The features these phrases are read as: their word pair, a single word, or the
        synonym group they belong to ("~nhiemvu")."""
        feats: set[str] = set()
        for p in phrases:
            feats.add("_".join(p))
            group = self._syn.phrases.get(p)
            if group is not None:
                feats.add(f"~{group.name}")
        return frozenset(feats)

    def _duty_light(self, q: _Query, query: str) -> _Query:
        """"Phòng Nội vụ có vai trò gì", "Ban Tuyên giáo đảm nhận việc gì": what the body
        named does, its item of the plan; "vai trò" is the kind of answer (`gate.duty_words`),
        not a word that item must write."""
        words = [canon_word(w) for w in self._read_words(query)]
        duties = gate_words()["duty_words"]
        said = _spans(words, duties)
        if not said or not _holds_any(words, self._body_phrases()):
            return q
        return self._lighter(q, self._framing(q, duties, said), GATE_DUTY_SHARE)

    def _name_light(self, q: _Query, query: str) -> _Query:
        """"Phong trào thi đua đặc biệt về Covid-19 có tên đầy đủ là gì": the name of what the
        question names is asked (`gate.name_frames`); "tên", "đầy đủ", "tên gọi" are the kind
        of answer, which the passage writes as the name itself (“Cả nước đoàn kết …”), not
        words it must hold."""
        words = [canon_word(w) for w in self._read_words(query)]
        gate = gate_words()
        frames = gate["name_frames"]
        said = _spans(words, frames)
        if not said and _holds_any(words, gate["named_kinds"]):
            # "phong trào … tên là gì": the name asked after the campaign or contest named.
            asks = gate["name_asks"]
            first = min((i for i in range(len(words)) for p in gate["named_kinds"]
                         if _at(words, p, i)), default=len(words))
            if any(_at(words, p, i) for p in asks for i in range(first + 1, len(words))):
                frames = asks
                said = _spans(words, asks)
        if not said:
            return q
        return self._lighter(q, self._framing(q, frames, said), GATE_DUTY_SHARE)

    def _whom_light(self, q: _Query, query: str) -> _Query:
        """"tuyên truyền sâu rộng cho những đối tượng nào": the people something is done to
        (`gate.whom_asks`), which the passage names ("cán bộ, đảng viên, … và Nhân dân")
        without the word asking for them."""
        words = [canon_word(w) for w in self._read_words(query)]
        asks = gate_words()["whom_asks"]
        said = _spans(words, asks)
        if not said:
            return q
        light = [f for f in q.core if f in self._phrase_feats_of(asks) or f in _WHOM_FEATS]
        return self._lighter(q, light, GATE_DUTY_SHARE)

    def _considered_light(self, q: _Query, query: str) -> _Query:
        """"… có được xét khen thưởng không", "phải làm gì để được xét thi đua": being
        considered for (`gate.considered`) an award or the emulation asked about is the frame
        of the question; the passage stating who is rewarded, or what is required, seldom
        writes "xét". Judging itself ("bình xét", "xét duyệt") stays a topic."""
        words = [canon_word(w) for w in self._read_words(query)]
        gate = gate_words()
        light: set[str] = set()
        for i, w in enumerate(words[:-1]):
            if (w,) not in gate["considered"] or not any(
                _at(words, r, i + 1) for r in gate["considered_for"]
            ) or (i and (words[i - 1], w) in _JUDGING):
                continue
            light.add(w)
            if i:
                light.add(f"{words[i - 1]}_{w}")
        return self._lighter(q, [f for f in q.core if f in light], GATE_INITIAL_SHARE)

    def _claim_light(self, q: _Query, query: str) -> _Query:
        """"Có phải các xã … hoàn thiện báo cáo thành tích rồi gửi thẳng lên Phòng Nội vụ
        không": a yes-no question checking a claim; the body it names after what is done (where
        it goes, who signs) is the part checked, maybe wrong. What is done decides the passage
        (which names the right body); the body named only ranks."""
        if not q.yes_no:
            return q
        words = [canon_word(w) for w in self._read_words(query)]
        frame = next((i for i, w in enumerate(words) if w == "phai"
                      and i and words[i - 1] == "co"), None)
        if frame is None:
            return q
        heads = self._body_phrases()
        start = next((i for i in range(frame + CLAIM_GAP + 1, len(words))
                      if any(_at(words, h, i) for h in heads)), None)
        if start is None:
            return q
        end = next((j for j in range(start + 1, len(words))
                    if words[j] in self._lex.question_endings), len(words))
        span = " ".join(words[start:end])
        feats = _text_features(span, self._syn)
        light = [f for f in q.core if f == "#org" or (f[0] != "#" and f in feats)]
        kept = [f for f in q.core if f[0] != "#" and f not in light]
        if len(kept) < CLAIM_KEPT:
            return q
        return self._lighter(q, light, GATE_DUTY_SHARE)

    def _part_light(self, q: _Query, query: str) -> _Query:
        """"Kế hoạch dvk có phần tiêu chí cá nhân không": whether the plan has a part about
        something (`gate.part_asks`); "phần", "mục" and the plan named first are the frame
        of the question, the part's subject is its topic."""
        if not q.yes_no:
            return q
        words = [canon_word(w) for w in self._read_words(query)]  # ("kh": "kế hoạch")
        said = _spans(words, gate_words()["part_asks"])
        if not said:
            return q
        plan = next((p for p in self._lex.plan_words if tuple(words[: len(p)]) == p), ())
        said.update(plan)
        said.discard("co")
        light = [f for f in q.core if f[0] not in "#~§@=" and set(f.split("_")) <= said]
        return self._lighter(q, light, GATE_DUTY_SHARE)

    def _body_phrases(self) -> tuple[tuple[str, ...], ...]:
        bodies: tuple[tuple[str, ...], ...] | None = self.__dict__.get("_bodies_cache")
        if bodies is None:
            bodies = tuple(k for k in (canon_words(b) for b in self._lex.bodies) if k)
            self.__dict__["_bodies_cache"] = bodies
        return bodies

    def _province_asked(self, q: _Query, query: str) -> _Query:
        """"Bắc Sơn thuộc tỉnh nào": the plan's passage naming its province answers (ranked by
        the place it names, search.py's WHICH_SHARE); "thuộc", "của" before it are no topic,
        nor, when the question names a campaign's place, is anything but the province."""
        words = [canon_word(w) for w in self._read_words(query)]
        gate = gate_words()
        if not _holds_any(words, gate["province_asks"]):
            return q
        if "tinh" in self._idf and "tinh" not in q.core:
            q = dataclasses.replace(q, core={**q.core, "tinh": self._idf["tinh"]})
        if q.campaigns:
            light = [f for f in q.core if f != "tinh" and f[0] != "#"]
        else:
            said = _spans(words, gate["connectives"])
            connectives = self._phrase_feats_of(gate["connectives"])
            light = [f for f in q.core if f in connectives or (
                f[0] not in "#~§@=" and set(f.lstrip("!").split("_")) <= said)]
        return self._lighter(q, light, GATE_DUTY_SHARE)

    def _scope_refusal(self, q: _Query, query: str) -> str:
        """The name of the scope rule that puts the question outside the plans, "" when none
        does (bench/scope_trace.py counts them)."""
        for group in q.required:
            if all(f.startswith("#f_") for f in group) and not any(
                self._present(f, q.campaigns) for f in group
            ):
                # A kind of fact no plan states (a phone number, prize money): not found,
                # not even the plan's contact office for questions.
                return "facet"
        if self._unknown_body(query, q.campaigns):
            return "unknown_body"
        if self._other_time(query, q.campaigns):
            return "other_time"
        if self._public_service(query):
            return "public_service"
        if self._asks_unstated(query, q.campaigns):
            return "asks_unstated"
        editions = asked_editions(query)
        if editions:
            named = q.campaigns or frozenset(self._editions)
            known = frozenset().union(*(self._editions.get(c, frozenset()) for c in named))
            if any(e not in known for e in editions):
                return "edition"
        return ""

    def _read_words(self, query: str) -> list[str]:
        """The question's words as the scope checks read them (chat abbreviations expanded,
        folded: normalise_words), read once per question (the last one is kept)."""
        memo = self._words_memo
        if memo[0] != query:
            memo = self._words_memo = (query, normalise_words(query, self._lex,
                                                              known=self._plain_word))
        return memo[1]

    def _facet_joined(self, query: str, group: tuple[str, ...]) -> bool:
        """Whether the kind of fact a question seemed to ask (`facets`) was read only from a
        short phrase holding a filler's folded form, whose words join a neighbour into a pair
        of the plans: folded, "để thi đạt kết quả tốt" holds "đề thi" (the quiz's questions),
        but "thi đạt" is the plans' pair. A facet asked by the question's shape (`asks`) or by
        a longer phrase stands."""
        names = {f.removeprefix("#f_") for f in group}
        words = [_norm_token(w) for w in self._read_words(query)]
        joined = " ".join(words)
        if any(a.search(joined) for n in names for a in self._lex.facet_asks.get(n, ())):
            return False
        found = False
        for i in range(len(words)):
            if words[i] not in self._facet_starts:
                continue  # no facet phrase begins here
            for n in range(1, min(self._facet_len, len(words) - i) + 1):
                if self._facet_phrases.get(tuple(words[i : i + n])) not in names:
                    continue
                found = True
                phrase = words[i : i + n]
                if n > 2 or not any(w in self._syn.stopwords for w in phrase):
                    return False  # not a short phrase holding a filler ("để" folds to "de")
                before = i > 0 and f"{words[i - 1]}_{words[i]}" in self._df
                after = i + n < len(words) and f"{words[i + n - 1]}_{words[i + n]}" in self._df
                if not before and not after:
                    return False  # said plainly at least once
        return found

    def search(
        self, query: str, *, prefer_campaign: str | None = None, limit: int = 3
    ) -> list[Hit]:
        raise NotImplementedError  # content/search.py: SearchIndex.search

    def _choice_hits(self, query: str, prefer_campaign: str | None, limit: int) -> list[Hit]:
        """A choice question ("thi trên giấy hay thi trên mạng", "… cuộc thi viết hay cuộc
        thi trắc nghiệm …") that nothing answers whole: each alternative asked on its own
        (the question with the other left out); the best answer of either, [] when neither
        has one. Each is read and checked like any question."""
        best: list[Hit] = []
        asked = choices(query)
        for n, (variant, _) in enumerate(asked):
            pairs = _choice_pairs(asked, n)
            hits = [
                h for h in self.search(variant, prefer_campaign=prefer_campaign, limit=limit)
                if h.ref >= 0 and pairs & self._docs[h.ref].own
            ]
            if hits and (not best or hits[0].score > best[0].score):
                best = hits
        return best

    def _answers_a_choice(self, query: str, hit: Hit) -> bool:
        """Whether a passage found for a whole choice question may answer it: False when it
        says a word only one alternative has, but not as that alternative says it, and nothing
        of the other ("Giấy khen" found for "thi trên giấy hay thi trên mạng": another thing
        called "giấy"). A passage saying neither alternative's words may answer in its own
        ("05 tuần liên tục" for "nhắc thi hết các tuần hay chỉ tuần đầu"). True for a question
        that offers no choice."""
        asked = choices(query)
        if not asked or hit.ref < 0:
            return True
        own = self._docs[hit.ref].own
        if any(_choice_pairs(asked, n) & own for n in range(len(asked))):
            return True
        stop = self._syn.stopwords
        first, second = ({canon_word(w) for w in words if w and w not in stop}
                         for _, words in asked)
        return bool((first - second) & own) == bool((second - first) & own)

    def _asks_unstated(self, query: str, campaigns: frozenset[str]) -> bool:
        """Whether the question's shape asks a kind of fact (`scope_asks` in lookup_vocab.yaml:
        where an event takes place…) that no passage (of the campaigns named) states."""
        joined = ""
        for name, (_, asks) in scope_asks().items():
            stated = self._stated.get(name, frozenset())
            if stated & campaigns if campaigns else stated:
                continue
            joined = joined or " ".join(
                _norm_token(w) for w in self._read_words(query)
            )
            if any(a.search(joined) for a in asks):
                return True
        return False

    def _public_service(self, query: str) -> bool:
        """Whether the question names a public service no plan speaks of (`public_services`:
        residence, identity papers, land, taxes, pensions…). Typed with diacritics, compared as
        written ("đất ở" is not "đặt ở"); typed without, by the folded words."""
        typed = nfc(query).lower()
        if typed_with_marks(typed):
            return any(
                p in typed and re.search(rf"(?<!\w){re.escape(p)}(?!\w)", typed)
                for p in self._services_accented
            )
        words = list(canon_words(query))
        return any(
            tuple(words[i : i + n]) in self._services_folded
            and not self._asks_of(words[i + n - 1 :])
            for i in range(len(words)) for n in (1, 2, 3, 4)
        )

    def _asks_of(self, words: list[str]) -> bool:
        """Whether the last word of a phrase typed without diacritics is what the question
        asks, the asking word right after it ("cac cap so may": "các cấp, số mấy", not "cấp
        sổ"): the phrase is then not the one read."""
        if len(words) < 2:
            return False
        after = words[1:]
        return after[0] in self._lex.question_words or any(
            tuple(after[: len(c)]) == c for c in self._lex.count_words
        )

    def _counts_any(self, query: str) -> bool:
        """Whether a how-many question counts a thing any number answers ("mấy lần", "bao
        nhiêu người": `count_units` with no list), not asking whether ("… có được … không")."""
        words = [canon_word(w) for w in self._read_words(query)]
        return any(
            tuple(words[i - len(c) + 1 : i + 1]) == c
            and self._lex.count_units.get(words[i + 1]) == ()
            for i in range(len(words) - 1) for c in self._lex.count_words
        )

    def _term_counted(self, query: str) -> str | None:
        """The thing a how-many question counts when the reading could not require a number
        of it: a term of the plans whose first word is also a stopword ("bao nhiêu Bằng
        khen": "bằng") and that no passage writes after a number. Its first word, or None. A
        number of something else ("100% cán bộ") or a passage saying how the count is set
        ("Thực hiện theo số lượng phân bổ của tỉnh") does not answer."""
        words = [canon_word(w) for w in self._read_words(query)]
        for i in range(len(words) - 2):
            unit = words[i + 1]
            if (unit in self._syn.stopwords and f"#n_{unit}" not in self._df
                    and f"{unit}_{words[i + 2]}" in self._idf
                    and any(tuple(words[i - len(c) + 1 : i + 1]) == c
                            for c in self._lex.count_words if c != ("so",))):
                return unit
        return None

    def _hidden_when(self, query: str) -> tuple[str, ...]:
        """The kind of answer a when- or how-long question needs when its asking words were
        read as part of another idea ("trước ngày nào", "nộp trong mấy ngày"): a day, a date
        or stage, or a number of days, weeks, months (SPAN_UNITS); () for other questions."""
        words = [canon_word(w) for w in self._read_words(query)]
        for i in range(len(words)):
            for n in (3, 2):
                found = self._when_runs.get(tuple(words[i : i + n]))
                if found and len(words[i : i + n]) == n:
                    return found
            if i + 1 < len(words) and words[i + 1] in SPAN_UNITS and any(
                tuple(words[i - len(c) + 1 : i + 1]) == c for c in self._lex.count_words
            ):
                return SPAN_UNITS[words[i + 1]]
        return ()

    def _answering(self, q: _Query, hits: list[Hit], query: str = "") -> list[Hit]:
        """The hits that answer the question: about the district it names (a plan issued for
        another district answers only where its passage names that one too) and holding the
        fact asked about the question's subject (see _holding_topic)."""
        return list(self._answering_steps(q, hits, query))[-1][1]  # (the last step: all)

    def _answering_steps(
        self, q: _Query, hits: list[Hit], query: str = ""
    ) -> Iterator[tuple[str, list[Hit]]]:
        """_answering step by step: each check's name and the hits it keeps."""
        named = self._named_districts(query)
        if len(named) == 1:
            (district,) = named
            place = " ".join(self._districts[district])
            hits = [
                h for h in hits
                if h.campaign_id == district or self._districts.get(h.campaign_id) is None
                or f" {place} " in f" {' '.join(canon_words(h.text))} "
            ]
            yield "district", hits
        hits = self._holding_topic(q, hits)
        yield "topic_share", hits
        if hits and _holds_any(list(canon_words(query)), gate_words()["province_asks"]):
            # "Tuy Phước thuộc tỉnh nào": only a passage naming a province ("tỉnh Lạng Sơn")
            # answers; a plan that names none has no answer.
            hits = [h for h in hits if h.ref < 0 or _PROVINCE_NAMED_RE.search(
                self._docs[h.ref].passage.text)]
            yield "province", hits
        strict = qualifier_values((query,), self._lex.qualifiers) if hits and query else {}
        strict = {g: v & self._strict_values for g, v in strict.items() if v & self._strict_values}
        if strict:
            # "Hội nghị … cấp tỉnh có bao nhiêu đại biểu": a passage of another level only
            # ("Đối với cấp huyện: … không quá 300") does not answer, even where the plan
            # never organises the level asked (`strict_qualifiers`).
            hits = [
                h for h in hits if h.ref < 0
                or not conflicts(strict, self._docs[h.ref].quals)
            ]
            yield "qualifier", hits
        event = self._event_asked(q) if hits else ""
        if event:
            # "Công trình … khởi công ngày nào": the date of that event, not of another one of
            # the same passage (the registration deadline).
            hits = [h for h in hits if h.ref < 0 or self._sat[h.ref].get(event, 0.0) > 0.0]
            yield "event", hits
        if hits and self._after_event(q, query):
            # "Tổ chức xong hội nghị thì nộp báo cáo trong mấy ngày": a span after the event,
            # which "trước 15 ngày" (before it) does not give.
            hits = [
                h for h in hits if h.ref < 0 or not _before_only(
                    nfc(f"{h.text} {self._docs[h.ref].passage.text}").lower())
            ]
            yield "after_event", hits
        if hits and _DAY_IN_MONTH_ASKED_RE.search(" ".join(fold_words(query))):
            # "Xã X tổ chức hội nghị vào ngày mấy tháng 2": the month is known, the day is
            # asked; a passage giving only the month ("trong tháng 02/2025") does not answer.
            hits = [
                h for h in hits if h.ref < 0 or _DAY_GIVEN_RE.search(
                    cited_dates_removed(f"{h.text} {self._docs[h.ref].passage.text}"))
            ]
            yield "day_in_month", hits
        if hits and self._per_unit(q, query):
            # "mỗi xã được cử mấy đại biểu": a number for each unit, which a total ("không
            # quá 300 đại biểu") does not give; the plans write "mỗi …" / "từng …" where they
            # give one.
            unit = self._per_unit(q, query)
            hits = [
                h for h in hits if h.ref < 0 or _per_unit_text(
                    nfc(f"{h.text} {self._docs[h.ref].passage.text}").lower(), unit)
            ]
            yield "per_unit", hits
        noun = self._instance_asked(query) if hits else ()
        if noun:
            # "Hai công trình được chọn gắn biển … là công trình nào?": the plan says two will
            # be chosen, not which; only a passage naming one ("xã Nhân Lý") answers.
            hits = [h for h in hits if h.ref < 0 or _names_instance(
                self._docs[h.ref].passage.text, noun)]
            yield "instance", hits
        owner = self._owner_asked(q, query) if hits else []
        if owner:
            # "Quốc hội có bao nhiêu đại biểu?": a count of what its subject has; a number of
            # delegates of another meeting ("không quá 300 đại biểu") is no answer.
            hits = [h for h in hits if h.ref < 0 or any(
                self._sat[h.ref].get(f, 0.0) > 0.0 for f in owner)]
            yield "owner", hits
        if hits and self._celebrated_event(q, query):
            # "Đại hội Đảng bộ huyện Trạm Tấu tổ chức tháng mấy": the plan's campaign is held
            # in honour of that event; the plan does not schedule the event itself.
            hits = []
            yield "celebrated", hits
        yield "", hits

    def _owner_asked(self, q: _Query, query: str) -> list[str]:
        """The words of the subject of a count question "S có bao nhiêu / mấy U" (S its first
        words, before "có") the question searches; [] for another shape."""
        words = [canon_word(w) for w in self._read_words(query)]
        at = next((i for i in range(1, len(words) - 1) if words[i] == "co" and (
            words[i + 1] == "may" or tuple(words[i + 1 : i + 3]) == ("bao", "nhieu"))), 0)
        if not at:
            return []
        subject = set(words[:at])
        return [f for f in q.core if f[0] not in "#~§@=" and not f.isdigit()
                and set(f.lstrip("!").split("_")) <= subject]

    def _instance_asked(self, query: str) -> tuple[str, ...]:
        """The thing whose name a which-question asks (`gate.instance_nouns`): "… là công
        trình nào", "… tên là gì", "tập thể nào được khen"; () when it asks none."""
        words = [canon_word(w) for w in self._read_words(query)]
        gate = gate_words()
        for noun in gate["instance_nouns"]:
            n = len(noun)
            for i in range(len(words) - n + 1):
                if tuple(words[i : i + n]) != noun:
                    continue
                if n == 1 and i and words[i - 1] not in self._syn.stopwords and (
                        f"{words[i - 1]}_{noun[0]}" in self._df):
                    continue  # the end of another word of the plans ("nông thôn")
                after = words[i + n : i + n + 4]
                before = words[max(i - 2, 0) : i]
                # ("… là công trình nào", "do công ty nào thi công", "tập thể nào được khen")
                if after[:1] == ["nao"] and ("la" in before or "do" in before or _holds_any(
                        after[1:], gate["instance_acts"])):
                    return noun
                if _holds_any(words[i + n :], gate["name_asks"]):
                    return noun
        return ()

    def _celebrated(self, campaign_id: str) -> tuple[frozenset[str], tuple[str, ...]]:
        """The words of a campaign's title before the event it is held in honour of, and
        those naming that event (after `gate.celebrates`: "chào mừng", "tiến tới"…); none
        when the title dates the event, even by its year."""
        cache: dict[str, tuple[frozenset[str], tuple[str, ...]]] = self.__dict__.setdefault(
            "_celebrated_cache", {})
        found = cache.get(campaign_id)
        if found is None:
            ref = self._titles.get(campaign_id)
            title = self._docs[ref].passage.text if ref is not None else ""
            # A title dating its event ("(06/01/1946 - 06/01/2026)", "… lần thứ XI năm
            # 2025") answers when it is.
            dated = _FULL_DATE_RE.search(title) or _DATE_RE.search(title)
            words = [] if dated else list(canon_words(title))
            starts = [i + len(p) for p in gate_words()["celebrates"]
                      for i in range(len(words)) if tuple(words[i : i + len(p)]) == p]
            cut = min(starts, default=len(words))
            found = cache[campaign_id] = (frozenset(words[:cut]), tuple(words[cut:]))
        return found

    def _celebrated_event(self, q: _Query, query: str) -> bool:
        """Whether a when-question asks when the event a named campaign is held in honour of
        takes place: its own words name no event of the plan (each lighter than EVENT_WEIGHT)
        and two or more words in a row name the event of the campaign's title, one of them
        not a word of the title's own part ("Đại hội Đảng bộ huyện", not "phong trào thi
        đua")."""
        if not q.campaigns or not any(
            f in ("#date", "#day", "#edate", "#eday", "#stage") for g in q.required for f in g
        ):
            return False
        # (a word of the event's own name, "khóa XVII" of "… lần thứ XVII", names no other)
        named = {w for c in q.campaigns for w in self._celebrated(c)[1]} | {"khoa"}
        if any(w >= EVENT_WEIGHT for f, w in q.core.items()
               if f[0] != "#" and not set(f.split("_")) <= named):
            return False
        words = [canon_word(w) for w in self._read_words(query)]
        for campaign_id in q.campaigns:
            before, event = self._celebrated(campaign_id)
            if not event:
                continue
            pairs = set(itertools.pairwise(event))
            run: list[str] = []
            for a, b in itertools.pairwise(words):
                if (a, b) in pairs:
                    run = [*run, b] if run and run[-1] == a else [a, b]
                    if len(run) >= 2 and not set(run) <= before:
                        return True
                else:
                    run = []
        return False

    def _event_asked(self, q: _Query) -> str:
        """The feature of the event a when-question dates, the words right before its asking
        words ("… khởi công ngày nào", "… kết thúc khi nào"), past fillers ("là", "vào"); ""
        for other questions or when those words are not among the question's core."""
        if not any(g in (DAY_ANSWER, DATE_ANSWER, STAGE_ANSWER) or "#eday" in g
                   or "#edate" in g for g in q.required):
            return ""
        words = list(q.words)
        for p in range(len(words)):
            if not any(tuple(words[p : p + n]) in self._when_runs for n in (2, 3)):
                continue
            j = p
            while j > 0 and words[j - 1] in _EVENT_FILLERS:
                j -= 1
            if j < 1:
                return ""
            w1, w0 = words[j - 1], words[j - 2] if j >= 2 else ""
            group = self._syn.phrases.get((w0, w1)) or self._syn.phrases.get((w1,))
            # (a word typed with marks the plans seldom use, "hết hạng", may be a typo: it
            # names no event)
            found = [
                f for f in (f"{w0}_{w1}", f"~{group.name}" if group else "", w1)
                if f and f in q.core
            ]
            event = max(found, key=lambda f: q.core[f]) if found else ""
            if event in _DOCUMENT_EVENTS and any(w[:1].isdigit() for w in words):
                return ""  # (a document named by its number: "giấy khen ký ngày nào" is none)
            # (a word as common as "huyện" names no event)
            return event if event and q.core[event] >= EVENT_WEIGHT else ""
        return ""

    @staticmethod
    def _after_event(q: _Query, query: str) -> bool:
        """Whether a when- or how-long question counts from after an event ("sau hội nghị",
        "tổ chức xong …", folded "sau khi")."""
        if not any(f[:3] in ("#e_", "#n_") or f in ("#eday", "#edate", "#day", "#date")
                   for g in q.required for f in g):
            return False
        typed = nfc(query).lower()
        if "".join(fold_words(typed)) != "".join(re.findall(r"\w", typed)):
            return bool(_AFTER_TYPED.search(typed))
        return bool(_AFTER_FOLDED.search(" ".join(fold_words(typed))))

    def _per_unit(self, q: _Query, query: str) -> str:
        """The unit a how-many question asks a number for each of ("mỗi xã", "từng đơn vị"),
        "" for other questions and for each person (the plans' rules for a person hold for
        each one)."""
        if "#num" not in q.core:
            return ""
        typed = nfc(query).lower()
        found = _PER_UNIT_ASKED.search(typed)
        return found.group(2) if found is not None and found.group(2) not in _PER_PERSON else ""

    def _named_districts(self, query: str) -> set[str]:
        """The plans whose district the question names ("ở Tuy Phước")."""
        if not query:
            return set()
        words = f" {' '.join(canon_words(query))} "
        return {c for c, place in self._districts.items() if f" {' '.join(place)} " in words}

    def _holding_topic(self, q: _Query, hits: list[Hit]) -> list[Hit]:
        """The hits that answer the fact asked for about the question's subject: a passage
        holding the date or number asked but hardly any of the question's other words (see
        MIN_TOPIC_SHARE) holds it about something else. The campaign's title answers
        questions about the campaign itself."""
        if not any(m in q.core for m in _FACT_MARKS):
            return hits
        topic = {f: w for f, w in q.core.items() if f[0] != "#"}
        total = sum(topic.values())
        if total <= 0:
            return hits
        kept = []
        for hit in hits:
            if hit.ref in self._title_refs or hit.ref < 0:
                kept.append(hit)
                continue
            sats = self._sat[hit.ref]
            share = sum(w * sats.get(f, 0.0) for f, w in topic.items()) / total
            if share >= MIN_TOPIC_SHARE:
                kept.append(hit)
        return kept

    def _off_topic(self, query: str, words: list[str]) -> bool:
        """Whether the question is about an everyday topic the plans never mention."""
        typed = nfc(query).lower()
        if typed_with_marks(typed):
            # Typed with diacritics: compare as written ("chuyện cưới" is not "chuyện cười").
            # Compared with the plans as written too: "kết hôn" is not their "gắn kết hơn".
            return self._lex.off_topic_anywhere.search(typed) is not None and any(
                # (the plain substring test first: it rules out nearly every phrase at once)
                p in typed and re.search(rf"(?<!\w){re.escape(p)}(?!\w)", typed)
                and p not in self._written_topics
                for p in self._lex.off_topic_accented
            )
        for i in range(len(words)):
            for n in (3, 2, 1):
                key = tuple(words[i : i + n])
                if (
                    len(key) == n
                    and key in self._lex.off_topic
                    and not all(f in self._df for f in _phrase_feats(key))
                ):
                    return True
        return False

    def _unknown_name(self, query: str) -> bool:
        """Whether the question names, with a capital letter, something no plan names
        ("nước Pháp", "huyện Văn Chấn"): capitalised words the plans never capitalise."""
        for match in _NAME_RE.finditer(query):
            word = match.group(1)
            folded = "".join(fold_words(word))
            if word.isupper() or not folded or folded in self._capitals:
                continue  # an abbreviation (UBND, DVK) or a name the plans use
            if folded in self._syn.stopwords or folded in self._abbrev_words:
                continue
            heads = tuple(self._lex.bodies)
            if query[match.start():].startswith(heads) or query[match.end():].lstrip(
                    ).startswith(heads):
                # A body's head or title ("Chủ tịch", "Phó Chủ tịch", "Phó Giám đốc"); the
                # name after it is still read ("Phòng Tư pháp").
                continue
            return True
        return self._unknown_day(query)

    def _unknown_day(self, query: str) -> bool:
        """Whether the question names a day the plans never name ("Ngày Nhà giáo Việt Nam",
        "Ngày Quốc khánh": "ngày" then a capitalised word, a pair no plan writes), where they
        write "Ngày Tổng tuyển cử"."""
        tokens = nfc(query).split()
        for token, after in itertools.pairwise(tokens):
            if fold_words(token) != ["ngay"] or not after[:1].isupper() or after.isupper():
                continue
            name = fold_words(after)
            if name and not name[0].isdigit() and f"ngay_{name[0]}" not in self._df:
                return True
        return False

    def _unknown_place(self, query: str, words: list[str], districts_only: bool = False,
                       message: str = "") -> bool:
        """Whether the question names a district, commune or province no plan mentions
        (message: the whole message it was cut from, for how its writer spells names)."""
        for match in _PLACE_RE.finditer(query):
            if districts_only and match.group(1).lower() not in _DISTRICT_MARKERS:
                continue
            # One i/y spelling, as the plans' words are indexed ("Nhân Lý" is "nhan_li").
            name = list(canon_words(match.group(2))[:2])
            if name and not _VOWELS.intersection(name[0]):
                continue  # "tỉnh ls": initials, which no one can tell from another place's
            if name and "_".join(name) not in self._places and (
                len(name) == 2 or name[0] not in self._df
            ):
                return True
        capitals = self._capitalises_names(message or query)
        if self._unknown_accented_district(query, capitals):
            return True
        if capitals:
            # The asker writes names with capitals ("… ở Chi Lăng"): a lowercase word after
            # "huyện" ("kế hoạch của huyện xem việc …") is not a place name.
            return False
        for i in range(len(words)):
            # Folded "xa", "tinh", "quan", "phuong" are also ordinary words: only the
            # unambiguous markers count here (accented ones are checked on the raw text above).
            for marker in self._markers:
                if len(marker) == 1 and marker[0] != "huyen":
                    continue
                if districts_only and marker not in (("huyen",), ("thanh", "pho"), ("thi", "xa")):
                    continue
                n = len(marker)
                if tuple(words[i : i + n]) != marker or i + n + 1 >= len(words):
                    continue
                w1, w2 = words[i + n], words[i + n + 1]
                if i and words[i - 1] == _LEVEL_WORD:
                    continue  # "cap huyen moi …": a level, no district named after it
                if w1.isdigit() or w2.isdigit() or f"{w1}_{w2}" in self._df:
                    continue  # "huyện xây dựng …": words the plans write together
                if w2 in ("tinh", "huyen"):
                    # "huyện thuộc tỉnh nào": another level's marker, no name between ("quan",
                    # "xa" also end names: "Văn Quan")
                    continue
                if f"{words[i + n - 1]}_{w1}" in self._df:
                    continue  # "huyện ủy …": the marker is part of a word
                if self._phrase_starts(words, i + n) or self._phrase_starts(words, i + n + 1):
                    continue  # "huyện văn bản …", "huyện lúc nào": words of the question
                if w1 in self._asking_words or w2 in self._asking_words:
                    continue  # "huyện bao nhiu đại biểu": a question word, however typed
                if w1 in self._abbrev_words or w2 in self._abbrev_words:
                    continue
                if f"{w1}_{w2}" not in self._places:
                    return True
        return False

    def _unknown_accented_district(self, query: str, capitals: bool = False) -> bool:
        """Whether a question typed with diacritics names, after "huyện", "tỉnh", "quận"…, two
        words the plans never write together as typed ("huyện văn bàn": the plans write
        "văn bản"), not a place of theirs either."""
        cased = _ACCENTED_RE.findall(nfc(query))
        tokens = [t.lower() for t in cased]
        if not typed_with_marks(query):
            return False  # typed without diacritics: the folded checks decide
        stop = self._syn.stop_accented
        # The asker writes names with capitals ("… ở Chi Lăng", capitals): a lowercase word
        # after "huyện" ("kế hoạch của huyện mong …") is not a place name.
        for i, token in enumerate(tokens[:-2]):
            if token not in _ACCENTED_DISTRICTS:
                continue
            if capitals and cased[i + 1].islower():
                continue
            if tokens[i + 1] in _DISTRICT_BODIES:
                continue  # "Huyện ủy Hớn Quản": the district's party committee, then its name
            if i and "".join(fold_words(tokens[i - 1])) == _LEVEL_WORD:
                continue  # "hội nghị cấp huyện mời …": a level, no district named after it
            pair = (tokens[i + 1], tokens[i + 2])
            if pair[0] in stop or pair[1] in stop or any(t.isdigit() for t in pair):
                continue
            if any("".join(fold_words(t)) in self._asking_words for t in pair):
                continue  # "huyện bao nhiêu đại biểu": a question, not a name
            if "".join(fold_words(pair[0])) in self._abbrev_words:
                continue
            if pair[1] in _ACCENTED_DISTRICTS or not _VOWELS.intersection(
                    "".join(fold_words(pair[0]))):
                continue  # "huyện thuộc tỉnh nào": no name between; "tỉnh ls": initials
            if (spelling_key(pair[0]), spelling_key(pair[1])) not in self._accented_pairs:
                return True
        return False

    @staticmethod
    def _capitalises_names(query: str) -> bool:
        """Whether a question typed with diacritics writes some name with a capital letter
        (not an abbreviation such as UBND, not its first word)."""
        typed = nfc(query)
        if not typed_with_marks(typed):
            return False  # typed without diacritics: names may be lowercase too
        return any(
            not m.group(1).isupper() and len(m.group(1)) > 1 for m in _NAME_RE.finditer(query)
        )

    def _uncovered(self, words: list[str], campaigns: frozenset[str]) -> bool:
        """Whether the question names a year, an anniversary or an edition the plans lack."""
        for i, w in enumerate(words):
            if _YEAR_RE.match(w) and not self._present(f"#y_{w}", campaigns):
                if i >= 1 and words[i - 1] == "nam" and "luat" in words[max(0, i - 8) : i]:
                    continue  # "Luật Thi đua, khen thưởng năm 2022": the law's name
                return True
            if w.isdigit() and i >= 2 and not _YEAR_RE.match(w):
                # "Chỉ thị 20", "Nghị định số 98": a document the plans cite, or not.
                before = words[i - 2 : i] if words[i - 1] != "so" else words[i - 3 : i - 1]
                # "Chỉ thị số 11" asked, "Chỉ thị 11/CT-UBND" written: "số" is optional.
                cited = (f"so_{w}", f"{words[i - 1]}_{w}", *(f"{b}_{w}" for b in before[-1:]))
                after = words[i + 1 : i + 3]
                quantity = bool(after) and (
                    after[0] in _DURATION_UNITS or after[0] in self._lex.count_units
                ) and not (len(after) > 1 and after[1].isdigit())
                # "… chỉ thi 3 tuần": a span or a count, not the number of a document (but
                # "Nghị quyết 45 ngày 3/2/2020" is one, dated).
                if tuple(before) in self._lex.document_kinds and not quantity and not any(
                    self._present(f, campaigns) for f in cited
                ):
                    return True
            nxt = words[i + 1] if i + 1 < len(words) else ""
            if (
                w.isdigit()
                and 10 <= int(w) < 1900
                and nxt == "nam"
                and not self._present(f"{w}_nam", campaigns)
            ):
                return True
            if (
                i >= 1
                and _ROMAN_RE.match(w)
                and words[i - 1] in ("thu", "khoa")
                and not self._present(w, campaigns)
            ):
                return True
        return False

    def _phrase_starts(self, words: list[str], j: int) -> bool:
        """Whether a stopword or a phrase of the synonym table starts at words[j] as typed
        ("văn bản", not "văn" alone: "huyện văn quan" names a place)."""
        if words[j] in self._syn.stopwords:
            return True
        return any(
            tuple(words[j : j + k]) in self._syn.phrases
            for k in range(1, min(self._syn.max_len, len(words) - j) + 1)
        )
