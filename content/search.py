"""Rule lookup: find the plan passage that answers a question, or abstain when none does.

The work is split by stage: content/search_base.py (constants, synonym table, text features),
search_corpus.py (the index), search_scope.py and search_reading.py (reading the question),
this module (scoring and ranking) and search_quoting.py (what is quoted).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from content.query import (
    STORY_MIN_WORDS,
    VOCAB_FILE,
    canon_words,
    load_vocab,
    plain_case,
    split_story,
    sub_questions,
)
from content.schema import Campaign
from content.search_base import (
    _FULL_DATE_RE,
    BONUS_SHARE,
    CONFLICT_PENALTY,
    CONTINUE_ASKED,
    CONTINUE_SPAN,
    CONTINUE_WORD,
    HEADING_DOC_PENALTY,
    HEADING_PHRASE_SHARE,
    HEADING_SHARE,
    K1,
    LIST_ITEMS,
    LONG_COVERAGE,
    LONG_PASSAGE_FLOOR,
    LONG_QUESTION,
    MIN_COVERAGE,
    MORE_PAIRS,
    MORE_TERMS,
    MORE_WORDS,
    PARALLEL_SHARE,
    PHRASE_SHARE,
    PREFER_BOOST,
    QUOTE_PAIRS,
    RERANK,
    SEQUENCE_RE,
    SEQUENCE_SHARE,
    SIBLING_MARGIN,
    SLOT_FILLERS,
    SLOT_NOT,
    SLOT_SHARE,
    SLOT_WORDS,
    SYNONYMS_FILE,
    TITLE_WORDS,
    VERBATIM_MARGIN,
    VERBATIM_SHARE,
    VERBATIM_WORDS,
    WHEN_SHARE,
    WHICH_SHARE,
    YEAR_QUESTIONS,
    YES_NO_WORDS,
    B,
    Hit,
    Qualifiers,
    _Doc,
    _Query,
    _text_features,
    _words,
    conflicts,
    load_synonyms,
    qualifier_values,
)
from content.search_candidates import Candidates
from content.search_quoting import Quoting
from content.search_reading import Reading
from content.search_rerank import rerank
from content.text import fold, fold_words

HEADING_COUNT_RE = re.compile(r"\d")  # a count in a heading…
YEAR_WORD_RE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")  # …once its years are set aside

# Nouns whose answer is a name the plans write in quotes ("chủ đề … là gì", "phong trào nào").
NAMING_NOUNS = (("chu", "de"), ("khau", "hieu"), ("ten", "goi"), ("phong", "trao"),
                ("cuoc", "van", "dong"))
DUTY = "~nhiemvu"  # synonyms.yaml: "nhiệm vụ", "trách nhiệm", "phải làm gì"
SUBJECT_WORDS = 6  # the first words of a passage say who acts
SUBJECT_SHARE = 0.3  # rank added, for a duty question, to a passage whose subject is the body
CRITERIA = "~tieuchi"  # synonyms.yaml: "tiêu chí", "tiêu chuẩn", "điều kiện", "cần đạt"
ADDRESSED_HEAD = "doi voi"  # a heading "Đối với …" says whom its items are for
ADDRESSED_SHARE = 0.2  # rank added, for a criteria question, to an item addressing whom it asks
NAMED_SHARE = 0.4  # rank added to a passage writing the noun asked followed by a quoted name
WHO = "#org"  # the question asks which body or person ("ai", "cơ quan nào")
PASSIVE_MARKS = frozenset({"duoc", "bi"})  # "được lựa chọn": the subject receives the act
PASSIVE_SPAN = 2  # words between the mark and the verb ("được lựa chọn")
NAME_YEAR_WORDS = 3  # the words before "năm nào" that name what is dated ("… khen thưởng")
NAME_YEAR_SHARE = 0.1  # rank added to a passage writing that name followed by "năm <year>"
# When a thing begins or ends ("… kết thúc khi nào", "bắt đầu từ bao giờ", "kéo dài đến
# khi nào", "đến bao giờ"): a passage giving a period ("từ … đến …") ranks PERIOD_SHARE higher.
SPAN_ENDS = frozenset({("ket", "thuc"), ("bat", "dau"), ("keo", "dai")})
SPAN_ASK = frozenset({"bao", "khi"})
PERIOD_SHARE = 0.15
AWARD_TOPIC = "~khen"  # synonyms.yaml: "khen thưởng", "khen", "biểu dương"…
AWARD = "#award"  # search_corpus.py: the passage names a kind of award
AWARD_TOPIC_SHARE = 0.15  # rank added, when awards are all a question names, to one naming one
QUALIFIED_SHARE = 0.05  # rank added to a passage naming the qualifier value asked
DEEPER_MARGIN = 0.05  # a subsection's passage ranked this near a section's own line answers
PASSIVE_PENALTY = 0.08  # rank taken, for a who question, from a passage receiving the act asked
NEXT_PAIRS = frozenset({("tiep", "theo"), ("ke", "tiep"), ("tiep", "do")})  # "… tiếp theo"
NEXT_STOPS = frozenset({"thi", "la", "roi", "xong"})  # where the item quoted after "sau" ends
# Words after the item quoted that only ask which item comes next (or before).
NEXT_ASK = frozenset({"thi", "den", "toi", "la", "phan", "muc", "gi", "nao", "tiep", "theo",
                      "se", "co", "noi", "dung", "hoat", "dong", "ke", "roi", "xong", "o", "a",
                      "vay", "ha", "nhi"})

__all__ = ["SYNONYMS_FILE", "Hit", "SearchIndex", "build_index", "load_synonyms"]


def _passive(words: Sequence[str], k: int) -> bool:
    """Whether the word at k follows "được" / "bị" closely ("được lựa chọn", "bị phê bình")."""
    return any(w in PASSIVE_MARKS for w in words[max(0, k - PASSIVE_SPAN):k])


def _year_name(words: Sequence[str]) -> tuple[tuple[str, ...], str]:
    """The name a question dates ("luật thi đua khen thưởng năm nào": its last words) and the
    year it says, if any ("… khen thưởng 2022"); no name when the question asks no year."""
    for k, w in enumerate(words):
        asked = tuple(words[k:k + 2]) in YEAR_QUESTIONS
        year = "" if asked else w if len(w) == 4 and w.isdigit() else None
        if year is None:
            continue
        end = k - 1 if k and words[k - 1] == "nam" and year else k
        name = tuple(words[max(0, end - NAME_YEAR_WORDS):end])
        if len(name) >= 2:
            return name, year
    return (), ""


def _dates_name(words: Sequence[str], name: tuple[str, ...], year: str) -> bool:
    """Whether the words write the name followed by "năm <year>" ("Luật Thi đua, khen thưởng
    năm 2022"), the year asked if one is said."""
    n = len(name)
    for j in range(len(words) - n - 1):
        if tuple(words[j:j + n]) == name and words[j + n] == "nam":
            after = words[j + n + 1]
            if len(after) == 4 and after.isdigit() and (not year or after == year):
                return True
    return False


def _acts_asked(q: _Query) -> frozenset[str]:
    """The single words a who-question asks of the actor ("ai chọn …": "chon"), but those the
    question itself says as received ("người được khen")."""
    words = q.words
    return frozenset(
        w for k, w in enumerate(words)
        if w in q.core and not _passive(words, k) and w not in PASSIVE_MARKS)


class SearchIndex(Candidates, Reading, Quoting):
    """Inverted index over every passage of every campaign: reads a question, scores the
    passages that can answer it and quotes the best."""

    def search(
        self, query: str, *, prefer_campaign: str | None = None, limit: int = 3
    ) -> list[Hit]:
        """Return up to limit passages answering the query, best first; [] to abstain."""
        return self._lookup(query, prefer_campaign, limit, whole=True)

    def _lookup(
        self, query: str, prefer_campaign: str | None, limit: int, *, whole: bool
    ) -> list[Hit]:
        """search(), on the whole message (whole=True: its questions may be asked one by one
        when no passage answers them together) or on one of its questions."""
        query = plain_case(query)  # query.py: a message typed in capitals
        query = self._expand_acronyms(query)  # search_corpus.py: "ở hq" -> "ở hớn quản"
        story, asked = split_story(query, self._lex)
        if not story and len(query.split()) >= STORY_MIN_WORDS:
            story, asked = self._told(query)  # search_reading.py: clauses telling of the asker
        q = self._scoped(self._analyse(asked, story), asked)  # search_scope.py
        if q.out_of_scope:
            return []
        if q.field:
            return self._field_hits(q, prefer_campaign, limit)
        if q.only_names:
            return [self._hit(self._titles[c], 1.0) for c in sorted(q.campaigns)][:limit]
        # "sau phần biểu dương, tôn vinh … thì phần nào tiếp theo": the next item of a list.
        after = self._next_item(q)
        if after is not None:
            return [after]
        # "tôi đọc kế hoạch thấy …, vậy ngoài ra còn phải làm gì nữa": what follows the
        # passage the asker quoted.
        follow = self._continuation(q, story, prefer_campaign) if story else None
        total = sum(q.core.values())
        if total <= 0:
            return [follow] if follow is not None else []
        # A yes-no question needs less of its words covered (see _rank).
        min_coverage = LONG_COVERAGE if self._long(q) or q.yes_no else MIN_COVERAGE
        # Rarest (heaviest) features first. Once the weight still to come cannot reach the
        # coverage an answer needs, a passage not met so far cannot qualify: the common
        # features ("#num", "khen") are then looked up in the candidates only, so the cost
        # does not grow with the size of the content.
        # Ranking may lift a passage of the preferred campaign, and lower a heading.
        preferred = bool(prefer_campaign) and not q.campaigns
        slack = HEADING_DOC_PENALTY + (PREFER_BOOST if preferred else 0.0)
        # The kind of fact asked for ("#n_tuoi", "#date") narrows the candidates as they come.
        core_scores = self._candidates(  # search_candidates.py
            q, total, min_coverage * LONG_PASSAGE_FLOOR, slack)
        asked_quals = qualifier_values((asked,), self._lex.qualifiers)
        hits = self._rank(q, core_scores, total, min_coverage, prefer_campaign, limit,
                          asked_quals)
        if not hits and follow is None and whole:
            # "… vận động bao nhiêu người và theo dõi trong bao lâu": no passage says both;
            # each question on its own, the first answered first (query.py).
            for part in sub_questions(asked, self._lex):
                hits = self._lookup(f"{story} {part}" if story else part, prefer_campaign,
                                    limit, whole=False)
                if hits:
                    return hits
        if follow is not None and not (hits and (
                self._says_more(q, hits[0].ref, follow.ref)
                or self._slot_said(q, hits[0].ref) > self._slot_said(q, follow.ref) + 1e-9)):
            hits = [follow, *(h for h in hits if h.ref != follow.ref)][:limit]
        hits = self._answering(q, hits, asked)  # search_scope.py: the place and fact asked
        if not hits and "~lienhe" in q.core:
            # "Dân vận khéo hỏi ai?": the plan's own office for questions, when it names none.
            named = q.campaigns or frozenset([prefer_campaign] if prefer_campaign else [])
            if len(named) == 1:
                ref = self._contact(next(iter(named)))
                if ref is not None:
                    hits = [self._hit(ref, MIN_COVERAGE)]
        if hits and not self._answers_a_choice(query, hits[0]):  # search_scope.py
            hits = []
        if not hits:
            # "… thi trên giấy hay thi trên mạng": each alternative asked on its own.
            hits = self._choice_hits(query, prefer_campaign, limit)  # search_scope.py
        return hits

    def _receives(self, acts: frozenset[str], i: int) -> bool:
        """Whether the passage writes one of the acts asked only as received ("Sau khi được
        lựa chọn, …"): the body it speaks of is the one acted upon, not the one acting."""
        words = _words(self._docs[i].passage.text)
        for act in acts:
            at = [k for k, w in enumerate(words) if w == act]
            if at and all(_passive(words, k) for k in at):
                return True
        return False

    def _continuation(self, q: _Query, story: str, prefer_campaign: str | None) -> Hit | None:
        """For a question asking what else or what next ("ngoài ra", "bên cạnh đó", "… nữa",
        "sau đó") after a story quoting the plan ("tôi đọc kế hoạch thấy ban tuyên giáo phải
        xây dựng hướng dẫn …"): the passage quoted is the one saying most of the story's word
        pairs itself (QUOTE_PAIRS at least, the campaign's title words aside); the answer is
        the passage after it in its part of the plan that covers most of the question's own
        words, in the quoted passage's own section first, the nearest first."""
        words = q.words
        if not (any(w in MORE_WORDS for w in words)
                or any(p in MORE_PAIRS for p in itertools.pairwise(words))):
            return None
        named = q.campaigns or (frozenset([prefer_campaign]) if prefer_campaign else frozenset())
        # (The campaign's own title words name it: they quote nothing.)
        title = {f for c in named if c in self._titles for f in self._docs[self._titles[c]].tf}
        pairs = {f for f in _text_features(story, self._syn)
                 if "_" in f and f in self._idf and f not in title}
        said: dict[int, float] = {}
        for f in pairs:
            for i, _ in self._postings.get(f, ()):
                doc = self._docs[i]
                if doc.field or doc.is_heading or (named and doc.campaign_id not in named):
                    continue
                if f in doc.own:
                    said[i] = said.get(i, 0.0) + self._idf[f]
        counts = {i: sum(1 for f in pairs if f in self._docs[i].own) for i in said}
        quoted = [i for i in said if counts[i] >= QUOTE_PAIRS]
        if not quoted:
            return None
        # On a tie, the passage whose text, not only its item heading ("… trong đó:" above
        # the bullets), says the words quoted.
        texts = {i: _text_features(self._docs[i].passage.text, self._syn) for i in quoted}
        best = max(quoted, key=lambda i: (
            round(said[i], 3), sum(self._idf[f] for f in pairs if f in texts[i]), -i))
        doc = self._docs[best]
        part = doc.passage.source.rsplit(".", 1)[0] if "." in doc.passage.source else (
            doc.passage.source)
        after = [
            i for i in range(best + 1, min(best + 1 + CONTINUE_SPAN, len(self._docs)))
            if not self._docs[i].is_heading and not self._docs[i].field
            and self._docs[i].campaign_id == doc.campaign_id
            and (self._docs[i].passage.source == part
                 or self._docs[i].passage.source.startswith(f"{part}."))
        ]
        asked = {f: w for f, w in q.core.items() if f[0] != "#"}
        # The words asked that tell passages apart ("trung tâm", "thể thao"), not the broad
        # ones ("làm gì": a task; "khen thưởng"; "đơn vị").
        plain = {f: w for f, w in asked.items() if w >= CONTINUE_WORD and f not in MORE_TERMS}

        def covered(i: int, feats: dict[str, float] = asked, at: str = "") -> float:
            sats = self._sat[i]
            return sum(w * sats.get(f"{at}{f}", 0.0) for f, w in feats.items())

        # A passage holding most of the words asked ("vậy trung tâm … phải làm gì nữa"), then
        # the quoted passage's own section (the next bullets), then the nearest.
        weight = sum(plain.values())
        if weight > 0 and covered(best, plain) >= CONTINUE_ASKED * weight:
            # "… phòng nội vụ chủ trì xây dựng kế hoạch …, vậy phòng nội vụ còn hướng dẫn gì
            # nữa": the quoted passage goes on to say it.
            after.insert(0, best)
        if not after:
            return None
        choice = max(after, key=lambda i: (
            weight > 0 and covered(i, plain) >= CONTINUE_ASKED * weight,
            # (its own heading holding them: the item is about them)
            weight > 0 and covered(i, plain, "@") >= CONTINUE_ASKED * weight,
            round(covered(i, plain), 2),
            i != best,  # (the quoted passage itself only when it says more of them)
            self._docs[i].passage.source == doc.passage.source,
            round(covered(i), 3),
            -i,
        ))
        hit = self._hit(choice, MIN_COVERAGE)
        return self._with_section(hit) if q.wants_section else self._with_sentence(q, hit)

    def _next_item(self, q: _Query) -> Hit | None:
        """For "sau [phần] X thì … tiếp theo" ("kế tiếp", "tiếp đó"): the item after the
        one X quotes, in the same list (the next passage of its section). X quotes an item
        when the item says QUOTE_PAIRS of its word pairs at least and most of them, or all
        the item's own pairs; None when the question is not of this form or quotes none."""
        words = q.words
        step = 1 if "sau" in words else -1 if "truoc" in words else 0
        span: list[str] = []
        if step:
            k = words.index("sau" if step > 0 else "truoc")
            for j, w in enumerate(words[k + 1 :], k + 1):
                if w in NEXT_STOPS and words[j + 1 : j + 2] != ("dua",):  # ("thì", not "thi đua")
                    break
                span.append(w)
            rest = words[k + 1 + len(span) :]
        elif "xong" in words:
            # "chào cờ xong thì tới mục gì": the item is said before "xong".
            k = words.index("xong")
            span = list(itertools.dropwhile(lambda w: w in self._syn.stopwords, words[:k]))
            rest = words[k + 1 :]
            step = 1
        else:
            return None
        # "… tiếp theo"; or, the item quoted, nothing but which item is asked: "sau phần chào
        # cờ thì đến phần gì", "trước phần tổng kết là phần nào".
        asks_item = bool(rest) and set(rest) <= NEXT_ASK and bool({"gi", "nao"} & set(rest))
        if not (asks_item or (step > 0 and any(
                p in NEXT_PAIRS for p in itertools.pairwise(words)))):
            return None
        pairs = {f"{a}_{b}" for a, b in itertools.pairwise(span)} & self._idf.keys()
        if not pairs:
            return None
        counts: dict[int, int] = {}
        for f in pairs:
            for i, _ in self._postings.get(f, ()):
                doc = self._docs[i]
                if doc.field or doc.is_heading or (
                        q.campaigns and doc.campaign_id not in q.campaigns):
                    continue
                if f in doc.own:
                    counts[i] = counts.get(i, 0) + 1
        # (A short item, "Chào cờ;", is quoted when the question says all its pairs.)
        # (An item named by its first words, "sau phần báo cáo tổng kết thì đến phần gì", is
        # quoted when it says every pair of them.)
        quoted = [i for i, n in counts.items() if (n >= QUOTE_PAIRS and 2 * n > len(pairs)) or (
            asks_item and n == len(pairs)) or (
            n == sum(1 for f in _text_features(self._docs[i].passage.text, self._syn)
                     if "_" in f and f[0] != "~"))]
        if not quoted:
            return None
        # (On a tie, the item that begins with the words said: "báo cáo tổng kết xong".)
        best = max(quoted, key=lambda i: (
            counts[i], tuple(fold_words(self._docs[i].passage.text)[: len(span)]) == tuple(span),
            -self._docs[i].length, -i))
        if not 0 <= best + step < len(self._docs):
            return None
        doc, nxt = self._docs[best], self._docs[best + step]
        if (nxt.campaign_id != doc.campaign_id or nxt.passage.source != doc.passage.source
                or nxt.is_heading or nxt.field):
            return None
        return self._hit(best + step, MIN_COVERAGE)

    def _says_more(self, q: _Query, i: int, j: int) -> bool:
        """Whether passage i holds more of the question's words that tell passages apart
        (CONTINUE_WORD) than passage j: then the ranking's answer stands."""
        plain = {f: w for f, w in q.core.items()
                 if f[0] != "#" and w >= CONTINUE_WORD and f not in MORE_TERMS}
        si, sj = self._sat[i], self._sat[j]
        return sum(w * si.get(f, 0.0) for f, w in plain.items()) > sum(
            w * sj.get(f, 0.0) for f, w in plain.items()) + 1e-9

    def _runs(self, q: _Query) -> list[tuple[str, ...]]:
        """The question's runs of YES_NO_WORDS consecutive words (not all fillers), each as
        its word pairs: what a passage must say as the question says it."""
        stop = self._syn.stopwords
        words = q.words
        n = YES_NO_WORDS
        return [
            tuple(f"{a}_{b}" for a, b in itertools.pairwise(words[k : k + n]))
            for k in range(len(words) - n + 1)
            if sum(1 for w in words[k : k + n] if w not in stop) >= n - 1
        ]

    def _slot_runs(self, q: _Query) -> list[tuple[str, ...]]:
        """The runs (as word pairs) of SLOT_WORDS or more of the question's words that end at
        most two words before its last question word ("gì", "nào"), fillers aside: "triển
        khai theo đúng [cái] gì", "gắn với việc thực hiện [nhiệm vụ] gì". A passage writing
        one of them states what fills the slot."""
        words = q.words
        # ("khi nào", "do ai", "ở đâu" ask for a time, a body, a place: ranked elsewhere.)
        asked = [k for k, w in enumerate(words)
                 if k and (w == "gi" or (w == "nao" and words[k - 1] not in SLOT_NOT))]
        if not asked:
            return []
        end = asked[-1]
        while end > 0 and words[end - 1] in SLOT_FILLERS:
            end -= 1
        runs: list[tuple[str, ...]] = []
        for stop_at in range(end, max(end - 3, 0), -1):
            for start in range(max(stop_at - 6, 0), stop_at - SLOT_WORDS + 1):
                span = words[start:stop_at]
                if any(w in self._lex.question_words for w in span):
                    continue
                runs.append(tuple(f"{a}_{b}" for a, b in itertools.pairwise(span)))
        return runs

    def _slot_said(self, q: _Query, i: int,
                   slots: list[tuple[str, ...]] | None = None) -> float:
        """The weight (idf of its pairs) of the heaviest slot run (_slot_runs) passage i
        writes; 0 when it writes none."""
        own = self._docs[i].own
        runs = self._slot_runs(q) if slots is None else slots
        return max((sum(self._idf.get(p, 0.0) for p in run)
                    for run in runs if all(p in own for p in run)), default=0.0)

    @staticmethod
    def _long(q: _Query) -> bool:
        """Whether the question carries context words (many of them, or a story before it):
        then a smaller share of them must be matched."""
        real = [f for f in q.core if f[0] != "#"]
        return len(real) > LONG_QUESTION or (q.long and len(real) > 2)

    def _field_hits(self, q: _Query, prefer_campaign: str | None, limit: int) -> list[Hit]:
        """The plan document's own field (signer, number…) of the campaign asked about, or
        of the one browsed; of every campaign when none is; [] when the plan lacks it."""
        if q.campaigns:
            named = [c for c in self._campaign_ids if c in q.campaigns]
        elif prefer_campaign in self._campaign_ids:
            named = [prefer_campaign] if prefer_campaign else []
        else:
            named = list(self._campaign_ids)
        field = q.field or ""
        refs = [self._fields[(c, field)] for c in named if (c, field) in self._fields]
        return [self._hit(ref, 1.0) for ref in refs[:limit]]

    def _rank(self, q: _Query, core_scores: dict[int, float], total: float,
              min_coverage: float, prefer_campaign: str | None, limit: int,
              asked_quals: Qualifiers | None = None) -> list[Hit]:
        bonus_total = sum(q.bonus.values()) or 1.0
        core_scores = self._with_chance_pairs(q, core_scores)  # search_scope.py
        # A document's number in the core ("văn bản 1686") names it as surely as a word pair.
        strong = {f for f in q.core if f[0] in "~§" or "_" in f or f.isdigit()}
        needed = min_coverage * total - 1e-9
        first: list[tuple[float, int]] = []
        conflicting: set[int] = set()  # passages speaking only of another value asked
        # A yes-no question carries the asker's own verb ("có khuyến khích … không"): a
        # passage covering less of it answers when it says a run of the question's words
        # ("phát huy sáng kiến") itself.
        loose = q.yes_no and not self._long(q)
        strict = MIN_COVERAGE * total - 1e-9
        runs = self._runs(q) if loose else []
        relief = self._relief()
        for i, score in core_scores.items():
            if score < needed and (
                score < needed * relief[i]
                or not all(f in self._sat[i] for f in q.core)
            ):
                continue  # under the floor, unless a long passage holding every word
            if loose and score < strict and not any(
                all(p in self._docs[i].own for p in run) for run in runs
            ):
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
            if asked_quals and conflicts(asked_quals, doc.quals,
                                         self._plan_quals.get(doc.campaign_id)):
                # "cấp xã" asked, the passage (with its headings) speaks of "cấp huyện" only.
                rank -= CONFLICT_PENALTY
                conflicting.add(i)
            elif asked_quals and any(doc.quals.get(g, frozenset()) & values
                                     for g, values in asked_quals.items()):
                # "thủ tục … cấp xã": the passage naming the level asked ("… của cấp huyện,
                # xã") before one naming none.
                rank += QUALIFIED_SHARE
            first.append((rank, i))
        # Two stages: the best passages by coverage, then the bonus (exact words, headings)
        # orders those. The bonus adds at most BONUS_SHARE, so this keeps the answer while the
        # cost stays flat as the content grows.
        ranked: list[tuple[float, float, int]] = []
        stop = self._syn.stopwords
        # The question's word pairs as typed ("biểu dương người tốt"), but two fillers.
        phrases = {
            bg: self._idf[bg] for bg in (f"{a}_{b}" for a, b in itertools.pairwise(q.words)
                                         if not (a in stop and b in stop))
            if bg in self._idf
        }
        phrase_total = sum(phrases.values()) or 1.0
        # A when-question about an event (not a document's date: search_scope.py) ranks a
        # passage dating it by day or month above one naming a bare year.
        # "… năm nào" asks for a year: a bare year answers it as well.
        when = next((("#eday",) if "#edate" in g else ("#day",) for g in q.required
                     if "#edate" in g or "#date" in g), ())
        if when and any(p in YEAR_QUESTIONS for p in itertools.pairwise(q.words)):
            when = ()
        # "… của tỉnh nào", "ở cấp nào": a passage naming a place or level of that kind.
        which = self._which(q)
        # ("khen thưởng 80 năm tổng tuyển cử": no kind of fact asked, no question word; "…
        # biểu dương những ai" asks whom)
        award_topic = set(q.core) == {AWARD_TOPIC} and not any(
            w in self._lex.question_words for w in q.words)
        span = bool(when) and any(
            p in SPAN_ENDS or (p[0] == "den" and p[1] in SPAN_ASK)
            for p in itertools.pairwise(q.words))
        slots = self._slot_runs(q)
        naming = self._names_asked(q)
        duty = frozenset(f for f in q.core if f[0] != "#") if (
            DUTY in q.core or DUTY in q.bonus) else frozenset()
        criteria = CRITERIA in q.core  # "… cần đạt điều kiện gì", "tiêu chí … là gì"
        who = _acts_asked(q) if WHO in q.core else frozenset()
        dated, year = _year_name(q.words)  # "luật thi đua khen thưởng năm nào"
        best_few = sorted(first, reverse=True)[:RERANK]
        quoting = self._verbatim(q, [i for _, i in best_few])
        # What ranking adds to a passage, once for twins (a plan's copies: search_candidates).
        lifts: dict[int, tuple[float, float, float, bool, float]] = {}
        for rank, i in best_few:
            coverage = core_scores[i] / total
            lift = lifts.get(self._twins[i])
            if lift is None:
                sats = self._sat[i]
                own = self._docs[i].own
                bonus = sum(w * sats.get(f, 0.0) for f, w in q.bonus.items())
                # The question's words in the passage's own heading: the section is about
                # them ("Phòng Nội vụ: …" for what Phòng Nội vụ does).
                topic = sum(
                    w * sats.get(f"@{f}", 0.0) for f, w in q.core.items() if f[0] != "#"
                )
                # The question's consecutive words found consecutively in the passage's own
                # words or item heading, not only borrowed from the headings above or the
                # neighbours (weighted by how rare each pair is).
                phrase = sum(w for bg, w in phrases.items() if bg in own)
                # The same pairs in the passage's heading ("Chủ đề thi đua", "Công tác khen
                # thưởng"): the item is about them, whatever its passages' own words.
                heading = self._heading_feats(i) if self._titled(i) else frozenset()
                titled = sum(
                    w * sats.get(f"@{bg}", 0.0) for bg, w in phrases.items() if bg in heading
                )
                lift = lifts[self._twins[i]] = (
                    BONUS_SHARE * bonus / bonus_total + HEADING_SHARE * topic / total,
                    PHRASE_SHARE * phrase / phrase_total,
                    HEADING_PHRASE_SHARE * titled / phrase_total,
                    bool(when) and any(f in sats for f in when),
                    # The words right before the question word, said as a run ("theo đúng
                    # mục đích" for "theo đúng cái gì"): the answer follows them.
                    SLOT_SHARE * self._slot_said(q, i, slots) / phrase_total,
                )
            rank += lift[0]
            rank += lift[1]
            rank += lift[2] + lift[4]
            if award_topic and AWARD in self._sat[i]:
                # "khen thưởng 80 năm tổng tuyển cử": the awards given ("Bằng khen của Thủ
                # tướng Chính phủ"), not a heading that only says "Tiêu chuẩn khen thưởng".
                rank += AWARD_TOPIC_SHARE
            if span and "#period" in self._sat[i]:
                # "phong trào … kết thúc khi nào": the period it runs ("Từ tháng 10/2024 đến
                # hết tháng 12/2025"), not the deadline of one of its steps.
                rank += PERIOD_SHARE
            if lift[3]:
                # "… xong khi nào": a day or month of the event ("Tháng 11/2024"), not only
                # the year of something the passage names ("Hội nghị … năm 2025").
                rank += WHEN_SHARE
            if which and which in self._named_kinds(i):
                rank += WHICH_SHARE
            if duty and duty <= self._subject_feats(i):
                # "UBND các xã phải làm gì": the passage whose subject is that body ("UBND
                # các xã, thị trấn cụ thể hóa …"), not one addressing it among others.
                rank += SUBJECT_SHARE
            if criteria and self._addressed(i):
                # "Đối với các công ty, doanh nghiệp": the item addresses the actor asked.
                rank += ADDRESSED_SHARE * sum(
                    w for f, w in q.core.items()
                    if f[0] != "#" and f in self._heading_feats(i)) / total
            if naming and self._writes_name(i, naming):
                rank += NAMED_SHARE
            if dated and _dates_name(_words(self._docs[i].passage.text), dated, year):
                # The name followed by its year answers "… năm nào", not the name alone.
                rank += NAME_YEAR_SHARE
            if who and self._receives(who, i):
                # "ai chọn người được khen": not the body that is itself "được lựa chọn".
                rank -= PASSIVE_PENALTY
            if q.sequence and self._gives_order(i):
                rank += SEQUENCE_SHARE
            if i in quoting:
                rank += VERBATIM_SHARE
            ranked.append((rank, coverage, i))
        ranked.sort(key=lambda r: (-round(r[0], 3), self._docs[r[2]].order))
        asked_quals = asked_quals or {}
        parallel = self._parallel(ranked, min_coverage, asked_quals)
        ranked = rerank(self, q, ranked)  # search_rerank.py: the learned order of the best few
        ranked = self._deeper_first(q, ranked)
        hits: list[Hit] = []
        seen: set[tuple[str, str]] = set()
        if parallel is not None and (not ranked or parallel[0] >= round(ranked[0][0], 3)):
            hits.append(self._parallel_hit(parallel[0], parallel[1]))
            seen.update((self._docs[i].campaign_id, self._docs[i].passage.text)
                        for i in parallel[1])
        for rank, coverage, i in ranked:
            if len(hits) >= limit:
                break
            if coverage < min_coverage * relief[i]:
                continue
            if i in conflicting:
                # Never the answer: the plan's parallel passage for the value asked is.
                other = self._counterpart(q, i, total, min_coverage, asked_quals)
                if other is None:
                    continue
                i, rank = other, coverage
            doc = self._docs[i]
            key = (doc.campaign_id, doc.passage.text)
            if key in seen:
                continue
            seen.add(key)
            hits.append(self._hit(i, round(rank, 4)))
        if hits and not hits[0].section_texts and asked_quals:
            # "tiêu chí khen thưởng cá nhân gồm những gì" answered by "… đạt các tiêu chí
            # sau:": the item under it for the value asked ("Đối với cá nhân").
            deeper = self._under_list(q, hits[0].ref, asked_quals)
            if deeper is not None:
                hits[0] = self._hit(deeper, hits[0].score)
        if hits and not hits[0].section_texts and self._heading_lacks_fact(q, hits[0].ref):
            # "số lượng bằng khen tỉnh": a heading ("Số lượng khen thưởng … năm 2025") does not
            # state the number, date or body asked; the passage under it holding most of the
            # question's words does. (A heading may be the answer to "chủ đề … là gì".)
            under = self._under_heading(q, hits[0].ref)
            if under is not None:
                hits[0] = self._hit(under, hits[0].score)
        if q.order and hits and not hits[0].section_texts:
            item = self._list_end(hits[0].ref, q.order)
            if item is not None:
                return [self._hit(item, hits[0].score), *hits[1:]]
        # Parallel passages (section_texts) are quoted whole, each under its own heading.
        if hits and not hits[0].section_texts and self._lead_in(hits[0].ref):
            # "Thành phần, số lượng đại biểu:" is no answer: the items after it are.
            hits[0] = self._with_items(hits[0])
        if hits and not hits[0].section_texts:
            if q.wants_section or self._asks_label(q, hits[0]) or self._sibling_tie(hits):
                hits[0] = self._with_section(hits[0])
            else:
                hits[0] = self._with_sentence(q, hits[0])
        return hits

    def _deeper_first(self, q: _Query, ranked: list[tuple[float, float, int]]
                      ) -> list[tuple[float, float, int]]:
        """ranked, with a passage of a subsection of the best one's section first when it
        ranks within DEEPER_MARGIN of it and its own text says more of the question's words
        (as much, under a bare title): the title "Cải cách thủ tục hành chính, …" or the
        opening line under "Hình thức, thời gian, thành phần và số lượng đại biểu" matches the
        question by its heading, the passage of the subsection below holds the fact."""
        if len(ranked) < 2:
            return ranked
        said_nouns = tuple(" ".join(n) for n in NAMING_NOUNS if any(
            q.words[k:k + len(n)] == n for k in range(len(q.words))))
        if said_nouns and self._writes_name(ranked[0][2], said_nouns):
            return ranked  # (a title may hold the name asked: "chủ đề thi đua “…”")
        if q.sequence and self._gives_order(ranked[0][2]):
            return ranked  # (the opening line gives the order asked: "từ cấp cơ sở đến …")
        best = self._docs[ranked[0][2]]
        prefix = f"{best.passage.source}."
        words = {f: w for f, w in q.core.items() if f[0] not in "#§"}
        said = self._text_said(ranked[0][2], words)
        for k, (rank, _, i) in enumerate(ranked[1:], 1):
            if rank < ranked[0][0] - DEEPER_MARGIN:
                break
            doc = self._docs[i]
            if (doc.campaign_id == best.campaign_id and not doc.is_heading and not doc.field
                    and doc.passage.source.startswith(prefix)):
                own = self._text_said(i, words)
                if own > said + 1e-9 or (best.is_heading and own >= said - 1e-9):
                    return [ranked[k], *ranked[:k], *ranked[k + 1:]]
        return ranked

    def _text_said(self, i: int, words: dict[str, float]) -> float:
        """The weight of the words that passage i's own text (not its headings) says."""
        cache: dict[int, frozenset[str]] = self.__dict__.setdefault("_text_cache", {})
        feats = cache.get(i)
        if feats is None:
            feats = cache[i] = frozenset(_text_features(self._docs[i].passage.text, self._syn))
        return sum(w for f, w in words.items() if f in feats)

    @staticmethod
    def _names_asked(q: _Query) -> tuple[str, ...]:
        """The naming nouns ("chủ đề", "phong trào"…) a question asks the name of, folded:
        "… phong trào nào", "… chủ đề gì", or the noun followed later by "là gì" ("chủ đề thi
        đua … là gì"); not "phong trào … giai đoạn nào", "phong trào … như thế nào"."""
        words = q.words
        found: list[str] = []
        for noun in NAMING_NOUNS:
            n = len(noun)
            for k in range(len(words) - n):
                if words[k : k + n] == noun and any(
                        (w == "nao" and words[j - n : j] == noun)
                        or (w == "gi" and (words[j - 1] == "la" or words[j - n : j] == noun))
                        for j, w in enumerate(words[k + n :], k + n)):
                    found.append(" ".join(noun))
                    break
        return tuple(found)

    def _writes_name(self, i: int, nouns: tuple[str, ...]) -> bool:
        """Whether passage i (or its own heading with it) writes one of the naming nouns
        followed by a name in quotes: "chủ đề thi đua “Đoàn kết - Đổi mới …”", "phong trào
        “Toàn dân bảo vệ an ninh Tổ quốc”"."""
        cache: dict[tuple[int, tuple[str, ...]], bool] = self.__dict__.setdefault(
            "_named_cache", {})
        key = (i, nouns)
        found = cache.get(key)
        if found is None:
            doc = self._docs[i]
            text = fold(f"{doc.heading}: {doc.passage.text}" if doc.heading else doc.passage.text)
            found = cache[key] = any(
                re.search(rf"\b{noun}(?: [\w-]+){{0,2}}:? ?[“\"«]", text) for noun in nouns)
        return found

    def _subject_feats(self, i: int) -> frozenset[str]:
        """The features of passage i's first SUBJECT_WORDS words when they name a body of the
        plans: who the passage says acts."""
        cache: dict[int, frozenset[str]] = self.__dict__.setdefault("_subject_cache", {})
        feats = cache.get(i)
        if feats is None:
            head = " ".join(self._docs[i].passage.text.split()[:SUBJECT_WORDS])
            # (none when the first words name no body of the plans: "Phương hướng, nhiệm vụ …")
            named = self._bodies is not None and bool(self._bodies.search(head))
            feats = cache[i] = frozenset(_text_features(head, self._syn)) if named else (
                frozenset())
        return feats

    def _addressed(self, i: int) -> bool:
        """Whether passage i's own heading addresses whom the item is for ("Đối với cá nhân",
        "Đối với các công ty, doanh nghiệp")."""
        heading = self._docs[i].heading
        return bool(heading) and fold(heading).startswith(ADDRESSED_HEAD)

    def _sibling_tie(self, hits: list[Hit]) -> bool:
        """Whether the best answer and another ranked alike (within SIBLING_MARGIN) are items
        of one section: the question asks what the section lists, not one of its items."""
        a = self._docs[hits[0].ref]
        if a.is_heading:
            return False
        for hit in hits[1:]:
            if hit.score < hits[0].score - SIBLING_MARGIN:
                break
            b = self._docs[hit.ref]
            if (not hit.section_texts and not b.is_heading and a.campaign_id == b.campaign_id
                    and a.passage.source == b.passage.source):
                return True
        return False

    def _verbatim(self, q: _Query, refs: list[int]) -> frozenset[int]:
        """The passages among refs writing the longest run of the question's consecutive
        words as they stand ("học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"
        quoted from the plan) in a yes-no question asking no kind of fact, when that run is
        VERBATIM_WORDS long or more, half the question or more, and VERBATIM_MARGIN words
        longer than any other passage's: the question quotes them."""
        if not q.yes_no or q.required:
            return frozenset()  # (what is asked decides a wh-question, not its echo)
        pairs = [f"{a}_{b}" for a, b in itertools.pairwise(q.words)]
        if len(pairs) < VERBATIM_WORDS - 1:
            return frozenset()
        runs: dict[int, int] = {}
        for i in refs:
            own = self._docs[i].own
            longest = streak = 0
            for p in pairs:
                streak = streak + 1 if p in own else 0
                longest = max(longest, streak)
            runs[i] = longest + 1
        best = max(runs.values(), default=0)
        if best < VERBATIM_WORDS or 2 * best < len(q.words):
            # (a run shorter than half the question is a phrase of the field it uses)
            return frozenset()
        second = max((n for n in runs.values() if n < best), default=0)
        if best - second < VERBATIM_MARGIN:
            return frozenset()
        return frozenset(i for i, n in runs.items() if n == best)

    def _heading_lacks_fact(self, q: _Query, i: int) -> bool:
        """Whether passage i is a heading and the question asks a number or a date that it
        does not state (a year is no count, nor a day: "… vào năm 2025")."""
        doc = self._docs[i]
        if not doc.is_heading:
            return False
        text = doc.passage.text
        if "#num" in q.core and not HEADING_COUNT_RE.search(YEAR_WORD_RE.sub("", text)):
            return True
        return "#date" in q.core and not _FULL_DATE_RE.search(text)

    def _under_heading(self, q: _Query, i: int) -> int | None:
        """The passage of heading i's section (its own or those numbered under it) covering
        most of the question's words and pairs, the first on a tie; None when it has none."""
        doc = self._docs[i]
        src = doc.passage.source
        best: tuple[float, int] | None = None
        for j in range(i + 1, len(self._docs)):
            d = self._docs[j]
            if d.campaign_id != doc.campaign_id or not (
                    d.passage.source == src or d.passage.source.startswith(f"{src}.")):
                break
            if d.is_heading or d.field:
                continue
            sats = self._sat[j]
            score = sum(w * sats.get(f, 0.0) for f, w in q.core.items()) + sum(
                w * sats.get(f, 0.0) for f, w in q.bonus.items() if f[0] != "@")
            if best is None or score > best[0] + 1e-9:
                best = (score, j)
        return best[1] if best else None

    def _under_list(self, q: _Query, i: int, asked: Qualifiers) -> int | None:
        """For a passage introducing the items below it ("… và đạt các tiêu chí sau:"), the
        passage of those items (sections numbered under its own) whose headings name the
        qualifier value asked ("Đối với cá nhân") and none other of its group, covering the
        question best (the first on a tie); None when it introduces none or none names it."""
        doc = self._docs[i]
        if not doc.passage.text.rstrip().endswith(":") or any(
            len(values) != 1 for values in asked.values()
        ):
            return None  # ("tập thể, cá nhân … phải đáp ứng điều kiện chung gì": all of them)
        prefix = f"{doc.passage.source}."
        best: tuple[float, int] | None = None
        for j in range(i + 1, len(self._docs)):
            d = self._docs[j]
            if d.campaign_id != doc.campaign_id or not d.passage.source.startswith(prefix):
                break
            if d.is_heading or not all(
                g in d.quals and d.quals[g] & values and not d.quals[g] - values
                for g, values in asked.items()
            ):
                continue
            sats = self._sat[j]
            coverage = sum(w * sats.get(f, 0.0) for f, w in q.core.items())
            if best is None or coverage > best[0] + 1e-9:
                best = (coverage, j)
        return best[1] if best else None

    def _which(self, q: _Query) -> tuple[str, ...]:
        """The kind of place or level a question asks for ("tỉnh nào" -> ("tinh",), "ở cấp
        nào" -> ("cap",)), or () when it asks for none."""
        words = q.words
        for k, w in enumerate(words):
            if w != "nao" or k == 0:
                continue
            for marker in (*self._lex.place_markers, *self._level_heads()):
                n = len(marker)
                if k >= n and tuple(words[k - n : k]) == marker:
                    return marker
        return ()

    def _gives_order(self, i: int) -> bool:
        """Whether passage i gives an order ("Tiến hành tổ chức theo thứ tự từ cấp cơ sở đến
        …", "từ huyện đến xã"): what a question on the order of things asks for."""
        cache: dict[int, bool] = self.__dict__.setdefault("_order_cache", {})
        found = cache.get(i)
        if found is None:
            found = cache[i] = bool(SEQUENCE_RE.search(self._docs[i].passage.text))
        return found

    def _level_heads(self) -> tuple[tuple[str, ...], ...]:
        """The word a qualifier group's values all begin with ("cấp" of "cấp xã", "cấp
        huyện"): "cấp nào" asks for one of them."""
        heads: tuple[tuple[str, ...], ...] | None = self.__dict__.get("_heads_cache")
        if heads is None:
            heads = tuple(
                (values[0][0],) for values in self._lex.qualifiers
                if len(values) > 1 and len({v[0] for v in values}) == 1
            )
            self.__dict__["_heads_cache"] = heads
        return heads

    def _named_kinds(self, i: int) -> frozenset[tuple[str, ...]]:
        """The place markers and level heads passage i names with a value of its own:
        "tỉnh Lạng Sơn" (a capitalised name after the marker), "cấp huyện" (a value of the
        qualifier group)."""
        cache: dict[int, frozenset[tuple[str, ...]]] = self.__dict__.setdefault(
            "_kinds_cache", {})
        found = cache.get(i)
        if found is None:
            raw = self._docs[i].passage.text.split()
            words = [next(iter(canon_words(w)), "") for w in raw]
            values = {v[1:] for g in self._lex.qualifiers for v in g if len(v) > 1}
            kinds: set[tuple[str, ...]] = set()
            for marker in (*self._lex.place_markers, *self._level_heads()):
                n = len(marker)
                for k in range(len(words) - n):
                    if tuple(words[k : k + n]) != marker:
                        continue
                    after = raw[k + n].lstrip("“\"(")
                    if (after[:1].isupper() and marker in self._lex.place_markers) or any(
                        tuple(words[k + n : k + n + len(v)]) == v for v in values
                    ):
                        kinds.add(marker)
                        break
            found = cache[i] = frozenset(kinds)
        return found

    def _relief(self) -> list[float]:
        """Per passage, the share of the coverage floor it needs: a long passage saturates
        each word less (see LONG_PASSAGE_FLOOR); computed once per index."""
        relief: list[float] | None = self.__dict__.get("_relief_cache")
        if relief is None:
            searched = [d.length for d in self._docs if not d.field]
            avg = sum(searched) / max(len(searched), 1)
            relief = [
                max(LONG_PASSAGE_FLOOR,
                    min(1.0, (K1 + 1) / (1 + K1 * (1 - B + B * d.length / max(avg, 1.0)))))
                for d in self._docs
            ]
            self.__dict__["_relief_cache"] = relief
        return relief

    def _list_end(self, i: int, order: str) -> int | None:
        """The first or last item (order) of the list of passage i's section: a run of three
        passages or more, each but the last ending with ";" ("Chào cờ;" … "Tổng kết và bế
        mạc."), holding passage i. None when the section holds no such list."""
        doc = self._docs[i]
        docs = [d for d in self._by_section.get((doc.campaign_id, doc.passage.source), ())
                if not d.is_heading]
        runs: list[list[_Doc]] = []
        current: list[_Doc] = []
        for d in docs:
            current.append(d)
            if not d.passage.text.rstrip().endswith(";"):
                runs.append(current)
                current = []
        if current:
            runs.append(current)
        for run in runs:
            if len(run) >= LIST_ITEMS and any(d.order == i for d in run):
                return (run[0] if order == "first" else run[-1]).order
        return None

    def _titled(self, i: int) -> bool:
        """Whether passage i's own heading is a short title ("Chủ đề thi đua"), not a list
        of those addressed ("Đối với cán bộ, công chức, viên chức, lực lượng vũ trang")."""
        heading = self._docs[i].heading
        return bool(heading) and len(heading.split()) <= TITLE_WORDS and "," not in heading

    def _heading_feats(self, i: int) -> frozenset[str]:
        """The features of passage i's own item heading (not of the headings above it)."""
        cache: dict[int, frozenset[str]] = self.__dict__.setdefault("_heading_cache", {})
        feats = cache.get(i)
        if feats is None:
            heading = self._docs[i].heading
            feats = frozenset(_text_features(heading, self._syn)) if heading else frozenset()
            cache[i] = feats
        return feats

    def _counterpart(self, q: _Query, i: int, total: float, min_coverage: float,
                     asked: Qualifiers) -> int | None:
        """The passage of a section parallel to passage i's ("Đối với cấp xã" beside "Đối
        với cấp huyện") whose heading names the value asked, best covering the question's
        words (what it requires aside: the plan may state it otherwise there)."""
        doc = self._docs[i]
        source = doc.passage.source
        if "." not in source:
            return None
        best: tuple[float, int] | None = None
        for other in self._children.get((doc.campaign_id, source.rsplit(".", 1)[0]), ()):
            for d in self._by_section.get((doc.campaign_id, other), ()):
                if d.is_heading or not all(
                    g in d.heading_quals and d.heading_quals[g] & values
                    for g, values in asked.items() if g in doc.quals
                ):
                    continue
                sats = self._sat[d.order]
                coverage = sum(w * sats.get(f, 0.0) for f, w in q.core.items()) / total
                if coverage >= min_coverage and (best is None or coverage > best[0]):
                    best = (coverage, d.order)
        return best[1] if best else None

    def _parallel(self, ranked: list[tuple[float, float, int]], min_coverage: float,
                  asked: Qualifiers) -> tuple[float, list[int]] | None:
        """For a question naming no value of a qualifier: the best passages of parallel
        sections (one per value, "Đối với cấp xã" / "Đối với cấp huyện" under one parent)
        that answer it, with their rank, when two or more do."""
        groups: dict[tuple[str, str, int], dict[str, tuple[float, int]]] = {}
        for rank, coverage, i in ranked:
            if coverage < min_coverage:
                continue
            doc = self._docs[i]
            source = doc.passage.source
            if "." not in source or doc.is_heading:
                continue
            for g, values in doc.heading_quals.items():
                if g in asked or len(values) != 1:
                    continue
                key = (doc.campaign_id, source.rsplit(".", 1)[0], g)
                best = groups.setdefault(key, {})
                if source not in best or rank > best[source][0]:
                    best[source] = (rank, i)
        found: tuple[float, list[int]] | None = None
        for (_, _, g), by_source in groups.items():
            named = {v for _, i in by_source.values() for v in self._docs[i].heading_quals[g]}
            if len(by_source) < 2 or len(named) < len(by_source):
                continue
            rank = round(max(r for r, _ in by_source.values()) + PARALLEL_SHARE, 3)
            if found is None or rank > found[0]:
                members = sorted((i for _, i in by_source.values()),
                                 key=lambda i: self._docs[i].order)
                found = (rank, members)
        return found

    def _parallel_hit(self, rank: float, members: list[int]) -> Hit:
        """One answer quoting parallel passages, each under its own heading, cited by all
        their sections, under the heading of the section holding them."""
        first = self._docs[members[0]]
        parent = first.passage.source.rsplit(".", 1)[0]
        above = self._by_section.get((first.campaign_id, parent), ())
        texts = tuple(
            f"{self._docs[i].heading.rstrip(' :')}: {self._docs[i].passage.text}"
            for i in members
        )
        notes = tuple(dict.fromkeys(n for i in members for n in self._hit(i, rank).notes))
        return dataclasses.replace(
            self._hit(members[0], round(rank, 4)),
            source=", ".join(self._docs[i].passage.source for i in members),
            text="\n".join(texts),
            heading=above[0].heading if above else "",
            section_texts=texts,
            notes=notes,
        )


def build_index(
    campaigns: Iterable[Campaign],
    synonyms_file: Path = SYNONYMS_FILE,
    vocab_file: Path = VOCAB_FILE,
) -> SearchIndex:
    """Build the search index over every quotable passage of the given campaigns."""
    index = SearchIndex(list(campaigns), load_synonyms(synonyms_file), load_vocab(vocab_file))
    index._plan_runs()  # (search_scope.py: built with the index, not on the first question)
    return index
