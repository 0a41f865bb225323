"""Rule lookup: find the plan passage that answers a question, or abstain when none does."""

from __future__ import annotations

import datetime as dt
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
from content.passages import iter_passages
from content.schema import Campaign, Passage
from content.text import fold_words

SYNONYMS_FILE = Path(__file__).parent / "synonyms.yaml"

# Tuning constants; tests/content/test_lookup_quality.py measures their effect.
MIN_COVERAGE = 0.6  # share of the question's weight a passage must match to be an answer
PREFER_BOOST = 0.3  # added to passages of the campaign the user is browsing
BONUS_SHARE = 0.25  # weight of optional features (phrases, sections) against the core
UNKNOWN_WEIGHT = 1.0  # weight of a word found nowhere, as a share of the highest idf
MARK_WEIGHT = 1.0  # weight of "the answer holds a date/number" when the question asks for one
HEADING_BONUS = 3.0  # a question word found in a passage's heading weighs this much more
K1 = 1.2
B = 0.3
CONTEXT_TF = 1.0  # a heading above the passage counts less than the passage itself

_DATE_RE = re.compile(r"\d{1,2}/\d{1,4}|tháng \d|quý [IV]|năm 20\d\d", re.IGNORECASE)


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
    tf: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    length: int = 0


@dataclass
class _Synonyms:
    phrases: dict[tuple[str, ...], _Group | None]
    max_len: int
    stopwords: frozenset[str]


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
    for phrase in [*(data.get("blockers") or []), *(data.get("stopwords") or [])]:
        key = tuple(_words(str(phrase)))
        if len(key) == 1 and phrase in (data.get("stopwords") or []):
            stop_words.add(key[0])
        elif key:
            phrases[key] = None
    stop = frozenset(stop_words)
    return _Synonyms(phrases, max((len(k) for k in phrases), default=1), stop)


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


class SearchIndex:
    """Inverted index over every passage of every campaign."""

    def __init__(self, campaigns: Sequence[Campaign], synonyms: _Synonyms) -> None:
        self._syn = synonyms
        self._docs: list[_Doc] = []
        self._titles: dict[str, int] = {}
        for campaign in campaigns:
            title = Passage(text=campaign.title, source="mở đầu")
            self._titles[campaign.id] = len(self._docs)
            self._add(campaign, "gioi_thieu", title, ())
            for loc in iter_passages(campaign):
                self._add(campaign, loc.section, loc.passage, loc.context)
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        avg = sum(d.length for d in self._docs) / max(len(self._docs), 1)
        for i, doc in enumerate(self._docs):
            norm = 1 - B + B * doc.length / avg
            for feat, tf in doc.tf.items():
                sat = min(1.0, tf * (K1 + 1) / (tf + K1 * norm))
                self._postings[feat].append((i, sat))
        n = len(self._docs)
        self._df = {f: len(p) for f, p in self._postings.items()}
        self._idf = {
            f: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for f, p in self._postings.items()
        }
        self._max_idf = math.log(1 + (n + 0.5) / 0.5)
        self._vocab = sorted(
            {f for f in self._postings if "_" not in f and f[0] not in "~§#"}
            | {w for key in synonyms.phrases for w in key}
            | synonyms.stopwords
        )
        self._vocab_set = frozenset(self._vocab)
        self._aliases: list[tuple[tuple[str, ...], str]] = sorted(
            ((tuple(_words(a)), c.id) for c in campaigns for a in c.aliases),
            key=lambda pair: -len(pair[0]),
        )
        self._correct = lru_cache(maxsize=4096)(self._correct_uncached)

    def _add(
        self, campaign: Campaign, section: str, passage: Passage, context: tuple[str, ...]
    ) -> None:
        doc = _Doc(campaign.id, campaign.title, section, passage)
        for text in (passage.text, *passage.keywords):
            for feat, tf in _text_features(text, self._syn).items():
                doc.tf[feat] += tf
        for heading in context:
            for feat, tf in _text_features(heading, self._syn).items():
                doc.tf[feat] += tf * CONTEXT_TF
                # "@feat": the heading itself matches, e.g. "Đối với thôn" for a question on thôn.
                doc.tf[f"@{feat}"] += tf
        doc.tf[f"§{section}"] += 1
        if _DATE_RE.search(passage.text):
            doc.tf["#date"] += 1
        if any(ch.isdigit() for ch in passage.text):
            doc.tf["#num"] += 1
        doc.length = len(_words(passage.text))
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
        for alias, campaign_id in self._aliases:
            n = len(alias)
            joined = " ".join(alias)
            for i in range(len(words) - n + 1):
                if used.intersection(range(i, i + n)):
                    continue
                window = words[i : i + n]
                if tuple(window) == alias or (
                    len(joined) >= 7 and fuzz.ratio(" ".join(window), joined) >= 88
                ):
                    campaigns.add(campaign_id)
                    used.update(range(i, i + n))
        return campaigns, used

    def _is_word(self, first: str, second: str) -> bool:
        pair = f"{first}_{second}"
        if pair not in self._df or first in self._syn.stopwords:
            return False
        if second not in self._syn.stopwords:
            return True
        # "bắt đầu" folds to "bat dau" whose "dau" is also "đâu": keep pairs that stick.
        return self._df[pair] >= 0.5 * min(self._df[first], self._df[second])

    def _weight(self, feat: str) -> float:
        return self._idf.get(feat, self._max_idf * UNKNOWN_WEIGHT)

    def _analyse(self, query: str) -> _Query:
        raw = _words(query)
        words: list[str] = []
        unknown: list[str] = []
        for w in raw:
            fixed = self._correct(w)
            if fixed is None:
                unknown.append(w)
            else:
                words.append(fixed)
        campaigns, alias_pos = self._find_aliases(words)
        rest = [w for i, w in enumerate(words) if i not in alias_pos]
        found, used = _match_phrases(rest, self._syn)
        core: dict[str, float] = {}
        bonus: dict[str, float] = {}
        # Names that steered the search still help rank ("Nhân Lý" is in one passage only).
        named = [w for i, w in enumerate(words) if i in alias_pos]
        for feat in (*named, *_bigrams(named)):
            if feat in self._idf:
                bonus[feat] = self._idf[feat]
        for _, _, group in found:
            target = bonus if group.weak else core
            target[f"~{group.name}"] = self._weight(f"~{group.name}")
            if group.section:
                bonus[f"§{group.section}"] = self._weight(f"§{group.section}")
            for mark in group.marks:
                core[mark] = MARK_WEIGHT
        # Segment what is left into two-syllable words where the plans use the pair as one.
        i = 0
        while i < len(rest):
            w = rest[i]
            if i in used:
                i += 1
                continue
            if i + 1 < len(rest) and i + 1 not in used and self._is_word(w, rest[i + 1]):
                core[f"{w}_{rest[i + 1]}"] = self._idf[f"{w}_{rest[i + 1]}"]
                i += 2
                continue
            if w.isdigit():
                # Numbers in a question are often the asker's own (an age, a count).
                if w in self._idf:
                    bonus[w] = self._idf[w]
            elif w not in self._syn.stopwords:
                core[w] = self._weight(w)
            i += 1
        for w in unknown:
            core[w] = self._max_idf * UNKNOWN_WEIGHT
        for bg in _bigrams(rest):
            if bg in self._idf and bg not in core:
                bonus[bg] = self._idf[bg]
        # Words of the campaign's own title name the campaign, not the fact asked about.
        title_feats = {f for c in campaigns for f in self._docs[self._titles[c]].tf}
        kept = {f: w for f, w in core.items() if f not in title_feats}
        if any(f[0] != "#" for f in kept):
            bonus.update({f: w for f, w in core.items() if f in title_feats})
            core = kept
        for feat, weight in list(core.items()):
            if feat[0] not in "#§":
                bonus[f"@{feat}"] = HEADING_BONUS * weight
        if not core:
            core = {f: w for f, w in bonus.items() if f[0] in "~§"}
        only_names = bool(campaigns) and not core and not unknown
        return _Query(core, bonus, frozenset(campaigns), only_names)

    # --- search ---

    def search(
        self, query: str, *, prefer_campaign: str | None = None, limit: int = 3
    ) -> list[Hit]:
        """Return up to limit passages answering the query, best first; [] to abstain."""
        q = self._analyse(query)
        if q.only_names:
            return [self._hit(self._titles[c], 1.0) for c in sorted(q.campaigns)][:limit]
        total = sum(q.core.values())
        bonus_total = sum(q.bonus.values()) or 1.0
        if total <= 0:
            return []
        core_scores: dict[int, float] = defaultdict(float)
        bonus_scores: dict[int, float] = defaultdict(float)
        for feat, weight in q.core.items():
            for i, sat in self._postings.get(feat, ()):
                core_scores[i] += weight * sat
        for feat, weight in q.bonus.items():
            for i, sat in self._postings.get(feat, ()):
                if i in core_scores:
                    bonus_scores[i] += weight * sat
        strong = {f for f in q.core if f[0] in "~§" or "_" in f}
        ranked: list[tuple[float, float, int]] = []
        for i, score in core_scores.items():
            doc = self._docs[i]
            if q.campaigns and doc.campaign_id not in q.campaigns:
                continue
            if not q.campaigns and not any(f in doc.tf for f in strong):
                # Single syllables alone ("tên", "học") are too ambiguous to answer from.
                continue
            coverage = score / total
            rank = coverage + BONUS_SHARE * bonus_scores[i] / bonus_total
            if not q.campaigns and doc.campaign_id == prefer_campaign:
                rank += PREFER_BOOST
            ranked.append((rank, coverage, i))
        ranked.sort(key=lambda r: (-r[0], self._docs[r[2]].length))
        hits: list[Hit] = []
        seen: set[tuple[str, str]] = set()
        for rank, coverage, i in ranked:
            if coverage < MIN_COVERAGE or len(hits) >= limit:
                break
            doc = self._docs[i]
            key = (doc.campaign_id, doc.passage.text)
            if key in seen:
                continue
            seen.add(key)
            hits.append(self._hit(i, round(rank, 4)))
        return hits

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
        )

    def passage(self, ref: int) -> Hit | None:
        """Return the passage with this reference (from `Hit.ref`), if it exists."""
        return self._hit(ref, 0.0) if 0 <= ref < len(self._docs) else None


def build_index(campaigns: Iterable[Campaign], synonyms_file: Path = SYNONYMS_FILE) -> SearchIndex:
    """Build the search index over every passage of the given campaigns."""
    return SearchIndex(list(campaigns), load_synonyms(synonyms_file))
