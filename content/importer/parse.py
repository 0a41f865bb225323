"""Turn a plan's paragraphs into its header, title, preamble, sections and signature.

The standard layout of a Vietnamese kế hoạch is recognised: a header ("Số: …", "…, ngày …
tháng … năm …", the issuing body in capitals), "KẾ HOẠCH", the title, the preamble ("Căn
cứ…", "Thực hiện…"), sections "I." → "1." → "1.1." → "a)" with "-" and "+" bullets, a
closing paragraph ("…/."), "Nơi nhận:" and the signature. Section ids are dotted paths of
the numbers as printed ("III.1.b", "II.7.2.a"), the way people cite a plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from content.importer.errors import PlanError
from content.text import fold

_ROMAN_RE = re.compile(r"^(?P<n>[IVXL]{1,7})\s?(?P<p>[.:/])\s*(?P<t>\S.*)$")
_VALID_ROMAN_RE = re.compile(r"^L?X{0,3}(IX|IV|V?I{0,3})$")
_DOTTED_RE = re.compile(r"^(?P<n>\d{1,2}(?:\.\d{1,2})+)(?P<p>\.?)\s+(?P<t>[^\d\s].*)$")
_ARABIC_RE = re.compile(r"^(?P<n>\d{1,2})(?P<p>[.)])\s*(?P<t>[^\d\s.].*)$")
_LETTER_RE = re.compile(r"^(?P<n>[a-zđ])(?P<p>\))\s*(?P<t>\S.*)$")
_BULLET_RE = re.compile(r"^(?:[-–—•∙·]\s*|\+\s+)(?P<t>\S.*)$")
_PARENS_RE = re.compile(r"\([^)]*\)")
_DATE_LINE_RE = re.compile(r"\bngày\b.*\btháng\b.*\bnăm\s+\d{4}", re.IGNORECASE)
_NUMBER_RE = re.compile(r"^số\s*[:.]", re.IGNORECASE)
# Words of the header that are not the issuer: the national motto and its line.
_MOTTO = ("cong hoa xa hoi chu nghia viet nam", "doc lap")
_PLACE_WORDS = ("huyện", "tỉnh", "xã", "phường", "thị trấn", "thị xã", "thành phố", "quận")
# How long the part before a colon may be to count as the item's heading ("2. Phòng Nội vụ:").
HEADING_MAX_WORDS = 20
# A numbered item ending with a full stop and longer than this is running text, not a heading.
SENTENCE_MIN_WORDS = 35
_SENTENCE_BREAK_RE = re.compile(r"[.!?…]\s+[A-ZĐÀ-Ỹ“\"(]")
_SECTION_ID_RE = r"^([IVXL]+|\d+)(\.\d+)*(\.[a-zđ])?(-\d+)?$"


@dataclass
class Section:
    """One numbered section of the plan, with the passages directly under it."""

    id: str
    label: str
    heading: str
    passages: list[str] = field(default_factory=list)
    raw: str = ""
    kind: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return the section as written in the campaign file."""
        return {"id": self.id, "label": self.label, "heading": self.heading,
                "passages": list(self.passages)}


@dataclass
class ParsedPlan:
    """What the importer understood of a plan; `warnings` are (catalog key, params)."""

    title: str | None = None
    issuer: str | None = None
    number: str | None = None
    date_text: str | None = None
    signed_by: str | None = None
    preamble: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    warnings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def passage_count(self) -> int:
        """Return how many passages the sections hold."""
        return sum(len(s.passages) for s in self.sections)


def is_caps(text: str) -> bool:
    """Return whether the text has letters and all of them are capitals."""
    return any(ch.isalpha() for ch in text) and text == text.upper()


def is_continuation(paragraph: str) -> bool:
    """Return whether a paragraph continues the previous one (a page break cut it).

    It starts with a lower-case letter and is not an item like "a) …".
    """
    first = paragraph[:1]
    return first.isalpha() and first.islower() and not _LETTER_RE.match(paragraph)


def join_continuations(paragraphs: list[str]) -> list[str]:
    """Join each paragraph cut by a page break to the one before it, with one space."""
    out: list[str] = []
    for paragraph in paragraphs:
        if out and is_continuation(paragraph):
            out[-1] = f"{out[-1]} {paragraph}"
        else:
            out.append(paragraph)
    return out


@dataclass(frozen=True)
class Heading:
    """A numbered line: its kind, the number parts, the label as printed and the text."""

    kind: str  # roman | dotted | arabic | letter
    number: str
    label: str
    text: str


def match_heading(paragraph: str) -> Heading | None:
    """Return the numbered heading a paragraph starts with, if any."""
    m = _ROMAN_RE.match(paragraph)
    if m and _VALID_ROMAN_RE.match(m["n"]) and m["p"] != ":":
        return Heading("roman", m["n"], m["n"] + m["p"], m["t"])
    m = _DOTTED_RE.match(paragraph)
    if m:
        return Heading("dotted", m["n"], m["n"] + m["p"], m["t"])
    m = _ARABIC_RE.match(paragraph)
    if m:
        return Heading("arabic", m["n"], m["n"] + m["p"], m["t"])
    m = _LETTER_RE.match(paragraph)
    if m:
        return Heading("letter", m["n"], m["n"] + m["p"], m["t"])
    return None


def strip_bullet(paragraph: str) -> str:
    """Return a paragraph without its bullet marker ("- ", "+ ", "• ")."""
    m = _BULLET_RE.match(paragraph)
    return m["t"] if m else paragraph


def split_heading(text: str, has_under: bool) -> tuple[str, str | None]:
    """Split a numbered item's text into its heading and the passage on the same line.

    "Phòng Nội vụ: Tham mưu …" → ("Phòng Nội vụ", "Tham mưu …") when the part before the
    colon is short and holds no sentence; an item with text or sections under it is a
    heading; a lone sentence with nothing under it is a passage with an empty heading.
    """
    before, colon, after = text.partition(":")
    if colon:
        bare = _PARENS_RE.sub("", before).strip()
        if bare and _words(bare) <= HEADING_MAX_WORDS and not re.search(r"[.;]", bare):
            return before.strip(), (after.strip() or None)
    if has_under and not is_sentence(text):
        return text.rstrip(":").rstrip(), None
    return "", text


def _words(text: str) -> int:
    return sum(1 for word in text.split() if any(ch.isalnum() for ch in word))


def is_sentence(text: str) -> bool:
    """Return whether an item's text reads as running text rather than a heading.

    It ends a sentence and is long (more than SENTENCE_MIN_WORDS words) or holds more than
    one sentence.
    """
    if not text.rstrip().endswith((".", ";", "…")):
        return False
    return _words(text) > SENTENCE_MIN_WORDS or bool(_SENTENCE_BREAK_RE.search(text))


def _issuer(parts: list[str]) -> str | None:
    """Return "UBND huyện Bắc Sơn" from header lines like "ỦY BAN NHÂN DÂN", "HUYỆN BẮC SƠN"."""
    if not parts:
        return None
    text = " ".join(parts)
    folded = fold(text)
    for long in ("uy ban nhan dan",):
        if folded.startswith(long):
            rest = text[len(long):].strip()
            text = "UBND " + rest if rest else "UBND"
            break
    words = text.split()
    head = words[:1] if words and words[0] == "UBND" else []
    tail = " ".join(words[len(head):])
    for place in _PLACE_WORDS:
        if fold(tail).startswith(fold(place) + " "):
            name = tail[len(place):].strip().title()
            return " ".join([*head, place, name])
    return " ".join([*head, tail.title()]) if tail else " ".join(head)


_LEVELS = ("thành phố", "thị trấn", "thị xã", "huyện", "tỉnh", "quận", "phường", "xã")
_LEVEL_RE = "|".join(_LEVELS)
# "Ủy ban nhân dân huyện ban hành …", "báo cáo UBND huyện (qua …)": the body speaking of
# itself names its level without a place name after it.
_SELF_RE = re.compile(rf"(?:Ủy ban nhân dân|UBND)\s+({_LEVEL_RE})(?:\s+(\w+)|\s*[,.;:)]|$)")
_PLACE_OF_DATE_RE = re.compile(r"^([^,0-9]{2,40}),\s*ngày\b")
_WORDS_AFTER_RE = re.compile(r"\s+([^\s,.;:()“”\"]+)")


def guess_issuer(plan: ParsedPlan) -> str | None:
    """The issuing body of a plan whose header was lost (a text copied from the body only):
    "UBND" and its level as the plan speaks of itself ("Ủy ban nhân dân huyện ban hành …"),
    and the place of its date line ("Bắc Sơn, ngày …") or else the place of that level the
    plan names most ("huyện Tuy Phước"). None when the plan does not say."""
    texts = [*plan.preamble, *(t for s in plan.sections for t in (s.heading, *s.passages))]
    levels: dict[str, int] = {}
    for text in texts:
        for m in _SELF_RE.finditer(text):
            if m.group(2) is None or not m.group(2)[0].isupper():
                levels[m.group(1)] = levels.get(m.group(1), 0) + 1
    if not levels:
        return None
    level = max(levels, key=lambda k: levels[k])
    dated = _PLACE_OF_DATE_RE.match(plan.date_text or "")
    if dated:
        return f"UBND {level} {dated.group(1).strip()}"
    names: dict[str, int] = {}
    for text in texts:
        for found in re.finditer(rf"(?<!\w){level}(?!\w)", text):
            name = _name_at(text, found.end())
            if name:
                names[name] = names.get(name, 0) + 1
    if not names:
        return None
    return f"UBND {level} {max(names, key=lambda k: names[k])}"


def _name_at(text: str, pos: int, most: int = 3) -> str:
    """The capitalised words (a place name) right after pos, at most `most` of them."""
    words: list[str] = []
    while len(words) < most:
        m = _WORDS_AFTER_RE.match(text, pos)
        if m is None or not m.group(1)[0].isupper():
            break
        words.append(m.group(1))
        pos = m.end()
    return " ".join(words)


def _parse_header(lines: list[str], plan: ParsedPlan) -> None:
    issuer_parts: list[str] = []
    for line in lines:
        folded = fold(line)
        if any(folded.startswith(m) for m in _MOTTO) or set(line) <= set("-_=*. "):
            continue
        if _NUMBER_RE.match(line) and plan.number is None:
            plan.number = line
        elif _DATE_LINE_RE.search(line) and plan.date_text is None:
            plan.date_text = line
        elif is_caps(line) and len(line.split()) <= 10:
            issuer_parts.append(line)
        else:
            plan.warnings.append(("importer.warn_unplaced", {"text": _short(line)}))
    plan.issuer = _issuer(issuer_parts)


def _parse_signature(lines: list[str], plan: ParsedPlan) -> None:
    titles: list[str] = []
    name: str | None = None
    for line in lines:
        if _BULLET_RE.match(line) or fold(line).startswith(("luu", "noi nhan")):
            continue
        if line.startswith(("(", "[")):
            continue
        if is_caps(line):
            titles.append(line)
        elif len(line.split()) <= 7:
            name = line
        else:
            plan.warnings.append(("importer.warn_unplaced", {"text": _short(line)}))
    if name or titles:
        plan.signed_by = " ".join([*titles, *([name] if name else [])])


def _signature_start(paragraphs: list[str], start: int) -> int:
    """Return where a trailing signature (capital titles, then a name) begins, if any."""
    end = len(paragraphs)
    i = end - 1
    if i < start or is_caps(paragraphs[i]) or len(paragraphs[i].split()) > 7:
        return end
    i -= 1
    first = end
    while i >= start and is_caps(paragraphs[i]) and len(paragraphs[i].split()) <= 8:
        if match_heading(paragraphs[i]) is not None:
            break
        first = i
        i -= 1
    if first == end or ("chu tich" not in fold(" ".join(paragraphs[first:end - 1])) and not any(
        fold(p).startswith(("tm", "kt")) for p in paragraphs[first:end - 1]
    )):
        return end
    return first


def _short(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def parse_plan(paragraphs: list[str]) -> ParsedPlan:
    """Return the plan read from its paragraphs; raise PlanError when it has no sections."""
    paras = join_continuations(paragraphs)
    headings = [match_heading(p) for p in paras]
    first = next((i for i, h in enumerate(headings) if h and h.kind == "roman"), None)
    if first is None:
        first = next((i for i, h in enumerate(headings) if h and h.kind == "arabic"), None)
    if first is None:
        raise PlanError("importer.no_structure")
    plan = ParsedPlan()
    kh = next((i for i, p in enumerate(paras[:first])
               if len(p) < 20 and fold(p).strip(" .:") == "ke hoach"), None)
    if kh is None:
        plan.warnings.append(("importer.warn_no_title", {}))
        head = 0
        while head < first and (
            _NUMBER_RE.match(paras[head]) or _DATE_LINE_RE.search(paras[head])
            or is_caps(paras[head])
        ):
            head += 1
        _parse_header(paras[:head], plan)
        plan.preamble = paras[head:first]
    else:
        _parse_header(paras[:kh], plan)
        rest = paras[kh + 1:first]
        if rest and not fold(rest[0]).startswith("can cu"):
            plan.title = rest[0]
            rest = rest[1:]
        else:
            plan.warnings.append(("importer.warn_no_title", {}))
        plan.preamble = rest
    end = next((i for i in range(first, len(paras)) if fold(paras[i][:9]) == "noi nhan:"
                or fold(paras[i][:8]) == "noi nhan"), None)
    if end is None:
        end = _signature_start(paras, first + 1)
        _parse_signature(paras[end:], plan)
    else:
        _parse_signature(paras[end + 1:], plan)
    _parse_body(paras[first:end], headings[first:end], plan)
    return plan


def _parse_body(paras: list[str], headings: list[Heading | None], plan: ParsedPlan) -> None:
    sections: list[Section] = []
    by_id: dict[str, Section] = {}
    roman: str | None = None
    arabic: str | None = None
    dotted: str | None = None
    closing: tuple[Section, int] | None = None
    has_roman = any(h and h.kind == "roman" for h in headings)
    for para, heading in zip(paras, headings, strict=True):
        if heading is None:
            current = sections[-1]
            text = strip_bullet(para)
            if closing is None and not _BULLET_RE.match(para) and (
                para.rstrip().endswith("/.") or fold(para[:12]).startswith("tren day la")
            ):
                closing = (current, len(current.passages))
            current.passages.append(text)
            continue
        closing = None
        parent: str | None
        if heading.kind == "roman":
            roman, arabic, dotted = heading.number, None, None
            parent, number = None, heading.number
        elif heading.kind == "arabic":
            arabic, dotted = heading.number, None
            parent, number = roman, heading.number
        elif heading.kind == "dotted":
            parts = heading.number.split(".")
            parent = roman
            if arabic is None:
                plan.warnings.append(("importer.warn_skip", {
                    "label": heading.label, "parent": roman or "—", "text": _short(heading.text),
                }))
            elif parts[0] != arabic:
                plan.warnings.append(("importer.warn_mismatch", {
                    "label": heading.label, "parent": _join(roman, arabic),
                    "text": _short(heading.text),
                }))
            dotted = heading.number
            number = heading.number
        else:
            parent = _join(roman, dotted or arabic)
            if arabic is None and dotted is None and has_roman:
                plan.warnings.append(("importer.warn_skip", {
                    "label": heading.label, "parent": roman or "—", "text": _short(heading.text),
                }))
            number = heading.number
        section_id = _join(parent, number)
        if section_id in by_id:
            n = 2
            while f"{section_id}-{n}" in by_id:
                n += 1
            plan.warnings.append(("importer.warn_duplicate", {
                "id": section_id, "new": f"{section_id}-{n}", "text": _short(heading.text),
            }))
            section_id = f"{section_id}-{n}"
        section = Section(id=section_id, label=heading.label, heading="", raw=heading.text,
                          kind=heading.kind)
        sections.append(section)
        by_id[section_id] = section
    if closing is not None:
        holder, index = closing
        top = by_id[holder.id.split(".")[0]]
        if top is not holder:
            moved = holder.passages[index:]
            del holder.passages[index:]
            top.passages.extend(moved)
    for i, section in enumerate(sections):
        following = sections[i + 1] if i + 1 < len(sections) else None
        has_child = following is not None and following.id.startswith(section.id + ".")
        has_under = bool(section.passages) or has_child or section.kind == "roman"
        title, inline = split_heading(section.raw, has_under)
        section.heading = title
        if inline:
            section.passages.insert(0, inline)
    plan.sections = sections


def _join(parent: str | None, number: str | None) -> str:
    return ".".join(p for p in (parent, number) if p)
