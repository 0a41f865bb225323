"""Rule lookup, quoting: the hit for a passage, the smallest verbatim part that answers (one
sentence, or the whole section for a list question) and the plan's office for contacts."""

from __future__ import annotations

import dataclasses

from content.search_base import (
    _DATE_RE,
    _KIND_MARKS,
    _NOTE_NUMBER_RE,
    _PERIOD_RE,
    _SENTENCE_END_RE,
    LABEL_WORDS,
    LEAD_IN_WORDS,
    SECTION_CHARS,
    SENTENCE_MIN_PASSAGE,
    SENTENCE_WORDS_SHARE,
    Hit,
    _Query,
    _text_features,
)
from content.search_corpus import Corpus
from content.text import fold_words


class Quoting(Corpus):
    """Builds the answers quoted from the passages the scorer found."""

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

    def _sentence_has(self, mark: str, sentence: str, period: bool = False) -> bool:
        if mark == "#date":
            # A question asking for a period ("giai đoạn nào") is answered by "2022 - 2025".
            return bool(_DATE_RE.search(sentence) or (period and _PERIOD_RE.search(sentence)))
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
        period = ("#period",) in q.required
        scored: list[tuple[float, str]] = []
        said = 0.0  # the most of the question's words any sentence holds
        for sentence in sentences:
            feats = _text_features(sentence, self._syn)
            weight = sum(w for f, w in words.items() if f in feats)
            said = max(said, weight)
            if all(self._sentence_has(m, sentence, period) for m in marks):
                scored.append((weight, sentence))
        if not scored or (marks == ["#org"]
                          and max(w for w, _ in scored) < SENTENCE_WORDS_SHARE * said):
            # "Hội đồng … phân công ai đôn đốc, kiểm tra …": the sentence naming a body says
            # little of what is asked, another says it: quote the passage. (A date or number
            # is the fact asked itself: its sentence answers.)
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

    def _asks_label(self, q: _Query, hit: Hit) -> bool:
        """Whether the question asks for what a label heading ("Mục đích", "Yêu cầu") covers:
        its words are all the heading's. Then the whole section answers, bullet by bullet."""
        heading = self._docs[hit.ref].heading
        if not heading or len(heading.split()) > LABEL_WORDS:
            return False
        words = [f for f in q.core if f[0] not in "#§!@"]
        feats = _text_features(heading, self._syn)
        return bool(words) and all(f in feats for f in words)

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

    def _lead_in(self, i: int) -> bool:
        """Whether passage i is a bare label introducing the passages after it ("Thành phần,
        số lượng đại biểu:" with nothing after its colon): never an answer by itself."""
        doc = self._docs[i]
        text = doc.passage.text.rstrip()
        return (not doc.is_heading and not doc.field and text.endswith(":")
                and len(text.split()) <= LEAD_IN_WORDS)

    def _with_items(self, hit: Hit) -> Hit:
        """For a bare label (_lead_in): the hit quoting the label with the passages after it
        in its section (its items), under its heading; the hit unchanged when it has none or
        they are too long to quote."""
        doc = self._docs[hit.ref]
        items: list[str] = []
        for d in self._by_section.get((doc.campaign_id, doc.passage.source), ()):
            if d.order > hit.ref and not d.is_heading and not d.field:
                items.append(d.passage.text)
        if not items or sum(len(t) for t in items) > SECTION_CHARS:
            return hit
        label = doc.passage.text.rstrip().rstrip(":").rstrip()
        heading = f"{doc.heading.rstrip(' :')}: {label}" if doc.heading else label
        return dataclasses.replace(hit, heading=heading, section_texts=tuple(items))

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
