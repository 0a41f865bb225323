"""Rule lookup, out of scope: a question about a place, year, edition, name or everyday topic no
plan covers is answered "not found"."""

from __future__ import annotations

import re

from content.search_base import (
    _ACCENTED_RE,
    _DISTRICT_MARKERS,
    _NAME_RE,
    _PLACE_RE,
    _ROMAN_RE,
    _YEAR_RE,
    _phrase_feats,
    spelling_key,
)
from content.search_corpus import Corpus
from content.text import fold_words, nfc

# District-level markers as typed ("thị xã", "thành phố" are caught by their last word).
_ACCENTED_DISTRICTS = frozenset({"huyện", "tỉnh", "quận"})
_DISTRICT_BODIES = frozenset({"ủy", "uỷ", "đoàn", "đội", "hội", "lỵ"})


class Scope(Corpus):
    """Checks that put a question outside the plans."""

    def _off_topic(self, query: str, words: list[str]) -> bool:
        """Whether the question is about an everyday topic the plans never mention."""
        typed = nfc(query).lower()
        if "".join(fold_words(typed)) != "".join(re.findall(r"\w", typed)):
            # Typed with diacritics: compare as written ("chuyện cưới" is not "chuyện cười").
            # Compared with the plans as written too: "kết hôn" is not their "gắn kết hơn".
            return any(
                re.search(rf"(?<!\w){re.escape(p)}(?!\w)", typed)
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
        if self._unknown_accented_district(query):
            return True
        if self._capitalises_names(query):
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
                if w1.isdigit() or w2.isdigit() or self._phrase_word(w1) or self._phrase_word(w2):
                    continue
                if w1 in self._abbrev_words or w2 in self._abbrev_words:
                    continue
                if f"{w1}_{w2}" not in self._places:
                    return True
        return False

    def _unknown_accented_district(self, query: str) -> bool:
        """Whether a question typed with diacritics names, after "huyện", "tỉnh", "quận"…, two
        words the plans never write together as typed ("huyện văn bàn": the plans write
        "văn bản"), not a place of theirs either."""
        tokens = _ACCENTED_RE.findall(nfc(query).lower())
        if all("".join(fold_words(t)) == t for t in tokens):
            return False  # typed without diacritics: the folded checks decide
        stop = self._syn.stop_accented
        for i, token in enumerate(tokens[:-2]):
            if token not in _ACCENTED_DISTRICTS:
                continue
            if tokens[i + 1] in _DISTRICT_BODIES:
                continue  # "Huyện ủy Hớn Quản": the district's party committee, then its name
            pair = (tokens[i + 1], tokens[i + 2])
            if pair[0] in stop or pair[1] in stop or any(t.isdigit() for t in pair):
                continue
            if any("".join(fold_words(t)) in self._asking_words for t in pair):
                continue  # "huyện bao nhiêu đại biểu": a question, not a name
            if "".join(fold_words(pair[0])) in self._abbrev_words:
                continue
            if (spelling_key(pair[0]), spelling_key(pair[1])) not in self._accented_pairs:
                return True
        return False

    @staticmethod
    def _capitalises_names(query: str) -> bool:
        """Whether a question typed with diacritics writes some name with a capital letter
        (not an abbreviation such as UBND, not its first word)."""
        typed = nfc(query)
        if "".join(fold_words(typed)) == "".join(re.findall(r"\w", typed.lower())):
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

    def _phrase_word(self, word: str) -> bool:
        return (word,) in self._syn.phrases or word in self._syn.stopwords or any(
            key[0] == word for key in self._syn.phrases if len(key) > 1
        )
