"""Form robustness of the rule lookup: the same question typed in other forms (issue #12).

Run: uv run python -m bench.variants [--sets dev,1,...,12] [--only NAME,...] [--show N]
     [--seed N] [--save FILE] [--diff FILE]

1. Every row of the read sets (dev and held-out sets 1-12; sets 13 and later are never read:
   they judge rounds) is asked in process, judged as the shared scorer judges the bot's reply
   (the dispatcher's small talk and function requests included, see `reply`). The in-scope
   rows answered right today and the out-of-scope rows refused today are the base.
2. Each base row is rewritten by MECHANICAL, seeded transforms of how people type the same
   question (strip diacritics, case, polite wrappers added or dropped, a personal story before
   it, a yes-no check against the plan's own fact, a short 2-5-word query, chat abbreviations,
   one typo, a Telex leftover, "X của Y" turned around, a common synonym). A transform that
   does not apply to a row (nothing to swap, no wrapper to drop) skips it.
3. Per transform: the share of in-scope rows still answered right and of out-of-scope rows
   still refused; then the whole (every variant of every row). `--show N` lists N lost
   variants per transform; `--save FILE` writes every variant's verdict, `--diff FILE` lists
   the variants that changed since a saved run.

Transforms are general (how people type, a small general vocabulary of the field); the plan's
own words only enter through the expected fragment (the yes-no check). Nothing here knows a
particular question or passage.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.rerank_train import NOT_FOUND, ROOT, fold, read_set
from content.browse import hit_text
from content.intents import default_intents
from content.loader import load_campaigns
from content.messages import Messages
from content.query import conversation_kind, looks_like_question
from content.search import SearchIndex, build_index

MAX_QUERY = 300  # handlers/lookup MAX_QUERY: what the bot reads of a message
SETS = {"dev": "lookup_dev.tsv",
        **{str(n): f"lookup_heldout{'' if n == 1 else n}.tsv" for n in range(1, 13)}}


@dataclass(frozen=True)
class Row:
    set: str
    q: str
    expected: str
    kind: str  # in | out


def read_rows(names: Sequence[str]) -> list[Row]:
    return [Row(name, *cols) for name in names
            for cols in read_set(ROOT / "tests" / "content" / SETS[name])]


class Judge:
    """Asks in process as the bot answers free text (small talk, a function request, the
    lookup; handlers/lookup) and judges the reply as the shared scorer does."""

    def __init__(self) -> None:
        campaigns = load_campaigns()
        self.names = {c.id: c.short_name for c in campaigns}
        self.index: SearchIndex = build_index(campaigns)
        self.messages = Messages.load()
        self.intents = default_intents()

    def reply(self, text: str) -> str:
        if conversation_kind(text) is not None:
            return "small talk"
        query = text[:MAX_QUERY]
        request = any(i.request for i in self.intents.commands_in(query))
        if request and not looks_like_question(query):
            return "function offered"
        hits = self.index.search(query)
        if not hits:
            return NOT_FOUND
        top = hits[0]
        return fold(hit_text(self.messages, top, self.names.get(top.campaign_id)))

    def right(self, text: str, row: Row) -> bool:
        reply = self.reply(text)
        if row.kind == "out":
            return NOT_FOUND in reply
        return NOT_FOUND not in reply and any(fold(w) in reply for w in row.expected.split("|"))


# ---------------------------------------------------------------------------------------------
# Transforms: (question, row, rng, ctx) -> the variant, or None when the transform does not apply.

_WORD_RE = re.compile(r"\w+", re.UNICODE)
_TRAIL_RE = re.compile(r"\s*[?.!]*\s*$")


def _body(q: str) -> tuple[str, str]:
    """The question without its final punctuation, and that punctuation."""
    m = _TRAIL_RE.search(q)
    assert m is not None
    return q[: m.start()], q[m.start():].strip()


def strip_marks(q: str) -> str:
    out = unicodedata.normalize("NFD", q)
    out = "".join(c for c in out if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", out.replace("đ", "d").replace("Đ", "D"))


PREFIXES = ("Cho em hỏi", "Cho mình hỏi", "Ad ơi cho em hỏi", "Bác ơi cho cháu hỏi",
            "Anh chị ơi", "Xin hỏi", "Chào bạn, cho tôi hỏi", "Em chào ad ạ, cho em hỏi là")
SUFFIXES = ("ạ", "với ạ", "nhé", "ad ơi", "vậy ạ", "nha", "ạ, em cảm ơn")


def polite_add(q: str, row: Row, rng: random.Random, ctx: Ctx) -> str | None:
    body, end = _body(q)
    head = rng.choice(PREFIXES)
    first = body[:1].lower() + body[1:] if body[:2].istitle() and not body[1:2].isupper() else body
    tail = rng.choice(SUFFIXES)
    how = rng.randrange(3)
    if how == 0:
        return f"{head} {first}{end or '?'}"
    if how == 1:
        return f"{body} {tail}{end or '?'}"
    return f"{head} {first} {tail}{end or '?'}"


_WRAP_HEAD = re.compile(
    r"^\s*(?:(?:ad|admin|bác|chú|cô|anh|chị|anh chị|em|bạn|bot|trợ lý)\s+ơi[,\s]*)?"
    r"(?:(?:xin |làm ơn )?cho (?:em|mình|tôi|cháu|con|tui|hỏi)\s*(?:được )?(?:hỏi)?"
    r"(?: chút| một chút| xíu| là)?[,:\s]*|xin hỏi[,:\s]*)", re.IGNORECASE)
_WRAP_TAIL = re.compile(
    r"(?:[,\s]+(?:ạ|vậy ạ|với ạ|nhé|nha|ad ơi|ạ\?|với|ad|admin|bạn ơi|em cảm ơn|cảm ơn))+"
    r"\s*([?.!]*)\s*$", re.IGNORECASE)


def polite_drop(q: str, row: Row, rng: random.Random, ctx: Ctx) -> str | None:
    out = _WRAP_HEAD.sub("", q, count=1)
    out = _WRAP_TAIL.sub(r"\1", out, count=1).strip()
    if out == q.strip() or len(out.split()) < 2:
        return None
    return out[:1].upper() + out[1:]


STORIES = (
    "Tôi là cán bộ xã, năm nay mới được giao theo dõi phong trào, cho tôi hỏi",
    "Em là giáo viên tiểu học, đang chuẩn bị báo cáo cho trường, cho em hỏi",
    "Cháu là đoàn viên ở thôn, cháu đọc kế hoạch mà chưa hiểu lắm, bác cho cháu hỏi",
    "Mình làm công chức văn phòng, sếp giao tìm hiểu gấp, cho mình hỏi",
    "Tôi là trưởng thôn, bà con trong thôn hỏi tôi mà tôi không nhớ, xin hỏi",
)


def story(q: str, row: Row, rng: random.Random, ctx: Ctx) -> str | None:
    body, end = _body(q)
    first = body[:1].lower() + body[1:] if body[:2].istitle() and not body[1:2].isupper() else body
    return f"{rng.choice(STORIES)} {first}{end or '?'}"


# Wh-phrases (as typed, with diacritics) a yes-no check replaces with the plan's own fact.
_WH = re.compile(
    r"(?<!\w)(?:vào |từ |đến |trước )?(?:ngày nào|ngày mấy|khi nào|bao giờ|lúc nào|tháng mấy|"
    r"năm nào|bao nhiêu(?: \w+)?|mấy \w+|cơ quan nào|đơn vị nào|ai|những ai|gì|những gì)"
    r"(?=\W|$)", re.IGNORECASE)


def yes_no(q: str, row: Row, rng: random.Random, ctx: Ctx) -> str | None:
    if row.kind != "in":
        return None
    fact = min(row.expected.split("|"), key=len).strip()
    if not fact or len(fact.split()) > 4 or not (any(c.isdigit() for c in fact)
                                                  or len(fact.split()) <= 3):
        return None
    body, _ = _body(q)
    matches = list(_WH.finditer(body))
    if not matches:
        return None
    m = matches[-1]
    out = body[: m.start()] + fact + body[m.end():]
    out = re.sub(r"\s+(?:vậy|thế|ạ|nhỉ|hả)\s*$", "", out.strip(), flags=re.IGNORECASE)
    return f"{out} {rng.choice(('phải không', 'đúng không', 'có đúng không', 'phải không ạ'))}?"


def short(q: str, row: Row, rng: random.Random, ctx: Ctx) -> str | None:
    """A search-box query: the question's words without its asking, polite and linking
    words (telegraphic), when that leaves 2-5 words, and the question word of a when / how
    many / who question."""
    plain = fold(q) == q.lower()
    words = [w for w in _WORD_RE.findall(q)
             if (fold(w) if plain else w.lower()) not in (ctx.folded_stop if plain else ctx.stop)]
    if not 2 <= len(words) <= 5:
        return None
    asked = ""
    for phrase in ("ngày nào", "khi nào", "bao giờ", "bao nhiêu", "mấy", "ai", "ở đâu"):
        if re.search(rf"(?<!\w){phrase}(?!\w)", q, re.IGNORECASE):
            asked = " " + phrase
            break
    return " ".join(words) + asked


# Chat abbreviations people type (teen code and office shorthand), applied to as many places as
# the seed picks. Keys are written with diacritics, matched whole words, case ignored.
TEEN = (
    ("không", ("ko", "k", "hok", "khum")), ("được", ("dc", "đc")), ("gì", ("j", "gi")),
    ("bao nhiêu", ("bn", "bnhiu")), ("mình", ("mik", "mk")), ("vậy", ("z", "v", "dị")),
    ("như thế nào", ("ntn", "ntnao")), ("thế nào", ("tn", "ntn")),
    ("đăng ký", ("đk", "dk", "dki")), ("cán bộ công chức", ("cbcc",)),
    ("ủy ban nhân dân", ("ubnd",)), ("uỷ ban nhân dân", ("ubnd",)),
    ("với", ("vs", "với")), ("người", ("ng",)), ("bao giờ", ("bh", "bgio")),
    ("biết", ("bít", "bik")), ("thời gian", ("tg", "tgian")), ("phải", ("fai", "phai")),
    ("anh", ("a",)), ("em", ("e",)), ("trường", ("trg",)),
    ("hội nghị", ("hn",)), ("kế hoạch", ("kh",)), ("nhiệm vụ", ("nv",)),
    ("thi đua", ("tđ", "td")), ("khen thưởng", ("kt",)), ("chưa", ("chx",)),
    ("rồi", ("r",)), ("ạ", ("a",)), ("nhé", ("nhe", "nha")), ("quá", ("wá",)),
)


def _sub_word(q: str, phrase: str, new: str) -> str:
    return re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", new, q, flags=re.IGNORECASE)


def teen(q: str, row: Row, rng: random.Random, ctx: Ctx) -> str | None:
    found = [(p, subs) for p, subs in TEEN if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", q,
                                                       re.IGNORECASE)]
    if not found:
        return None
    rng.shuffle(found)
    out = q
    for phrase, subs in found[: max(1, rng.randint(1, len(found)))]:
        out = _sub_word(out, phrase, rng.choice(subs))
    return out.lower() if rng.random() < 0.5 else out


def _content_words(q: str, ctx: Ctx) -> list[re.Match[str]]:
    return [m for m in _WORD_RE.finditer(q)
            if len(m.group()) >= 4 and m.group().isalpha()
            and fold(m.group()) not in ctx.folded_stop
            and not m.group()[0].isupper()]


def typo(q: str, row: Row, rng: random.Random, ctx: Ctx) -> str | None:
    words = _content_words(q, ctx)
    if not words:
        return None
    m = rng.choice(words)
    w = m.group()
    k = rng.randrange(1, len(w) - 1)
    how = rng.randrange(3)
    if how == 0:
        new = w[:k] + w[k + 1:]
    elif how == 1:
        new = w[:k] + w[k] + w[k:]
    else:
        new = w[:k] + w[k + 1] + w[k] + w[k + 2:]
    return q[: m.start()] + new + q[m.end():]


_TELEX_BASE = {"ă": "aw", "â": "aa", "ê": "ee", "ô": "oo", "ơ": "ow", "ư": "uw", "đ": "dd"}
_TELEX_TONE = {"\u0301": "s", "\u0300": "f", "\u0309": "r", "\u0303": "x", "\u0323": "j"}


def to_telex(word: str) -> str:
    """A word as typed in Telex with the input method off ("hạn" -> "hanj", "được" ->
    "dduwowcj")."""
    tone = ""
    out = []
    for ch in word.lower():
        parts = unicodedata.normalize("NFD", ch)
        base = parts[0]
        marks = parts[1:]
        for mark in marks:
            if mark in _TELEX_TONE:
                tone = _TELEX_TONE[mark]
        composed = unicodedata.normalize("NFC", base + "".join(x for x in marks
                                                               if x not in _TELEX_TONE))
        out.append(_TELEX_BASE.get(composed, composed))
    return "".join(out) + tone


def telex(q: str, row: Row, rng: random.Random, ctx: Ctx) -> str | None:
    words = [m for m in _content_words(q, ctx) if to_telex(m.group()) != fold(m.group())]
    if not words:
        return None
    m = rng.choice(words)
    out = q[: m.start()] + to_telex(m.group()) + q[m.end():]
    return strip_marks(out) if rng.random() < 0.5 else out


# "X của Y": X one or two lowercase words, Y a name (capitalised words, maybe after a place
# marker): "nhiệm vụ của Phòng Nội vụ" -> "Phòng Nội vụ nhiệm vụ".
_CUA = re.compile(
    r"(?<!\w)((?:[^\W\d_A-ZĐÀ-Ỹ][^\W\d_]* ){0,1}[^\W\d_A-ZĐÀ-Ỹ][^\W\d_]*) của "
    r"((?:(?:huyện|xã|tỉnh|thị trấn) )?[A-ZĐÀ-Ỹ][^\W\d_]*(?: [A-ZĐÀ-Ỹ][^\W\d_]*){0,3})"
    r"(?=[\s,?.!]|$)")


def swap_cua(q: str, row: Row, rng: random.Random, ctx: Ctx) -> str | None:
    m = _CUA.search(q)
    if not m:
        return None
    return q[: m.start()] + f"{m.group(2)} {m.group(1)}" + q[m.end():]


def drop_cua(q: str, row: Row, rng: random.Random, ctx: Ctx) -> str | None:
    """"X của Y" typed without "của" ("nhiệm vụ phòng nội vụ")."""
    out = re.sub(r"(?<=\w) của (?=\w)", " ", q, count=1)
    return out if out != q else None


# A small general list of words people use for the plans' words (both directions where it
# holds): not drawn from any plan's passages.
SYNONYMS = (
    ("thời hạn", ("hạn chót", "deadline", "hạn")), ("hạn chót", ("thời hạn", "deadline")),
    ("hạn cuối", ("hạn chót", "deadline")),
    ("khen thưởng", ("khen", "thưởng")), ("tổ chức", ("làm",)), ("đăng ký", ("đk", "ghi danh")),
    ("cơ quan", ("phòng", "ban")), ("hồ sơ", ("giấy tờ",)), ("nộp", ("gửi",)),
    ("tham gia", ("tham dự", "dự")), ("bao nhiêu", ("mấy",)), ("khi nào", ("bao giờ", "lúc nào")),
    ("bao giờ", ("khi nào",)), ("ngày nào", ("hôm nào", "ngày mấy")),
    ("như thế nào", ("ra sao", "thế nào")), ("thế nào", ("ra sao",)),
    ("nhiệm vụ", ("việc",)), ("tiêu chí", ("tiêu chuẩn",)), ("tiêu chuẩn", ("tiêu chí",)),
    ("tuyên truyền", ("phổ biến",)), ("cuộc thi", ("hội thi",)), ("phát động", ("mở",)),
    ("người dân", ("bà con",)), ("nhân dân", ("bà con",)), ("mục đích", ("mục tiêu",)),
    ("gửi", ("nộp",)), ("thực hiện", ("làm",)),
)


def synonym(q: str, row: Row, rng: random.Random, ctx: Ctx) -> str | None:
    found = [(p, subs) for p, subs in SYNONYMS if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", q,
                                                           re.IGNORECASE)]
    if not found:
        return None
    phrase, subs = rng.choice(found)
    return _sub_word(q, phrase, rng.choice(subs))


@dataclass
class Ctx:
    stop: frozenset[str]  # words a short query leaves out (as written)
    folded_stop: frozenset[str]  # the same, folded (for a question typed without marks)


Transform = Callable[[str, Row, random.Random, Ctx], "str | None"]
TRANSFORMS: dict[str, Transform] = {
    "no_marks": lambda q, r, g, c: strip_marks(q),
    "lower": lambda q, r, g, c: q.lower(),
    "upper": lambda q, r, g, c: q.upper(),
    "polite_add": polite_add,
    "polite_drop": polite_drop,
    "story": story,
    "yes_no": yes_no,
    "short": short,
    "teen": teen,
    "typo": typo,
    "telex": telex,
    "swap_cua": swap_cua,
    "drop_cua": drop_cua,
    "synonym": synonym,
    "teen_no_marks": lambda q, r, g, c: (lambda v: strip_marks(v) if v else None)(
        teen(q, r, g, c)),
}

# Words a short query leaves out (asking, polite and linking words; typed forms folded).
_STOP_TEXT = (
    "cho em tôi mình cháu hỏi ạ à ơi ad bác anh chị bạn xin vậy thì là có không được của và "
    "các những trong ở với theo về cho đã sẽ đang này đó nào gì ai bao nhiêu mấy giờ khi "
    "nhé nha nhỉ hả phải rồi thế như sao đâu cần nên muốn biết ra làm để từ đến vào lúc "
    "một hai ba chưa còn hay hoặc nếu mà thế nào tổ")
STOP = frozenset(_STOP_TEXT.split(" "))


def make_ctx(judge: Judge) -> Ctx:
    # Folded, a few stop words are also words of the field ("thi" thì / thi, "hoi" hỏi / hội).
    ambiguous = {"chi", "hoi", "to", "thi", "dau", "de", "tu", "ve", "vao", "lam", "ba", "ra"}
    return Ctx(STOP, frozenset(fold(w) for w in STOP) - ambiguous)


def variant(name: str, row: Row, ctx: Ctx, seed: int) -> str | None:
    rng = random.Random(zlib.crc32(f"{seed}:{name}:{row.q}".encode()))
    out = TRANSFORMS[name](row.q, row, rng, ctx)
    return out if out and out.strip() != row.q.strip() else None


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--only", default="", help="transforms to run (comma-separated)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=0, help="lost variants listed per transform")
    ap.add_argument("--save", type=Path)
    ap.add_argument("--diff", type=Path)
    args = ap.parse_args(argv)
    names = [s for s in args.sets.split(",") if s]
    if any(n not in SETS for n in names):
        print(f"sets are {', '.join(SETS)} (later sets judge rounds and are never read)")
        return 2
    chosen = [t for t in args.only.split(",") if t] or list(TRANSFORMS)
    judge = Judge()
    ctx = make_ctx(judge)
    rows = read_rows(names)
    base = [r for r in rows if judge.right(r.q, r)]
    n_in = sum(r.kind == "in" for r in rows)
    b_in = sum(r.kind == "in" for r in base)
    print(f"base: in scope {b_in}/{n_in} answered right, out of scope "
          f"{len(base) - b_in}/{len(rows) - n_in} refused (sets {','.join(names)})")
    verdicts: dict[str, bool] = {}
    total = {"in": [0, 0], "out": [0, 0]}
    print(f"{'transform':<15} {'in scope kept':>18} {'out of scope kept':>20}")
    for name in chosen:
        counts = {"in": [0, 0], "out": [0, 0]}
        lost: list[tuple[Row, str]] = []
        for row in base:
            text = variant(name, row, ctx, args.seed)
            if text is None:
                continue
            ok = judge.right(text, row)
            verdicts[f"{name}\t{row.set}\t{row.q}\t{text}"] = ok
            counts[row.kind][0] += ok
            counts[row.kind][1] += 1
            if not ok:
                lost.append((row, text))
        for kind in counts:
            total[kind][0] += counts[kind][0]
            total[kind][1] += counts[kind][1]
        print(f"{name:<15} {_share(*counts['in']):>18} {_share(*counts['out']):>20}")
        for row, text in lost[: args.show]:
            got = judge.reply(text)[:110]
            print(f"    [{row.kind} {row.set}] {text}\n        was: {row.q}\n        got: {got}")
    print(f"{'all':<15} {_share(*total['in']):>18} {_share(*total['out']):>20}")
    if args.save:
        args.save.write_text(json.dumps(verdicts, ensure_ascii=False, indent=0), encoding="utf-8")
    if args.diff:
        old = json.loads(args.diff.read_text(encoding="utf-8"))
        for key, ok in verdicts.items():
            if key in old and old[key] != ok:
                print(("won " if ok else "LOST") + " " + key.replace("\t", " | "))
    return 0


def _share(good: int, n: int) -> str:
    return f"{good}/{n} {good / n:6.1%}" if n else "-"


if __name__ == "__main__":
    sys.exit(main())
