"""Kinds of question generated mechanically from the plans' own text (issue #12, `read12`).

Run: uv run python -m bench.kinds_probe [--show KIND] [--misses N]

A rule is judged on many forms and passages at once, not on one listed sentence. Each kind is
built from every plan under content/plans (the five seed plans) by a fixed recipe, never by
hand-picked sentences, and asked in process (judged as the shared scorer judges a reply):

- quoted: every name the plan writes in quotes ("Vì người nghèo - Không để ai bị bỏ lại phía
  sau"), asked "X có phong trào <name> không?", folded, and "Kế hoạch của X có nhắc đến …";
- verbatim: seven words of every other long plan line, asked as a yes-no question;
- claim: every clause ending with a body ("… gửi Ban Dân vận Huyện ủy"), asked with another
  body of the same plan ("Có phải ở X, … <another body> không?") and as written;
- signer: who signed the plan, claimed with five titles (the expected name is the reply to
  "Ai ký kế hoạch của X?");
- which (out of scope): "N <thing> … được chọn / khen … là <thing> nào?" for every thing the
  plan chooses or praises without naming it; which_in (in scope, control): things it names;
- story: every in-scope question of the read sets (dev, held-out 1-12) the lookup answers,
  told after the asker's role and place (three forms); the share kept.

Held-out sets 13 and later are never read here.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Callable, Sequence

from bench.cover_analysis import judged
from bench.rerank_train import ROOT, fold
from content.browse import hit_text
from content.loader import load_campaigns
from content.messages import Messages
from content.search import build_index

PLANS = ROOT / "content" / "plans"
PLACE = {"000": "Hớn Quản", "001": "Chi Lăng", "002": "Tuy Phước", "003": "Bắc Sơn",
         "004": "Trạm Tấu"}
READ_SETS = ("", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")
ROLES = ("cán bộ văn phòng xã", "giáo viên tiểu học", "đoàn viên thanh niên", "trưởng thôn",
         "công chức văn hóa - xã hội", "phó chủ tịch UBND một xã", "hội viên hội phụ nữ")
TITLES = ("Phó Chủ tịch huyện", "Chủ tịch UBND huyện", "phó chủ tịch UBND", "Bí thư huyện ủy",
          "Trưởng phòng Nội vụ")
BODY_RE = re.compile(
    r"(Phòng [A-ZĐ][\w ,-]*?|Ban [A-ZĐ][\w ]*?|Văn phòng [\w ]*?|Hội đồng Thi đua[\w -]*?"
    r"|Ủy ban [\w ]*?|Trung tâm [\w ]*?)"
    r"(?=[,.;:()]| và | chủ trì| tổng hợp| thẩm định| để| theo| trước)")
Row = tuple[str, str, str]


def plans() -> list[tuple[str, str]]:
    return [(p.name[:3], p.read_text(encoding="utf-8")) for p in sorted(PLANS.glob("0*.txt"))
            if p.name[:3] in PLACE]


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def quoted() -> list[Row]:
    rows: list[Row] = []
    seen: set[tuple[str, str]] = set()
    for pid, text in plans():
        for m in re.finditer(r"“\*?([^”*]+)\*?”", text):
            name = re.sub(r"\s+", " ", m.group(1)).strip()
            if not 3 <= len(name.split()) <= 16 or (pid, fold(name)) in seen:
                continue
            seen.add((pid, fold(name)))
            place, expected = PLACE[pid], " ".join(name.split()[:6])
            rows += [(f"{place} có phong trào {name} không?", expected, "in"),
                     (f"{fold(place)} co phong trao {fold(name)} khong", expected, "in"),
                     (f"Kế hoạch của {place} có nhắc đến {name.lower()} không?", expected, "in")]
    return rows


def verbatim() -> list[Row]:
    rows: list[Row] = []
    for pid, text in plans():
        lines = [line.strip(" -+*") for line in text.splitlines() if len(line.split()) >= 14]
        for k, line in enumerate(lines):
            if k % 2:
                continue
            words = re.sub(r"[“”\"*()]", "", line).split()[2:9]
            if any(ch.isdigit() for w in words for ch in w):
                continue
            frag = " ".join(words).strip(",;:.")
            place = PLACE[pid]
            if k % 4 == 0:
                rows.append((f"Kế hoạch {place} có nói {lower_first(frag)} không?", frag, "in"))
            else:
                rows.append((f"{fold(place)} co phai {fold(frag)} ko", frag, "in"))
    return rows


def claims() -> list[Row]:
    rows: list[Row] = []
    rnd = random.Random(12)
    for pid, text in plans():
        bodies = sorted({m.group(1).strip() for m in BODY_RE.finditer(text)
                         if 2 <= len(m.group(1).split()) <= 8})
        if len(bodies) < 2:
            continue
        for m in BODY_RE.finditer(text):
            body = m.group(1).strip()
            if body not in bodies:
                continue
            cut = re.split(r"[.;:()\n]|(?:^|\s)- ", text[max(0, m.start() - 120):m.start()])
            if len(cut) < 2:
                continue
            lead_words = cut[-1].split()
            if (not 4 <= len(lead_words) <= 12 or any(ch.isdigit() for ch in cut[-1])
                    or cut[-1].strip().startswith(("Đề nghị", "Giao"))):
                continue
            other = rnd.choice([b for b in bodies if b != body and b not in body
                                and body not in b])
            place, lead = PLACE[pid], " ".join(lead_words)
            expected = " ".join(lead_words[-3:]) + " " + body
            rows += [(f"Có phải ở {place}, {lower_first(lead)} {other} không?", expected, "in"),
                     (f"{fold(place)} co phai {fold(lead)} {fold(other)} khong", expected, "in"),
                     (f"Ở {place}, {lower_first(lead)} {body} có phải không?", expected, "in")]
    return rows


def which_one() -> list[Row]:
    rows: list[Row] = []
    seen: set[tuple[str, str, str]] = set()
    for pid, text in plans():
        for m in re.finditer(
            r"(lựa chọn|chọn|bình chọn|biểu dương|khen thưởng|tuyên dương|đăng ký|gắn biển)"
            r"((?: ít nhất| tối thiểu| cho| các| những)* 0?[1-9])?(?: cho| các| những)* "
            r"(công trình|tập thể|cá nhân|điển hình|đơn vị|hộ gia đình|thôn|gương)"
            r"((?: [^\s,.;:()]+){1,5})", text):
            verb, count, thing, rest = m.groups()
            rest = rest.strip()
            if re.search(r"[A-ZĐ]", rest) or (pid, thing, rest) in seen:
                continue
            seen.add((pid, thing, rest))
            place = PLACE[pid]
            number = (count or "").strip().lstrip("0")
            head = f"{number} {thing}" if number else f"Những {thing}"
            rows += [(f"{head} {rest} được {verb} ở {place} là {thing} nào?", "", "out"),
                     (f"{fold(place)} {fold(verb)} {fold(thing)} {fold(rest)} ten la gi", "",
                      "out")]
    return rows


def which_in() -> list[Row]:
    rows: list[Row] = []
    seen: set[tuple[str, str]] = set()
    for pid, text in plans():
        for m in re.finditer(r"((?:[^\s.;:]+ ){3,6})(công trình|tập thể|cá nhân|điển hình|xã"
                             r"|thôn|dự án) ((?:[A-ZĐ]\w+ ?){1,3})((?: [^\s.;:]+){0,5})", text):
            before, noun, name, after = m.groups()
            name = name.strip()
            if (pid, name) in seen or any(ch.isdigit() for ch in before + after):
                continue
            seen.add((pid, name))
            place, lead = PLACE[pid], before.strip().strip(",")
            rows += [(f"Ở {place}, {lower_first(lead)} {noun}{after} là {noun} nào?", name,
                      "in"),
                     (f"{fold(place)} {fold(lead)} {fold(noun)}{fold(after)} la {fold(noun)} nao",
                      name, "in")]
    return rows


def read_rows() -> list[tuple[str, str, str]]:
    """In-scope rows of the read sets: question, expected, plan id."""
    # tests/content/lookup_dev.tsv: the shared development set, copied into the project.
    paths = [ROOT / "tests" / "content" / f"lookup_{name}.tsv"
             for name in ("dev", *(f"heldout{n}" for n in READ_SETS))]
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            if line.startswith("#") or len(cols) < 4 or cols[2].strip() != "in":
                continue
            if cols[3][:3] in PLACE:
                rows.append((cols[0], cols[1], cols[3][:3]))
    return rows


def story(answered: Sequence[tuple[str, str, str]]) -> list[Row]:
    rows: list[Row] = []
    for k, (question, expected, pid) in enumerate(answered):
        place, role = PLACE[pid], ROLES[k % len(ROLES)]
        if k % 3 == 0:
            text = f"Tôi là {role} ở {place}. {question}"
        elif k % 3 == 1:
            text = (f"Em là {role} ở {place}, em đang chuẩn bị cho phong trào. Cho em hỏi "
                    f"{lower_first(question).rstrip('?')} ạ?")
        else:
            text = fold(f"minh la {role} o {place}, minh muon hoi {lower_first(question)}")
        rows.append((text, expected, "in"))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--show", default="", help="list the misses of this kind")
    ap.add_argument("--misses", type=int, default=15)
    args = ap.parse_args(argv)
    campaigns = load_campaigns()
    names = {c.id: c.short_name for c in campaigns}
    index = build_index(campaigns)
    messages = Messages.load()

    def reply(question: str) -> str:
        hits = index.search(question)
        top = hits[0] if hits else None
        return hit_text(messages, top, names.get(top.campaign_id)) if top else "NOT FOUND"

    def signer() -> list[Row]:
        rows: list[Row] = []
        for k, (_pid, place) in enumerate(PLACE.items()):
            name = reply(f"Ai ký kế hoạch của {place}?").split("(")[0].strip()[-25:]
            for j, title in enumerate(TITLES):
                forms = (f"Có phải kế hoạch của {place} do {title} ký không?",
                         fold(f"ke hoach {place} co phai do {title} ky ko"),
                         f"Kế hoạch {place} là {title} ký đúng không?")
                rows.append((forms[(k + j) % 3], name, "in"))
        return rows

    answered = [r for r in read_rows() if judged(index, messages, names, r[0], r[1], "in")]
    kinds: dict[str, Callable[[], list[Row]]] = {
        "quoted": quoted, "verbatim": verbatim, "claim": claims, "signer": signer,
        "which": which_one, "which_in": which_in, "story": lambda: story(answered)}
    left = args.misses
    for kind, make in kinds.items():
        rows = make()
        right = [judged(index, messages, names, q, e, k) for q, e, k in rows]
        print(f"{kind:9s} {sum(right)}/{len(rows)} = {100 * sum(right) / max(1, len(rows)):.0f}%")
        if kind != args.show:
            continue
        for (question, expected, _), ok in zip(rows, right, strict=True):
            if not ok and left > 0:
                left -= 1
                print(f"  - {question}\n      want: {expected or '(not found)'}\n      got:  "
                      + reply(question)[:160].replace("\n", " | "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
