"""A new campaign file made from an imported plan alone, for an admin to complete.

Every required field of a campaign is filled from the plan, verbatim, by the usual
headings of a kế hoạch ("Mục đích", "Đối tượng", "Nội dung", "Tổ chức thực hiện",
"khen thưởng"); the period comes from the dates found and is marked as an assumption
until an admin confirms it. Programme data (referrals, works, conferences) is left for
the admin to write by hand (docs/content.md).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from content.importer.dates import fold
from content.importer.errors import PlanError
from content.importer.parse import ParsedPlan, Section, guess_issuer
from content.messages import Messages
from content.units import Unit, UnitTree

_SOURCE_RE = re.compile(r"^([IVX]+(\.[0-9]+)*(\.[a-zđ])?)$")
_SHORT_WORDS = 10


_QUOTED_RE = re.compile(r"[“\"]([^”\"]{3,80})[”\"]")


_PLACE_RE = re.compile(r"(?:huyện|thị xã|thành phố|quận|xã|phường|thị trấn|tỉnh)\s+(.+)$",
                       re.IGNORECASE)


def _place(issuer: str, unit_name: str) -> str:
    """The place the plan is issued for: from the issuer ("UBND huyện Bắc Sơn"), else the
    unit's name."""
    match = _PLACE_RE.search(issuer)
    return match.group(1).strip() if match else unit_name


# A document the plan carries out, named in its title: "Chỉ thị số 19/CT-TTg" (people call
# the plan by it: "chỉ thị 19", "19/CT-TTg").
_DOCUMENT_RE = re.compile(
    r"\b(?P<kind>Chỉ thị|Nghị quyết|Kết luận|Quyết định|Kế hoạch|Hướng dẫn|Thông tư|Nghị định"
    r"|Công văn|Văn bản)\s+(?:(?P<so>số\s+)(?P<n>\d+)(?P<code>[/-][\w./-]*[A-ZĐ][\w./-]*)?"
    r"|(?P<n2>\d+)(?P<code2>[/-][\w./-]*[A-ZĐ][\w./-]*))")
# A quoted name the plan repeats this often (title apart) is what the plan is about.
QUOTED_REPEATS = 2
_QUOTED_MAX_WORDS = 8


def _title_document(title: str) -> re.Match[str] | None:
    return _DOCUMENT_RE.search(title)


def _short_name(title: str, place: str) -> str:
    """How people name the campaign: the name quoted in the title ("Dân vận khéo") or the
    document it carries out ("Chỉ thị số 19/CT-TTg") and the district, else the title's
    first words."""
    quoted = _QUOTED_RE.findall(title)
    document = _title_document(title)
    if quoted:
        name = quoted[0].strip()
    elif document:
        name = title[: document.end()].strip()
    else:
        name = " ".join(title.split()[:_SHORT_WORDS])
    return name if place.lower() in name.lower() else f"{name} {place}"


def _document_names(title: str) -> list[str]:
    """"Chỉ thị số 19/CT-TTg" → "chỉ thị 19", "chỉ thị số 19", "19/ct-ttg"."""
    m = _title_document(title)
    if m is None:
        return []
    kind, number, code = m["kind"], m["n"] or m["n2"], m["code"] or m["code2"]
    names = [f"{kind} {number}", f"{kind} số {number}"]
    if code:
        names.append(f"{number}{code}".rstrip("./-"))
    return names


def _repeated_quotes(texts: list[str]) -> list[str]:
    """Names in quotes the plan writes at least QUOTED_REPEATS times ("Hội nghị điển hình
    tiên tiến"), short enough to be typed."""
    counts: dict[str, int] = {}
    spelled: dict[str, str] = {}
    for text in texts:
        for quoted in _QUOTED_RE.findall(text):
            name = quoted.strip(" *_")
            key = fold(name)
            if 2 <= len(name.split()) <= _QUOTED_MAX_WORDS:
                counts[key] = counts.get(key, 0) + 1
                spelled.setdefault(key, name)
    return [spelled[k] for k, n in counts.items() if n >= QUOTED_REPEATS]


def _aliases(title: str, place: str, province: str,
             texts: list[str] | None = None) -> list[str]:
    """Draft aliases: the district and province names, the names quoted in the title, the
    document the title carries out, and the names the plan itself quotes again and again
    (the lookup steers by an alias only where the other plans hardly use its words)."""
    names = [place, province, *(q.strip() for q in _QUOTED_RE.findall(title))]
    names += _document_names(title)
    names += _repeated_quotes(texts or [])
    if not _QUOTED_RE.search(title) and not _title_document(title):
        names.append(" ".join(title.split()[:_SHORT_WORDS]))
    out: list[str] = []
    for name in names:
        if name and name.lower() not in out:
            out.append(name.lower())
    return out


def _source(section_id: str) -> str:
    if _SOURCE_RE.match(section_id):
        return section_id
    top = section_id.split(".")[0]
    return top if _SOURCE_RE.match(top) else "mở đầu"


def _under(sections: list[Section], words: tuple[str, ...]) -> list[Section]:
    """Return the sections whose heading holds one of the words, with those below them."""
    out: list[Section] = []
    for section in sections:
        if any(w in fold(section.heading) for w in words) or any(
            section.id.startswith(s.id + ".") for s in out
        ):
            out.append(section)
    return out


def _passages(sections: list[Section], limit: int | None = None) -> list[dict[str, Any]]:
    out = [{"source": _source(s.id), "text": p} for s in sections for p in s.passages]
    return out[:limit] if limit else out


def _unit(tree: UnitTree, unit: str | None, issuer: str | None, messages: Messages) -> Unit:
    if unit is not None:
        found = tree.get(unit)
        if found is None:
            raise PlanError("importer.bad_unit", unit=unit)
        return found
    name = fold(re.sub(r"^(UBND|Ủy ban nhân dân)\s+", "", issuer or "", flags=re.IGNORECASE))
    matches = [u for u in tree if name and fold(u.full_name) == name]
    if len(matches) != 1:
        raise PlanError("importer.need_unit", issuer=issuer or messages.t("importer.unknown"))
    return matches[0]


def _period(plan: ParsedPlan, data: dict[str, Any], first: Section,
            messages: Messages) -> dict[str, Any]:
    dates = [d for d in data["dates"] if d["kind"] in ("period", "deadline")]
    if dates:
        last = max(dates, key=lambda d: d["date"])
        starts = [d["date"] for d in dates if d["kind"] == "period" and d["date"] < last["date"]]
        period: dict[str, Any] = {"source": _source(last["section"]), "text": last["text"],
                                  "end": last["date"]}
        if starts:
            period["start"] = min(starts)
    else:
        years = [int(y) for y in re.findall(r"(?:19|20)\d{2}", plan.date_text or plan.title or "")]
        year = years[-1] if years else dt.date.today().year
        period = {"source": _source(first.id), "text": plan.title or first.heading,
                  "quote": False, "end": dt.date(year, 12, 31)}
    period.update({"assumption": True,
                   "assumption_note": messages.t("importer.new.assumed_period")})
    return period


def _actor(section: Section) -> str:
    if section.heading:
        return section.heading
    first = section.passages[0] if section.passages else section.id
    return " ".join(first.split(",")[0].split()[:_SHORT_WORDS])


def new_campaign(campaign_id: str, plan: ParsedPlan, data: dict[str, Any], tree: UnitTree,
                 messages: Messages, unit: str | None = None) -> dict[str, Any]:
    """Return the fields of a new campaign made from the plan (its `plan:` block apart)."""
    sections = [s for s in plan.sections if s.passages or s.heading]
    first = sections[0]
    # A plan copied without its header: the body it names as its own ("Ủy ban nhân dân
    # huyện ban hành …") at the place of its date line.
    found = _unit(tree, unit, data.get("issuer") or guess_issuer(plan), messages)
    ancestors = tree.ancestors(found.code)
    province = (ancestors[-1] if ancestors else found).name
    issuer = data.get("issuer") or f"UBND {found.full_name[:1].lower()}{found.full_name[1:]}"
    title = plan.title or first.heading or campaign_id
    everything = _passages(sections)
    aims = _passages(_under(sections, ("muc dich", "yeu cau"))) or everything[:3]
    audience = _passages(_under(sections, ("doi tuong",))) or aims[:1]
    content = _passages(_under(sections, ("noi dung",))) or everything[:5]
    rewards = _passages(_under(sections, ("khen thuong",))) or [
        p for p in everything if "khen thuong" in fold(p["text"])][:5]
    organisation: list[dict[str, Any]] = [
        {"actor": _actor(s), "source": _source(s.id),
         "tasks": [{"source": _source(s.id), "text": p} for p in s.passages]}
        for s in _under(sections, ("to chuc thuc hien",)) if s.passages and "." in s.id
    ] or [{"actor": issuer, "source": _source(first.id), "tasks": everything[:1]}]
    contact_of = next((o for o in organisation if "noi vu" in fold(o["actor"])), organisation[0])
    document: dict[str, Any] = {"kind": "Kế hoạch"}
    for key in ("number", "date_text", "signed_by", "file"):
        if data.get(key):
            document[key] = data[key]
    if plan.preamble:
        document["based_on"] = [{"source": "mở đầu", "text": p} for p in plan.preamble]
    campaign: dict[str, Any] = {
        "id": campaign_id,
        "title": title,
        "short_name": _short_name(title, _place(issuer, found.name)),
        "aliases": _aliases(title, _place(issuer, found.name), province,
                            [t for s in plan.sections for t in (s.heading, *s.passages)]),
        "issuer": issuer,
        "unit": found.code,
        "province": province,
        "document": document,
        "period": _period(plan, data, first, messages),
        "audience": audience,
        "aims": aims,
        "content": content,
        "organisation": organisation,
        "contact": {"unit": contact_of["actor"], **contact_of["tasks"][0]},
    }
    if rewards:
        campaign["reward_rules"] = rewards
    else:
        campaign["reward_rules"] = [{"source": _source(first.id), "quote": False,
                                     "text": messages.t("importer.new.no_reward")}]
    return campaign
