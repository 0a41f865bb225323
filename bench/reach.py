"""Passage reachability: can every answerable unit of the plans be reached by a question made
from its own words?

Run: uv run python -m bench.reach [--content curated|imported|both] [--seed N] [--show KIND]

For EVERY answerable unit of each plan (the title block's fields, each "Căn cứ" preamble item,
each heading with content under it, each list item or programme line, each plain passage and
each sentence of a long one), questions are generated MECHANICALLY from the unit's own words,
as people type them: a run of two to four content words of the unit (stopwords aside) plus a
question word fitting what the unit holds (a date: "khi nào" / "ngày nào"; a number: "bao
nhiêu" / "mấy"; an office: "ai" / "cơ quan nào"; a list or heading: "gồm gì" / "những gì";
else "là gì" / "như thế nào"), a yes-no frame ("có phải … không"); each typed with and without
diacritics, with the campaign's place name or without. The generator is seeded (deterministic:
the same content gives the same questions).

Each question is asked of `SearchIndex.search` in process and the reply rendered as the chat
renders it (`hit_text`); it is right when the reply holds the unit's key (folded as the shared
scorer folds): the opening words of the unit's text (a passage containing the unit holds them
too), for a heading the opening words of a passage under it, for a title field its value, for
a cited document of the preamble its number and date. The report gives the share right per
structure kind, per question form, per diacritics and place variant, and the share answered
"not found".

Content: the curated campaigns (content/campaigns) and, in a temporary directory, a fresh
`thidua content import` of each seed plan (content/plans/*.txt) as a new campaign with no
hand-written field.
"""

from __future__ import annotations

import argparse
import io
import math
import random
import re
import sys
import tempfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.rerank_train import NOT_FOUND, ROOT, fold
from content.browse import hit_text
from content.loader import load_campaigns
from content.messages import Messages
from content.passages import _get
from content.schema import Campaign
from content.search import SearchIndex, build_index
from content.search_base import load_synonyms

PLANS = ROOT / "content" / "plans"
KEY_CHARS = 45  # folded characters of a unit's opening that the reply must hold
LONG_PASSAGE = 220  # characters: a longer passage is also asked sentence by sentence
DATE_RE = re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\bngày \d{1,2}\b|\btháng \d{1,2}\b",
                     re.IGNORECASE)
NUM_RE = re.compile(r"(?<![\w/.-])\d+(?:[.,]\d+)?(?![\w/])")
DOC_RE = re.compile(
    r"(?P<kind>Kế hoạch|Chỉ thị|Nghị quyết|Hướng dẫn|Quyết định|Công văn|Văn bản|Thông tư|"
    r"Nghị định|Thông báo|Kết luận|Chương trình)\s+(?:số\s+)?(?P<num>\d+[\w/.-]*[\w])"
    r",?(?:\s+ngày\s+(?P<date>\d{1,2}/\d{1,2}/\d{4}|\d{1,2} tháng \d{1,2} năm \d{4}))?",
    re.IGNORECASE)
OFFICE_RE = re.compile(
    r"^(?:Phòng|Ban |Ủy ban|Uỷ ban|UBND|Văn phòng|Hội |Đoàn |Công an|Trung tâm|Mặt trận|"
    r"Liên đoàn|Huyện đoàn|Thường trực|Hội đồng|Các phòng|Các cơ quan|Cơ quan|Đài|Ban Chỉ|"
    r"Bưu điện|Ngân hàng|Chi cục|Kho bạc|Trường|Đảng ủy|Đảng uỷ|Thanh tra|Tòa án|Viện)")
SENTENCE_RE = re.compile(r"(?<=[.;:])\s+(?=[A-ZÀ-Ỹ])")
WORD_RE = re.compile(r"[^\W_]+(?:[-/][^\W_]+)*", re.UNICODE)
LIST_END = (";", ",")


@dataclass
class Unit:
    """An answerable unit of a plan and what a reply must hold to answer with it."""

    campaign: str
    place: str
    kind: str  # title, preamble, heading, list item, programme line, plain passage, sentence
    text: str  # the unit's own words (questions are made from them)
    keys: list[tuple[str, ...]]  # alternatives, each a tuple of folded fragments all needed
    fact: str = ""  # date, num, org: what a fact question about the unit asks
    frames: list[tuple[str, str]] = field(default_factory=list)  # fixed (form, question)
    extra: list[tuple[str, str]] = field(default_factory=list)  # asked besides the generated


def _key(text: str) -> str:
    folded = fold(text)
    return folded[:KEY_CHARS].rstrip(" ;:,.")


def _place(campaign: Campaign, units: Any) -> str:
    unit = units.get(campaign.unit) if units is not None else None
    if unit is not None:
        return str(unit.name)
    issuer = str(_get(campaign.plan, "issuer") or "")
    return " ".join(issuer.split()[-2:])


def _stop_words() -> frozenset[str]:
    """Stopwords as written (a word typed with other marks is not one: "tổ" is no "tớ")."""
    syn = load_synonyms()
    extra = ("các những của và với cho trong trên được là để theo tại về một số này do khi "
             "cũng như còn thì có từ đến bằng vào ra nhằm sau trước mỗi đối đã sẽ")
    return frozenset(syn.stop_accented) | frozenset(extra.split())


def _fact_of(text: str) -> str:
    if DATE_RE.search(text):
        return "date"
    body = DOC_RE.sub("", text)
    body = re.sub(r"\b(?:19|20)\d\d\b", "", body)
    if NUM_RE.search(body):
        return "num"
    return ""


def plan_units(campaign: Campaign, place: str) -> Iterator[Unit]:
    """Every answerable unit of the campaign's plan block."""
    plan = campaign.plan
    cid = campaign.id
    # The title block.
    signer = str(_get(plan, "signed_by") or "").strip()
    if signer:
        name = " ".join(w for w in signer.split() if not w.isupper())
        role = " ".join(w for w in signer.split() if w.isupper() and not w.endswith("."))
        role = "phó chủ tịch" if role.split("CHỦ TỊCH", 1)[-1].strip() else role.lower()
        frames = [("who", f"ai ký kế hoạch {place}"), ("who", f"kế hoạch {place} do ai ký"),
                  ("who", f"người ký kế hoạch {place} là ai")]
        frames = [(f, q if place in q else f"{q} {place}") for f, q in frames]
        if role:
            frames.append(("yesno", f"có phải {role} ký kế hoạch {place} không"))
        yield Unit(cid, place, "title", signer, [(fold(name),)], "org", frames)
    number = str(_get(plan, "number") or "").strip()
    if number:
        code = fold(number).split(":")[-1].strip()
        yield Unit(cid, place, "title", number, [(code,)], "num",
                   [("num", f"kế hoạch {place} số mấy"),
                    ("num", f"số hiệu của kế hoạch {place} là gì")])
    date_text = str(_get(plan, "date_text") or "").strip()
    if date_text:
        yield Unit(cid, place, "title", date_text, [(fold(date_text),)], "date",
                   [("date", f"kế hoạch {place} ban hành ngày nào"),
                    ("date", f"kế hoạch {place} được ký ngày nào")])
    issuer = str(_get(plan, "issuer") or "").strip()
    if issuer:
        yield Unit(cid, place, "title", issuer, [(fold(issuer),)], "org",
                   [("who", f"cơ quan nào ban hành kế hoạch {place}"),
                    ("who", f"kế hoạch {place} do ai ban hành")])
    title = str(_get(plan, "title") or "").strip()
    if title:
        yield Unit(cid, place, "title", title, [(_key(title),)], "",
                   [("what", f"kế hoạch {place} về việc gì")])
    # The preamble: one unit per item, one per document it cites (number and date).
    for raw in _get(plan, "preamble") or []:
        text = str(raw).strip()
        if not text:
            continue
        yield Unit(cid, place, "preamble", text, [(_key(text),)], _fact_of(text))
        for m in DOC_RE.finditer(text):
            kind, num, date = m.group("kind"), m.group("num"), m.group("date")
            doc = f"{kind.lower()} {num}"
            frames = [("what", f"{doc} về việc gì"), ("what", f"{doc} là văn bản gì")]
            keys: list[tuple[str, ...]] = [(fold(num),)]  # a passage citing it
            if date:
                frames = [("date", f"{doc} ký ngày nào"), ("date", f"{doc} ban hành khi nào"),
                          ("what", f"{doc} của cơ quan nào")]
                keys = [(fold(num), fold(date))]
            yield Unit(cid, place, "preamble", text, keys, "date" if date else "", frames)
    # The sections: headings, list items, programme lines, plain passages and sentences.
    sections = list(_get(plan, "sections") or [])
    below: dict[str, list[str]] = defaultdict(list)  # section id -> passages under it
    for sec in sections:
        sid = str(_get(sec, "id") or "")
        texts = [str(t).strip() for t in _get(sec, "passages") or [] if str(t).strip()]
        parts = sid.split(".")
        for n in range(1, len(parts) + 1):
            below[".".join(parts[:n])].extend(texts[:2] if n < len(parts) else texts)
    for sec in sections:
        sid = str(_get(sec, "id") or "")
        heading = str(_get(sec, "heading") or "").strip().rstrip(":")
        texts = [str(t).strip() for t in _get(sec, "passages") or [] if str(t).strip()]
        if heading and below[sid] and len(heading.split()) <= 20:
            yield Unit(cid, place, "heading", heading, [(_key(t),) for t in below[sid][:6]],
                       "list" if len(below[sid]) > 1 else "")
        listed = len(texts) >= 3 and sum(t.endswith(LIST_END) for t in texts) * 2 >= len(texts)
        lengths = sorted(len(t.split()) for t in texts)
        short = listed and lengths[len(lengths) // 2] <= 12  # a programme: short lines
        office = bool(heading) and bool(OFFICE_RE.match(heading))
        for n, t in enumerate(texts):
            kind = ("programme line" if short else "list item" if listed
                    else "office duty" if office else "plain passage")
            fact = "org" if office or OFFICE_RE.match(t) else _fact_of(t)
            extra = []
            if short:  # an ordered programme: what comes after or before an item
                if n > 0:
                    extra.append(("next", f"sau phần {_head(texts[n - 1])} thì đến phần gì"))
                if n + 1 < len(texts) and texts[n + 1].endswith((*LIST_END, ".")):
                    extra.append(("before", f"trước phần {_head(texts[n + 1])} là phần gì"))
            yield Unit(cid, place, kind, t, [(_key(t),)], fact, extra=extra)
            if len(t) >= LONG_PASSAGE:
                for s in SENTENCE_RE.split(t)[1:]:
                    if len(s.split()) >= 6:
                        yield Unit(cid, place, "sentence", s, [(_key(s),)], _fact_of(s))


def _chunks(text: str, stops: frozenset[str]) -> list[list[tuple[int, str]]]:
    """Runs of content words (position in the text's words, word) between stopwords,
    numbers and punctuation: the phrases people keep when they type a question."""
    chunks: list[list[tuple[int, str]]] = []
    run: list[tuple[int, str]] = []
    pos = 0
    for piece in re.split(r"[,.;:()“”\"!?–]|\s-\s", text):
        for w in WORD_RE.findall(piece):
            low = w.lower()
            if low in stops or any(c.isdigit() for c in w) or len(w) < 2:
                if run:
                    chunks.append(run)
                run = []
            else:
                run.append((pos, low))
            pos += 1
        if run:
            chunks.append(run)
        run = []
    return chunks


def _head(text: str) -> str:
    """An item named as people name it: its first words, lower case, up to a comma."""
    first = re.split(r"[,.;:(]", text, maxsplit=1)[0]
    return " ".join(first.lower().split()[:5])


def _span(chunks: list[list[tuple[int, str]]], rng: random.Random, around: int | None,
          rarity: dict[str, float]) -> str | None:
    """A phrase of the unit: three or four content words in a row (two when the unit has
    no longer run), one of the three rarest in the plans (people type the words that tell
    the unit apart), or the rarest near `around` (the fact asked)."""
    # (a window starts or ends with its phrase: one cut inside would split a compound word)
    spans = [c if len(c) <= 5 else part for c in chunks if len(c) >= 3
             for part in (c[:3], c[:4], c[-3:], c[-4:])]
    if not spans:
        spans = [c for c in chunks if len(c) == 2]
    if not spans:
        return None
    if around is not None:
        spans = [sp for sp in spans if min(abs(p - around) for p, _ in sp) <= 6] or spans
    spans.sort(key=lambda sp: -sum(rarity.get(w, 1.0) for _, w in sp))
    span = spans[0] if around is not None else rng.choice(spans[:3])
    return " ".join(w for _, w in span)


FACT_WORDS = {
    "date": ("khi nào", "ngày nào", "bao giờ"),
    "num": ("bao nhiêu", "mấy"),
    "org": ("ai", "cơ quan nào", "đơn vị nào"),
}
WHAT_WORDS = ("là gì", "như thế nào", "gì")
LIST_WORDS = ("gồm gì", "gồm những gì", "có những gì", "là những gì")


def questions(unit: Unit, stops: frozenset[str], seed: int,
              rarity: dict[str, float]) -> list[tuple[str, str]]:
    """(form, question) pairs for the unit, before the diacritics and place variants."""
    rng = random.Random(seed * 1_000_003 + zlib.crc32(f"{unit.campaign}|{unit.text}".encode()))
    if unit.frames:
        return list(unit.frames)
    out: list[tuple[str, str]] = list(unit.extra)
    text = DOC_RE.sub(lambda m: m.group("kind"), unit.text)
    fact_at = None
    if unit.fact in ("date", "num"):
        pattern = DATE_RE if unit.fact == "date" else NUM_RE
        m = pattern.search(text)
        if m:
            fact_at = len(WORD_RE.findall(text[:m.start()]))
    chunks = _chunks(text, stops)
    for form in ("what", "fact", "yesno"):
        span = _span(chunks, rng, fact_at if form == "fact" else None, rarity)
        if span is None:
            break
        if form == "what":
            pool = LIST_WORDS if unit.kind == "heading" and unit.fact == "list" else WHAT_WORDS
            out.append(("what", f"{span} {rng.choice(pool)}"))
        elif form == "fact" and unit.fact in FACT_WORDS:
            word = rng.choice(FACT_WORDS[unit.fact])
            q = f"{word} {span}" if unit.fact == "org" else f"{span} {word}"
            out.append((unit.fact, q))
        elif form == "yesno":
            out.append(("yesno", f"có phải {span} không"))
    return out


def variants(form: str, question: str, place: str, rng: random.Random,
             ) -> Iterator[tuple[str, str, str]]:
    """(diacritics, place, question): typed with and without marks, with or without place."""
    with_place = rng.random() < 0.5 and place and fold(place) not in fold(question)
    placed = f"{question} ở {place.lower()}" if with_place else question
    tag = "place" if with_place else "noplace"
    yield "marks", tag, placed
    yield "nomarks", tag, fold(placed)


def imported_campaigns(tmp: Path) -> list[Campaign]:
    """The seed plans imported as new campaigns with no hand-written field."""
    from content.importer.cli import run_import

    curated = {str(_get(c.plan, "file") or ""): c.unit for c in load_campaigns()}
    for n, seed in enumerate(sorted(PLANS.glob("*.txt"))):
        code = run_import(seed, campaign=f"ke-hoach-{n}", unit=curated.get(seed.name),
                          directory=tmp, stdout=io.StringIO(), stderr=io.StringIO())
        if code != 0:
            raise SystemExit(f"import of {seed.name} failed")
    return load_campaigns(tmp)


@dataclass
class Tally:
    right: Counter[str] = field(default_factory=Counter)
    asked: Counter[str] = field(default_factory=Counter)
    none: Counter[str] = field(default_factory=Counter)

    def add(self, keys: Sequence[str], ok: bool, abstained: bool) -> None:
        for k in keys:
            self.asked[k] += 1
            self.right[k] += ok
            self.none[k] += abstained

    def lines(self, prefix: str) -> list[str]:
        out = []
        for k in sorted(self.asked, key=lambda k: (k.split(":")[0], k)):
            if not k.startswith(prefix):
                continue
            n, r, a = self.asked[k], self.right[k], self.none[k]
            out.append(f"  {k[len(prefix):]:<22} {r:>5}/{n:<5} {r / n:6.1%}"
                       f"   not found {a / n:5.1%}")
        return out


def run(campaigns: list[Campaign], seed: int, show: str | None, limit: int) -> Tally:
    from content.units import load_units

    try:
        units_tree: Any = load_units()
    except Exception:  # the place name then comes from the issuer
        units_tree = None
    index: SearchIndex = build_index(campaigns)
    messages = Messages.load()
    names = {c.id: c.short_name for c in campaigns}
    stops = _stop_words()
    tally = Tally()
    shown = 0
    units = [u for c in campaigns if c.plan is not None
             for u in plan_units(c, _place(c, units_tree))]
    # A question naming no place may be answered by any plan writing the same unit (plans
    # copied from one template): the keys of every unit of that text count.
    pooled: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for unit in units:
        pooled[fold(unit.text)].extend(unit.keys)
    df: Counter[str] = Counter()
    for unit in units:
        df.update({w.lower() for w in WORD_RE.findall(unit.text)})
    rarity = {w: math.log(len(units) / n) for w, n in df.items()}
    for unit in units:
        if True:
            place = unit.place
            rng = random.Random(seed + zlib.crc32(unit.text.encode()))
            for form, question in questions(unit, stops, seed, rarity):
                for marks, tag, q in variants(form, question, place, rng):
                    keys = pooled[fold(unit.text)] if tag == "noplace" else unit.keys
                    hits = index.search(q)
                    top = hits[0] if hits else None
                    reply = (fold(hit_text(messages, top, names.get(top.campaign_id)))
                             if top else NOT_FOUND)
                    abstained = NOT_FOUND in reply
                    ok = not abstained and any(all(f in reply for f in alt) for alt in keys)
                    if top is not None and not ok and top.sentence and fold(unit.text)[
                            :KEY_CHARS] in fold(top.text):
                        # the right passage, another of its sentences quoted
                        tally.add([f"quoted:{unit.kind}"], False, False)
                    tally.add(["all:all", f"kind:{unit.kind}", f"form:{form}", f"marks:{marks}",
                               f"place:{tag}", f"kindform:{unit.kind}/{form}"], ok, abstained)
                    if show and not ok and unit.kind == show and shown < limit:
                        shown += 1
                        got = "not found" if abstained else reply.replace("\n", " | ")[:140]
                        print(f"- [{unit.kind}/{form}] {q}\n    unit: {unit.text[:120]}"
                              f"\n    got:  {got}")
    return tally


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--content", choices=("curated", "imported", "both"), default="both")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--show", help="list the misses of one structure kind")
    ap.add_argument("--limit", type=int, default=40)
    ap.add_argument("--detail", action="store_true", help="also per kind and form")
    args = ap.parse_args(argv)
    which = ["curated", "imported"] if args.content == "both" else [args.content]
    for name in which:
        if name == "curated":
            tally = run(load_campaigns(), args.seed, args.show, args.limit)
        else:
            with tempfile.TemporaryDirectory(prefix="reach-") as tmp:
                tally = run(imported_campaigns(Path(tmp)), args.seed, args.show, args.limit)
        n, r = tally.asked["all:all"], tally.right["all:all"]
        print(f"== {name}: reach {r}/{n} = {r / max(1, n):.1%}"
              f" (not found {tally.none['all:all'] / max(1, n):.1%}), seed {args.seed}")
        for prefix in ("kind:", "form:", "marks:", "place:", "quoted:"):
            print(f" per {prefix[:-1]}")
            print("\n".join(tally.lines(prefix)))
        if args.detail:
            print(" per kind/form")
            print("\n".join(tally.lines("kindform:")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
