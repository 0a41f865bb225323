"""Initials of the plans' own multiword terms, as people type them in chat.

"pt" phong trào, "đb" đặc biệt / đại biểu, "hđ" hoạt động / hội đồng, "cl" chất lượng,
"ctrình" công trình / chương trình: every run of words a plan writes often enough gives its
initials (đ typed or folded to d alike) and the initials of all its words but the last,
followed by the last in full ("ctrình", "đbiểu"). Built from the plan text of any campaign,
with no list of terms. An initial standing for several terms keeps them all; the other words
of the question choose (the term whose passages hold them most), else the most written one.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from content.query import canon_word
from content.text import fold_words, nfc

TERM_MIN = 3  # a run of words written this often (in distinct texts) is a term
TERM_MIN_SHORT = 5  # …this often for initials of two letters
TERM_WORDS = 6  # a term of this many words at most
INSIDE_SHARE = 0.8  # a pair written this often inside one longer run is part of that one
ALT_SHARE = 0.15  # another reading kept when written this often, relative to the first
_SEGMENT_RE = re.compile(r"[^\w\s]+")


@dataclass(frozen=True)
class Reading:
    """One term an initial may stand for: as written, how often, and the words of the
    passages holding it (document frequency, out of `texts`)."""

    name: str
    times: float
    texts: int = 0
    context: Mapping[str, int] | None = None
    counted: int = 0  # passages writing it after a number ("300 đại biểu", "02 công trình")


def term_counts(
    texts: Iterable[str], stop: frozenset[str], folded: Callable[[str], str]
) -> tuple[Counter[tuple[str, ...]], dict[tuple[str, ...], str]]:
    """Runs of two to TERM_WORDS words of the texts (lower case, each text once), neither
    starting nor ending with a stopword, by their folded words; and one spelling of each."""
    counts: Counter[tuple[str, ...]] = Counter()
    written: dict[tuple[str, ...], str] = {}
    for text in texts:
        seen: set[tuple[str, ...]] = set()
        for segment in _SEGMENT_RE.split(nfc(text).lower()):
            tokens = segment.split()
            keys = [folded(t) for t in tokens]
            for i, first in enumerate(tokens):
                if not first.isalpha() or first in stop:
                    continue
                for n in range(2, TERM_WORDS + 2):
                    run = tokens[i : i + n]
                    if len(run) < n or not run[-1].isalpha():
                        break
                    if run[-1] in stop:
                        continue
                    key = tuple(keys[i : i + n])
                    if key not in seen:
                        seen.add(key)
                        counts[key] += 1
                        written.setdefault(key, " ".join(run))
    return counts, written


def initials_of(key: tuple[str, ...]) -> tuple[str, ...]:
    """The ways a term's folded words are typed short: all initials ("ct"), and the initials
    of all words but the last followed by the last in full ("ctrinh")."""
    head = "".join(w[:1] for w in key[:-1])
    return head + key[-1][:1], head + key[-1]


def build_table(
    counts: Counter[tuple[str, ...]], written: Mapping[tuple[str, ...], str],
    known: frozenset[str] | set[str],
) -> dict[str, list[Reading]]:
    """Initials -> the terms they may stand for, most written first. A pair of words nearly
    always written inside one longer run ("bái lần" of "Yên Bái lần", "đồng thi" of "hội đồng
    thi đua") is no term, nor a longer run nearly always written inside a longer one still
    when the word it cuts off is bound more to its neighbour inside the run than that one to
    the run ("thủ tướng chính" of "Thủ tướng Chính phủ", "thành tích chào" of "… chào mừng";
    "hội đồng thi đua" of "hội đồng thi đua huyện" stays). Initials that are a word of the
    plans or of the chat vocabulary (`known`), also once "dd" is read as Telex for "đ", are
    left out."""
    inside: Counter[tuple[str, ...]] = Counter()  # the most written longer run holding it
    cut: Counter[tuple[str, ...]] = Counter()  # …of those cutting a pair of words off
    for key, times in counts.items():
        if len(key) > 2:
            for part in (key[:-1], key[1:]):
                inside[part] = max(inside[part], times)
            # ("thủ tướng chính" + "phủ": "chính phủ" is written more than "tướng chính")
            if len(key) > 3 and counts[key[-2:]] > counts[key[-3:-1]]:
                cut[key[:-1]] = max(cut[key[:-1]], times)
            if len(key) > 3 and counts[key[:2]] > counts[key[1:3]]:
                cut[key[1:]] = max(cut[key[1:]], times)
    table: dict[str, dict[tuple[str, ...], float]] = defaultdict(dict)
    for key, times in counts.items():
        if times < TERM_MIN or len(key) > TERM_WORDS or any(not w.isalpha() for w in key):
            continue
        if (cut if len(key) > 2 else inside)[key] >= INSIDE_SHARE * times:
            continue  # ("thủ tướng chính" of "Thủ tướng Chính phủ": "ttc" is not it)
        short, partial = initials_of(key)
        if len(short) > 2 or times >= TERM_MIN_SHORT:
            table[short][key] = max(times, table[short].get(key, 0))
        if len(key) <= 3 and len(partial) > len(short) + 1:
            table[partial][key] = max(times, table[partial].get(key, 0))
    out: dict[str, list[Reading]] = {}
    for initials, names in table.items():
        if initials in known or ("dd" in initials and initials.replace("dd", "d") in known):
            continue  # ("ddc" is "đc" typed in Telex, được: not "đại dịch Covid")
        ranked = sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))
        top = ranked[0][1]
        out[initials] = [Reading(written[k], t) for k, t in ranked if t >= ALT_SHARE * top]
    return out


def with_contexts(
    table: dict[str, list[Reading]], texts: Iterable[tuple[str, frozenset[str]]],
    extra: Mapping[str, tuple[int, Counter[str]]] | None = None,
) -> dict[str, list[Reading]]:
    """The ambiguous initials' readings with the words of the passages holding them, and
    the words naming each passage's campaign (`texts`: a passage and those words; "đb" in a
    question naming Trạm Tấu is the term that plan writes). For a campaign's name given in
    `extra`: the words of its passages."""
    wanted: dict[str, list[int]] = {}  # passages holding it, of them after a number
    for readings in table.values():
        if len(readings) > 1:
            for r in readings:
                if not extra or r.name not in extra:
                    wanted[" ".join(fold_words(r.name))] = [0, 0]
    if not wanted:
        return table
    contexts: dict[str, Counter[str]] = defaultdict(Counter)
    for text, named in texts:
        words = fold_words(text)
        joined = f" {' '.join(words)} "
        distinct: set[str] | None = None
        for name, n in wanted.items():
            if f" {name} " in joined:
                if distinct is None:
                    distinct = {canon_word(w) for w in words} | named
                n[0] += 1
                n[1] += bool(re.search(rf"\d {name} ", joined))
                contexts[name].update(distinct)
    out: dict[str, list[Reading]] = {}
    for initials, readings in table.items():
        if len(readings) == 1:
            out[initials] = readings
            continue
        rebuilt = []
        for r in readings:
            counted = 0
            if extra and r.name in extra:
                held, ctx = extra[r.name]
            else:
                name = " ".join(fold_words(r.name))
                (held, counted), ctx = wanted[name], contexts[name]
            rebuilt.append(Reading(r.name, r.times, held, ctx, counted))
        out[initials] = rebuilt
    return out


SHRINK = 10.0  # passages of the plans' average a reading's few passages are read with
PLACE_PRIOR = 1.3  # a campaign's place is read so much more readily than a term


def choose(
    readings: list[Reading], words: Iterable[str], weight: Mapping[str, float],
    share: Mapping[str, float], places: frozenset[str] | set[str] = frozenset(),
    pairs: Mapping[str, int] | None = None, counting: bool = False,
) -> str:
    """The reading whose passages hold the question's other words most: each word by its
    weight, times the share of the reading's passages holding it (a reading written in few
    passages leans to the share of all passages, `share`); a campaign's place (`places`)
    a little more readily; ties go to the most written."""
    if len(readings) == 1:
        return readings[0].name
    if counting and any(r.counted for r in readings):
        readings = [r for r in readings if r.counted]
    if pairs:
        most = max(pairs.get(r.name, 0) for r in readings)
        readings = [r for r in readings if pairs.get(r.name, 0) == most]
        if len(readings) == 1:
            return readings[0].name
    best, best_score = readings[0].name, None
    words = [w for w in set(words) if w in weight]
    for r in readings:
        if not r.texts or not r.context:
            continue
        own = set(fold_words(r.name))  # (its passages all hold its own words)
        score = math.log(r.times) + sum(
            weight[w] * math.log((r.context.get(w, 0) + SHRINK * share.get(w, 0.0))
                                 / (r.texts + SHRINK) if w not in own else share.get(w, 0.0))
            for w in words if share.get(w, 0.0) > 0
        )
        if r.name in places:
            score += PLACE_PRIOR
        if best_score is None or score > best_score + 1e-9:
            best, best_score = r.name, score
    return best
