"""Rule lookup, reading a question: words as typed, campaigns named, the kind of fact asked for,
and the weighted features a passage must cover."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

from content.query import (
    Vocab,
    normalise_words,
    read_question,
    referred_clause,
    typed_with_marks,
)
from content.schema import Campaign
from content.search_base import (
    _ACCENTED_RE,
    DAY_ANSWER,
    HEADING_BONUS,
    LONG_QUESTION,
    LONG_UNKNOWN_WEIGHT,
    MARK_WEIGHT,
    MAX_CORE,
    NAME_SHARE,
    RARE_SPELLING,
    SEQUENCE_PAIRS,
    SEQUENCE_WITH,
    STAGE_ANSWER,
    STORY_SHARE,
    UNKNOWN_WEIGHT,
    _bigrams,
    _Group,
    _match_phrases,
    _norm_token,
    _Query,
    _Synonyms,
    onset_fits,
    well_spelled,
)
from content.search_scope import Scope
from content.text import fold_token, fold_words, nfc

# The story's clause a question points back to ("… trong các việc đó"): ranks more than
# the rest of the story (STORY_SHARE), still never decides coverage.
REFERRED_SHARE = 0.5
DOCUMENT_FACET = "document"  # lookup_vocab.yaml: "which document" questions
# What an eligibility question keeps deciding the answer besides "who may take part": the
# asker's age ("15 tuổi … được thi không" is answered by the age limit).
# Words asking which aspects ("những mặt nào", "khía cạnh gì"): the passage lists them.
ASPECT_WORDS = (("mat",), ("khia", "canh"), ("phuong", "dien"))
NUMBER_ASKED = frozenset({"may", "nao", "bao", "bn"})  # "số mấy", "số nào", "số bao nhiêu"
ELIGIBILITY_KEEP = frozenset({"~doituong", "~tuoi"})
# A question asking when or how long ("ủ bao lâu thì gieo được": "thì" folds to "thi") or
# how many is no yes-no on who may take part.
ELIGIBILITY_NOT = ("#date", "#num")
# A pair holding a stopword is one word of the plans when it is this share as frequent as its
# rarer half ("tư tưởng" folds to "tu tuong", "từ" and "tượng" alike).
STICKY_PAIR = 0.4
PURPOSE_RESULT = frozenset({"dat", "duoc"})  # "để thi đạt …", "để thi được …"
PEOPLE_BEFORE = frozenset({"nhung", "gom"})  # "những ai", "gồm ai": people, not a body
# "… khích lệ, động viên ai", "biểu dương ai": a bare "ai" after what is done asks whom it is
# done to (people), unless it follows one of these ("là ai", "của ai": who, whose office).
AGENT_BEFORE = frozenset({"la", "cua", "boi", "voi"})
# Connectives of purpose: "nhằm khích lệ …" says what for as "để khích lệ …" does; they rank
# a passage using them, never decide coverage.
CONNECTIVES = frozenset({"nham"})
CRITERIA_GROUP = "tieuchi"  # synonyms.yaml: "tiêu chí", "điều kiện", "tiêu chuẩn"…
PURPOSE_PAIRS = frozenset({("moi", "duoc"), ("de", "duoc")})  # "… mới được khen"
# A question asking for the items of a list: "có những hình thức khen thưởng nào", "gồm mấy
# khâu", "đó là những khâu nào" (folded words).
LIST_ASK_RE = re.compile(r"\bnhung (?:\w+ ){1,3}(?:nao|gi)\b|\bgom may\b|\blam duoc gi\b")
AWARD_WORDS = "khen"  # synonyms.yaml: "khen", "khen thưởng", "biểu dương"…
EARN_EMULATION = ("thi", "dua")  # "để được xét thi đua": being considered for an award
EARN_ASKS = frozenset({"lam", "can"})  # "… cần làm những gì", "cần những gì"
EARN_PAIRS = frozenset({("muon", "duoc"), ("de", "duoc")})  # "muốn được khen", "để được khen"
AWARD_MARK = "#award"  # synonyms.yaml `hinhthuckhen`: the kind of award is asked
AWARD_GROUP = "hinhthuckhen"
RECEIVE = frozenset({"duoc", "nhan"})  # "… được khen …", "… nhận hình thức …"
CONDITION_THEN = RECEIVE | {"se", "thi"}  # "… thì sẽ được nhận …"
PROGRAMME = "~chuongtrinh"  # what a question on a list's first or last item asks about
ELIGIBILITY_PART = "@~doituong"  # a passage under a heading on who takes part ("Đối tượng")


# How askers name themselves at the head of a clause telling of them ("chú là cựu chiến binh",
# "nhà bác ở …", "em là văn thư …"), as typed with marks; typed without marks only the words no
# plan word folds to ("chi" is "chỉ", "con" is "còn", "minh" is "Minh", "bac" is "Bắc").
TOLD_SELF = frozenset({"em", "tôi", "tui", "mình", "cháu", "con", "tớ", "chú", "bác", "cô",
                       "anh", "chị", "ông", "bà", "dì", "cậu"})
TOLD_SELF_FOLDED = frozenset({"em", "toi", "tui", "chau", "anh"})
TOLD_HEAD = 3  # a clause telling of the asker names them within its first words
_CLAUSE_RE = re.compile(r"(?<=[,.;!?:])\s+|\n+")


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
NEAR_MIN = 3  # letters of a mistyped word read by its neighbours
SYLLABLE_PAIR_MIN = 5  # passages writing the pair a syllable-shaped unknown word is read into
# Onsets of a Vietnamese syllable (folded), and the shape of its rhyme: a word made of one onset
# and a rhyme the plans use ("tho", "mua", "dut"; spelled as Vietnamese allows: not "ngiep") is
# a syllable, maybe a word they lack: read as a typo of another only with a letter left out
# (`_in_context`, `_typed_as_word`).
ONSETS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d",
          "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")
_RHYME_RE = re.compile(r"[aeiouy]{1,3}(?:c|ch|m|n|ng|nh|p|t)?")


def _left_out(word: str, near: str) -> bool:
    """Whether `word` is `near` with one letter left out, not its first ("an" is no typo of
    "văn")."""
    return len(near) == len(word) + 1 and near[:1] == word[:1] and any(
        near[:i] + near[i + 1:] == word for i in range(1, len(near)))


def _kept(typed: str, marks: str) -> bool:
    """Whether the marked letters typed are those of `marks`, in order, some left out."""
    rest = iter(marks)
    return all(c in rest for c in typed)


def near_words(word: str) -> set[str]:
    """Words one keystroke away from a folded word: a letter dropped, doubled or changed, two
    neighbouring letters swapped, a letter added."""
    out: set[str] = set()
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        if tail:
            out.add(head + tail[1:])
            if len(tail) > 1:
                out.add(head + tail[1] + tail[0] + tail[2:])
            out.update(head + c + tail[1:] for c in _LETTERS)
        out.update(head + c + tail for c in _LETTERS)
    out.discard(word)
    return out


def _has_phrase(words: list[str], phrase: tuple[str, ...]) -> bool:
    if not phrase:
        return True
    n = len(phrase)
    first = phrase[0]  # (compared first: most words begin no phrase)
    if first not in words:
        return False
    return any(w == first and tuple(words[i : i + n]) == phrase for i, w in enumerate(words))


def _has_phrase_from(words: list[str], phrase: tuple[str, ...]) -> bool:
    """Whether the phrase is typed in the words; an empty one in any word."""
    return _has_phrase(words, phrase) if phrase else bool(words)


def _marks(token: str) -> str:
    """The marked letters of a typed word, in order ("nghiệp" -> "ệ", "đăng" -> "đă")."""
    return "".join(c for c in token if not c.isascii())


class Reading(Scope):
    """Turns a question into weighted features (see _Query)."""

    def __init__(
        self, campaigns: Sequence[Campaign], synonyms: _Synonyms, vocab: Vocab | None = None
    ) -> None:
        super().__init__(campaigns, synonyms, vocab)
        self._correct = lru_cache(maxsize=4096)(self._correct_uncached)
        self._rhymes = frozenset(
            w[len(o):] for w in self._vocab_set for o in ONSETS
            if w.startswith(o) and _RHYME_RE.fullmatch(w[len(o):])
        )

        # Pairs the vocabulary's phrases write ("ngày nào", "bao nhiêu"): a typed question's
        # own pairs, which the plans' text seldom holds.
        self._phrase_pairs = frozenset(
            f"{a}_{b}" for key in self._syn.phrases for a, b in itertools.pairwise(key)
        )

    def _syllable(self, word: str) -> bool:
        """Whether a folded word is shaped as a Vietnamese syllable (an onset, and a rhyme the
        plans use)."""
        return self._onset(word) is not None

    def _typed_as_word(self, word: str, near: str, spelled: dict[str, set[str]]) -> bool:
        """Whether a word the plans do not write is a word of its own rather than `near`
        mistyped. Typed without marks: a syllable with the rhyme of `near` and another onset
        ("ngam", "nam"). Typed with marks: shaped as a syllable, and typed with other marks
        than the plans write `near` with ("ngâm" is not "năm", "gieo" not "giờ"; "nghệp" is
        "nghiệp" with a letter left out, its mark kept). It is then a topic no plan covers
        ("Lúa ngâm ủ bao lâu thì gieo được?")."""
        forms = spelled.get(word)
        if not forms:
            if word in self._alias_spelled:
                return False  # a word of a campaign's name typed plain ("nam xuyen")
            # Typed without marks: a syllable with the rhyme of `near` and another onset is a
            # word of its own ("ngam" is not "nam": "Lua ngam u bao lau thi gieo duoc"), unless
            # a letter of the onset was left out ("pong" is "phong", "tanh" "thanh").
            onset, other = self._onset(word), self._onset(near)
            return onset is not None and other is not None and not other.startswith(onset) and (
                word[len(onset):] == near[len(other):])
        if not self._syllable(word):
            return False
        if forms & self._alias_spelled.get(word, set()):
            return False  # a word of a campaign's name as written ("Mường Khương")
        typed = {_marks(f) for f in forms}
        spellings = self._spellings.get(near, ())
        if _left_out(word, near):
            # A letter left out, the marks typed kept ("thưng" of "thưởng", "biu" of "biểu",
            # "ngời" of "người"): a typo.
            return not any(_kept(t, _marks(f)) for t in typed for f in spellings)
        return not any(_marks(f) in typed for f in spellings)

    def _correct_uncached(self, word: str) -> str | None:
        if word in self._vocab_set or word.isdigit():
            return word
        if len(word) < 4:
            return None
        # Four letters: only a missing or extra letter ("nhiu"); a changed one ("xong" →
        # "cong") too often makes another real syllable.
        cutoff = 80 if len(word) >= 5 else 85
        best = process.extractOne(word, self._vocab, scorer=fuzz.ratio, score_cutoff=cutoff)
        return best[0] if best else None

    def _in_context(self, word: str, before: str | None, after: str | None,
                    spelled: dict[str, set[str]] | None = None) -> str | None:
        """A mistyped word ("ngya", "khne", "tihcs": no syllable) read as the word of the plans
        one keystroke away that makes a pair the plans write with the word before or after it
        ("khen thưởng", "thành tích"), or a phrase of the vocabulary ("ngày nào"); the pair
        the plans write most wins. None when no such word makes a pair."""
        if len(word) < NEAR_MIN or not word.isalpha():
            return None
        # A word shaped as a syllable the plans never write ("thờ gian") is read so only as
        # a letter left out of its rhyme, and when the pair made is one the plans write often
        # or a phrase of the vocabulary ("thời gian"): a syllable one onset letter from a
        # word of the plans is another word ("ngâm" is not "năm").
        # Typed with marks that the word of the plans keeps ("đểm" of "điểm"), one pair
        # written is enough; an onset may lose a letter ("ken" of "khen").
        onset = self._onset(word)
        typed = (spelled or {}).get(word, set())
        least = SYLLABLE_PAIR_MIN if onset is not None else 1
        best, best_n = None, 0
        for near in sorted(near_words(word)):
            if near not in self._vocab_set:
                continue
            if onset is not None and (
                    not _left_out(word, near)
                    or not (self._onset(near) or "").startswith(onset)):
                continue
            kept = any(_kept(_marks(t), _marks(f)) for t in typed if _marks(t)
                       for f in self._spellings.get(near, ()))
            pairs = (f"{before}_{near}" if before else "", f"{near}_{after}" if after else "")
            # (a pair of the vocabulary's phrases, "thời gian", is met in any plan)
            n = max(max(self._df.get(p, 0), least * (p in self._phrase_pairs)) for p in pairs)
            if n < (1 if kept else least):
                continue
            if n > best_n:
                best, best_n = near, n
        return best

    def _left_out_in_context(self, word: str, before: str | None, after: str | None,
                             spelled: dict[str, set[str]]) -> str | None:
        """A word of the plans typed with marks they never write it with and in a pair they
        never write ("nân dân") read as the word with a letter left out, its typed marks kept,
        that makes a pair they write often ("nhân dân"); None when there is none. A word typed
        plain may be meant so ("danh hiệu" is no typo of "doanh")."""
        def pairs(w: str) -> list[str]:
            return [p for p in (f"{before}_{w}" if before else "",
                                f"{w}_{after}" if after else "") if p]

        typed = {t for t in spelled[word] if _marks(t)}  # (a word typed plain may be meant so)
        if not typed or any(p in self._df for p in pairs(word)):
            return None
        best, best_n = None, 0
        for near in sorted(near_words(word)):
            if near not in self._vocab_set or not _left_out(word, near) or not any(
                    _kept(_marks(t), _marks(f)) for t in typed
                    for f in self._spellings.get(near, ())):
                continue
            n = max((self._df.get(p, 0) for p in pairs(near)), default=0)
            if n >= SYLLABLE_PAIR_MIN and n > best_n:
                best, best_n = near, n
        return best

    def _onset(self, word: str) -> str | None:
        """The onset of a folded word shaped as a syllable (None: not shaped as one)."""
        return next((o for o in ONSETS if word.startswith(o) and word[len(o):] in self._rhymes
                     and onset_fits(o, word[len(o):])), None)

    def _told(self, text: str) -> tuple[str, str]:
        """A long message whose clauses tell of the asker ("cho chú hỏi, chú là cựu chiến binh
        ở …, năm nay chú 70 tuổi, hộ gia đình … phải đạt tiêu chí gì"; the question may come
        first: "Hạn … là ngày nào ạ, em là văn thư của xã …, sếp em giao …"): the clauses
        naming the asker (a self or kinship word among their first words) and asking nothing
        are the story, the others the question. ("", text) when no clause tells of the asker
        or the rest is too short to be a question."""
        clauses = [c for c in _CLAUSE_RE.split(text.strip()) if c.strip()]
        if len(clauses) < 2:
            return "", text
        lowered = nfc(text).lower()
        marked = fold_words(text) != _ACCENTED_RE.findall(lowered)
        selves = TOLD_SELF if marked else TOLD_SELF_FOLDED
        told: list[str] = []
        asked: list[str] = []
        for clause in clauses:
            head = _ACCENTED_RE.findall(nfc(clause).lower())[:TOLD_HEAD]
            if not any(w in selves for w in head) or self._asks(clause):
                asked.append(clause)
            else:
                told.append(clause)
        question = " ".join(asked)
        if not told or len(fold_words(question)) < 3:
            return "", text
        return " ".join(told), question

    def _asks(self, clause: str) -> bool:
        """Whether a clause asks something: "?", a question word, a question ending, a
        question phrase ("bao nhiêu", "thế nào")."""
        if clause.rstrip().endswith("?"):
            return True
        lex = self._lex
        words = fold_words(clause)
        if any(w in lex.question_words for w in words) or (
            words and words[-1] in lex.question_endings
        ):
            return True
        pairs = set(itertools.pairwise(words))
        return any(
            (len(p) == 1 and p[0] in words) or (len(p) > 1 and p[:2] in pairs
                                                 and _has_phrase(words, p))
            for p in lex.question_phrases
        )

    def _spelled_otherwise(self, window: str, spelled: dict[str, set[str]]) -> bool:
        """Whether a word of the window was typed with diacritics no alias writes it with
        ("bậc số" is not a misspelling of "Bắc Sơn")."""
        for w in window.split():
            typed = spelled.get(w)
            written = self._alias_spelled.get(w)
            if typed and written and not typed & written:
                return True
        return False

    def _find_aliases(
        self, words: list[str], spelled: dict[str, set[str]] | None = None
    ) -> tuple[set[str], set[int]]:
        campaigns: set[str] = set()
        used: set[int] = set()
        # Which neighbouring words the plans write as a pair (read once for every window).
        written = [p in self._df for p in _bigrams(words)]
        # Longest names first; exact words, else a near spelling of a long name ("khoe").
        for n in sorted(self._alias_by_len, reverse=True):
            exact, fuzzy = self._alias_by_len[n]
            for i in range(len(words) - n + 1):
                if used and not used.isdisjoint(range(i, i + n)):
                    continue
                window = " ".join(words[i : i + n])
                found = exact.get(window)
                # Words the plans write as they are, pair by pair ("trách nhiệm"), are those
                # words, not a misspelt campaign name ("trắc nghiệm").
                if found is None and fuzzy and not (n > 1 and all(written[i : i + n - 1])):
                    best = process.extractOne(window, fuzzy, scorer=fuzz.ratio, score_cutoff=88)
                    if best and spelled and self._spelled_otherwise(window, spelled):
                        best = None
                    found = exact[best[0]] if best else None
                if found:
                    campaigns.update(found)
                    used.update(range(i, i + n))
        return campaigns, used

    def _is_word(self, first: str, second: str, stop: frozenset[str] | None = None) -> bool:
        pair = f"{first}_{second}"
        if pair not in self._df:
            return False
        stop = self._syn.stopwords if stop is None else stop
        if first not in stop and second not in stop:
            return True
        # "bắt đầu" folds to "bat dau" whose "dau" is also "đâu", "dũng cảm" to "dung cam"
        # whose "dung" is also "dùng": keep pairs that stick.
        return self._df[pair] >= STICKY_PAIR * min(self._df.get(first, 0), self._df.get(second, 0))

    def _better_pair_follows(self, rest: list[str], used: set[int], i: int,
                             stop: frozenset[str] | None = None) -> bool:
        """In "huyện tổ chức", "tổ chức" is the word, not "huyện tổ"."""
        if i + 2 >= len(rest) or i + 2 in used or not self._is_word(
            rest[i + 1], rest[i + 2], stop
        ):
            return False
        first = self._df[f"{rest[i]}_{rest[i + 1]}"]
        return self._df[f"{rest[i + 1]}_{rest[i + 2]}"] > first

    def _known(self, word: str) -> bool:
        return word in self._vocab_set or word in self._abbrev_words or word.isdigit()

    def _facets(self, words: list[str],
                spelled: dict[str, set[str]] | None = None) -> set[str]:
        found: set[str] = set()
        starts = self._facet_starts
        for i in range(len(words)):
            if words[i] not in starts:
                continue  # no facet phrase begins with this word
            if i > 0 and f"{words[i - 1]}_{words[i]}" in self._df:
                continue  # "địa điểm thi công" holds "điểm thi" but is not about points
            for n in range(1, min(self._facet_len, len(words) - i) + 1):
                phrase = tuple(words[i : i + n])
                name = self._facet_phrases.get(phrase)
                if name and not self._facet_misread(phrase, words[i + n : i + n + 1], spelled):
                    found.add(name)
        # "Có bao nhiêu tài khoản ở … đã thi …": the shape of the question asks for a result.
        joined = " ".join(words)
        for name, asks in self._lex.facet_asks.items():
            if any(a.search(joined) for a in asks):
                found.add(name)
        return found

    def _typed_spellings(self, query: str) -> dict[str, set[str]]:
        """The spellings the user typed, by folded word, when the question is typed with
        diacritics (empty when it is not: then "thi" may be "thì" and "hop" "họp")."""
        tokens = _ACCENTED_RE.findall(nfc(query).lower())
        folded = ["".join(fold_token(t)) for t in tokens]  # (each word folded once)
        if folded == tokens:
            return {}
        # "Cho mình hỏi ca nhan dan van kheo phai …": marks typed on a few words (a polite
        # wrapper, a word the keyboard fixed) and none on the rest: the words typed plain are
        # read as in a message typed without marks.
        plain_typed = not typed_with_marks(query)
        spelled: dict[str, set[str]] = defaultdict(set)
        for key, token in zip(folded, tokens, strict=True):
            # A word no syllable is spelled so ("điẻm", "ngiêp", "truoc" among marked words)
            # is mistyped: read as folded, as in a message typed without marks.
            if not (plain_typed and key == token) and well_spelled(token):
                spelled[key].add(token)
        return spelled

    def _spelling_share(self, word: str, spelled: dict[str, set[str]]) -> float:
        """How often the plans write this word as the user spelled it (1.0: not known)."""
        forms = spelled.get(word)
        counts = self._spellings.get(word)
        if not forms or not counts:
            return 1.0
        return sum(counts[f] for f in forms) / sum(counts.values())

    def _story(self, story: str, query: str = "") -> tuple[set[str], dict[str, float], bool]:
        """What the asker's story may add: the campaigns it names, light ranking features,
        and whether it names a district or province no plan covers. The clause the question
        points back to ("… trong các việc đó") ranks more (REFERRED_SHARE), never decides."""
        raw = [_norm_token(w) for w in normalise_words(story, self._lex, known=self._known)]
        words = [w for w in (self._correct(w) for w in raw) if w is not None]
        campaigns, _ = self._find_aliases(words)
        bonus: dict[str, float] = {}
        for feat in (*words, *_bigrams(words)):
            if feat in self._idf and feat not in self._syn.stopwords and not feat.isdigit():
                bonus[feat] = STORY_SHARE * self._idf[feat]
        referred = referred_clause(story, query, self._lex) if query else ""
        if referred:
            said = [_norm_token(w)
                    for w in normalise_words(referred, self._lex, known=self._known)]
            kept = [w for w in (self._correct(w) for w in said) if w is not None]
            for feat in (*kept, *_bigrams(kept)):
                if feat in self._idf and feat not in self._syn.stopwords and not feat.isdigit():
                    bonus[feat] = REFERRED_SHARE * self._idf[feat]
        out = self._unknown_place(story, raw, districts_only=True)
        return campaigns, bonus, out

    def _facet_misread(self, phrase: tuple[str, ...], after: list[str],
                       spelled: dict[str, set[str]] | None) -> bool:
        """Whether a facet phrase found in the folded words is another phrase as typed: "để
        thi" typed with its marks is not "đề thi"; typed without marks, "de thi đạt / được"
        is a purpose ("để thi đạt kết quả tốt"), not the quiz's questions."""
        written = self._lex.facet_accented.get(phrase)
        if written is None:
            return False
        if spelled and any(
            spelled.get(w) and a not in spelled[w] for w, a in zip(phrase, written, strict=True)
        ):
            return True
        return phrase[0] == "de" and bool(after) and after[0] in PURPOSE_RESULT

    def _analyse(self, query: str, story: str = "") -> _Query:
        raw = [_norm_token(w) for w in normalise_words(query, self._lex, known=self._known)]
        typed = set(fold_words(query))
        spelled = self._typed_spellings(query)  # (read once: used again below)
        words: list[str] = []
        unknown: list[str] = []
        as_read = list(raw)  # (a word read as another is checked as that one: "tam gia")
        for k, w in enumerate(raw):
            fixed = None
            before, after = raw[k - 1] if k else None, raw[k + 1] if k + 1 < len(raw) else None
            if w not in self._vocab_set and not w.isdigit():
                fixed = self._in_context(w, before, after, spelled)
            elif spelled.get(w) and self._spelling_share(w, spelled) < RARE_SPELLING:
                fixed = self._left_out_in_context(w, before, after, spelled)
            fixed = fixed or self._correct(w)
            if fixed is not None and fixed != w and self._typed_as_word(w, fixed, spelled):
                fixed = None
            if fixed is not None:
                words.append(fixed)
                as_read[k] = fixed
            elif len(w) > 2 or w in typed:
                # What is left of a mistyped word ("moox" -> "mo") is noise, not a topic.
                unknown.append(w)
        campaigns, alias_pos = self._find_aliases(words, spelled)
        story_campaigns: set[str] = set()
        story_bonus: dict[str, float] = {}
        story_out = False
        if story:
            story_campaigns, story_bonus, story_out = self._story(story, query)
        rest = [w for i, w in enumerate(words) if i not in alias_pos]
        found, used = _match_phrases(rest, self._syn)
        # "Kế hoạch Chi Lăng nêu …": the plan named as the text asked about, and what it does.
        mention = self._plan_mention(words, alias_pos)
        # "mẫu số 08", "chỉ số …": a count word that ends a word of the plans names a thing,
        # it does not ask how many.
        for start, end, group in list(found):
            if (
                end - start == 1
                and group.marks
                and (rest[start],) in self._lex.count_words
                and start > 0
                and start - 1 not in used
                # "chỉ số": the plans' pair, though "chỉ" alone is a stopword.
                and self._is_word(rest[start - 1], rest[start], frozenset())
            ):
                found.remove((start, end, group))
                used.discard(start)
        core: dict[str, float] = {}
        bonus: dict[str, float] = {}
        # Names that steered the search still help rank ("Nhân Lý" is in one passage only).
        named = [w for i, w in enumerate(words) if i in alias_pos]
        for feat in (*named, *_bigrams(named)):
            if feat in self._idf:
                bonus[feat] = NAME_SHARE * self._idf[feat]
        # The kind of fact asked for is the last question word's ("… mấy cá nhân …, báo cáo
        # theo mẫu nào?" asks for a document, not a number).
        # "giai đoạn 2021 - 2025", "thời gian 2 ngày": the time is said, not asked; it ranks.
        stated = {start for start, end, g in found
                  if g.marks and end < len(rest) and rest[end].isdigit()}
        asking = [(start, end, g) for start, end, g in found if g.marks and start not in stated]
        required: list[tuple[str, ...]] = []
        # "cần đạt điều kiện gì mới được đề nghị khen": what the criteria lead to ranks; the
        # criteria asked decide.
        purpose = self._purpose(rest, found)
        for start, end, group in found:
            target = (bonus if group.weak or start in mention or start in stated
                      or start >= purpose else core)
            target[f"~{group.name}"] = self._weight(f"~{group.name}")
            # "giấy khen" is a kind of "khen": the exact words rank the passage that uses them.
            for bg in _bigrams(rest[start:end]):
                if bg in self._idf:
                    bonus[bg] = self._idf[bg]
            if group.section and f"§{group.section}" in self._idf:
                bonus[f"§{group.section}"] = self._idf[f"§{group.section}"]
        shape = read_question(query, self._lex)
        if asking:
            start, end, group = asking[-1]
            # "… biểu dương những ai", "gồm ai": the people a passage speaks of, seldom a
            # body of the plans ("Ai chủ trì …" asks for one).
            people = start > 0 and (
                rest[start - 1] in PEOPLE_BEFORE or self._whom(rest, start, end, used))
            # "đổi mới mấy cái gì", "gồm mấy việc nào": a count word with a question word
            # right after its unit asks what the things are, not how many.
            which_things = tuple(rest[start:end]) in self._lex.count_words and any(
                w in self._lex.question_words for w in rest[end : end + 2])
            for mark in group.marks:
                if which_things and mark == "#num":
                    continue
                if not (people and mark == "#org"):
                    core[mark] = MARK_WEIGHT
            if group.ordinal:
                required.append(("#ord",))  # "lần thứ mấy": an edition, not any number
            if group.period:
                required.append(("#period",))  # "giai đoạn nào": a period of years
            if group.required and "#date" in group.marks and not group.period:
                # "Hạn nộp hồ sơ là ngày nào?": a passage without a date does not answer.
                required.append(DAY_ANSWER if group.day else STAGE_ANSWER)
            # "… mấy cá nhân …, báo cáo theo mẫu nào?": a later question word asks the question.
            later = any(w in self._lex.question_words for w in rest[end + 1 :])
            # "Số đại biểu … có được nhiều hơn … không?" asks whether, not how many.
            if tuple(rest[start:end]) in self._lex.count_words and not (later or shape.yes_no):
                unit = rest[end] if end < len(rest) else None
                if unit is not None and unit in self._syn.stopwords and (
                    f"#n_{unit}" not in self._df
                ):
                    unit = None  # "bao nhiêu thì…": no thing counted
                if unit is not None and not unit.isdigit():
                    others = self._lex.count_units.get(unit)
                    if others is None:
                        required.append((f"#n_{unit}",))
                    elif others:
                        required.append(tuple(f"#n_{u}" for u in (unit, *others)))
        for facet in sorted(self._facets(as_read, spelled)):
            required.append((f"#f_{facet}",))
            if facet == DOCUMENT_FACET:
                # "theo văn bản nào", "chỉ thị nào": the kind of document named ranks the
                # passage citing one of that kind ("Thực hiện Văn bản số 1686-CV/HU").
                for kind in self._lex.document_kinds:
                    feat = "_".join(kind)
                    if feat in self._idf and _has_phrase_from(raw, kind):
                        core[feat] = self._idf[feat]
        for kind in self._lex.document_kinds:
            # "văn bản huyện ủy số mấy": the number of a document of that kind, so the passage
            # citing one ("Thực hiện Văn bản số 1686-CV/HU") is the one to rank.
            feat = "_".join(kind)
            n = len(kind)
            if feat in self._idf and feat not in core and "so" in raw and any(
                tuple(raw[i : i + n]) == kind and any(
                    raw[k] == "so" and raw[k + 1] in NUMBER_ASKED
                    for k in range(i + n, min(i + n + 4, len(raw) - 1)))
                for i in range(len(raw))
            ):
                core[feat] = self._idf[feat]
        if any(_has_phrase(raw, p) for p in self._lex.identity_questions):
            # "Ai là người …?": only a passage naming a body of the plans answers it.
            required.append(("#org",))
        # A stopword typed with other marks ("đề" for "để", "thi" for "thì") joins its
        # neighbour into a word of the plans ("chủ đề"); alone it stays too vague to search.
        freed = {
            w for w, forms in spelled.items()
            if w in self._syn.stopwords and not forms & self._syn.stop_accented
        }
        stop = self._syn.stopwords - freed if freed else self._syn.stopwords
        # Segment what is left into two-syllable words where the plans use the pair as one.
        i = 0
        while i < len(rest):
            w = rest[i]
            if i in used:
                i += 1
                continue
            if i in mention:
                for feat in (w, *_bigrams(rest[i : i + 2])) if i + 1 in mention else (w,):
                    if feat in self._idf and feat not in self._syn.stopwords:
                        bonus[feat] = NAME_SHARE * self._idf[feat]
                i += 2 if i + 1 in mention else 1
                continue
            if (
                i + 1 < len(rest)
                and i + 1 not in used
                and self._is_word(w, rest[i + 1], stop)
                and not self._better_pair_follows(rest, used, i, stop)
            ):
                core[f"{w}_{rest[i + 1]}"] = self._idf[f"{w}_{rest[i + 1]}"]
                i += 2
                continue
            if w.isdigit():
                # Numbers in a question are often the asker's own (an age, a count); the
                # number of a document ("chỉ thị 34", "kết luận số 01") names what is asked.
                if w in self._idf and self._cites_number(rest, i):
                    core[w] = self._idf[w]
                elif w in self._idf:
                    bonus[w] = self._idf[w]
            elif w in CONNECTIVES and w in self._idf:
                bonus[w] = self._idf[w]
            elif w not in self._syn.stopwords and (w in self._idf or w not in self._lexicon):
                # A chat word the plans never use ("tiếng" in "họp mấy tiếng") is not a topic.
                share = self._spelling_share(w, spelled)
                if share < RARE_SPELLING:
                    # Typed "họp" where the plans write "hợp": another word, found only
                    # where the plans write it so ("=họp"), else matching no passage.
                    rare = [f"={f}" for f in sorted(spelled.get(w, ())) if f"={f}" in self._idf]
                    if rare:
                        core[rare[0]] = self._weight(w)
                    else:
                        core[f"!{w}"] = self._weight(w)
                else:
                    core[w] = self._weight(w)
            i += 1
        order = next((
            kind for kind, phrases in self._lex.list_order.items() for p in phrases
            if _has_phrase_from(raw, p)
        ), "")
        if order and PROGRAMME in self._idf:
            # "Hội nghị … mở đầu bằng gì": the programme of what is named, its first item.
            core[PROGRAMME] = max(core.get(PROGRAMME, 0.0), self._weight(PROGRAMME))
        sequence = ("truoc" in rest and any(w in SEQUENCE_WITH for w in rest)) or any(
            p in SEQUENCE_PAIRS for p in itertools.pairwise(rest))
        if sequence and "truoc" in core:
            # The plans give an order as "từ … đến …", seldom with "trước".
            bonus["truoc"] = core.pop("truoc")
        eligibility = False
        if ELIGIBILITY_PART in self._idf and not any(k in core for k in ELIGIBILITY_NOT) and any(
            p.search(" ".join(raw)) for p in self._lex.eligibility
        ):
            # "Mình là hội viên hội nông dân thì thi dvk được không": who may take part. The
            # plan's "Đối tượng" part answers, whole; the asker's own words decide only where
            # that part writes them ("hội viên"), else they rank its passages.
            asked_of = campaigns or story_campaigns
            said = frozenset().union(*(
                self._docs[i].own for i, _ in self._postings.get(ELIGIBILITY_PART, ())
                if not asked_of or self._docs[i].campaign_id in asked_of
            ))
            for feat in list(core):
                if feat[0] != "#" and feat not in ELIGIBILITY_KEEP and feat not in said:
                    bonus[feat] = max(bonus.get(feat, 0.0), core.pop(feat))
            core.pop("~doituong", None)
            core[ELIGIBILITY_PART] = self._weight("~doituong")
            unknown = []
            eligibility = True
        # In a long question, a word found nowhere is more likely the asker's own story
        # ("sếp giao em…") than the topic asked about.
        long = len(core) + len(unknown) > LONG_QUESTION or bool(story)
        for w in unknown:
            core[w] = self._max_idf * (LONG_UNKNOWN_WEIGHT if long else UNKNOWN_WEIGHT)
        for bg in _bigrams(rest):
            if bg in self._idf and bg not in core:
                bonus[bg] = self._idf[bg]
        # Words of the campaign's own title name the campaign, not the fact asked about.
        named_campaigns = campaigns or story_campaigns
        title_feats = {f for c in named_campaigns for f in self._docs[self._titles[c]].tf}
        kept = {f: w for f, w in core.items() if f not in title_feats or f[0] == "#"}
        # ("Đợt thi đua … năm 2024 khen thưởng hình thức gì": the kind of award asked of
        # the campaign named is what is left.)
        if any(f[0] != "#" for f in kept) or AWARD_MARK in kept:
            bonus.update({f: NAME_SHARE * w for f, w in core.items() if f in title_feats})
            core = kept
        if self._earning(rest, found) and f"~{CRITERIA_GROUP}" in self._idf:
            # "Tập thể muốn được khen … cần làm những gì": what earns the award, the criteria
            # ("Đối với tập thể: …"); the award wanted only ranks.
            core[f"~{CRITERIA_GROUP}"] = self._weight(f"~{CRITERIA_GROUP}")
            if "~khen" in core:
                bonus["~khen"] = max(bonus.get("~khen", 0.0), core.pop("~khen"))
        if AWARD_MARK in core:
            # "Ai tích cực … thì được khen bằng hình thức gì": the condition before "thì"
            # ranks the passages; the kind of award asked decides.
            condition = self._condition_feats(rest, found)
            for feat in list(core):
                # ("=nhận", "!nhan": a word as typed, the same word)
                word = "".join(fold_token(feat[1:])) if feat[0] in "=!" else feat
                if word in condition and len(core) > 1:
                    bonus[feat] = max(bonus.get(feat, 0.0), core.pop(feat))
        for feat, weight in list(core.items()):
            if feat[0] not in "#§":
                bonus[f"@{feat}"] = HEADING_BONUS * weight
        if not core:
            core = {f: w for f, w in bonus.items() if f[0] in "~§"}
        only_names = bool(campaigns or story_campaigns) and not core and not unknown
        for aspect in ASPECT_WORDS:
            # "tiêu biểu về những mặt nào": the aspects are the answer, not a word of it.
            n = len(aspect)
            feat = "_".join(aspect)
            if feat in core and len(core) > 1 and any(
                    tuple(raw[i : i + n]) == aspect and raw[i + n] in ("nao", "gi")
                    for i in range(len(raw) - n)):
                bonus[feat] = max(bonus.get(feat, 0.0), core.pop(feat) * STORY_SHARE)
        if "sau" in core and ("sau", "do") in set(itertools.pairwise(raw)) and len(core) > 1:
            # "… sau đó được gửi lên đâu": what comes next, not a passage saying "sau khi".
            bonus["sau"] = max(bonus.get("sau", 0.0), core.pop("sau") * STORY_SHARE)
        if len(core) > MAX_CORE:
            # A long question's lightest words rank passages but do not decide coverage.
            light = sorted(core, key=lambda f: core[f])[: len(core) - MAX_CORE]
            for feat in light:
                if feat[0] != "#":
                    bonus[feat] = max(bonus.get(feat, 0.0), core.pop(feat))
        for feat, weight in story_bonus.items():
            bonus.setdefault(feat, weight)
        steer = frozenset(campaigns or story_campaigns)
        out = (
            story_out
            or self._off_topic(query, raw)
            or self._unknown_place(query, raw, message=f"{story} {query}" if story else "")
            or self._uncovered(raw, steer)
            or self._unknown_name(query)
        )
        starts = self._lex.section_question_starts  # (no other word begins one)
        wants_section = eligibility or any(
            tuple(raw[i : i + n]) in self._lex.section_questions
            for i in range(len(raw)) if raw[i] in starts
            for n in range(1, 5)
        ) or bool(LIST_ASK_RE.search(" ".join(raw)))
        field = shape.field
        if field and self._cites_other(words, alias_pos):
            field = None  # "Chỉ thị 05/CT-TU ban hành ngày nào": another document's date
        return _Query(core, bonus, steer, only_names and not out, tuple(required), out,
                      wants_section, bool(story), field, shape.yes_no, tuple(rest), order,
                      sequence)

    @staticmethod
    def _earning(rest: list[str], found: list[tuple[int, int, _Group]]) -> bool:
        """Whether the question asks what to do to earn an award ("tập thể muốn được khen …
        thì cần làm những gì", "HĐND phải làm gì để được xét thi đua"): "muốn / để được"
        before a word of award (or "thi đua", one word between at most: "xét"), "làm … gì" /
        "cần … gì" anywhere, and no criteria word."""
        if any(g.name == CRITERIA_GROUP for _, _, g in found):
            return False
        awards = {start for start, _, g in found if g.name == AWARD_WORDS}
        goal = any(
            (rest[k], rest[k + 1]) in EARN_PAIRS and any(
                j in awards or tuple(rest[j : j + 2]) == EARN_EMULATION
                for j in (k + 2, k + 3))
            for k in range(len(rest) - 2))
        return goal and any(
            w in EARN_ASKS and "gi" in rest[k + 1 : k + 4] for k, w in enumerate(rest))

    @staticmethod
    def _condition_feats(rest: list[str], found: list[tuple[int, int, _Group]]) -> set[str]:
        """The features of who receives the award a question asks ("[ai tích cực trong đợt
        thi đua] thì được khen bằng hình thức gì", "[người đạt] được khen …", "[đạt thành
        tích] thì được nhận …"): the words before "được" / "nhận" (with "thì", "sẽ") right
        before the award asked, but those said again after it."""
        starts = [start for start, end, g in found if g.name == AWARD_GROUP]
        if not starts:
            return set()
        cut = starts[-1]
        while cut > 0 and rest[cut - 1] in CONDITION_THEN:
            cut -= 1
        # "Kết thúc phong trào … có những hình thức khen thưởng nào": the stage the
        # question starts from (a word of time before the award asked) is no topic either.
        stage = {f"~{g.name}" for start, end, g in found
                 if end <= starts[-1] and "#date" in g.marks}
        if not any(w in RECEIVE for w in rest[cut:starts[-1]]):
            return stage
        after = rest[starts[-1]:]
        # (the receiving verbs themselves, "được nhận", are the frame of the question)
        feats = {*stage, *rest[:starts[-1]],
                 *(f"{a}_{b}" for a, b in itertools.pairwise(rest[:starts[-1]])),
                 *(f"~{g.name}" for start, end, g in found if end <= starts[-1])}
        said = {*after, *(f"{a}_{b}" for a, b in itertools.pairwise(after)),
                *(f"~{g.name}" for start, end, g in found if start >= starts[-1])}
        return feats - said

    @staticmethod
    def _purpose(rest: list[str], found: list[tuple[int, int, _Group]]) -> int:
        """Where the goal of a criteria question begins ("… cần đạt điều kiện gì [mới được
        đề nghị khen]", "tiêu chí gì [để được khen]"): after a criteria word asked, the
        position of "mới được" / "để được"; len(rest) when there is none."""
        asked = [end for start, end, g in found if g.name == CRITERIA_GROUP]
        if not asked:
            return len(rest)
        for k in range(min(asked), len(rest) - 1):
            if (rest[k], rest[k + 1]) in PURPOSE_PAIRS:
                return k
        return len(rest)

    def _whom(self, rest: list[str], start: int, end: int, used: set[int]) -> bool:
        """Whether a bare "ai" is the object of the verb before it ("nhằm khích lệ, động viên
        ai", "tuyên truyền tới ai"): the people something is done to, not a body doing it.
        Only at the end of the question (fillers aside), after a word of the question."""
        if end - start != 1 or rest[start] != "ai" or rest[start - 1] in AGENT_BEFORE:
            return False
        return all(w in self._syn.stopwords and k not in used
                   for k, w in enumerate(rest[end:], end))

    def _plan_mention(self, words: list[str], alias_pos: set[int]) -> set[int]:
        """Positions (among the words left once campaign names are taken out) of the plan
        named as the text asked about ("Kế hoạch Chi Lăng nêu …", "theo kế hoạch thì …",
        "mục đích kế hoạch Tuy Phước") and of what it does right after ("… yêu cầu đẩy mạnh
        …", "… đánh giá …"); not of a plan to be drawn up ("xây dựng kế hoạch riêng")."""
        lex = self._lex
        if not lex.plan_words:
            return set()
        stop = self._syn.stopwords
        # Index in words of each word left, and whether a campaign name comes right after it.
        kept = [i for i in range(len(words)) if i not in alias_pos]
        rest = [words[i] for i in kept]
        named_after = [i + 1 in alias_pos for i in kept]
        found: set[int] = set()
        for k in range(len(rest)):
            for plan in lex.plan_words:
                n = len(plan)
                if tuple(rest[k : k + n]) != plan:
                    continue
                j = k + n
                named = named_after[j - 1]
                if j < len(rest) and rest[j] == "cua" and (
                    named_after[j] or (j + 1 < len(rest) and rest[j + 1] == "huyen")
                ):
                    named = True  # "kế hoạch của Chi Lăng", "kế hoạch của huyện"
                    j += 1 if named_after[j] else 2
                elif j < len(rest) and rest[j] in ("nay", "huyen"):
                    named = True
                    j += 1
                speaking = next(
                    (m for m in range(min(3, len(rest) - j), 0, -1)
                     if tuple(rest[j : j + m]) in lex.plan_speaking), 0)
                # "theo kế hoạch thì …", "trong kế hoạch này": after a filler word; at the
                # start ("kế hoạch dvk đăng ở đâu") the plan is the topic unless it speaks.
                after = named or j >= len(rest) or rest[j] in stop
                if not speaking and not (k > 0 and rest[k - 1] in stop and after):
                    continue
                found.update(range(k, j + speaking))
        return found

    def _cites_number(self, words: list[str], i: int) -> bool:
        """Whether the number at i follows a kind of document ("chỉ thị 34", "văn bản số
        1686"): it is that document's number."""
        j = i - 1 if i > 0 and words[i - 1] != "so" else i - 2
        return any(
            j - n + 1 >= 0 and tuple(words[j - n + 1 : j + 1]) in self._lex.document_kinds
            for n in (1, 2)
        )

    def _cites_other(self, words: list[str], alias_pos: set[int]) -> bool:
        """Whether the question cites a document by its number ("Chỉ thị 05", "kế hoạch số
        231") other than the one a campaign is named by ("Chỉ thị 19")."""
        for i, w in enumerate(words):
            if not w.isdigit() or i in alias_pos or i < 2:
                continue
            before = words[i - 2 : i] if words[i - 1] != "so" else words[i - 3 : i - 1]
            if tuple(before) in self._lex.document_kinds:
                return True
        return False
