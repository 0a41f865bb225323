"""Read a question as typed: chat abbreviations, Telex leftovers, polite wrappers, small talk.

Pure functions over folded words (see content.text.fold); the vocabulary is data
(content/lookup_vocab.yaml), nothing here knows about a particular plan.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from content.errors import ContentError
from content.text import fold, fold_token, fold_words, nfc
from content.yaml_file import read_mapping

VOCAB_FILE = Path(__file__).parent / "lookup_vocab.yaml"

_VOWELS = set("aeiouy")
# Vietnamese syllables never end in these letters: a trailing one is a Telex tone key.
_TONE_KEYS = set("sfrxj")
_NUMBER_UNIT_RE = re.compile(r"^(\d+)([a-z]+)$")
# Kinds of small talk, in the order they win when a message mixes them ("ok cảm ơn").
CONVERSATION_KINDS: tuple[str, ...] = ("cancel", "thanks", "help", "menu", "greeting", "ack")
# Fields of the plan document a question may ask about (see lookup_vocab.yaml).
DOCUMENT_FIELDS: tuple[str, ...] = ("signed_by", "date_text", "number", "issuer", "title")


@dataclass(frozen=True)
class Vocab:
    """Chat vocabulary: abbreviations, glued number units, wrappers and small talk."""

    abbreviations: dict[tuple[str, ...], tuple[str, ...]]
    max_len: int
    number_units: dict[str, tuple[str, ...]]
    wrappers: tuple[re.Pattern[str], ...]
    conversation: dict[tuple[str, ...], str]
    filler: frozenset[tuple[str, ...]]
    bodies: tuple[str, ...] = ()
    facets: dict[str, tuple[tuple[tuple[str, ...], ...], re.Pattern[str]]] = field(
        default_factory=dict
    )
    place_markers: tuple[tuple[str, ...], ...] = ()
    count_units: dict[str, tuple[str, ...]] = field(default_factory=dict)
    count_words: frozenset[tuple[str, ...]] = frozenset()
    section_questions: frozenset[tuple[str, ...]] = frozenset()
    off_topic: frozenset[tuple[str, ...]] = frozenset()
    off_topic_accented: tuple[str, ...] = ()  # the same phrases as written, with diacritics
    document_kinds: frozenset[tuple[str, ...]] = frozenset()
    question_words: frozenset[str] = frozenset()
    ask_markers: tuple[tuple[str, ...], ...] = ()
    # The marker words as written, with diacritics, by folded word ("hoi": {"hỏi"}): "cho
    # hội nghị" typed with its marks is not "cho hỏi".
    ask_marker_marks: dict[str, frozenset[str]] = field(default_factory=dict)
    contact_section: tuple[tuple[str, ...], ...] = ()
    contact_offices: tuple[tuple[str, ...], ...] = ()
    # Facets a question asks for by its shape ("bao nhiêu … đã thi"), regexes over its words.
    facet_asks: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    # Facet phrases as written, with diacritics ("đề thi"): "để thi" typed so is not one.
    facet_accented: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    identity_questions: frozenset[tuple[str, ...]] = frozenset()
    # Words comparing the asker's own number ("mời hơn 300 người"), read as the plans' limit
    # word (`limit_words`: "không quá 300 đại biểu"), longest first.
    limit_words: tuple[tuple[str, ...], ...] = ()
    # Questions about the plan document itself (who signed it, …): (field, patterns over the
    # typed folded words), in the order they are tried.
    document_fields: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = ()
    document_other: tuple[re.Pattern[str], ...] = ()
    # Words the asker uses of themselves ("em là…", "tôi đã…"): a clause with one tells a story.
    self_words: frozenset[str] = frozenset()
    question_endings: frozenset[str] = frozenset()
    question_phrases: frozenset[tuple[str, ...]] = frozenset()
    # Qualifiers the plans tell parallel passages apart by (a level: "cấp xã" / "cấp huyện";
    # a group: "tập thể" / "cá nhân"…): each group the folded phrases of its values.
    qualifiers: tuple[tuple[tuple[str, ...], ...], ...] = ()
    # Words asking for a deadline ("hạn cuối", "thời hạn"): the answer must hold a date.
    deadline_words: frozenset[tuple[str, ...]] = frozenset()
    # Another time named relatively ("năm sau", "đợt tới"): outside the plans unless they say it.
    other_times: frozenset[tuple[str, ...]] = frozenset()
    other_times_accented: tuple[str, ...] = ()  # the same as written, with diacritics
    # Words naming the plan itself ("kế hoạch"), and what the plan does in a question about
    # its text ("kế hoạch … yêu cầu / đánh giá / nhắc tới …"): how the question refers to the
    # text, not what it asks about.
    plan_words: frozenset[tuple[str, ...]] = frozenset()
    plan_speaking: frozenset[tuple[str, ...]] = frozenset()
    # Whether the asker may take part ("… thì thi dvk được không", "có được dự thi không"):
    # regular expressions over the folded question words.
    eligibility: tuple[re.Pattern[str], ...] = ()
    # An errand the asker was sent on ("sếp bảo em tìm hiểu xem …"): regexes over the folded
    # words; what follows the match is the question.
    errands: tuple[re.Pattern[str], ...] = ()
    # Bodies an asker calls their own ("ban em"): named in the story, meant by that name.
    own_units: tuple[tuple[str, ...], ...] = ()
    # "… mở đầu bằng gì", "… kết thúc bằng phần nào": the first or last item of a list.
    list_order: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    # The first word of every abbreviation (derived, read once): a word that begins none is
    # never looked up phrase by phrase.
    abbreviation_starts: frozenset[str] = field(init=False, repr=False, compare=False)
    # The same for the questions asking for a whole section.
    section_question_starts: frozenset[str] = field(init=False, repr=False, compare=False)
    off_topic_anywhere: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = frozenset(k[0] for k in self.abbreviations if k)
        object.__setattr__(self, "abbreviation_starts", starts)
        sections = frozenset(k[0] for k in self.section_questions if k)
        object.__setattr__(self, "section_question_starts", sections)
        # Any off-topic phrase as a plain substring: one search rules all of them out.
        anywhere = re.compile("|".join(re.escape(p) for p in self.off_topic_accented))
        object.__setattr__(self, "off_topic_anywhere", anywhere)


_Y_SYLLABLE_RE = re.compile(r"[bcdghklmnprstvx]{1,3}y")


def canon_word(word: str) -> str:
    """One spelling for the syllables Vietnamese writes with i or y alike ("sĩ"/"sỹ",
    "lý"/"lí", "kỳ"/"kì", "qui"/"quy"), on a folded word."""
    if word[-1:] != "y":  # (the pattern ends in y: most words are settled without it)
        return "quy" if word == "qui" else word
    if _Y_SYLLABLE_RE.fullmatch(word):
        return word[:-1] + "i"
    return word


def canon_words(text: object) -> tuple[str, ...]:
    """The words of a text as the lookup reads them (folded, one i/y spelling): a
    vocabulary phrase, a question, a passage or a place name."""
    return tuple(canon_word(w) for w in fold_words(str(text)))


def _typed(text: object) -> tuple[str, ...]:
    """A phrase as typed (folded only): abbreviations and small talk are matched as typed."""
    return tuple(fold_words(str(text)))


def _marked_words(items: object) -> dict[str, frozenset[str]]:
    """The words of phrases as written (lower case, with diacritics), by folded word."""
    out: dict[str, set[str]] = {}
    for item in items if isinstance(items, list) else []:
        for word in nfc(str(item)).lower().split():
            out.setdefault("".join(fold_token(word)), set()).add(word)
    return {k: frozenset(v) for k, v in out.items()}


def _phrases(data: dict[str, object], key: str) -> frozenset[tuple[str, ...]]:
    raw = data.get(key) or []
    items = raw if isinstance(raw, list) else []
    return frozenset(p for p in (canon_words(x) for x in items) if p)


def _qualifiers(path: Path, data: dict[str, object]) -> tuple[tuple[tuple[str, ...], ...], ...]:
    raw = data.get("qualifiers") or {}
    if not isinstance(raw, dict):
        raise ContentError(path.name, "qualifiers", "must map a group to its values")
    groups: list[tuple[tuple[str, ...], ...]] = []
    for name, values in raw.items():
        phrases = tuple(p for p in (canon_words(v) for v in values or []) if p)
        if len(phrases) < 2:
            raise ContentError(path.name, f"qualifiers.{name}", "needs two values or more")
        groups.append(phrases)
    return tuple(groups)


def load_vocab(path: Path = VOCAB_FILE) -> Vocab:
    """Read the chat vocabulary file."""
    data = read_mapping(path)
    abbreviations = {
        _typed(k): _typed(v) for k, v in (data.get("abbreviations") or {}).items() if _typed(k)
    }
    # An abbreviation with "đ" typed in Telex keeps the doubled key ("ddc" = "đc" được,
    # "ddk" = "đk"): the same abbreviation, never a plan's initials ("ddc" đại dịch Covid).
    for k, v in (data.get("abbreviations") or {}).items():
        telex = _typed(nfc(str(k)).lower().replace("đ", "dd"))
        if "đ" in nfc(str(k)).lower() and telex not in abbreviations:
            abbreviations[telex] = _typed(v)
    number_units = {str(k): _typed(v) for k, v in (data.get("number_units") or {}).items()}
    wrappers: list[re.Pattern[str]] = []
    for i, raw in enumerate(data.get("wrappers") or []):
        try:
            wrappers.append(re.compile(rf"(?<!\S)(?:{raw})(?!\S)"))
        except re.error as exc:
            raise ContentError(path.name, f"wrappers[{i}]", f"bad pattern: {exc}") from exc
    conversation: dict[tuple[str, ...], str] = {}
    for kind, phrases in (data.get("conversation") or {}).items():
        if kind not in CONVERSATION_KINDS:
            raise ContentError(path.name, f"conversation.{kind}",
                               f"kind must be one of {', '.join(CONVERSATION_KINDS)}")
        for phrase in phrases or []:
            key = _typed(phrase)
            if key and key not in conversation:
                conversation[key] = str(kind)
    filler = frozenset(_typed(p) for p in data.get("conversation_filler") or [] if _typed(p))
    max_len = max((len(k) for k in (*abbreviations, *conversation)), default=1)
    facets: dict[str, tuple[tuple[tuple[str, ...], ...], re.Pattern[str]]] = {}
    facet_asks: dict[str, tuple[re.Pattern[str], ...]] = {}
    facet_accented: dict[tuple[str, ...], tuple[str, ...]] = {}
    for name, raw in (data.get("facets") or {}).items():
        if not isinstance(raw, dict) or not raw.get("phrases") or not raw.get("requires"):
            raise ContentError(path.name, f"facets.{name}", "needs phrases and requires")
        try:
            pattern = re.compile(str(raw["requires"]))
            asks = tuple(
                re.compile(rf"(?<!\S)(?:{a})(?!\S)") for a in raw.get("asks") or []
            )
        except re.error as exc:
            raise ContentError(path.name, f"facets.{name}", f"bad pattern: {exc}") from exc
        if asks:
            facet_asks[str(name)] = asks
        phrases = tuple(p for p in (canon_words(x) for x in raw["phrases"]) if p)
        facets[str(name)] = (phrases, pattern)
        for x in raw["phrases"]:
            written = tuple(nfc(str(x)).lower().split())
            if canon_words(x) and len(written) == len(canon_words(x)):
                facet_accented[canon_words(x)] = written
    markers = tuple(p for p in (canon_words(x) for x in data.get("place_markers") or []) if p)
    count_units: dict[str, tuple[str, ...]] = {}
    for unit, others in (data.get("count_units") or {}).items():
        key = canon_words(unit)
        if key:
            count_units[key[0]] = tuple(canon_words(o)[0] for o in others or [] if canon_words(o))
    bodies = tuple(str(b) for b in data.get("bodies") or [])
    count_words = frozenset(
        p for p in (canon_words(x) for x in data.get("count_words") or []) if p
    )
    section_questions = frozenset(
        p for p in (canon_words(x) for x in data.get("section_questions") or []) if p
    )
    off_topic_raw = data.get("off_topic") or []
    off_topic = frozenset(p for p in (canon_words(x) for x in data.get("off_topic") or []) if p)
    return Vocab(abbreviations, max_len, number_units, tuple(wrappers), conversation, filler,
                 bodies, facets, markers, count_units, count_words, section_questions,
                 off_topic,
                 off_topic_accented=tuple(nfc(str(x)).lower() for x in off_topic_raw),
                 document_kinds=_phrases(data, "document_kinds"),
                 question_words=frozenset(w for p in _phrases(data, "question_words") for w in p),
                 ask_markers=tuple(sorted({_typed(x) for x in data.get("ask_markers") or []
                                           if _typed(x)}, key=len, reverse=True)),
                 ask_marker_marks=_marked_words(data.get("ask_markers") or []),
                 contact_section=tuple(_typed(x) for x in data.get("contact_section") or []),
                 contact_offices=tuple(_typed(x) for x in data.get("contact_offices") or []),
                 facet_asks=facet_asks,
                 facet_accented=facet_accented,
                 identity_questions=_phrases(data, "identity_questions"),
                 limit_words=tuple(sorted(_phrases(data, "limit_words"), key=len, reverse=True)),
                 document_fields=_document_fields(path, data),
                 document_other=_patterns(path, data, "document_other"),
                 self_words=frozenset(w for p in (_typed(x) for x in data.get("self_words") or [])
                                      for w in p),
                 question_endings=frozenset(
                     w for p in (_typed(x) for x in data.get("question_endings") or [])
                     for w in p),
                 question_phrases=frozenset(
                     p for p in (_typed(x) for x in data.get("question_phrases") or []) if p),
                 qualifiers=_qualifiers(path, data),
                 deadline_words=_phrases(data, "deadline_words"),
                 other_times=_phrases(data, "other_times"),
                 other_times_accented=tuple(
                     nfc(str(x)).lower() for x in _list(data, "other_times")),
                 plan_words=_phrases(data, "plan_words"),
                 plan_speaking=_phrases(data, "plan_speaking"),
                 eligibility=_patterns(path, data, "eligibility"),
                 errands=_patterns(path, data, "errands"),
                 own_units=tuple(sorted({_typed(x) for x in _list(data, "own_units")
                                         if _typed(x)}, key=len, reverse=True)),
                 list_order=_list_order(path, data))


def _list_order(path: Path, data: dict[str, object]) -> dict[str, tuple[tuple[str, ...], ...]]:
    raw = data.get("list_order") or {}
    if not isinstance(raw, dict) or not set(raw) <= {"first", "last"}:
        raise ContentError(path.name, "list_order", "maps first and last to phrases")
    return {
        str(k): tuple(p for p in (canon_words(x) for x in v or []) if p) for k, v in raw.items()
    }


def _list(data: dict[str, object], key: str) -> list[object]:
    raw = data.get(key) or []
    return raw if isinstance(raw, list) else []


def _patterns(path: Path, data: dict[str, object], key: str) -> tuple[re.Pattern[str], ...]:
    raw = data.get(key) or []
    if not isinstance(raw, list):
        raise ContentError(path.name, key, "must be a list of patterns")
    try:
        return tuple(re.compile(rf"(?<!\S)(?:{p})(?!\S)") for p in raw if isinstance(p, str))
    except re.error as exc:
        raise ContentError(path.name, key, f"bad pattern: {exc}") from exc


def _document_fields(
    path: Path, data: dict[str, object]
) -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
    raw = data.get("document_fields") or {}
    if not isinstance(raw, dict):
        raise ContentError(path.name, "document_fields", "must be a mapping")
    out: list[tuple[str, tuple[re.Pattern[str], ...]]] = []
    for name, asks in raw.items():
        if name not in DOCUMENT_FIELDS or not isinstance(asks, list) or not asks:
            raise ContentError(path.name, f"document_fields.{name}",
                               f"one of {', '.join(DOCUMENT_FIELDS)}, with a list of patterns")
        out.append((str(name), _patterns(path, {"asks": asks}, "asks")))
    return tuple(out)


@lru_cache(maxsize=1)
def default_vocab() -> Vocab:
    """The vocabulary shipped with the bot (read once)."""
    return load_vocab()


SWAP_MIN = 4  # letters of an unknown word read as two neighbouring letters swapped


def _unknown_word(word: str, known: Callable[[str], bool]) -> str:
    """A word `known` does not recognise, as meant: its Telex keys removed ("hanj" -> "han")
    when that gives a word; else two neighbouring letters typed swapped ("idnex" -> "index",
    not "idne" with its "x" read as a tone key) when putting them back gives one; else the
    Telex keys removed anyway."""
    telex = fix_telex(word)
    if telex != word and known(telex):
        return telex
    if len(word) >= SWAP_MIN and word.isalpha():
        for i in range(len(word) - 1):
            if word[i] != word[i + 1]:
                swapped = word[:i] + word[i + 1] + word[i] + word[i + 2:]
                if known(swapped):
                    return swapped
    return telex


def fix_telex(word: str) -> str:
    """Undo Telex keys left in a folded word: "hanj" -> "han", "choot" -> "chot", "ddai" -> "dai".

    Only called for words the caller does not know; a word without a vowel is left alone.
    """
    if not _TELEX_SIGN_RE.search(word):
        return word  # no key any step below removes: the word stays as it is
    if not word.isalpha() or not _VOWELS.intersection(word):
        return word
    out = word
    if out.startswith("dd"):
        out = out[1:]
    if "w" in out:
        out = out.replace("w", "")
    for double in ("aa", "ee", "oo"):
        out = out.replace(double, double[0])
    if len(out) >= 3 and out[-1] in _TONE_KEYS and _VOWELS.intersection(out[:-1]):
        out = out[:-1]
    # "tuoir" -> "tuoi"; a tone key typed before the final consonant: "thuonfg" -> "thuong".
    out = _TONE_BEFORE_FINAL_RE.sub("", out)
    return out or word


_TELEX_SIGN_RE = re.compile(r"^dd|[wsfrxj]|aa|ee|oo")
_TONE_BEFORE_FINAL_RE = re.compile(r"(?<=[aeiouy])[sfrxj](?=(?:ng|nh|ch|[cmnpt])$)")


_CODE_PART_RE = re.compile(r"[0-9a-z]+")


def _code_parts(folded: str) -> tuple[list[str], set[int]]:
    """Return the words of folded text and the positions of those that are letters of a
    document's code ("34-CT/TW", "19/CT-TTg"): written as in the plans, never expanded as
    chat abbreviations ("tw" alone is "trung ương", in "CT/TW" it stays "tw")."""
    words: list[str] = []
    literal: set[int] = set()
    previous_end = -2
    for match in _CODE_PART_RE.finditer(folded):
        start = match.start()
        joined = start == previous_end + 1 and folded[start - 1] in "/-"  # one sign between
        if joined and words and (words[-1].isdigit() or len(words) - 1 in literal):
            literal.add(len(words))
        elif joined and words and folded[start - 1] == "/" and not words[-1].isdigit():
            literal.update((len(words) - 1, len(words)))  # "ct/tw" typed apart from its number
        words.append(match.group())
        previous_end = match.end()
    return words, literal


def _expand(words: Sequence[str], vocab: Vocab, literal: set[int] | None = None) -> list[str]:
    out: list[str] = []
    starts = vocab.abbreviation_starts
    i = 0
    while i < len(words):
        if literal and i in literal:
            out.append(words[i])
            i += 1
            continue
        word = words[i]
        # A word that begins no abbreviation is never looked up phrase by phrase.
        n = _abbreviation_at(words, i, vocab, literal) if word in starts else 0
        if n:
            out.extend(vocab.abbreviations[tuple(words[i : i + n])])
            i += n
            continue
        glued = _NUMBER_UNIT_RE.match(word)
        if glued and glued.group(2) in vocab.number_units:
            out.append(glued.group(1))
            out.extend(vocab.number_units[glued.group(2)])
        else:
            out.append(word)
        i += 1
    return out


def _abbreviation_at(words: Sequence[str], i: int, vocab: Vocab,
                     literal: set[int] | None) -> int:
    """The length of the longest abbreviation typed at words[i] (0: none)."""
    for n in range(min(vocab.max_len, len(words) - i), 0, -1):
        if literal and literal.intersection(range(i, i + n)):
            continue
        if tuple(words[i : i + n]) in vocab.abbreviations:
            return n
    return 0


LIMIT_WORD = "qua"  # how the plans write a limit: "không quá 300 đại biểu"


def _limits(words: list[str], limit_words: tuple[tuple[str, ...], ...]) -> list[str]:
    """The asker's comparison before their own number ("hơn 300", "vượt 300") read as the
    plans write a limit ("quá 300"): the number then meets the limit that states it."""
    if not limit_words:
        return words
    # Only where a word begins a phrase can one be typed (an empty phrase would be anywhere).
    starts = {phrase[0] for phrase in limit_words} if all(limit_words) else set(words)
    if starts.isdisjoint(words):
        return list(words)
    out: list[str] = []
    i = 0
    while i < len(words):
        for phrase in limit_words if words[i] in starts else ():
            n = len(phrase)
            if tuple(words[i : i + n]) == phrase and i + n < len(words) and (
                words[i + n].isdigit()
            ):
                out.append(LIMIT_WORD)
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out


# One question is read several times over (its shape, its words, its scope): the last text
# read, with its words, is kept so that the same work is not done again for the same text.
# (One entry each, replaced whole: the next question replaces it.)
_last_meant: tuple[object, str, tuple[str, ...]] = (None, "", ())
_last_unwrapped: tuple[object, str, tuple[str, ...]] = (None, "", ())


def normalise_words(
    text: str, vocab: Vocab | None = None, known: Callable[[str], bool] | None = None
) -> list[str]:
    """Return the folded words of a question as meant: abbreviations expanded, Telex keys
    removed from words `known` does not recognise, polite wrappers and chat padding dropped."""
    global _last_unwrapped
    vocab = vocab or default_vocab()
    words = _meant_words(text, vocab)
    if known is not None:
        words = [w if known(w) else _unknown_word(w, known) for w in words]
    joined = " ".join(words)
    last = _last_unwrapped
    if last[0] is vocab and last[1] == joined:
        return list(last[2])
    unwrapped = joined
    for pattern in vocab.wrappers:
        unwrapped = pattern.sub(" ", unwrapped)
    out = unwrapped.split()
    _last_unwrapped = (vocab, joined, tuple(out))
    return out


def _meant_words(text: str, vocab: Vocab) -> list[str]:
    """The folded words of a text, abbreviations expanded and limits read (normalise_words
    before Telex keys and wrappers)."""
    global _last_meant
    last = _last_meant
    if last[0] is vocab and last[1] == text:
        return list(last[2])
    # "bn % đại biểu": the sign is a word people type ("70%" keeps its number).
    folded, literal = _code_parts(fold(text.replace("%", " phần trăm ")))
    words = _limits(_expand(folded, vocab, literal), vocab.limit_words)
    _last_meant = (vocab, text, tuple(words))
    return words


# Share of a message's words typed with marks for it to be typed with diacritics: "Cho mình
# hỏi ca nhan dan van kheo phai …" is typed without (its wrapper's marks are habit, or the
# keyboard's).
MARKED_SHARE = 1 / 3
_WORD_RE = re.compile(r"[^\W\d_]+")


MARKED_MIN_LONG = 3  # words of four letters or more for the share to decide
_LONG_WORD = 4


def typed_with_marks(text: str) -> bool:
    """Whether a message is typed with diacritics: some word carries marks and, when it has a
    few words of four letters or more (short ones, "thi", "bao", are often right unmarked), a
    third of those carry marks."""
    words = _WORD_RE.findall(nfc(text).lower())
    marked = ["".join(fold_token(w)) != w for w in words]
    long = [m for w, m in zip(words, marked, strict=True) if len(w) >= _LONG_WORD]
    if len(long) < MARKED_MIN_LONG:
        return any(marked)
    return sum(long) >= MARKED_SHARE * len(long)


SHOUTED_SHARE = 0.6  # words typed in capitals, of the message's words, for it to be shouted
SHOUTED_MIN = 3


def plain_case(text: str) -> str:
    """A message typed in capitals ("HẠN NỘP HỒ SƠ LÀ NGÀY NÀO?"), lower-cased: its capitals
    tell nothing of names or codes ("UBND", "Chi Lăng" written so in a normal message do).
    Any other message is returned unchanged."""
    words = [w for w in re.findall(r"[^\W\d_]{2,}", text)]
    shouted = sum(w.isupper() for w in words)
    if shouted >= SHOUTED_MIN and shouted >= SHOUTED_SHARE * len(words):
        return text.lower()
    return text


_LETTERS_RE = re.compile(r"[^\W\d_]+")


def _marked_otherwise(tokens: Sequence[str], owner: Sequence[int], span: range,
                      flat: Sequence[str], vocab: Vocab) -> bool:
    """Whether a word of a marker's span is typed with diacritics other than the marker's
    ("hội" for "hỏi"); a word typed without marks may be the marker."""
    for k in span:
        marks = vocab.ask_marker_marks.get(flat[k])
        letters = _LETTERS_RE.findall(nfc(tokens[owner[k]]).lower())
        if not marks or len(letters) != 1:
            continue
        word = letters[0]
        if "".join(fold_token(word)) != word and word not in marks:
            return True
    return False


STORY_MIN_WORDS = 14  # a message this long may carry the asker's own story
STORY_MIN_PART = 3  # words each side of the marker


def split_story(text: str, vocab: Vocab | None = None) -> tuple[str, str]:
    """Split a long message into the asker's story and the question it ends with.

    "Bác ơi cho cháu hỏi, cháu ở thôn X, cháu học lớp 10, vậy cuộc thi … đến ngày nào ạ?" →
    ("Bác ơi cho cháu hỏi, cháu ở thôn X, cháu học lớp 10,", "cuộc thi … đến ngày nào ạ?").
    The cut is after the last ask marker (lookup_vocab.yaml `ask_markers`) that leaves a few
    words on each side; a short message, or one without a marker, is all question: ("", text).
    """
    vocab = vocab or default_vocab()
    tokens = text.split()
    folded = [fold_token(t) for t in tokens]
    flat: list[str] = []
    owner: list[int] = []  # token index of each folded word
    for i, words in enumerate(folded):
        flat.extend(words)
        owner.extend([i] * len(words))
    if len(flat) < STORY_MIN_WORDS or not vocab.ask_markers:
        return "", text
    markers = vocab.ask_markers
    # A marker can only begin at its first word (an empty one would begin anywhere).
    firsts = {m[0] for m in markers} if all(markers) else None
    for start in range(len(flat) - STORY_MIN_PART - 1, STORY_MIN_PART - 1, -1):
        if firsts is not None and flat[start] not in firsts:
            continue
        for marker in markers:
            end = start + len(marker)
            if tuple(flat[start:end]) != marker or len(flat) - end < STORY_MIN_PART:
                continue
            if end < len(flat) and owner[end] == owner[end - 1]:
                continue  # the marker ends inside a token
            if marker == ("vay",) and start > 0 and flat[start - 1] == "nhu":
                continue  # "sáng kiến như vậy có được …": pointing back, not "vậy, …"
            if start > 0 and owner[start] == owner[start - 1]:
                continue
            if any(tokens[owner[k]][:1].isupper() for k in range(start + 1, end)
                   if owner[k] != owner[start]):
                continue  # "… cho Hội nghị …": a capitalised name, not "cho hỏi"
            if _marked_otherwise(tokens, owner, range(start, end), flat, vocab):
                continue  # "… thay cho hội nghị …": typed with other marks, not "cho hỏi"
            cut = owner[end - 1] + 1
            return _own_unit(*_errand_to_story(*_purpose_to_story(
                " ".join(tokens[: owner[start]]), tokens[cut:], vocab), vocab), vocab)
    story, question = _split_clauses(tokens, flat, owner, vocab)
    return _own_unit(*_errand_to_story(*_purpose_to_story(story, question.split(), vocab),
                                       vocab), vocab)


UNIT_NAME_WORDS = 8  # words of a body's name after its kind ("Ban" Dân vận Huyện ủy …)


def _own_unit(story: str, question: str, vocab: Vocab) -> tuple[str, str]:
    """The asker's own body in the question ("… thì ban em phải làm gì"), named by the story
    ("em là cán bộ Ban Dân vận Huyện ủy Bắc Sơn, …"): the question says the name instead.
    Only a name the story writes with a capital ("Ban …", "Phòng …"), up to the clause's end."""
    if not story or not vocab.own_units:
        return story, question
    q_tokens = question.split()
    q_words = [fold_token(t) for t in q_tokens]
    s_tokens = story.split()
    s_words = [fold_token(t) for t in s_tokens]
    for unit in vocab.own_units:
        n = len(unit)
        for i in range(len(q_tokens) - n):
            if tuple(w for ws in q_words[i : i + n] for w in ws) != unit:
                continue
            if not _is_self(q_tokens[i + n], vocab):
                continue
            name = _unit_named(s_tokens, s_words, unit)
            if name:
                said = [*q_tokens[:i], name, *q_tokens[i + n + 1 :]]
                tail = q_tokens[i + n][len(q_tokens[i + n].rstrip(".,;:!?")):]
                if tail:
                    said[i] = f"{name}{tail}"
                return story, " ".join(said)
    return story, question


def _unit_named(tokens: list[str], words: list[tuple[str, ...]], unit: tuple[str, ...]) -> str:
    """The name of a body of this kind written in the story with a capital ("Ban Dân vận
    Huyện ủy Bắc Sơn"), up to UNIT_NAME_WORDS words after its kind or the clause's end."""
    n = len(unit)
    for i in range(len(tokens) - n):
        if tuple(w for ws in words[i : i + n] for w in ws) != unit or not tokens[i][:1].isupper():
            continue
        # The name goes on while its words begin with a capital, with the lower-case
        # syllable after a word's first ("Dân vận", "Văn hóa", "Huyện ủy") and a lower-case
        # word or dash between two capitals ("HĐND và UBND", "Văn hóa - Thông tin"); a
        # comma ends it unless a capital follows ("Văn hóa, Thể thao").
        end = i + n
        while end < min(len(tokens), i + n + UNIT_NAME_WORDS):
            t = tokens[end]
            following = tokens[end + 1][:1] if end + 1 < len(tokens) else ""
            before = tokens[end - 1]
            # (the word before is a first syllable: right after the kind, or after a word
            # in lower case)
            first_syllable = before[:1].isupper() and (
                end - 2 < i + n or not tokens[end - 2][:1].isupper())
            if not (t[:1].isupper() or following.isupper()
                    or (first_syllable and not before.endswith(_CLAUSE_END))):
                break
            end += 1
            if t.endswith(_CLAUSE_END) and not following.isupper():
                break
        if end > i + n:
            return " ".join(tokens[i:end]).rstrip(".,;:!?")
    return ""


def _errand_to_story(story: str, question: str, vocab: Vocab) -> tuple[str, str]:
    """Move the errand the asker was sent on ("lãnh đạo bảo em rà lại kế hoạch của huyện
    xem …", lookup_vocab.yaml `errands`) to the story: what they were sent to find out is
    the question. Not when a question word comes before it ("ai kiểm tra xem …"), nor when
    too little follows it."""
    if not vocab.errands:
        return story, question
    tokens = question.split()
    flat: list[str] = []
    owner: list[int] = []
    for i, t in enumerate(tokens):
        words = fold_token(t)
        flat.extend(words)
        owner.extend([i] * len(words))
    joined = " ".join(flat)
    for pattern in vocab.errands:
        match = pattern.search(joined)
        if match is None:
            continue
        before = joined[: match.start()].split()
        end = len(joined[: match.end()].split())  # words up to the errand's last
        if any(w in vocab.question_words for w in before) or len(flat) - end < STORY_MIN_PART:
            continue
        if tokens[owner[end - 1]][-1:] in _CLAUSE_END or owner[end] == owner[end - 1]:
            continue  # ("xem," closes a clause; a word glued to the next is not "xem")
        cut = owner[end - 1] + 1
        moved = " ".join(tokens[:cut])
        return (f"{story} {moved}" if story else moved), " ".join(tokens[cut:])
    return story, question


# "… trong các việc đó", "… phong trào đó", "… những người như vậy": the question points back
# to what the story told. ("đó" after these words points elsewhere: "trong đó" is a part of a
# list, "sau đó" / "bên cạnh đó" what comes next.)
_BACK_WORDS = frozenset({"đó", "nó"})
_NOT_BACK = frozenset({"trong", "sau", "canh", "ngoai", "khi", "luc", "tu", "do", "den", "toi"})
_BACK_PAIRS = (("nhu", "vay"), ("nhu", "the"))
REFERRED_MIN = 4  # words of the story's clause for it to be what the question points to
_TOLD_SELF = frozenset({"la", "o", "lam", "dang", "moi", "nam"})  # "em là / ở / làm …"
_TOLD_SELF_WORDS = frozenset((w,) for w in _TOLD_SELF)


def _points_back(tokens: list[str]) -> bool:
    """Whether a question points back to its story with "đó", "nó", "như vậy" or "như thế"
    (not "như thế nào")."""
    lowered = [nfc(t).lower().strip(".,;:!?\"'()") for t in tokens]
    folded = [w for t in tokens for w in fold_token(t)]
    for i, word in enumerate(lowered):
        if word in _BACK_WORDS and i > 0 and fold(lowered[i - 1]) not in _NOT_BACK:
            return True
    for i, pair in enumerate(itertools.pairwise(folded)):
        if pair in _BACK_PAIRS and folded[i + 2 : i + 3] != ["nao"]:
            return True
    return False


def referred_clause(story: str, question: str, vocab: Vocab | None = None) -> str:
    """What a question points back to in its story ("nghe nói tiêu chí có nói về tiếp xúc cử
    tri, vậy xã phải phối hợp với ai trong các việc đó"): the story's last clause telling
    something; never the clause naming the asker ("tôi là cán bộ xã"), a greeting or an ask
    marker's leftover. "" when the question points nowhere."""
    vocab = vocab or default_vocab()
    if not story or not _points_back(question.split()):
        return ""
    clauses = [c for c in re.split(r"(?<=[,;.:!?])\s+", story.strip()) if c.strip()]
    for k in range(len(clauses) - 1, -1, -1):
        tokens = clauses[k].split()
        words = [w for t in tokens for w in fold_token(t)]
        if len(words) < REFERRED_MIN:
            continue
        head = tokens[:4]
        if any(_is_self(t, vocab) and i + 1 < len(tokens)
               and fold_token(tokens[i + 1])[:1] in _TOLD_SELF_WORDS
               for i, t in enumerate(head)):
            return ""  # the asker's own clause: nothing told to point to
        return clauses[k]
    return ""


PURPOSE_MIN_QUESTION = 10  # words of the question before the asker's purpose ("để trường em…")
# After "để … em": a goal the plan may set ("để em được khen", "để xã em đạt chuẩn"), not the
# asker's own purpose.
_GOAL_WORDS = frozenset({"duoc", "dc", "dat", "khen"})
_YES_NO_ENDS = frozenset({"khong", "ko", "k", "hok", "chua"})


def _purpose_to_story(story: str, tokens: list[str], vocab: Vocab) -> tuple[str, str]:
    """Move the asker's own purpose after a long question ("… yêu cầu gì về chất lượng giáo
    dục để trường em đăng ký phần việc cho phù hợp ạ?") to the story: "để", a self word within
    the next three words, and no question word nor goal word after it."""
    folded = [fold_token(t) for t in tokens]
    for k in range(len(tokens) - 1, 0, -1):
        if tuple(folded[k]) != ("de",):
            continue
        head = [w for ws in folded[:k] for w in ws]
        tail = [w for ws in folded[k + 1 :] for w in ws]
        if (
            len(head) >= PURPOSE_MIN_QUESTION
            and any(w in vocab.question_words for w in head)
            # ("con" folds "còn" too: "để còn chuẩn bị" says no one.)
            and any(w in vocab.self_words and w != "con" for w in tail[:3])
            and not any(w in vocab.question_words or w in _GOAL_WORDS for w in tail)
            and not any(_has(tail, p) for p in vocab.question_phrases)
            and not any(w in _YES_NO_ENDS for w in tail[-4:])
        ):
            moved = " ".join(tokens[k:])
            return (f"{story} {moved}" if story else moved), " ".join(tokens[:k])
        break
    return story, " ".join(tokens)


_CLAUSE_END = (",", ";", ".", ":", "!")


def _split_clauses(
    tokens: list[str], flat: list[str], owner: list[int], vocab: Vocab
) -> tuple[str, str]:
    """Without an ask marker, the question is the clause holding the last question word
    ("…, em là thư ký của xã, … phải bảo đảm những yêu cầu gì …, anh chị chỉ giúp em với ạ?"):
    the clauses before it are the story when the asker speaks of themselves there ("em là…"),
    a short one after it is padding."""
    asking = [i for i, w in enumerate(flat) if w in vocab.question_words]
    if not asking:
        return "", " ".join(tokens)
    last = owner[asking[-1]]
    start = 0
    for t in range(last - 1, -1, -1):
        if tokens[t].endswith(_CLAUSE_END):
            start = t + 1
            break
    start = _subject_clauses(tokens, start, vocab)
    end = len(tokens)
    for t in range(last, len(tokens) - 1):
        if tokens[t].endswith(_CLAUSE_END):
            end = t + 1
            break
    if len(tokens) - end > 10 or _asks_again(tokens[end:], vocab):
        end = len(tokens)  # a long clause after it, or a second question, is part of it
    words_before = sum(len(fold_token(t)) for t in tokens[:start])
    words_in = sum(len(fold_token(t)) for t in tokens[start:end])
    told = any(w in vocab.self_words for t in tokens[:start] for w in fold_token(t))
    if words_before < STORY_MIN_PART or words_in < STORY_MIN_PART or not told:
        return "", " ".join(tokens)
    return " ".join(tokens[:start]), " ".join(tokens[start:end])


_SENTENCE_END = (".", "!", "?", ";", ":")


# Chat particles closing a clause ("… không ạ", "… chưa nhỉ"): what asks is the word before.
_PARTICLES = frozenset({"a", "nhe", "nha", "nhi", "vay", "voi", "ha", "di", "the", "ad", "admin"})


FRAGMENT_WORDS = 9  # a clause asking in fewer words than this leaves its subject before it


def _subject_clauses(tokens: list[str], start: int, vocab: Vocab) -> int:
    """Where a short question clause begins once the clauses before it, in its sentence,
    that do not speak of the asker are added: "Theo kế hoạch …, những phong trào còn hình
    thức, chưa thiết thực phải xử lý thế nào" asks of the phong trào named first. A clause
    with a self word ("cháu thấy …"), a sentence's end, or a question long enough to name
    its own subject stops it."""
    while start > 0 and not tokens[start - 1].endswith(_SENTENCE_END):
        said = [w for t in tokens[start:] for w in fold_token(t) if w not in _PARTICLES]
        if len(said) >= FRAGMENT_WORDS:
            break
        begin = 0
        for t in range(start - 2, -1, -1):
            if tokens[t].endswith(_CLAUSE_END):
                begin = t + 1
                break
        if begin == 0 or any(_is_self(t, vocab) for t in tokens[begin:start]):
            break  # (the message's first clause is its greeting or the asker's own)
        start = begin
    return start


def _is_self(token: str, vocab: Vocab) -> bool:
    """Whether a typed word is one the asker uses of themselves ("còn" is not "con")."""
    words = fold_token(token)
    if len(words) != 1 or words[0] not in vocab.self_words:
        return False
    return words[0] != "con" or nfc(token).lower().strip(".,;:!?\"'()") == "con"


def _asks_again(tail: list[str], vocab: Vocab) -> bool:
    """Whether the clauses after the one asking ask a second question ("…, có ưu tiên nữ
    không ạ?", "… và số đại biểu có bị giới hạn không"), not padding ("anh chị chỉ giúp em
    với ạ?"): a question word or phrase, or a yes-no ending before the particles."""
    words = [w for t in tail for w in fold_token(t)]
    return len(words) >= STORY_MIN_PART and _asking(words, vocab)


# Words joining two questions in one message ("… bao nhiêu người và phải theo dõi bao lâu",
# "… không, hay xã được tự chọn …"), besides a comma.
_JOINING = frozenset({"va", "hay", "con", "roi"})
SUB_MIN_WORDS = 4  # words of the second question (the first needs STORY_MIN_PART)


def sub_questions(question: str, vocab: Vocab | None = None) -> list[str]:
    """Split a question asking two things ("… cần vận động thêm bao nhiêu người và phải theo
    dõi họ trong bao lâu?", "… có nhắc đến phong trào đó không và tên đầy đủ của nó là gì?")
    into its two questions, at the last "và" / "hay" / "còn" / comma with a question on each
    side; [] when it asks one thing."""
    vocab = vocab or default_vocab()
    tokens = question.split()
    folded = [fold_token(t) for t in tokens]
    for i in range(len(tokens) - 1, 0, -1):
        # (each side as meant: "số lg ntn" asks "như thế nào", "… lm j" asks "gì")
        left = _expand([w for ws in folded[:i] for w in ws], vocab)
        right = _expand([w for ws in folded[i:] for w in ws], vocab)
        if len(left) < STORY_MIN_PART or len(right) < SUB_MIN_WORDS:
            continue
        if right[0] not in _JOINING and not tokens[i - 1].endswith(","):
            continue
        if _asking(left, vocab) and _asking(right, vocab):
            second = tokens[i + 1 :] if right[0] in _JOINING and len(folded[i]) == 1 else (
                tokens[i:])
            return [" ".join(tokens[:i]).rstrip(","), " ".join(second)]
    return []


def _asking(words: list[str], vocab: Vocab) -> bool:
    """Whether words ask something: a question word or phrase, or a yes-no ending ("có …
    không") before the chat particles."""
    if any(w in vocab.question_words for w in words) or any(
        _has(words, p) for p in vocab.question_phrases
    ):
        return True
    end = len(words)
    while end and words[end - 1] in _PARTICLES:
        end -= 1
    return bool(end) and words[end - 1] in vocab.question_endings and "co" in words[:end]


@dataclass(frozen=True)
class QuestionShape:
    """How a message asks, read once for the whole bot (the dispatcher and the lookup)."""

    asks: bool  # reads as a question, not as an answer such as a name
    yes_no: bool  # "có … không", "… được không", "có phải …": whether a rule says so
    field: str | None  # asks about the plan document itself (who signed it, its number…)


def _has(words: Sequence[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(words[i : i + n]) == phrase for i in range(len(words) - n + 1))


def _never(word: str) -> bool:
    return False


def read_question(text: str, vocab: Vocab | None = None) -> QuestionShape:
    """Read how a message asks: whether it is a question at all ("… hết hạn ngày nào",
    "… bao nhiêu?", "cho hỏi …"), a yes-no question, or a question about the plan document.

    The one question detector: the dispatcher uses it to let a rule question through a
    screen waiting for a choice, the lookup to read the question."""
    vocab = vocab or default_vocab()
    # Telex keys left in a word ("kế hoachj", "ngayf naof") are undone here for every word: a
    # folded Vietnamese word never ends in a tone key nor holds "dd", "w" or a doubled vowel.
    typed = [fix_telex(w) for w in _expand(fold_words(text.replace("%", " phần trăm ")), vocab)]
    joined = " ".join(typed)
    words = normalise_words(text, vocab, known=_never)
    asks = "?" in text or (len(words) >= 3 and (
        any(w in vocab.question_words for w in words)
        or (words[-1] in vocab.question_endings and len(words) >= 4)
        or any(_has(words, p) for p in vocab.question_phrases)
        or any(_has(words, m) for m in vocab.ask_markers)
    ))
    # "… có được khen không ạ": the yes-no word may come before the chat particles.
    tail = typed[-4:]
    yes_no = (
        any(w in ("khong", "chua") for w in tail) and len(typed) >= 3
    ) or _has(typed, ("co", "phai"))
    field = None
    other = any(p.search(joined) for p in vocab.document_other)
    for name, patterns in vocab.document_fields:
        if not other and any(p.search(joined) for p in patterns):
            field = name
            break
    return QuestionShape(asks or yes_no or field is not None, yes_no, field)


def looks_like_question(text: str, vocab: Vocab | None = None) -> bool:
    """Tell whether a message reads as a question rather than an answer such as a name (see
    read_question): a screen waiting for a choice sends a question on to the rule lookup, and
    anything else back to its own choices."""
    return read_question(text, vocab).asks


def conversation_kind(text: str, vocab: Vocab | None = None) -> str | None:
    """Tell whether a message is small talk rather than a question.

    Returns "greeting", "thanks", "menu", "help", "cancel" (stop what is being filled in) or
    "ack" when the whole message is made of such phrases (and filler words like "nhé",
    "bạn"); None for anything else.
    """
    vocab = vocab or default_vocab()
    words = fold_words(text)
    if not words or len(words) > 8:
        return None
    found: set[str] = set()
    i = 0
    while i < len(words):
        for n in range(min(vocab.max_len, len(words) - i), 0, -1):
            key = tuple(words[i : i + n])
            if key in vocab.conversation:
                found.add(vocab.conversation[key])
                i += n
                break
            if key in vocab.filler:
                i += n
                break
        else:
            return None
    return next((kind for kind in CONVERSATION_KINDS if kind in found), None)
