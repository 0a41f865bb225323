"""Rule lookup, shared parts: tuning constants, patterns, the synonym table and the features a
text is indexed by (content/search.py puts them together)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from content.errors import ContentError
from content.query import canon_word, canon_words
from content.schema import Passage
from content.text import fold_words, nfc
from content.yaml_file import read_mapping

SYNONYMS_FILE = Path(__file__).parent / "synonyms.yaml"

# Tuning constants; tests/content/test_lookup_quality.py measures their effect.
MIN_COVERAGE = 0.6  # share of the question's weight a passage must match to be an answer
PREFER_BOOST = 0.3  # added to passages of the campaign the user is browsing
BONUS_SHARE = 0.25  # weight of optional features (phrases, sections) against the core
UNKNOWN_WEIGHT = 1.0  # weight of a word found nowhere, as a share of the highest idf
MARK_WEIGHT = 1.5  # weight of "the answer holds a date/number" when the question asks for one
HEADING_BONUS = 3.0  # a question word found in a passage's heading weighs this much more
HEADING_SHARE = 0.2  # rank added when the question's words are the passage's own heading
PHRASE_SHARE = 0.05  # rank added for the question's word pairs found as pairs in the passage
HEADING_PHRASE_SHARE = 0.15  # …and for those pairs found in the passage's own title heading
TITLE_WORDS = 6  # a heading this short, without commas, is a title ("Chủ đề thi đua")
K1 = 1.2
B = 0.3
CONTEXT_TF = 0.7  # the passage's own heading counts less than the passage itself
LABEL_WORDS = 3  # a heading this short is a label: it counts as much as the passage's words
SEVERAL_BODIES = 3  # a heading addressing this many bodies is about each of them less
NAME_SHARE = 0.1  # campaign names in a question steer it; they rank passages only a little
HEADING_DOC_PENALTY = 0.03
MAX_CORE = 10  # features that decide coverage; a longer question keeps its heaviest
RERANK = 40  # passages re-ranked with the bonus after the coverage stage
ALIAS_SHARE = 0.6  # a campaign alias steers only if its words are mostly this campaign's
TITLE_NAME_DF = 3  # a title's word pair used in this many passages…
TITLE_NAME_SHARE = 0.9  # …nearly all of one campaign, names that campaign
SECTION_CHARS = 1500  # a list answer quotes the whole section up to this length
# Two items of one section ranked this close: the question asks what the section lists.
SIBLING_MARGIN = 0.1
LEAD_IN_WORDS = 10  # a passage this short ending with ":" is a label of the items after it
ANCESTOR_TF = 0.3  # headings further up count less again
SIBLING_TF = 0.3  # the other passages of the same section: the words around a bullet
LONG_QUESTION = 6  # a question with more core features than this carries context words
LONG_COVERAGE = 0.45
# A long passage holds each word less (BM25's length normalisation): one holding every word
# of the question may still score under the floor. The floor it needs is lowered by its own
# saturation of a word said once, down to this share at most.
LONG_PASSAGE_FLOOR = 0.85
LIST_ITEMS = 3  # a list whose first or last item is asked for has this many items at least
WHEN_SHARE = 0.1  # rank added, for a when-question, to a passage holding a day or month
WHICH_SHARE = 0.2  # rank added, for "tỉnh nào" / "cấp nào", to a passage naming one
SEQUENCE_SHARE = 0.3  # rank added, for an order question, to a passage giving an order
# An order the plans give: "theo thứ tự …", "từ cấp cơ sở đến …", "từ huyện tới xã" (not a
# period: "từ ngày …", "từ năm 2020 đến …", "từ tháng 10/2024 đến …").
SEQUENCE_RE = re.compile(
    r"\btheo thứ tự\b|\btrình tự\b"
    r"|\btừ (?!ngày|tháng|năm|quý|khi|nay|\d)[^,.;:()\d]{2,40}? (?:đến|tới) ",
    re.IGNORECASE,
)
# "… vậy ngoài ra còn phải làm gì nữa", "bên cạnh đó", "sau đó còn …": the question asks what
# comes besides or after the plan words the asker quoted in the story.
MORE_WORDS = frozenset({"nua", "khac"})
MORE_PAIRS = frozenset({("ngoai", "ra"), ("ben", "canh"), ("sau", "do"), ("con", "lai")})
# (…words that ask what else, not about what: they tell no passage apart)
MORE_TERMS = MORE_WORDS | {w for p in MORE_PAIRS for w in p} | {"_".join(p) for p in MORE_PAIRS}
QUOTE_PAIRS = 4  # word pairs of the story a passage must say itself to be the one quoted
CONTINUE_SPAN = 8  # passages after the quoted one where what comes next is looked for
CONTINUE_WORD = 1.0  # …and the words asked that count there weigh this much at least
CONTINUE_ASKED = 0.5  # …a passage holding this share of the words asked answers first
# How a question asks for an order: "trước" with "rồi (mới)", "hay", "nào" or "sau"; or
# "thứ tự", "trình tự", "… xong rồi mới …".
SEQUENCE_WITH = frozenset({"roi", "hay", "nao", "sau"})
SEQUENCE_PAIRS = frozenset({("thu", "tu"), ("trinh", "tu"), ("roi", "moi")})
YEAR_QUESTIONS = frozenset({("nam", "nao"), ("nam", "may")})  # …unless it asks for a year
YES_NO_WORDS = 4  # …and so does a yes-no question's passage saying this many of its words in a row
LONG_UNKNOWN_WEIGHT = 0.3  # …and needs a smaller share of them matched
SLOT_SHARE = 0.1  # rank added to a passage writing the words right before the question word
# A question quoting the plan: the passage writing the longest run of its words as they stand
# (VERBATIM_WORDS or more, VERBATIM_MARGIN more than any other candidate) gets this rank.
VERBATIM_WORDS = 6
VERBATIM_MARGIN = 2
VERBATIM_SHARE = 0.3
SLOT_WORDS = 2  # …a run of this many of them at least ("theo đúng [cái] gì")
# Words between a slot and its question word that name no thing ("những cái gì", "như thế nào").
SLOT_FILLERS = frozenset({"cai", "nhung", "cac", "nhu", "the", "la", "mot", "thu"})
# "khi nào", "ngày nào", "cấp nào": a time or a level asked, ranked by their own rules.
SLOT_NOT = frozenset({"khi", "ngay", "luc", "nam", "thang", "gio", "hom", "dot", "lan", "cap",
                      "tinh", "huyen", "xa", "ai"})
STORY_SHARE = 0.1  # the asker's story before the question: ranks a little, never decides
# Place markers of a district or province: one the plans never name, even in the asker's story,
# puts the question outside them (a commune or village of the story does not).
_DISTRICT_MARKERS = ("huyện", "tỉnh", "thành phố", "quận", "thị xã")

# A date, not a document number ("98/2023/NĐ-CP").
_DAY_RE = r"(?<![\d/])\d{1,2}/\d{1,4}(?:/\d{2,4})?(?![\d/])"
_DATE_RE = re.compile(_DAY_RE + r"|tháng \d|quý [IV]|năm 20\d\d", re.IGNORECASE)
_DAY_FULL_RE = re.compile(r"(?<![\d/])\d{1,2}/\d{1,2}/\d{4}(?![\d/])")
_PLACE_RE = re.compile(
    r"(?<!\w)((?i:huyện|xã|tỉnh|thị trấn|thành phố|quận|phường|thị xã))\s+"
    r"((?:[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ]\w*\s*){1,3})",
)
# A capitalised word that does not start the question or a sentence.
_NAME_RE = re.compile(r"(?<=[\w,;)”\"] )([A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ]\w*)")
_CAPITAL_RE = re.compile(r"(?<!\w)[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ]\w*")
_FULL_DATE_RE = re.compile(_DAY_RE + r"|tháng \d|quý [IV]|ngày \d", re.IGNORECASE)
YEAR_ONLY_TF = 0.3
RELATIVE_TIME_TF = 0.5  # "ngay sau khi…", "trước thềm…" answers "when" less than a date
# The year in a law's name ("Luật Thi đua, khen thưởng năm 2022") names the law: it is neither
# a date of the plan nor a year the plan speaks of.
LAW_YEAR_RE = re.compile(
    r"(?<!\w)((?:Bộ luật|Luật|Pháp lệnh|luật|pháp lệnh)\s[^.;:()\d]{0,60}?\snăm\s)"
    r"(?:19|20)\d\d(?!\d)"
)


def without_law_years(text: str) -> str:
    """The text with the years of laws' names left out, for finding dates and years."""
    return LAW_YEAR_RE.sub(lambda m: m.group(1) + "____", text)
_PERCENT_RE = re.compile(r"\d\s*%")
# An edition or term in Roman numerals ("lần thứ XXII", "khóa XV") is a number too.
_ORDINAL_RE = re.compile(r"\b(?:thứ|khóa|khoá|lần)\s+[IVXLC]+\b")
# A period of years ("2025 - 2030", "từ năm 2020 đến năm 2025"): what "giai đoạn nào" asks.
_PERIOD_RE = re.compile(
    r"(?<![\d/])(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d(?![\d/])"
    r"|từ năm (?:19|20)\d\d đến(?: năm)? (?:19|20)\d\d"
    r"|từ (?:ngày|tháng) [^.;]{0,40}?đến",
    re.IGNORECASE,
)
# "lần thứ 5", "khóa XV": what a "lần thứ mấy" question asks for.
_EDITION_RE = re.compile(r"\b(?:thứ|khóa|khoá|lần)\s+(?:[IVXLC]+|\d+)\b")
# When something is done relative to an event ("ngay sau khi…", "trước thềm đại hội"): an
# answer to "khi nào" too.
_RELATIVE_TIME_RE = re.compile(
    r"\b(?:ngay sau khi|ngay khi|trước thềm|sau khi kết thúc|trước khi diễn ra)\b", re.IGNORECASE
)
# A stage of the plan ("… vào thời gian tổng kết", "Kết thúc cuộc thi, …", "khi sơ kết"): it
# answers "khi nào" / "bao giờ" ("#stage"), not a deadline ("hạn cuối nộp hồ sơ").
STAGE_TIME_RE = re.compile(
    r"\bvào (?:thời gian|dịp) (?:sơ kết|tổng kết|kết thúc)\b|\bkhi (?:sơ kết|tổng kết|kết thúc)\b"
    r"|^kết thúc (?:cuộc thi|đợt thi đua|phong trào)[^.;]{0,40},",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"^(19|20)\d\d$")
# A year in a text, and a year that only numbers a document ("98/2023/NĐ-CP", "27-NQ/TW" has
# none): a plan citing a 2023 decree does not cover 2023.
_TEXT_YEAR_RE = re.compile(
    r"(?<!\d)(?<!\d/)((?:19|20)\d\d)(?!\d)(?!/)|(?<=\d/)((?:19|20)\d\d)(?![\d/])"
)
# An answer to "when" holds a date, or a number of days, months… ("trước 15 ngày").
DATE_ANSWER = ("#date", "#n_ngay", "#n_thang", "#n_tuan", "#n_nam", "#n_quy", "#when")
# An answer to "which day" holds a day or month ("25/10/2024", "tháng 4"), or days, weeks.
DAY_ANSWER = ("#day", "#n_ngay", "#n_tuan", "#n_thang")
# An answer to "khi nào", "bao giờ": a date, or a stage of the plan (STAGE_TIME_RE).
STAGE_ANSWER = (*DATE_ANSWER, "#stage")
_ACCENTED_RE = re.compile(r"[^\W_]+")
RARE_SPELLING = 0.1  # a word typed as the plans write it less often than this is another word

# How a Vietnamese syllable may be spelled (a typed word that breaks it is a typo, not another
# word): its tone (one at most), the final after its vowels, and the vowels a final follows.
_TONE_MARKS = frozenset("\u0301\u0300\u0309\u0303\u0323")  # sắc huyền hỏi ngã nặng
_STOP_TONES = frozenset("\u0301\u0323")  # the only tones of a syllable ending p, t, c, ch
_SYLLABLE_RE = re.compile(
    r"(?P<onset>ngh|ng|gh|gi|qu|[bcdđghklmnprstvx]h?|tr|)"
    r"(?P<vowels>[aăâeêioôơuưy]+)(?P<final>ch|ng|nh|[cmnpt]|)"
)
# Vowels the marks were left off: "iê", "yê", "uô", "ươ" written "ie", "ye", "uo", "uơ", "ưo"
# ("điẻm", "truoc"); and an onset the next vowel rules out ("ngiệp": "ngh" before i, e, ê).
_BARE_VOWELS_RE = re.compile(r"[iy]e|uo|uơ(?=.)|ưo")
_FRONT = frozenset("ieêy")


def onset_fits(onset: str, vowels: str) -> bool:
    """Whether Vietnamese spelling lets the onset begin these vowels (marked or folded):
    "ngh", "gh", "k" only before i, e, ê, y; "ng" and "c" never before them ("ngiep" is no
    syllable: "nghiệp")."""
    front = vowels[:1] in _FRONT
    return not ((onset in ("ng", "c") and front) or (onset in ("ngh", "gh", "k") and not front))


def well_spelled(token: str) -> bool:
    """Whether a typed word (lower case, marks as typed) is spelled as a Vietnamese syllable
    may be: a word that is not ("điẻm", "ngiêp", "khôg", "truoc" typed without its marks) is a
    typo whatever its marks, never another word the plans do not write."""
    decomposed = unicodedata.normalize("NFD", token)
    tones = [c for c in decomposed if c in _TONE_MARKS]
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    m = _SYLLABLE_RE.fullmatch(base)
    if m is None or len(tones) > 1:
        return False
    onset, vowels, final = m.group("onset", "vowels", "final")
    if final in ("p", "t", "c", "ch") and not _STOP_TONES.issuperset(tones or ("",)):
        return False
    if _BARE_VOWELS_RE.search(vowels if final else vowels[:-1]):
        return False
    return onset_fits(onset, vowels)
_ROMAN_RE = re.compile(r"^[ivxl]+$")
# Question marks that name the kind of fact asked for; the last one in a question wins.
_KIND_MARKS = ("#date", "#num", "#org")
SENTENCE_MIN_PASSAGE = 220  # a passage this long may be quoted by its one sentence that answers
# …when that sentence holds at least this share of the question's words that another holds
SENTENCE_WORDS_SHARE = 0.5
# Where a sentence of a plan passage ends: ". " or "; " before a capital letter.
_SENTENCE_END_RE = re.compile(
    r"(?<=[.;])\s+(?=[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ“\"(])"
)
_NOTE_NUMBER_RE = re.compile(r"\d+/\d+")
REQUIRED_WEIGHT = 2.0  # weight of a fact kind the question cannot be answered without


@dataclass(frozen=True)
class Hit:
    """One answer: the passage quoted from the plan, where it comes from, and later notes."""

    campaign_id: str
    campaign_title: str
    source: str
    text: str
    score: float
    notes: tuple[tuple[dt.date, str], ...] = ()
    section: str = ""
    ref: int = -1
    heading: str = ""
    # For a question asking for a list ("tiêu chí gì"): every passage of the section, in order.
    section_texts: tuple[str, ...] = ()
    # The one sentence of a long passage that holds the fact asked for (verbatim), if any.
    sentence: str = ""


@dataclass(frozen=True)
class _Group:
    name: str
    section: str | None
    weak: bool  # a question word ("bao nhiêu"): helps ranking, never required
    marks: tuple[str, ...]  # document marks such questions look for ("#date", "#num")
    # The answer must hold the mark ("ngày nào": a date), else the lookup says "not found".
    required: bool = False
    day: bool = False  # …a day, a month or a number of days: not a bare year
    ordinal: bool = False  # "lần thứ mấy": the answer holds an edition or term
    period: bool = False  # "giai đoạn nào": the answer holds a period of years


@dataclass
class _Doc:
    campaign_id: str
    campaign_title: str
    section: str
    passage: Passage
    heading: str = ""
    tf: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    order: int = 0
    is_heading: bool = False  # a sentence-long heading quoted as a passage
    length: int = 0
    top: str = ""  # the heading of the plan part the passage is in ("TỔ CHỨC THỰC HIỆN")
    # Qualifier values (lookup_vocab.yaml `qualifiers`) the passage and its headings name, and
    # those its own heading names ("Đối với cấp xã"), by group.
    quals: dict[int, frozenset[tuple[str, ...]]] = field(default_factory=dict)
    heading_quals: dict[int, frozenset[tuple[str, ...]]] = field(default_factory=dict)
    # A field of the plan document (its signer, number…): answers only questions about it.
    field: str = ""
    # The features of the passage's own words and its item heading (not of the headings
    # above it nor of its neighbours): where phrase evidence is looked for.
    own: frozenset[str] = frozenset()


@dataclass
class _Synonyms:
    phrases: dict[tuple[str, ...], _Group | None]
    max_len: int
    stopwords: frozenset[str]
    # The stopwords as written, with diacritics ("thì", "để"): a word typed with other marks
    # ("thi", "đề") is not one of them.
    stop_accented: frozenset[str] = frozenset()


def spelling_key(token: str) -> str:
    """A word as spelled, whatever the tone mark's place ("ủy" and "uỷ", "hòa" and "hoà"
    alike; "bàn" and "bản" not)."""
    decomposed = unicodedata.normalize("NFD", token)
    marks = "".join(sorted(c for c in decomposed if unicodedata.combining(c)))
    return "".join(fold_words(token)) + marks + ("/" if "đ" in token.lower() else "")


def _norm_token(token: str) -> str:
    return str(int(token)) if token.isdigit() else canon_word(token)


def _words(text: str) -> list[str]:
    return [_norm_token(t) for t in fold_words(text)]


def load_synonyms(path: Path = SYNONYMS_FILE) -> _Synonyms:
    """Read the synonym table (groups, blockers, stopwords) from YAML."""
    data = read_mapping(path)
    phrases: dict[tuple[str, ...], _Group | None] = {}
    for i, raw in enumerate(data.get("groups") or []):
        if not isinstance(raw, dict) or not raw.get("name") or not raw.get("phrases"):
            raise ContentError(path.name, f"groups[{i}]", "needs a name and phrases")
        group = _Group(
            str(raw["name"]),
            raw.get("section"),
            bool(raw.get("weak", False)),
            tuple(str(m) for m in raw.get("marks") or ()),
            raw.get("required") in (True, "day"),
            raw.get("required") == "day",
            raw.get("required") == "ordinal",
            raw.get("required") == "period",
        )
        for phrase in raw["phrases"]:
            key = tuple(_words(str(phrase)))
            if key:
                phrases[key] = group
    stop_words: set[str] = set()
    stop_accented = frozenset(
        nfc(str(p)).lower() for p in data.get("stopwords") or [] if len(str(p).split()) == 1
    )
    for phrase in [*(data.get("blockers") or []), *(data.get("stopwords") or [])]:
        key = tuple(_words(str(phrase)))
        if len(key) == 1 and phrase in (data.get("stopwords") or []):
            stop_words.add(key[0])
        elif key:
            phrases[key] = None
    stop = frozenset(stop_words)
    return _Synonyms(phrases, max((len(k) for k in phrases), default=1), stop, stop_accented)


def _match_phrases(
    words: Sequence[str], syn: _Synonyms
) -> tuple[list[tuple[int, int, _Group]], set[int]]:
    """Find synonym phrases, longest first, left to right; return matches and used positions."""
    found: list[tuple[int, int, _Group]] = []
    used: set[int] = set()
    i = 0
    while i < len(words):
        for n in range(min(syn.max_len, len(words) - i), 0, -1):
            key = tuple(words[i : i + n])
            if key in syn.phrases:
                group = syn.phrases[key]
                if group is not None:
                    found.append((i, i + n, group))
                used.update(range(i, i + n))
                i += n
                break
        else:
            i += 1
    return found, used


def _phrase_feats(key: tuple[str, ...]) -> list[str]:
    """Index features of a phrase: its word pairs, or the word alone."""
    return ["_".join(key[j : j + 2]) for j in range(len(key) - 1)] or list(key[:1])


def _bigrams(words: Sequence[str]) -> list[str]:
    return [f"{a}_{b}" for a, b in itertools.pairwise(words)]


def _all_groups(words: Sequence[str], syn: _Synonyms) -> list[_Group]:
    """Find every group whose phrase occurs, overlaps included, except inside blockers."""
    blocked: set[int] = set()
    for i in range(len(words)):
        for n in range(1, min(syn.max_len, len(words) - i) + 1):
            key = tuple(words[i : i + n])
            if key in syn.phrases and syn.phrases[key] is None:
                blocked.update(range(i, i + n))
    found: list[_Group] = []
    for i in range(len(words)):
        for n in range(1, min(syn.max_len, len(words) - i) + 1):
            group = syn.phrases.get(tuple(words[i : i + n]))
            if group is not None and not blocked.intersection(range(i, i + n)):
                found.append(group)
    return found


def _text_features(text: str, syn: _Synonyms) -> Counter[str]:
    # A passage says "hoàn thành trong" and is found by "hạn" and by "hoàn thành" alike.
    words = _words(text)
    feats: Counter[str] = Counter(words)
    feats.update(_bigrams(words))
    feats.update(f"~{g.name}" for g in _all_groups(words, syn))
    return feats


Qualifiers = dict[int, frozenset[tuple[str, ...]]]
PARALLEL_SHARE = 0.15  # rank added to parallel passages answering a question naming no value
CONFLICT_PENALTY = 1.0  # rank taken from a passage naming only another value than the asked


def qualifier_values(
    texts: Sequence[str], groups: Sequence[Sequence[tuple[str, ...]]]
) -> Qualifiers:
    """The values of each qualifier group (by its index) that the texts name: "Đối với cấp
    huyện" names the level "cấp huyện". Groups no text names are left out."""
    joined = [f" {' '.join(canon_words(t))} " for t in texts if t]
    found: Qualifiers = {}
    for g, values in enumerate(groups):
        named = frozenset(
            v for v in values if any(f" {' '.join(v)} " in text for text in joined)
        )
        if named:
            found[g] = named
    return found


def conflicts(asked: Qualifiers, named: Qualifiers, written: Qualifiers | None = None) -> bool:
    """Whether a passage naming `named` names, for a group the question asks a value of,
    only other values of it. With `written` (the values its plan names anywhere), only a
    value the plan itself writes counts: a plan that never says "Bằng khen" does not tell
    its passages apart by it, and its "Giấy khen" passage answers a question on Bằng khen."""
    return any(
        g in named and not (named[g] & values)
        and (written is None or bool(written.get(g, frozenset()) & values))
        for g, values in asked.items()
    )


@dataclass
class _Query:
    core: dict[str, float]
    bonus: dict[str, float]
    campaigns: frozenset[str]
    only_names: bool
    # Features some passage must hold (one of each group), or the lookup abstains.
    required: tuple[tuple[str, ...], ...] = ()
    out_of_scope: bool = False  # names a place, year or edition no plan covers
    wants_section: bool = False  # asks for a list: quote the whole section
    long: bool = False  # cut from a long message: its words need matching less fully
    field: str | None = None  # asks about the plan document itself (who signed it…)
    yes_no: bool = False  # "có … không": whether a rule says so
    # The question's words in order (campaign names left out): phrase evidence.
    words: tuple[str, ...] = ()
    order: str = ""  # "first" / "last": asks for that item of a list ("mở đầu bằng gì")
    # Asks in what order things are done ("cấp huyện trước rồi mới tới xã", "cấp nào trước",
    # "theo thứ tự nào"): a passage giving an order ("từ cấp cơ sở đến …") answers.
    sequence: bool = False
