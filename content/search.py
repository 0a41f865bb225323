"""Rule lookup: find the plan passage that answers a question, or abstain when none does."""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from content.errors import ContentError
from content.passages import iter_quoted
from content.query import VOCAB_FILE, Vocab, load_vocab, normalise_words, split_story
from content.schema import Campaign, Passage
from content.text import fold_words, nfc

SYNONYMS_FILE = Path(__file__).parent / "synonyms.yaml"

# Tuning constants; tests/content/test_lookup_quality.py measures their effect.
MIN_COVERAGE = 0.6  # share of the question's weight a passage must match to be an answer
PREFER_BOOST = 0.3  # added to passages of the campaign the user is browsing
BONUS_SHARE = 0.25  # weight of optional features (phrases, sections) against the core
UNKNOWN_WEIGHT = 1.0  # weight of a word found nowhere, as a share of the highest idf
MARK_WEIGHT = 1.5  # weight of "the answer holds a date/number" when the question asks for one
HEADING_BONUS = 3.0  # a question word found in a passage's heading weighs this much more
HEADING_SHARE = 0.2  # rank added when the question's words are the passage's own heading
K1 = 1.2
B = 0.3
CONTEXT_TF = 0.7  # the passage's own heading counts less than the passage itself
NAME_SHARE = 0.1  # campaign names in a question steer it; they rank passages only a little
HEADING_DOC_PENALTY = 0.03
MAX_CORE = 10  # features that decide coverage; a longer question keeps its heaviest
RERANK = 40  # passages re-ranked with the bonus after the coverage stage
ALIAS_SHARE = 0.6  # a campaign alias steers only if its words are mostly this campaign's
TITLE_NAME_DF = 3  # a title's word pair used in this many passages…
TITLE_NAME_SHARE = 0.9  # …nearly all of one campaign, names that campaign
SECTION_CHARS = 1500  # a list answer quotes the whole section up to this length
ANCESTOR_TF = 0.3  # headings further up count less again
SIBLING_TF = 0.3  # the other passages of the same section: the words around a bullet
LONG_QUESTION = 6  # a question with more core features than this carries context words
LONG_COVERAGE = 0.45
LONG_UNKNOWN_WEIGHT = 0.3  # …and needs a smaller share of them matched
STORY_SHARE = 0.1  # the asker's story before the question: ranks a little, never decides
# Place markers of a district or province: one the plans never name, even in the asker's story,
# puts the question outside them (a commune or village of the story does not).
_DISTRICT_MARKERS = ("huyện", "tỉnh", "thành phố", "quận", "thị xã")

# A date, not a document number ("98/2023/NĐ-CP").
_DAY_RE = r"(?<![\d/])\d{1,2}/\d{1,4}(?:/\d{2,4})?(?![\d/])"
_DATE_RE = re.compile(_DAY_RE + r"|tháng \d|quý [IV]|năm 20\d\d", re.IGNORECASE)
_PLACE_RE = re.compile(
    r"(?<!\w)((?i:huyện|xã|tỉnh|thị trấn|thành phố|quận|phường|thị xã))\s+"
    r"((?:[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ]\w*\s*){1,3})",
)
# A capitalised word that does not start the question or a sentence.
_NAME_RE = re.compile(r"(?<=[\w,;)”\"] )([A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ]\w*)")
_CAPITAL_RE = re.compile(r"(?<!\w)[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ]\w*")
_FULL_DATE_RE = re.compile(_DAY_RE + r"|tháng \d|quý [IV]|ngày \d", re.IGNORECASE)
YEAR_ONLY_TF = 0.3
_PERCENT_RE = re.compile(r"\d\s*%")
_YEAR_RE = re.compile(r"^(19|20)\d\d$")
_ACCENTED_RE = re.compile(r"[^\W_]+")
RARE_SPELLING = 0.1  # a word typed as the plans write it less often than this is another word
_ROMAN_RE = re.compile(r"^[ivxl]+$")
# Question marks that name the kind of fact asked for; the last one in a question wins.
_KIND_MARKS = ("#date", "#num", "#org")
SENTENCE_MIN_PASSAGE = 220  # a passage this long may be quoted by its one sentence that answers
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


@dataclass
class _Synonyms:
    phrases: dict[tuple[str, ...], _Group | None]
    max_len: int
    stopwords: frozenset[str]
    # The stopwords as written, with diacritics ("thì", "để"): a word typed with other marks
    # ("thi", "đề") is not one of them.
    stop_accented: frozenset[str] = frozenset()


def _norm_token(token: str) -> str:
    return str(int(token)) if token.isdigit() else token


def _words(text: str) -> list[str]:
    return [_norm_token(t) for t in fold_words(text)]


def load_synonyms(path: Path = SYNONYMS_FILE) -> _Synonyms:
    """Read the synonym table (groups, blockers, stopwords) from YAML."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContentError(path.name, "", f"YAML syntax error: {exc}") from exc
    if not isinstance(data, dict):
        raise ContentError(path.name, "", "the file must be a mapping")
    phrases: dict[tuple[str, ...], _Group | None] = {}
    for i, raw in enumerate(data.get("groups") or []):
        if not isinstance(raw, dict) or not raw.get("name") or not raw.get("phrases"):
            raise ContentError(path.name, f"groups[{i}]", "needs a name and phrases")
        group = _Group(
            str(raw["name"]),
            raw.get("section"),
            bool(raw.get("weak", False)),
            tuple(str(m) for m in raw.get("marks") or ()),
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


class SearchIndex:
    """Inverted index over every passage of every campaign."""

    def __init__(
        self, campaigns: Sequence[Campaign], synonyms: _Synonyms, vocab: Vocab | None = None
    ) -> None:
        self._syn = synonyms
        self._lex = vocab or load_vocab()
        self._bodies = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(b) for b in self._lex.bodies) + r")(?!\w)"
        ) if self._lex.bodies else None
        self._docs: list[_Doc] = []
        self._raw_texts: list[str] = []
        self._titles: dict[str, int] = {}
        for campaign in campaigns:
            title = Passage(text=campaign.title, source="mở đầu")
            self._titles[campaign.id] = len(self._docs)
            self._add(campaign, "gioi_thieu", title, ())
            located = list(iter_quoted(campaign))
            by_source: dict[str, list[str]] = defaultdict(list)
            for loc in located:
                by_source[loc.passage.source].append(loc.passage.text)
            for loc in located:
                siblings = [t for t in by_source[loc.passage.source] if t != loc.passage.text]
                self._add(campaign, loc.section, loc.passage, loc.context, loc.heading or "",
                          siblings if loc.passage.source != "mở đầu" else [])
                self._docs[-1].is_heading = loc.path.endswith(".heading")
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        avg = sum(d.length for d in self._docs) / max(len(self._docs), 1)
        self._sat: list[dict[str, float]] = []
        self._campaign_postings: dict[str, dict[str, list[tuple[int, float]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for i, doc in enumerate(self._docs):
            norm = 1 - B + B * doc.length / avg
            sats: dict[str, float] = {}
            for feat, tf in doc.tf.items():
                sat = min(1.0, tf * (K1 + 1) / (tf + K1 * norm))
                self._postings[feat].append((i, sat))
                self._campaign_postings[feat][doc.campaign_id].append((i, sat))
                sats[feat] = sat
            self._sat.append(sats)
        n = len(self._docs)
        self._df = {f: len(p) for f, p in self._postings.items()}
        self._idf = {
            f: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for f, p in self._postings.items()
        }
        self._max_idf = math.log(1 + (n + 0.5) / 0.5)
        self._lexicon = frozenset(self._lexicon_words())
        self._vocab = sorted(
            {f for f in self._postings if "_" not in f and f[0] not in "~§#"}
            | {w for key in synonyms.phrases for w in key}
            | synonyms.stopwords
            | self._lexicon
        )
        self._vocab_set = frozenset(self._vocab)
        self._place_names = [
            n for c in campaigns for n in (*c.aliases, c.short_name, c.issuer, c.province)
        ]
        self._places = frozenset(self._df) | {
            f for n in self._place_names for f in (*_words(n), *_bigrams(_words(n)))
        }
        self._capitals = frozenset(
            "".join(fold_words(m.group(0)))
            for text in self._raw_texts
            for m in _CAPITAL_RE.finditer(text)
            if not m.group(0).isupper() or len(m.group(0)) == 1  # not "PHÁP" in a title
        ) | {w for n in self._place_names for w in _words(n)}
        self._abbrev_words = frozenset(w for key in self._lex.abbreviations for w in key)
        self._markers = sorted(self._lex.place_markers, key=len, reverse=True)
        self._facet_phrases: dict[tuple[str, ...], str] = {
            phrase: name for name, (phrases, _) in self._lex.facets.items() for phrase in phrases
        }
        self._facet_len = max((len(k) for k in self._facet_phrases), default=1)
        self._aliases: list[tuple[tuple[str, ...], str]] = sorted(
            ((tuple(_words(a)), c.id) for c in campaigns for a in c.aliases),
            key=lambda pair: -len(pair[0]),
        )
        self._alias_by_len: dict[int, tuple[dict[str, set[str]], list[str]]] = {}
        for alias, campaign_id in self._aliases:
            if not self._distinctive(alias, campaign_id):
                continue  # "đại hội đảng" is said in other plans too: not a name of this one
            exact, fuzzy = self._alias_by_len.setdefault(len(alias), ({}, []))
            joined = " ".join(alias)
            if joined not in exact:
                exact[joined] = set()
                if len(joined) >= 7:
                    fuzzy.append(joined)
            exact[joined].add(campaign_id)
        for name, campaign_id in self._title_names(campaigns):
            # Matched as written only: two short words are too easy to misspell into.
            exact, _ = self._alias_by_len.setdefault(len(name), ({}, []))
            exact.setdefault(" ".join(name), set()).add(campaign_id)
        self._by_section: dict[tuple[str, str], list[_Doc]] = defaultdict(list)
        for doc in self._docs:
            self._by_section[(doc.campaign_id, doc.passage.source)].append(doc)
        self._correct = lru_cache(maxsize=4096)(self._correct_uncached)
        self._contacts: dict[str, int | None] = {}
        self._written = "\n".join(nfc(t).lower() for t in self._raw_texts)
        # How the plans write each folded word: "hop" is "hợp" nearly always, "họp" rarely.
        self._spellings: dict[str, Counter[str]] = defaultdict(Counter)
        for text in self._raw_texts:
            for token in _ACCENTED_RE.findall(nfc(text).lower()):
                folded = "".join(fold_words(token))
                if folded:
                    self._spellings[folded][token] += 1

    def _add(
        self,
        campaign: Campaign,
        section: str,
        passage: Passage,
        context: tuple[str, ...],
        heading: str = "",
        siblings: Sequence[str] = (),
    ) -> None:
        doc = _Doc(campaign.id, campaign.title, section, passage, heading)
        doc.order = len(self._docs)
        doc.top = context[0] if context else ""

        self._raw_texts.extend((passage.text, *context))
        for text in (passage.text, *passage.keywords):
            for feat, tf in _text_features(text, self._syn).items():
                doc.tf[feat] += tf
        # Words around the passage count once each, at most their share: a long heading or
        # a long neighbour must not outweigh the passage's own words.
        around: dict[str, float] = {}
        for depth, above in enumerate(reversed(context)):
            share = CONTEXT_TF if depth == 0 else ANCESTOR_TF
            for feat in _text_features(above, self._syn):
                around[feat] = max(around.get(feat, 0.0), share)
                # "@feat": the heading itself matches, e.g. "Đối với thôn" for a question on thôn.
                around[f"@{feat}"] = max(around.get(f"@{feat}", 0.0), share)
        for text in siblings:
            for feat in _text_features(text, self._syn):
                around[feat] = max(around.get(feat, 0.0), SIBLING_TF)
        for feat, share in around.items():
            doc.tf[feat] += share
        doc.tf[f"§{section}"] += 1
        if _DATE_RE.search(passage.text):
            # A bare year ("… năm 2025") answers "when" less than a day, month or quarter.
            doc.tf["#date"] += 1 if _FULL_DATE_RE.search(passage.text) else YEAR_ONLY_TF
        if any(ch.isdigit() for ch in passage.text):
            doc.tf["#num"] += 1
        if _PERCENT_RE.search(passage.text):
            doc.tf["#n_phan"] = 1.0  # "70%" counts "phần trăm"
        if self._bodies is not None and (
            self._bodies.search(passage.text) or (heading and self._bodies.search(heading))
        ):
            doc.tf["#org"] += 1
        folded = " ".join(fold_words(passage.text))
        for name, (_, pattern) in self._lex.facets.items():
            if pattern.search(folded):
                doc.tf[f"#f_{name}"] += 1
        # "#n_<word>": a number counts this word ("02 công trình", "16 tuổi", "1/2 ngày").
        words = _words(passage.text)
        for i, w in enumerate(words):
            if w.isdigit():
                for nxt in words[i + 1 : i + 3]:
                    if not nxt.isdigit():
                        doc.tf[f"#n_{nxt}"] = 1.0
                        break
        doc.length = len(words)
        self._docs.append(doc)

    def __len__(self) -> int:
        return len(self._docs)

    # --- query analysis ---

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

    def _find_aliases(self, words: list[str]) -> tuple[set[str], set[int]]:
        campaigns: set[str] = set()
        used: set[int] = set()
        # Longest names first; exact words, else a near spelling of a long name ("khoe").
        for n in sorted(self._alias_by_len, reverse=True):
            exact, fuzzy = self._alias_by_len[n]
            for i in range(len(words) - n + 1):
                if used.intersection(range(i, i + n)):
                    continue
                window = " ".join(words[i : i + n])
                found = exact.get(window)
                if found is None and fuzzy:
                    best = process.extractOne(window, fuzzy, scorer=fuzz.ratio, score_cutoff=88)
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
        return self._df[pair] >= 0.5 * min(self._df.get(first, 0), self._df.get(second, 0))

    def _better_pair_follows(self, rest: list[str], used: set[int], i: int,
                             stop: frozenset[str] | None = None) -> bool:
        """In "huyện tổ chức", "tổ chức" is the word, not "huyện tổ"."""
        if i + 2 >= len(rest) or i + 2 in used or not self._is_word(
            rest[i + 1], rest[i + 2], stop
        ):
            return False
        first = self._df[f"{rest[i]}_{rest[i + 1]}"]
        return self._df[f"{rest[i + 1]}_{rest[i + 2]}"] > first

    def _weight(self, feat: str) -> float:
        return self._idf.get(feat, self._max_idf * UNKNOWN_WEIGHT)

    def _distinctive(self, alias: tuple[str, ...], campaign_id: str) -> bool:
        """Whether the passages using these words belong mostly to this campaign."""
        feats = [f"{a}_{b}" for a, b in itertools.pairwise(alias)] or list(alias)
        known = [f for f in feats if f in self._postings]
        if len(known) < len(feats):
            return True  # a name the plan text does not use as such is still a name
        rarest = min(known, key=lambda f: len(self._postings[f]))
        postings = self._postings[rarest]
        own = sum(1 for i, _ in postings if self._docs[i].campaign_id == campaign_id)
        return own >= ALIAS_SHARE * len(postings)

    def _title_names(self, campaigns: Sequence[Campaign]) -> list[tuple[tuple[str, ...], str]]:
        """Pairs of words of a plan's title that its own passages use and the others hardly
        do ("80 năm"): a question using them names that campaign, as an alias does."""
        names: list[tuple[tuple[str, ...], str]] = []
        for campaign in campaigns:
            plan = getattr(campaign, "plan", None)
            titles = [campaign.title, *([plan.title] if plan is not None and plan.title else [])]
            for title in titles:
                words = _words(title)
                for a, b in itertools.pairwise(words):
                    if a in self._syn.stopwords or b in self._syn.stopwords:
                        continue
                    anniversary = a.isdigit() and int(a) >= 10 and b == "nam"  # "80 năm"
                    if not anniversary and not (a.isalpha() and b.isalpha()):
                        continue
                    postings = self._postings.get(f"{a}_{b}", [])
                    own = sum(1 for i, _ in postings if self._docs[i].campaign_id == campaign.id)
                    if len(postings) >= TITLE_NAME_DF and own >= TITLE_NAME_SHARE * len(postings):
                        names.append(((a, b), campaign.id))
        return names

    def _lexicon_words(self) -> set[str]:
        """Words of the chat vocabulary: never "corrected" into a plan word ("tiếng")."""
        lex = self._lex
        words = {w for key, value in lex.abbreviations.items() for w in (*key, *value)}
        words |= {w for phrases, _ in lex.facets.values() for p in phrases for w in p}
        words |= set(lex.count_units) | {u for units in lex.count_units.values() for u in units}
        words |= {w for key in lex.conversation for w in key}
        return words

    def _known(self, word: str) -> bool:
        return word in self._vocab_set or word in self._abbrev_words or word.isdigit()

    def _present(self, feat: str, campaigns: frozenset[str]) -> bool:
        """Whether some passage (of these campaigns, or any when none are named) has feat."""
        postings = self._postings.get(feat, ())
        if not campaigns:
            return bool(postings)
        return any(self._docs[i].campaign_id in campaigns for i, _ in postings)

    def _phrase_word(self, word: str) -> bool:
        return (word,) in self._syn.phrases or word in self._syn.stopwords or any(
            key[0] == word for key in self._syn.phrases if len(key) > 1
        )

    def _off_topic(self, query: str, words: list[str]) -> bool:
        """Whether the question is about an everyday topic the plans never mention."""
        typed = nfc(query).lower()
        if "".join(fold_words(typed)) != "".join(re.findall(r"\w", typed)):
            # Typed with diacritics: compare as written ("chuyện cưới" is not "chuyện cười").
            # Compared with the plans as written too: "kết hôn" is not their "gắn kết hơn".
            return any(
                re.search(rf"(?<!\w){re.escape(p)}(?!\w)", typed)
                and not re.search(rf"(?<!\w){re.escape(p)}(?!\w)", self._written)
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
            return True
        return False

    def _unknown_place(self, query: str, words: list[str], districts_only: bool = False) -> bool:
        """Whether the question names a district, commune or province no plan mentions."""
        for match in _PLACE_RE.finditer(query):
            if districts_only and match.group(1).lower() not in _DISTRICT_MARKERS:
                continue
            name = fold_words(match.group(2))[:2]
            if name and "_".join(name) not in self._places and (
                len(name) == 2 or name[0] not in self._df
            ):
                return True
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
                if w1.isdigit() or w2.isdigit() or self._phrase_word(w1) or self._phrase_word(w2):
                    continue
                if w1 in self._abbrev_words or w2 in self._abbrev_words:
                    continue
                if f"{w1}_{w2}" not in self._places:
                    return True
        return False

    def _uncovered(self, words: list[str], campaigns: frozenset[str]) -> bool:
        """Whether the question names a year, an anniversary or an edition the plans lack."""
        for i, w in enumerate(words):
            if _YEAR_RE.match(w) and not self._present(w, campaigns):
                return True
            if w.isdigit() and i >= 2 and not _YEAR_RE.match(w):
                # "Chỉ thị 20", "Nghị định số 98": a document the plans cite, or not.
                before = words[i - 2 : i] if words[i - 1] != "so" else words[i - 3 : i - 1]
                cited = (f"so_{w}", f"{words[i - 1]}_{w}")
                if tuple(before) in self._lex.document_kinds and not any(
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

    def _facets(self, words: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(len(words)):
            if i > 0 and f"{words[i - 1]}_{words[i]}" in self._df:
                continue  # "địa điểm thi công" holds "điểm thi" but is not about points
            for n in range(1, min(self._facet_len, len(words) - i) + 1):
                name = self._facet_phrases.get(tuple(words[i : i + n]))
                if name:
                    found.add(name)
        return found

    def _typed_spellings(self, query: str) -> dict[str, set[str]]:
        """The spellings the user typed, by folded word, when the question is typed with
        diacritics (empty when it is not: then "thi" may be "thì" and "hop" "họp")."""
        tokens = _ACCENTED_RE.findall(nfc(query).lower())
        if all("".join(fold_words(t)) == t for t in tokens):
            return {}
        spelled: dict[str, set[str]] = defaultdict(set)
        for token in tokens:
            spelled["".join(fold_words(token))].add(token)
        return spelled

    def _spelling_share(self, word: str, spelled: dict[str, set[str]]) -> float:
        """How often the plans write this word as the user spelled it (1.0: not known)."""
        forms = spelled.get(word)
        counts = self._spellings.get(word)
        if not forms or not counts:
            return 1.0
        return sum(counts[f] for f in forms) / sum(counts.values())

    def _story(self, story: str) -> tuple[set[str], dict[str, float], bool]:
        """What the asker's story may add: the campaigns it names, light ranking features,
        and whether it names a district or province no plan covers."""
        raw = [_norm_token(w) for w in normalise_words(story, self._lex, known=self._known)]
        words = [w for w in (self._correct(w) for w in raw) if w is not None]
        campaigns, _ = self._find_aliases(words)
        bonus: dict[str, float] = {}
        for feat in (*words, *_bigrams(words)):
            if feat in self._idf and feat not in self._syn.stopwords and not feat.isdigit():
                bonus[feat] = STORY_SHARE * self._idf[feat]
        out = self._unknown_place(story, raw, districts_only=True)
        return campaigns, bonus, out

    def _analyse(self, query: str, story: str = "") -> _Query:
        raw = [_norm_token(w) for w in normalise_words(query, self._lex, known=self._known)]
        typed = set(fold_words(query))
        words: list[str] = []
        unknown: list[str] = []
        for w in raw:
            fixed = self._correct(w)
            if fixed is not None:
                words.append(fixed)
            elif len(w) > 2 or w in typed:
                # What is left of a mistyped word ("moox" -> "mo") is noise, not a topic.
                unknown.append(w)
        campaigns, alias_pos = self._find_aliases(words)
        story_campaigns: set[str] = set()
        story_bonus: dict[str, float] = {}
        story_out = False
        if story:
            story_campaigns, story_bonus, story_out = self._story(story)
        rest = [w for i, w in enumerate(words) if i not in alias_pos]
        found, used = _match_phrases(rest, self._syn)
        core: dict[str, float] = {}
        bonus: dict[str, float] = {}
        # Names that steered the search still help rank ("Nhân Lý" is in one passage only).
        named = [w for i, w in enumerate(words) if i in alias_pos]
        for feat in (*named, *_bigrams(named)):
            if feat in self._idf:
                bonus[feat] = NAME_SHARE * self._idf[feat]
        # The kind of fact asked for is the last question word's ("… mấy cá nhân …, báo cáo
        # theo mẫu nào?" asks for a document, not a number).
        asking = [(start, end, g) for start, end, g in found if g.marks]
        required: list[tuple[str, ...]] = []
        for start, end, group in found:
            target = bonus if group.weak else core
            target[f"~{group.name}"] = self._weight(f"~{group.name}")
            # "giấy khen" is a kind of "khen": the exact words rank the passage that uses them.
            for bg in _bigrams(rest[start:end]):
                if bg in self._idf:
                    bonus[bg] = self._idf[bg]
            if group.section and f"§{group.section}" in self._idf:
                bonus[f"§{group.section}"] = self._idf[f"§{group.section}"]
        if asking:
            start, end, group = asking[-1]
            for mark in group.marks:
                core[mark] = MARK_WEIGHT
            # "… mấy cá nhân …, báo cáo theo mẫu nào?": a later question word asks the question.
            later = any(w in self._lex.question_words for w in rest[end + 1 :])
            if tuple(rest[start:end]) in self._lex.count_words and not later:
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
        for facet in sorted(self._facets(raw)):
            required.append((f"#f_{facet}",))
        spelled = self._typed_spellings(query)
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
                # Numbers in a question are often the asker's own (an age, a count).
                if w in self._idf:
                    bonus[w] = self._idf[w]
            elif w not in self._syn.stopwords and (w in self._idf or w not in self._lexicon):
                # A chat word the plans never use ("tiếng" in "họp mấy tiếng") is not a topic.
                share = self._spelling_share(w, spelled)
                if share < RARE_SPELLING:
                    # Typed "họp" where the plans write "hợp": another word, that weighs as
                    # much but matches no passage.
                    core[f"!{w}"] = self._weight(w)
                else:
                    core[w] = self._weight(w)
            i += 1
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
        if any(f[0] != "#" for f in kept):
            bonus.update({f: NAME_SHARE * w for f, w in core.items() if f in title_feats})
            core = kept
        for feat, weight in list(core.items()):
            if feat[0] not in "#§":
                bonus[f"@{feat}"] = HEADING_BONUS * weight
        if not core:
            core = {f: w for f, w in bonus.items() if f[0] in "~§"}
        only_names = bool(campaigns or story_campaigns) and not core and not unknown
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
            or self._unknown_place(query, raw)
            or self._uncovered(raw, steer)
            or self._unknown_name(query)
        )
        wants_section = any(
            tuple(raw[i : i + n]) in self._lex.section_questions
            for i in range(len(raw))
            for n in range(1, 5)
        )
        return _Query(core, bonus, steer, only_names and not out, tuple(required), out,
                      wants_section, bool(story))

    # --- search ---

    def search(
        self, query: str, *, prefer_campaign: str | None = None, limit: int = 3
    ) -> list[Hit]:
        """Return up to limit passages answering the query, best first; [] to abstain."""
        story, asked = split_story(query, self._lex)
        q = self._analyse(asked, story)
        if q.out_of_scope:
            return []
        if q.only_names:
            return [self._hit(self._titles[c], 1.0) for c in sorted(q.campaigns)][:limit]
        total = sum(q.core.values())
        if total <= 0:
            return []
        real = [f for f in q.core if f[0] != "#"]
        long = len(real) > LONG_QUESTION or (q.long and len(real) > 2)
        min_coverage = LONG_COVERAGE if long else MIN_COVERAGE
        # Rarest (heaviest) features first. Once the weight still to come cannot reach the
        # coverage an answer needs, a passage not met so far cannot qualify: the common
        # features ("#num", "khen") are then looked up in the candidates only, so the cost
        # does not grow with the size of the content.
        allowed = self._allowed(q)
        if allowed is not None:
            # The kind of fact asked for narrows the passages first ("#n_tuoi", "#date").
            core_scores = {
                i: sum(w * self._sat[i].get(f, 0.0) for f, w in q.core.items()) for i in allowed
            }
        else:
            # Ranking may lift a passage of the preferred campaign, and lower a heading.
            preferred = bool(prefer_campaign) and not q.campaigns
            slack = HEADING_DOC_PENALTY + (PREFER_BOOST if preferred else 0.0)
            core_scores = self._scores(q, total, min_coverage, slack)
        hits = self._rank(q, core_scores, total, min_coverage, prefer_campaign, limit)
        if not hits and "~lienhe" in q.core:
            # "Dân vận khéo hỏi ai?": the plan's own office for questions, when it names none.
            named = q.campaigns or frozenset([prefer_campaign] if prefer_campaign else [])
            if len(named) == 1:
                ref = self._contact(next(iter(named)))
                if ref is not None:
                    hits = [self._hit(ref, MIN_COVERAGE)]
        return hits

    def _contact(self, campaign_id: str) -> int | None:
        """The passage of a plan's "Tổ chức thực hiện" part that names the office taking
        questions (lookup_vocab.yaml `contact_offices`, first found wins), if any."""
        if campaign_id in self._contacts:
            return self._contacts[campaign_id]
        found: int | None = None
        parts = [" ".join(p) for p in self._lex.contact_section]
        candidates = [
            i for i, d in enumerate(self._docs)
            if d.campaign_id == campaign_id and not d.is_heading
            and any(p in " ".join(fold_words(d.top)) for p in parts)
        ]
        for office in self._lex.contact_offices:
            phrase = " ".join(office)
            for i in candidates:
                doc = self._docs[i]
                if phrase in " ".join(fold_words(f"{doc.heading} {doc.passage.text}")):
                    found = i
                    break
            if found is not None:
                break
        self._contacts[campaign_id] = found
        return found

    def _allowed(self, q: _Query) -> set[int] | None:
        """Passages holding one feature of every required group (None: no requirement)."""
        allowed: set[int] | None = None
        for group in q.required:
            ids: set[int] = set()
            for feat in group:
                if q.campaigns:
                    by_campaign = self._campaign_postings.get(feat, {})
                    for c in q.campaigns:
                        ids.update(i for i, _ in by_campaign.get(c, ()))
                else:
                    ids.update(i for i, _ in self._postings.get(feat, ()))
            allowed = ids if allowed is None else allowed & ids
        return allowed

    def _scores(
        self, q: _Query, total: float, min_coverage: float, slack: float
    ) -> dict[int, float]:
        """Coverage scores (weighted) of the passages that can still reach min_coverage and
        the RERANK best (scores only grow: the RERANK-th best so far bounds the final one)."""
        core_scores: dict[int, float] = {}
        remaining = total
        floor = min_coverage * total - 1e-9
        for feat, weight in sorted(q.core.items(), key=lambda kv: -kv[1]):
            if len(core_scores) > RERANK:
                kth = heapq.nlargest(RERANK, core_scores.values())[-1]
                floor = max(floor, kth - slack * total)
            if remaining >= floor:
                if q.campaigns:
                    by_campaign = self._campaign_postings.get(feat, {})
                    postings = [p for c in q.campaigns for p in by_campaign.get(c, ())]
                else:
                    postings = self._postings.get(feat, [])
                for i, sat in postings:
                    core_scores[i] = core_scores.get(i, 0.0) + weight * sat
            else:
                # Drop the candidates that cannot reach the needed score any more.
                core_scores = {
                    i: score + weight * self._sat[i].get(feat, 0.0)
                    for i, score in core_scores.items()
                    if score + remaining >= floor
                }
            remaining -= weight
        return core_scores

    def _rank(self, q: _Query, core_scores: dict[int, float], total: float,
              min_coverage: float, prefer_campaign: str | None, limit: int) -> list[Hit]:
        bonus_total = sum(q.bonus.values()) or 1.0
        strong = {f for f in q.core if f[0] in "~§" or "_" in f}
        needed = min_coverage * total - 1e-9
        first: list[tuple[float, int]] = []
        for i, score in core_scores.items():
            if score < needed:
                continue
            doc = self._docs[i]
            if not q.campaigns and not any(f in doc.tf for f in strong):
                # Single syllables alone ("tên", "học") are too ambiguous to answer from.
                continue
            rank = score / total
            if doc.is_heading:
                rank -= HEADING_DOC_PENALTY  # on a near tie the passages under it answer
            if not q.campaigns and doc.campaign_id == prefer_campaign:
                rank += PREFER_BOOST
            first.append((rank, i))
        # Two stages: the best passages by coverage, then the bonus (exact words, headings)
        # orders those. The bonus adds at most BONUS_SHARE, so this keeps the answer while the
        # cost stays flat as the content grows.
        ranked: list[tuple[float, float, int]] = []
        for rank, i in heapq.nlargest(RERANK, first):
            sats = self._sat[i]
            bonus = sum(w * sats.get(f, 0.0) for f, w in q.bonus.items())
            coverage = core_scores[i] / total
            # The question's words in the passage's own heading: the section is about them
            # ("Phòng Nội vụ: …" for what Phòng Nội vụ does).
            topic = sum(w * sats.get(f"@{f}", 0.0) for f, w in q.core.items() if f[0] != "#")
            rank += BONUS_SHARE * bonus / bonus_total + HEADING_SHARE * topic / total
            ranked.append((rank, coverage, i))
        ranked.sort(key=lambda r: (-round(r[0], 3), self._docs[r[2]].order))
        hits: list[Hit] = []
        seen: set[tuple[str, str]] = set()
        for rank, coverage, i in ranked:
            if coverage < min_coverage or len(hits) >= limit:
                break
            doc = self._docs[i]
            key = (doc.campaign_id, doc.passage.text)
            if key in seen:
                continue
            seen.add(key)
            hits.append(self._hit(i, round(rank, 4)))
        if hits and q.wants_section:
            hits[0] = self._with_section(hits[0])
        elif hits:
            hits[0] = self._with_sentence(q, hits[0])
        return hits

    def _sentence_has(self, mark: str, sentence: str) -> bool:
        if mark == "#date":
            return bool(_DATE_RE.search(sentence))
        if mark == "#num":
            return any(ch.isdigit() for ch in sentence)
        return self._bodies is not None and bool(self._bodies.search(sentence))

    def _with_sentence(self, q: _Query, hit: Hit) -> Hit:
        """The hit with the one sentence of a long passage that holds the fact asked for
        (a date, a number, a body) and the question's words, when exactly one does."""
        marks = [m for m in _KIND_MARKS if m in q.core]
        if not marks or len(hit.text) < SENTENCE_MIN_PASSAGE:
            return hit
        sentences = [t for t in _SENTENCE_END_RE.split(hit.text) if t.strip()]
        if len(sentences) < 2:
            return hit
        words = {f: w for f, w in q.core.items() if f[0] not in "#§!"}
        scored: list[tuple[float, str]] = []
        for sentence in sentences:
            if not all(self._sentence_has(m, sentence) for m in marks):
                continue
            feats = _text_features(sentence, self._syn)
            scored.append((sum(w for f, w in words.items() if f in feats), sentence))
        if not scored:
            return hit
        scored.sort(key=lambda pair: -pair[0])
        if len(scored) > 1 and scored[1][0] >= scored[0][0]:
            return hit  # two sentences answer alike: quote the passage
        sentence = scored[0][1]
        passage_numbers = set(_NOTE_NUMBER_RE.findall(hit.text))
        own = set(_NOTE_NUMBER_RE.findall(sentence))
        notes = tuple(
            (day, text) for day, text in hit.notes
            if not (set(_NOTE_NUMBER_RE.findall(text)) & passage_numbers)
            or set(_NOTE_NUMBER_RE.findall(text)) & own
        )
        return dataclasses.replace(hit, sentence=sentence, notes=notes)

    def _with_section(self, hit: Hit) -> Hit:
        """The hit with the passages of its whole section, in the plan's order, when short."""
        doc = self._docs[hit.ref]
        texts = [
            d.passage.text
            for d in self._by_section.get((doc.campaign_id, doc.passage.source), ())
            if not d.is_heading
        ]
        if len(texts) < 2 or sum(len(t) for t in texts) > SECTION_CHARS:
            return hit
        return dataclasses.replace(hit, section_texts=tuple(texts))

    def _hit(self, i: int, score: float) -> Hit:
        doc = self._docs[i]
        return Hit(
            campaign_id=doc.campaign_id,
            campaign_title=doc.campaign_title,
            source=doc.passage.source,
            text=doc.passage.text,
            score=score,
            notes=tuple((n.date, n.text) for n in doc.passage.notes),
            section=doc.section,
            ref=i,
            heading=doc.heading,
        )

    def passage(self, ref: int) -> Hit | None:
        """Return the passage with this reference (from `Hit.ref`), if it exists."""
        return self._hit(ref, 0.0) if 0 <= ref < len(self._docs) else None


def build_index(
    campaigns: Iterable[Campaign],
    synonyms_file: Path = SYNONYMS_FILE,
    vocab_file: Path = VOCAB_FILE,
) -> SearchIndex:
    """Build the search index over every quotable passage of the given campaigns."""
    return SearchIndex(list(campaigns), load_synonyms(synonyms_file), load_vocab(vocab_file))
