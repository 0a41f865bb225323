"""Rule lookup, the index: every quotable passage with its features, postings and weights."""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from content import search_initials as initials
from content.errors import ContentError
from content.passages import iter_quoted
from content.query import Vocab, canon_word, load_vocab
from content.schema import Campaign, Passage
from content.search_base import (
    _ACCENTED_RE,
    _CAPITAL_RE,
    _DATE_RE,
    _DAY_FULL_RE,
    _EDITION_RE,
    _FULL_DATE_RE,
    _ORDINAL_RE,
    _PERCENT_RE,
    _PERIOD_RE,
    _RELATIVE_TIME_RE,
    _TEXT_YEAR_RE,
    ALIAS_SHARE,
    ANCESTOR_TF,
    CONTEXT_TF,
    K1,
    LABEL_WORDS,
    RELATIVE_TIME_TF,
    SEVERAL_BODIES,
    SIBLING_TF,
    TITLE_NAME_DF,
    TITLE_NAME_SHARE,
    TITLE_WORDS,
    UNKNOWN_WEIGHT,
    YEAR_ONLY_TF,
    B,
    _bigrams,
    _Doc,
    _Group,
    _Synonyms,
    _text_features,
    _words,
    qualifier_values,
    spelling_key,
    without_law_years,
)
from content.text import fold_words, nfc
from content.yaml_file import read_mapping

# The kinds of award the field names (folded): what "hình thức khen gì" asks for.
AWARD_RE = re.compile(
    r"\b(?:giay khen|bang khen|huan chuong|huy chuong|co thi dua|ky niem chuong"
    r"|hinh thuc khen thuong)\b")
AWARD_HEADING_RE = re.compile(r"^hinh thuc khen thuong$")
ELIDED_AND = "va"  # "cấp huyện và xã": a level named by its last word after another


def _elided_values(
    texts: Sequence[str], groups: Sequence[Sequence[tuple[str, ...]]],
    found: dict[int, frozenset[tuple[str, ...]]],
) -> dict[int, frozenset[tuple[str, ...]]]:
    """found, with the values a text names by their last word after another of the group
    ("… của cấp huyện, xã": "cấp huyện" and "cấp xã"; "cấp tỉnh, huyện và xã")."""
    out = dict(found)
    for g, values in enumerate(groups):
        heads = {v[0] for v in values}
        tails = {v[1] for v in values if len(v) == 2}
        if len(heads) != 1 or len(tails) < 2:
            continue
        head = next(iter(heads))
        named: set[tuple[str, ...]] = set()
        for text in texts:
            words = [canon_word(w) for w in fold_words(str(text))]
            for k, w in enumerate(words):
                if w != head or k + 1 >= len(words) or words[k + 1] not in tails:
                    continue
                j = k + 1
                while j < len(words) and words[j] in tails:
                    named.add((head, words[j]))
                    j += 2 if j + 2 < len(words) and words[j + 1] == ELIDED_AND else 1
        if len(named) > 1:
            out[g] = frozenset(out.get(g, frozenset()) | named)
    return out


def _saturation(tf: float, length: float, avg: float) -> float:
    """BM25's term saturation of a passage holding a feature tf times (capped at 1)."""
    norm = 1 - B + B * length / avg
    return min(1.0, tf * (K1 + 1) / (tf + K1 * norm))


def _idf(n: int, df: int) -> float:
    """BM25's inverse document frequency of a feature held by df of n passages."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


# Acronyms of the plans' names ("hq": Hớn Quản, "ubtvqh": Ủy ban Thường vụ Quốc hội).
ACRONYM_WORDS = 7  # a name of this many words at most gives an acronym
ACRONYM_MIN_WORDS = 3  # …of this many at least when read from the text (two capitals in it)
ACRONYM_ALIAS = 100  # a campaign's alias counts as this many names written in the text
ACRONYM_SHARE = 0.75  # the name an acronym stands for, of all the names it could
_SEGMENT_RE = re.compile(r"[^\w\s]+")
_ACRONYM_RE = re.compile(r"(?<![\w/.-])[^\W\d_]{2,9}(?![\w/.-])")
_PLAIN_RE = re.compile(r"[a-zđ]+")
PLACE_BEFORE = frozenset({"o", "tai", "cua"})  # "ở hq", "tại cl": a place follows
PART_LABEL = "doi voi "  # "Đối với cấp xã": a heading setting apart whom an item is for


def _acronym_key(token: str) -> str:
    """How an acronym typed in a question is looked up: folded ("đb" -> "db"); a word typed
    with other marks stands for a term only when it writes one syllable out ("ctrình")."""
    low = token.lower()
    key = "".join(fold_words(low))
    if len(key) < 4 and not _PLAIN_RE.fullmatch(low):
        return ""
    return key


def _initials(tokens: Sequence[str], folded: Callable[[str], str]) -> str:
    """The folded first letters of the words ("Hớn Quản" -> "hq")."""
    return "".join(folded(t.lower())[:1] for t in tokens)


PARAPHRASE_FILE = Path(__file__).parent / "lookup_paraphrase.yaml"


@functools.lru_cache(maxsize=4)
def _paraphrase_entries(path: Path) -> tuple[tuple[tuple[str, tuple[str, ...]], ...],
                                             tuple[str, ...]]:
    """The paraphrase file's groups (name, phrases) and blockers, read once per process."""
    if not path.exists():
        return (), ()
    data = read_mapping(path)
    groups = []
    for i, raw in enumerate(data.get("groups") or []):
        if not isinstance(raw, dict) or not raw.get("name") or not raw.get("phrases"):
            raise ContentError(path.name, f"groups[{i}]", "needs a name and phrases")
        groups.append((str(raw["name"]), tuple(str(p) for p in raw["phrases"])))
    blockers = tuple(str(p) for p in data.get("blockers") or [])
    return tuple(groups), blockers


def with_paraphrases(synonyms: _Synonyms, path: Path = PARAPHRASE_FILE) -> _Synonyms:
    """The synonym table with the field's paraphrases (content/lookup_paraphrase.yaml): the
    words people type for what the plans write otherwise ("trên mạng" for "trên Internet").
    A group named as one of synonyms.yaml gets more phrases; another name is a new idea."""
    groups, blockers = _paraphrase_entries(path)
    if not groups and not blockers:
        return synonyms
    phrases = dict(synonyms.phrases)
    by_name = {g.name: g for g in phrases.values() if g is not None}
    for name, written in groups:
        group = by_name.setdefault(name, _Group(name, None, False, ()))
        for phrase in written:
            key = tuple(_words(phrase))
            if key and key not in phrases:
                phrases[key] = group
    for phrase in blockers:
        key = tuple(_words(phrase))
        if key:
            phrases[key] = None
    return dataclasses.replace(
        synonyms, phrases=phrases, max_len=max((len(k) for k in phrases), default=1)
    )


SIGNATURE_SOURCE = "chữ ký"  # where the plan's signer is quoted from (end of the plan)


def document_fields(campaign: Campaign) -> list[tuple[str, str]]:
    """The plan document's signer, number, day and issuer as written (the plan block's,
    else the campaign's document), each a field the lookup may quote."""
    plan = getattr(campaign, "plan", None)
    doc = campaign.document
    values = {
        "signed_by": getattr(plan, "signed_by", None) or doc.signed_by,
        "date_text": getattr(plan, "date_text", None) or doc.date_text,
        "number": getattr(plan, "number", None) or doc.number,
        "issuer": getattr(plan, "issuer", None) or campaign.issuer,
    }
    return [(name, str(text).strip()) for name, text in values.items()
            if text and str(text).strip()]


class Corpus:
    """Inverted index over every passage of every campaign, and what the plans write."""

    def __init__(
        self, campaigns: Sequence[Campaign], synonyms: _Synonyms, vocab: Vocab | None = None
    ) -> None:
        self._syn = synonyms = with_paraphrases(synonyms)
        self._lex = vocab or load_vocab()
        self._bodies = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(b) for b in self._lex.bodies) + r")(?!\w)"
        ) if self._lex.bodies else None
        self._docs: list[_Doc] = []
        self._raw_texts: list[str] = []
        # Build-time memos: copies of a plan (ten districts issuing the province's template)
        # repeat the same texts, headings and words; each is read once (dropped when built).
        self._memo_features: dict[str, Counter[str]] = {}
        self._memo_quals: dict[tuple[str, ...], dict[int, frozenset[tuple[str, ...]]]] = {}
        self._memo_addressees: dict[str, int] = {}
        self._memo_folded: dict[str, str] = {}
        self._memo_sat: dict[tuple[float, int], float] = {}
        self._memo_around: dict[tuple[tuple[str, ...], tuple[str, ...]], dict[str, float]] = {}
        self._memo_marks: dict[
            tuple[str, str, tuple[str, ...]], tuple[dict[str, float], int]
        ] = {}
        self._titles: dict[str, int] = {}
        self._name_days: dict[str, tuple[str, ...]] = {}
        # The plan document's own fields (signer, number, day, issuer, title), by campaign.
        self._fields: dict[tuple[str, str], int] = {}
        self._campaign_ids = [c.id for c in campaigns]
        for campaign in campaigns:
            title = Passage(text=campaign.title, source="mở đầu")
            self._titles[campaign.id] = len(self._docs)
            self._fields[(campaign.id, "title")] = len(self._docs)
            self._add(campaign, "gioi_thieu", title, ())
            for field_name, text in document_fields(campaign):
                source = SIGNATURE_SOURCE if field_name == "signed_by" else "mở đầu"
                self._fields[(campaign.id, field_name)] = len(self._docs)
                self._add(campaign, "gioi_thieu", Passage.model_construct(
                    text=text, source=source, quote=True, keywords=[], notes=[]), ())
                self._docs[-1].field = field_name
            located = list(iter_quoted(campaign))
            by_source: dict[str, list[str]] = defaultdict(list)
            for loc in located:
                by_source[loc.passage.source].append(loc.passage.text)
            for loc in located:
                siblings = [t for t in by_source[loc.passage.source] if t != loc.passage.text]
                self._add(campaign, loc.section, loc.passage, loc.context, loc.heading or "",
                          siblings if loc.passage.source != "mở đầu" else [])
                self._docs[-1].is_heading = loc.path.endswith(".heading")
        # Built in lists here, held in tuples once complete (_settle).
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._postings: Mapping[str, Sequence[tuple[int, float]]] = postings
        # By campaign too: split from the postings once complete (_settle).
        self._campaign_postings: Mapping[str, Mapping[str, Sequence[tuple[int, float]]]] = {}
        searched = [d for d in self._docs if not d.field]
        avg = sum(d.length for d in searched) / max(len(searched), 1)
        self._sat: list[dict[str, float]] = []
        for i, doc in enumerate(self._docs):
            sats: dict[str, float] = {}
            length = doc.length
            memo_sat = self._memo_sat
            for feat, tf in doc.tf.items():
                sat = memo_sat.get((tf, length))
                if sat is None:
                    sat = memo_sat[(tf, length)] = _saturation(tf, length, avg)
                sats[feat] = sat
                if doc.field:
                    continue  # found only by a question about the document itself
                postings[feat].append((i, sat))
            self._sat.append(sats)
        n = len(searched)
        self._df = {f: len(p) for f, p in self._postings.items()}
        self._idf = {f: _idf(n, len(p)) for f, p in self._postings.items()}
        self._max_idf = _idf(n, 0)  # a feature no passage holds
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
        # Each text once (copies of a plan repeat them), with how often it is written.
        text_counts = Counter(self._raw_texts)
        self._capitals = frozenset(
            self._folded(m.group(0))
            for text in text_counts
            for m in _CAPITAL_RE.finditer(text)
            if not m.group(0).isupper() or len(m.group(0)) == 1  # not "PHÁP" in a title
        ) | {w for n in self._place_names for w in _words(n)}
        self._abbrev_words = frozenset(w for key in self._lex.abbreviations for w in key)
        # Words of questions ("bao nhiêu", "khi nào", "ai"), never part of a place name.
        self._asking_words = self._lex.question_words | {
            w for p in self._lex.count_words for w in p
        }
        self._markers = sorted(self._lex.place_markers, key=len, reverse=True)
        self._facet_phrases: dict[tuple[str, ...], str] = {
            phrase: name for name, (phrases, _) in self._lex.facets.items() for phrase in phrases
        }
        self._facet_len = max((len(k) for k in self._facet_phrases), default=1)
        # Their first words: a facet phrase is looked for only where one begins.
        self._facet_starts = frozenset(k[0] for k in self._facet_phrases if k)
        self._aliases: list[tuple[tuple[str, ...], str]] = sorted(
            ((tuple(_words(a)), c.id) for c in campaigns for a in c.aliases),
            key=lambda pair: -len(pair[0]),
        )
        self._alias_by_len: dict[int, tuple[dict[str, set[str]], list[str]]] = {}
        # Each folded alias word's spellings as the campaigns write it ("bac" -> "bắc").
        self._alias_spelled: dict[str, set[str]] = defaultdict(set)
        for c in campaigns:
            for a in c.aliases:
                for token in _ACCENTED_RE.findall(nfc(a).lower()):
                    self._alias_spelled["".join(fold_words(token))].add(token)
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
            if not doc.field:
                self._by_section[(doc.campaign_id, doc.passage.source)].append(doc)
        self._contacts: dict[str, int | None] = {}
        # Sections by campaign and parent ("II.2" -> "II.2.1", "II.2.2"): where parallel
        # passages ("Đối với cấp xã" / "Đối với cấp huyện") sit side by side.
        self._children: dict[tuple[str, str], list[str]] = defaultdict(list)
        # The qualifier values each plan writes anywhere (a question's value it never writes
        # does not tell its passages apart).
        self._plan_quals: dict[str, dict[int, frozenset[tuple[str, ...]]]] = {}
        for doc in self._docs:
            plan = self._plan_quals.setdefault(doc.campaign_id, {})
            for g, values in doc.quals.items():
                plan[g] = plan.get(g, frozenset()) | values
        for campaign_id, source in self._by_section:
            if "." in source:
                self._children[(campaign_id, source.rsplit(".", 1)[0])].append(source)
        # Everyday topics the plans themselves write ("gắn kết hơn" holds "kết hơn"), found
        # once here so that a question never scans the plan text.
        lowered = [nfc(t).lower() for t in text_counts]
        written = "\n".join(lowered)
        self._written_topics = frozenset(
            p for p in self._lex.off_topic_accented
            # (the plain substring test first: the boundary pattern has no fast path)
            if p in written and re.search(rf"(?<!\w){re.escape(p)}(?!\w)", written)
        )
        # How the plans write each folded word: "hop" is "hợp" nearly always, "họp" rarely.
        token_counts: Counter[str] = Counter()
        for low, times in zip(lowered, text_counts.values(), strict=True):
            for token in _ACCENTED_RE.findall(low):
                token_counts[token] += times
        self._spellings: dict[str, Counter[str]] = defaultdict(Counter)
        for token, times in token_counts.items():
            folded = self._folded(token)
            if folded:
                self._spellings[folded][token] += times
        self._index_rare_spellings(avg, n, postings)
        self._acronyms = self._acronym_table(campaigns, text_counts)
        # Word pairs as the plans write them, with diacritics ("văn bản", not "văn bàn"), and
        # the campaigns' place names: a district named otherwise is not one of the plans'.
        keys: dict[str, str] = {}
        pairs: set[tuple[str, str]] = set()
        for low in (*lowered, *(nfc(t).lower() for t in self._place_names)):
            for a, b in itertools.pairwise(_ACCENTED_RE.findall(low)):
                ka = keys.get(a)
                if ka is None:
                    ka = keys[a] = spelling_key(a)
                kb = keys.get(b)
                if kb is None:
                    kb = keys[b] = spelling_key(b)
                pairs.add((ka, kb))
        self._accented_pairs = frozenset(pairs)
        self._settle()
        del self._memo_features, self._memo_quals, self._memo_addressees, self._memo_folded
        del self._memo_sat, self._memo_marks, self._memo_around

    def _acronym_table(
        self, campaigns: Sequence[Campaign], text_counts: Mapping[str, int]
    ) -> dict[str, list[initials.Reading]]:
        """Acronyms of the names the plans write, as people type them in chat: "hq" for a
        district of a campaign ("Hớn Quản"), "ubtvqh" for a body named with capitals ("Ủy
        ban Thường vụ Quốc hội"). Folded initials -> the name as written. An acronym that is
        a word of the plans or of the chat vocabulary, or stands for several names alike, is
        left out; two letters only for a campaign's place, and never those of a place marker
        ("tp": thành phố)."""
        named: dict[str, Counter[str]] = defaultdict(Counter)
        # (by the name folded: "Ủy ban" and "Uỷ ban", "hớn quản" and "hón quản" are one)
        written: dict[str, str] = {}
        places = {w for c in campaigns for n in (c.issuer, c.province) for w in _words(n)}
        for campaign in campaigns:
            for alias in campaign.aliases:
                tokens = _ACCENTED_RE.findall(nfc(alias).lower())
                if not 2 <= len(tokens) <= ACRONYM_WORDS or not all(
                    t.isalpha() for t in tokens
                ):
                    continue
                if len(tokens) == 2 and not all(self._folded(t) in places for t in tokens):
                    continue  # two letters name too much: only a place of the campaign
                name = " ".join(tokens)
                key = written.setdefault(" ".join(map(self._folded, tokens)), name)
                named[_initials(tokens, self._folded)][key] += ACRONYM_ALIAS
        stop = self._syn.stop_accented  # ("về" ends no name, "hội" does)
        for text in text_counts:
            for segment in _SEGMENT_RE.split(nfc(text)):
                tokens = segment.split()
                for i, first in enumerate(tokens):
                    if not first[:1].isupper() or not first.isalpha() or first.isupper():
                        continue
                    # A name: capitalised words, each followed by one lowercase word at most
                    # ("Ủy ban Thường vụ Quốc hội", "Ban Dân vận Huyện ủy").
                    for n in range(ACRONYM_MIN_WORDS, ACRONYM_WORDS + 1):
                        run = tokens[i : i + n]
                        last = run[-1]
                        if len(run) < n or not last.isalpha() or (
                            last.isupper() and len(last) > 1
                        ) or not (last[:1].isupper() or run[-2][:1].isupper()):
                            break
                        if last[:1].isupper() or last.lower() not in stop:
                            name = " ".join(run)
                            key = written.setdefault(
                                " ".join(self._folded(t.lower()) for t in run), name)
                            named[_initials(run, self._folded)][key] += 1
        markers = {_initials(m, lambda w: w) for m in self._lex.place_markers}
        # (a word the plans write only in capitals, "HD" or "TT." of a code or an address
        # list, is typed in chat for a term: "hđ" hoạt động, "tt" thường trực)
        lower = {
            self._folded(t) for text in text_counts for t in _ACCENTED_RE.findall(text)
            if not t.isupper() or len(t) == 1
        }
        plan_words = {w for w in self._vocab_set if w in lower or len(w) > 3}
        known = (plan_words | self._abbrev_words | self._syn.stopwords | markers
                 | {w for key in self._lex.conversation for w in key}
                 | {w for key in self._lex.filler for w in key})
        table: dict[str, list[initials.Reading]] = {}
        for acronym, names in named.items():
            (name, times), = names.most_common(1)
            if acronym in known or times < ACRONYM_SHARE * sum(names.values()):
                continue
            table[acronym] = [initials.Reading(name, times)]
        # The initials of the plans' own terms ("pt" phong trào, "đb" đặc biệt / đại biểu).
        counts, spelled = initials.term_counts(text_counts, stop, self._folded)
        aliases = {
            written[" ".join(map(self._folded, _ACCENTED_RE.findall(nfc(a).lower())))]: c.id
            for c in campaigns for a in c.aliases
            if " ".join(map(self._folded, _ACCENTED_RE.findall(nfc(a).lower()))) in written
        }
        for acronym, readings in initials.build_table(counts, spelled, known).items():
            mine = table.setdefault(acronym, [])
            have = {" ".join(fold_words(r.name)) for r in mine}
            mine.extend(r for r in readings if " ".join(fold_words(r.name)) not in have)
        # The words naming each campaign that no other campaign's names use ("tram", "tau").
        name_words = {c.id: {w for a in (*c.aliases, c.short_name) for w in _words(a)}
                      for c in campaigns}
        shared = Counter(w for ws in name_words.values() for w in ws)
        own_names = {c: frozenset(w for w in ws if shared[w] == 1)
                     for c, ws in name_words.items()}
        passages = {(d.passage.text, own_names.get(d.campaign_id, frozenset()))
                    for d in self._docs if not d.field}
        extra: dict[str, tuple[int, Counter[str]]] = {}
        for name, campaign_id in aliases.items():
            texts = {d.passage.text for d in self._docs if d.campaign_id == campaign_id}
            ctx: Counter[str] = Counter()
            for text in texts:
                ctx.update({canon_word(w) for w in fold_words(text)}
                           | own_names.get(campaign_id, frozenset()))
            extra[name] = (len(texts), ctx)
        self._acronym_places = frozenset(aliases)
        n = max(len(self._docs), 1)
        self._word_share = {
            w: len(p) / n for w, p in self._postings.items() if w.isalnum() and w.isascii()
        }
        return initials.with_contexts(table, passages, extra)

    def _expand_acronyms(self, text: str) -> str:
        """The question with the plans' acronyms typed in it written out ("ở hq" -> "ở hớn
        quản", "pt" -> "phong trào"); a word of the plans or of the chat vocabulary is never
        one. An acronym of several terms is read by the question's other words."""
        table = self._acronyms
        if not table:
            return text
        found = [m for m in _ACRONYM_RE.finditer(text)
                 if _acronym_key(m.group(0)) in table]
        if not found:
            return text
        others: list[str] = []
        asking = self._asking_words | self._lex.question_endings  # ("… ko", "… chưa")
        if any(len(table[_acronym_key(m.group(0))]) > 1 for m in found):
            abbreviations = self._lex.abbreviations
            for w in fold_words(_ACRONYM_RE.sub(
                    lambda m: "" if _acronym_key(m.group(0)) in table
                    else m.group(0), text)):
                others.extend(canon_word(x) for x in abbreviations.get((w,), (w,))
                              if x not in asking)
        out: list[str] = []
        last = 0
        plain = text.replace("đ", "d").replace("Đ", "D").isascii()
        for m in found:
            readings = table[_acronym_key(m.group(0))]
            before = fold_words(text[max(0, m.start() - 12) : m.start()])[-1:]
            pairs = (self._reading_pairs(text, m, readings, asking | self._syn.stopwords)
                     if len(readings) > 1 else {})
            # "ở hq", "huyện cl", "kh hq": after a place word or the plan only a place is read
            places = [r for r in readings if r.name in self._acronym_places]
            if places and before and (before[0] in PLACE_BEFORE or any(
                    tuple(self._lex.abbreviations.get(tuple(before), tuple(before)))[-len(p):]
                    == p for p in (*self._lex.place_markers, *self._lex.plan_words))):
                readings = places
            name = initials.choose(readings, others, self._idf, self._word_share,
                                   self._acronym_places, pairs,
                                   counting=self._after_count_word(before))
            out.append(text[last : m.start()])
            # A question typed without diacritics gets the name without them too: the marks
            # the user typed are read as meant ("thuong truc" is not "thương trục").
            out.append(name if not plain else " ".join(fold_words(name)))
            last = m.end()
        out.append(text[last:])
        return "".join(out)

    def _after_count_word(self, before: list[str]) -> bool:
        """Whether the word before an acronym ends a count word ("bn đb", "mấy ctrình")."""
        words = tuple(self._lex.abbreviations.get(tuple(before), tuple(before)))
        return any(words[-len(p):] == p for p in self._lex.count_words)

    def _reading_pairs(self, text: str, m: re.Match[str], readings: list[initials.Reading],
                       asking: frozenset[str]) -> dict[str, int]:
        """For each reading of an acronym, in how many passages the plans write the pair it
        makes with the word before or after it ("đb hđnd": "đại biểu hội đồng…", "thi đua
        đb": "thi đua đặc biệt"). A neighbour typed with diacritics must make the pair as
        written ("hđ tuyên truyền": "hoạt động tuyên", not "hội đồng tuyên")."""
        abbreviations = self._lex.abbreviations
        typed_before = _ACCENTED_RE.findall(nfc(text[max(0, m.start() - 12) : m.start()]))[-1:]
        typed_after = _ACCENTED_RE.findall(nfc(text[m.end() : m.end() + 12]))[:1]
        sides = []
        for typed, at in ((typed_before, -1), (typed_after, 0)):
            folded = ["".join(fold_words(t)) for t in typed]
            expanded = abbreviations.get(tuple(folded))
            word = _words(" ".join(expanded or folded))[at:][:1]
            accented = typed[0].lower() if typed and not expanded and not typed[0].isascii() and (
                "".join(fold_words(typed[0])) != typed[0].lower().replace("đ", "d")) else ""
            # (an abbreviation written out is a word of the topic: "hđnd" -> "hội đồng…")
            sides.append((word[0] if word and (expanded or word[0] not in asking) else "",
                          accented))
        (prev, prev_typed), (nxt, nxt_typed) = sides
        pairs: dict[str, int] = {}
        for r in readings:
            own = _words(r.name)
            written = nfc(r.name).lower().split()
            score = 0
            if prev and own and (not prev_typed or (
                    spelling_key(prev_typed), spelling_key(written[0])) in self._accented_pairs):
                score += self._df.get(f"{prev}_{own[0]}", 0)
            if nxt and own and (not nxt_typed or (
                    spelling_key(written[-1]), spelling_key(nxt_typed)) in self._accented_pairs):
                score += self._df.get(f"{own[-1]}_{nxt}", 0)
            pairs[r.name] = score
        return pairs

    def _folded(self, token: str) -> str:
        """A word folded into one key ("Bắc" -> "bac"), once per distinct word (build time)."""
        folded = self._memo_folded.get(token)
        if folded is None:
            folded = self._memo_folded[token] = "".join(fold_words(token))
        return folded

    def _features(self, text: str) -> Counter[str]:
        """_text_features of a text, once per distinct text while building (read only)."""
        feats = self._memo_features.get(text)
        if feats is None:
            feats = self._memo_features[text] = _text_features(text, self._syn)
        return feats

    def _qualifiers(self, texts: tuple[str, ...]) -> dict[int, frozenset[tuple[str, ...]]]:
        """qualifier_values of the texts, once per distinct tuple while building."""
        found = self._memo_quals.get(texts)
        if found is None:
            found = qualifier_values(texts, self._lex.qualifiers)
            found = self._memo_quals[texts] = _elided_values(texts, self._lex.qualifiers, found)
        return found

    def _settle(self) -> None:
        """Hold the finished postings in tuples and plain dicts: the garbage collector stops
        tracking those (only numbers and strings inside), so a full collection does not walk
        the index (some 150,000 lists at ten times today's content)."""
        settled = {f: tuple(p) for f, p in self._postings.items()}
        self._postings = settled
        # A campaign's passages are indexed one after the other: its postings are one run
        # of each feature's (by passage, ascending), found by bisection.
        runs: dict[str, tuple[int, int]] = {}
        for i, doc in enumerate(self._docs):
            start, _ = runs.get(doc.campaign_id, (i, i))
            runs[doc.campaign_id] = (start, i + 1)
        campaign_of = [doc.campaign_id for doc in self._docs]
        one_run = sum(end - start for start, end in runs.values()) == len(self._docs)
        by_feature: dict[str, Mapping[str, Sequence[tuple[int, float]]]] = {}
        for feat, held in settled.items():
            split: dict[str, tuple[tuple[int, float], ...]] = {}
            if not one_run:  # (two campaigns under one id: posting by posting)
                grouped: dict[str, list[tuple[int, float]]] = defaultdict(list)
                for p in held:
                    grouped[campaign_of[p[0]]].append(p)
                split = {c: tuple(g) for c, g in grouped.items()}
            pos = 0
            while one_run and pos < len(held):
                campaign = campaign_of[held[pos][0]]
                end = bisect.bisect_left(held, (runs[campaign][1],), pos)
                split[campaign] = held[pos:end]
                pos = end
            by_feature[feat] = split
        self._campaign_postings = by_feature
        for doc in self._docs:
            doc.tf = dict(doc.tf)

    def _index_rare_spellings(
        self, avg: float, n: int, postings: dict[str, list[tuple[int, float]]],
    ) -> None:
        """"=vùng": a passage writes a word in a spelling the plans seldom use ("vùng" where
        they mostly write "vững"); a question typed that way finds it by that spelling (avg:
        the passages' mean length; n: how many are searched)."""
        # The rare spellings of each distinct passage text, with how often it writes them.
        rare_of: dict[str, list[tuple[str, int]]] = {}
        for i, doc in enumerate(self._docs):
            if doc.field:
                continue
            rare = rare_of.get(doc.passage.text)
            if rare is None:
                rare = rare_of[doc.passage.text] = []
                counts: Counter[str] = Counter(
                    _ACCENTED_RE.findall(nfc(doc.passage.text).lower())
                )
                for token, tf in counts.items():
                    spellings = self._spellings.get(self._folded(token))
                    if not spellings or spellings[token] * 2 >= sum(spellings.values()):
                        continue
                    rare.append((token, tf))
            for token, tf in rare:
                sat = _saturation(tf, doc.length, avg)
                self._sat[i][f"={token}"] = sat
                postings[f"={token}"].append((i, sat))
        for feat, held in postings.items():
            if feat[0] == "=":
                self._df[feat] = len(held)
                self._idf[feat] = _idf(n, len(held))

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
        groups = self._lex.qualifiers
        if groups:
            doc.quals = self._qualifiers((passage.text, *context))
            doc.heading_quals = self._qualifiers((heading,))

        self._raw_texts.extend((passage.text, *context))
        for text in (passage.text, *passage.keywords):
            for feat, tf in self._features(text).items():
                doc.tf[feat] += tf
        # What the passage and its own item heading say ("Đối với cấp xã: Thời gian: …"), not
        # the words it only borrows from the headings above it or its neighbours.
        doc.own = frozenset(doc.tf) | frozenset(
            self._features(heading) if heading else ()
        )
        # (the same headings and neighbours in each copy of a plan: worked out once)
        near = (context, tuple(siblings))
        around = self._memo_around.get(near)
        if around is None:
            around = self._memo_around[near] = self._around(context, siblings)
        for feat, share in around.items():
            doc.tf[feat] += share
        doc.tf[f"§{section}"] += 1
        # Not for the title itself: the plan's title dates its occasion ("(06/01/1946 -
        # 06/01/2026)"); repeated in a passage they name the occasion, not a date of it.
        days = (self._title_days(campaign)
                if len(self._docs) != self._titles.get(campaign.id) else ())
        key = (passage.text, heading, days)
        found = self._memo_marks.get(key)
        if found is None:
            found = self._memo_marks[key] = self._marks(passage.text, heading, days)
        marks, length = found
        # Marks are "#" features, which no word feature above is: the order stays the same.
        doc.tf.update(marks)
        doc.length = length
        self._docs.append(doc)

    def _around(self, context: tuple[str, ...], siblings: Sequence[str]) -> dict[str, float]:
        """The features of the headings above a passage and of its neighbours, each with
        the share it counts for in the passage."""
        # Words around the passage count once each, at most their share: a long heading or
        # a long neighbour must not outweigh the passage's own words.
        around: dict[str, float] = {}
        # An item heading that only sets apart whom or what the item is for ("Đối với tập
        # thể", "Cấp xã"; not an office, "Phòng Nội vụ") leaves the topic to the heading above
        # it ("Tiêu chí thi đua"): that one counts as the passage's own heading.
        own = context[-1] if context else ""
        label = bool(own) and (" ".join(fold_words(own)).startswith(PART_LABEL) or (
            len(own.split()) <= LABEL_WORDS + 1 and bool(self._qualifiers((own,)))))
        for depth, above in enumerate(reversed(context)):
            # (a title, "Tiêu chí thi đua": not a heading listing several topics, "Hình thức,
            # thời gian, thành phần và số lượng đại biểu")
            topic = (depth == 1 and label and "," not in above
                     and len(above.split()) <= TITLE_WORDS)
            share = CONTEXT_TF if depth == 0 or topic else ANCESTOR_TF
            # A heading addressing several bodies ("Đề nghị các cơ quan chuyên môn, Ủy ban
            # Mặt trận…, UBND các xã") is about each of them less than a heading naming one.
            if depth == 0 and len(above.split()) <= LABEL_WORDS:
                # A label heading ("Mục đích", "Yêu cầu") is what its passages are about.
                share = 1.0
            named = self._memo_addressees.get(above)
            if named is None:
                named = self._memo_addressees[above] = self._addressees(above)
            body = share / named if named >= SEVERAL_BODIES else share
            for feat in self._features(above):
                around[feat] = max(around.get(feat, 0.0), share)
                # "@feat": the heading itself matches, e.g. "Đối với thôn" for a question on thôn.
                around[f"@{feat}"] = max(around.get(f"@{feat}", 0.0), body)
        for text in siblings:
            for feat in self._features(text):
                around[feat] = max(around.get(feat, 0.0), SIBLING_TF)
        return around

    def _marks(
        self, text: str, heading: str, days: tuple[str, ...]
    ) -> tuple[dict[str, float], int]:
        """The "#" features of a passage (the kinds of fact it holds) and its length in
        words; days: the title's dates, which do not date the passage."""
        marks: dict[str, float] = defaultdict(float)
        dated = without_law_years(text)
        for day in days:
            dated = dated.replace(day, "____")
        if _DATE_RE.search(dated):
            # A bare year ("… năm 2025") answers "when" less than a day, month or quarter.
            full = _FULL_DATE_RE.search(dated)
            marks["#date"] += 1 if full else YEAR_ONLY_TF
            if full:
                marks["#day"] = 1.0
        if any(ch.isdigit() for ch in text) or _ORDINAL_RE.search(text):
            marks["#num"] += 1
        for match in _TEXT_YEAR_RE.finditer(dated):
            # "#y_2024": the text speaks of that year (a date, a period), not of a document.
            marks[f"#y_{match.group(1) or match.group(2)}"] = 1.0
        if _PERIOD_RE.search(dated) or (heading and _PERIOD_RE.search(heading)):
            marks["#period"] = 1.0
            if "#date" not in marks:
                marks["#date"] = YEAR_ONLY_TF  # "2025 - 2030" dates, as years do
        if _EDITION_RE.search(text):
            marks["#ord"] = 1.0
        if _RELATIVE_TIME_RE.search(text):
            marks["#when"] = 1.0
            marks["#date"] += RELATIVE_TIME_TF  # "ngay sau khi…" answers "khi nào", vaguely
        if _PERCENT_RE.search(text):
            marks["#n_phan"] = 1.0  # "70%" counts "phần trăm"
        if AWARD_RE.search(" ".join(fold_words(text))) or (
                heading and AWARD_HEADING_RE.search(" ".join(fold_words(heading)))):
            # "Giấy khen của Chủ tịch UBND huyện": a kind of award; so is an item under
            # "Hình thức khen thưởng" ("Tặng hoa và quà lưu niệm").
            marks["#award"] = 1.0
        if self._bodies is not None and (
            self._bodies.search(text) or (heading and self._bodies.search(heading))
        ):
            marks["#org"] += 1
        folded = " ".join(fold_words(text))
        for name, (_, pattern) in self._lex.facets.items():
            if pattern.search(folded):
                marks[f"#f_{name}"] += 1
        # "#n_<word>": a number counts this word ("02 công trình", "16 tuổi", "1/2 ngày").
        words = _words(text)
        for i, w in enumerate(words):
            if w.isdigit():
                for nxt in words[i + 1 : i + 3]:
                    if not nxt.isdigit():
                        marks[f"#n_{nxt}"] = 1.0
                        break
        return dict(marks), len(words)

    def _title_days(self, campaign: Campaign) -> tuple[str, ...]:
        days = self._name_days.get(campaign.id)
        if days is None:
            plan = getattr(campaign, "plan", None)
            titles = [campaign.title, getattr(plan, "title", None) or ""]
            days = tuple(sorted({m.group(0) for t in titles for m in _DAY_FULL_RE.finditer(t)}))
            self._name_days[campaign.id] = days
        return days

    def _addressees(self, heading: str) -> int:
        """How many bodies a heading addresses: its parts between commas and "và" that name
        a body or a group of them ("các cơ quan chuyên môn")."""
        if self._bodies is None:
            return 0
        parts = re.split(r"[,;]| và ", heading)
        return sum(
            1 for part in parts
            if self._bodies.search(part) or part.strip().lower().startswith("các ")
        )

    def __len__(self) -> int:
        return len(self._docs)

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
        # How many passages of each campaign use a pair (ten copies of a title ask the same).
        held_by: dict[str, Counter[str]] = {}
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
                    held = held_by.get(f"{a}_{b}")
                    if held is None:
                        held = held_by[f"{a}_{b}"] = Counter(
                            self._docs[i].campaign_id for i, _ in postings
                        )
                    own = held[campaign.id]
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

    def _present(self, feat: str, campaigns: frozenset[str]) -> bool:
        """Whether some passage (of these campaigns, or any when none are named) has feat."""
        postings = self._postings.get(feat, ())
        if not campaigns:
            return bool(postings)
        return any(self._docs[i].campaign_id in campaigns for i, _ in postings)
