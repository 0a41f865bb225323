"""Walk a campaign's passages (leaves), each with its dotted path, menu section and context."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from content.schema import (
    Campaign,
    ConferenceLevel,
    CriteriaGroup,
    Deadline,
    Deliverable,
    Note,
    Passage,
    Responsibility,
    Reward,
    Step,
    UnitMinimum,
)
from content.text import fold_words

# Top-level field of a campaign -> key of the menu section it belongs to.
SECTION_OF_FIELD: dict[str, str] = {
    "aims": "muc_dich",
    "requirements": "muc_dich",
    "audience": "doi_tuong",
    "period": "thoi_gian",
    "themes": "noi_dung",
    "content": "noi_dung",
    "criteria": "tieu_chi",
    "rewards": "khen_thuong",
    "reward_rules": "khen_thuong",
    "organisation": "to_chuc",
    "contact": "to_chuc",
    "deadlines": "han_chot",
    "document": "gioi_thieu",
    "programmes": "chuong_trinh",
}


# Heading of each top-level field, searched along with its passages.
HEADING_OF_FIELD: dict[str, str] = {
    "aims": "Mục đích",
    "requirements": "Yêu cầu",
    "audience": "Đối tượng",
    "period": "Thời gian",
    "themes": "Chủ đề",
    "content": "Nội dung",
    "criteria": "Tiêu chí thi đua, khen thưởng",
    "rewards": "Hình thức khen thưởng",
    "reward_rules": "Khen thưởng",
    "organisation": "Tổ chức thực hiện",
    "contact": "Liên hệ",
    "deadlines": "Hạn chót",
}


@dataclass(frozen=True)
class Located:
    """A passage found in a campaign: where it sits and the headings above it."""

    path: str
    section: str
    passage: Passage
    context: tuple[str, ...]
    heading: str | None = None  # the heading of its own item as printed ("Phòng Nội vụ")


def _own_context(obj: BaseModel) -> list[str]:
    if isinstance(obj, CriteriaGroup):
        return [obj.title]
    if isinstance(obj, Responsibility):
        return [obj.actor]
    if isinstance(obj, Deadline):
        return [obj.what, obj.audience]
    if isinstance(obj, Reward):
        return [obj.form, obj.granted_by]
    if isinstance(obj, Step | Deliverable):
        return [obj.actor]
    if isinstance(obj, ConferenceLevel):
        return [obj.label]
    if isinstance(obj, UnitMinimum):
        return [obj.label]
    return []


def _own_heading(obj: BaseModel) -> str | None:
    # Only headings printed in the plan: a body's name, a criteria group's title.
    if isinstance(obj, Responsibility):
        return obj.actor
    if isinstance(obj, CriteriaGroup):
        return obj.title
    return None


def _walk(obj: object, path: str, section: str, context: tuple[str, ...],
          heading: str | None = None) -> Iterator[Located]:
    if isinstance(obj, BaseModel):
        ctx = context + tuple(_own_context(obj))
        heading = _own_heading(obj) or heading
        if isinstance(obj, Passage):
            yield Located(path, section, obj, ctx, heading)
        for name in type(obj).model_fields:
            if name in ("notes", "keywords", "anchors"):
                continue
            child_path = f"{path}.{name}" if path else name
            yield from _walk(getattr(obj, name), child_path, section, ctx, heading)
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _walk(item, f"{path}[{i}]", section, context, heading)


def iter_passages(campaign: Campaign) -> Iterator[Located]:
    """Yield every passage of the campaign, with its path, section key and headings."""
    for name in type(campaign).model_fields:
        section = SECTION_OF_FIELD.get(name)
        if section is None:
            continue
        heading = HEADING_OF_FIELD.get(name)
        context = (heading,) if heading else ()
        yield from _walk(getattr(campaign, name), name, section, context)


HEADING_AS_TEXT = 12  # words: a longer heading with a number is a sentence of the plan
LONG_HEADING = 20  # words: a heading this long is a sentence whatever it holds


def _get(obj: object, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def iter_plan_passages(campaign: Campaign) -> Iterator[Located] | None:
    """Yield the verbatim passages of the campaign's imported plan (`campaign.plan`), each with
    the headings above it; None when the campaign has no plan block."""
    plan = getattr(campaign, "plan", None)
    sections = _get(plan, "sections") if plan is not None else None
    if not sections:
        return None
    return _plan_walk(plan, sections, _dated_notes(campaign))


def _fold_text(text: str) -> str:
    return " ".join(fold_words(text))


def _dated_notes(campaign: Campaign) -> dict[str, list[tuple[str, list[Note]]]]:
    """Dated notes of the curated passages (a replaced decree…), by plan section."""
    notes: dict[str, list[tuple[str, list[Note]]]] = {}
    for loc in iter_passages(campaign):
        if loc.passage.notes and loc.passage.quote:
            notes.setdefault(loc.passage.source, []).append(
                (_fold_text(loc.passage.text), list(loc.passage.notes))
            )
    return notes


def _notes_for(text: str, candidates: list[tuple[str, list[Note]]]) -> list[Note]:
    folded = _fold_text(text)
    found: list[Note] = []
    for other, notes in candidates:
        if other in folded or folded in other:
            found.extend(n for n in notes if n not in found)
    return found


def _plan_passage(text: str, source: str, notes: list[Note]) -> Passage:
    # Plan section ids are checked by the plan model ("II.2-2", "1.3" included); the
    # curated-passage source pattern is narrower, so build without re-validating.
    return Passage.model_construct(text=text, source=source, quote=True, keywords=[],
                                   notes=notes)


def _plan_walk(plan: object, sections: list[Any],
               notes: dict[str, list[tuple[str, list[Note]]]]) -> Iterator[Located]:
    headings: dict[str, str] = {}
    for i, raw in enumerate(_get(plan, "preamble") or []):
        text = str(raw).strip()
        if text:
            passage = _plan_passage(text, "mở đầu", _notes_for(text, notes.get("mở đầu", [])))
            yield Located(f"plan.preamble[{i}]", "gioi_thieu", passage, ())
    for i, sec in enumerate(sections):
        sid = str(_get(sec, "id") or "")
        heading = str(_get(sec, "heading") or "").strip() or None
        if heading:
            headings[sid] = heading
        parts = sid.split(".")
        above = tuple(headings[p] for p in (".".join(parts[:n]) for n in range(1, len(parts)))
                      if p in headings)
        context = above + ((heading,) if heading else ())
        words = len(heading.split()) if heading else 0
        if heading and (words > LONG_HEADING or (words > HEADING_AS_TEXT
                                                 and any(c.isdigit() for c in heading))):
            # A heading that is a sentence with a date or number ("b) Gửi đăng ký … trước
            # ngày 25/10/2024 …:") states a fact of its own: it is quoted like a passage too.
            passage = _plan_passage(heading, sid, _notes_for(heading, notes.get(sid, [])))
            yield Located(f"plan.sections[{i}].heading", "", passage, context, None)
        for j, raw in enumerate(_get(sec, "passages") or []):
            text = str(raw).strip()
            if text:
                passage = _plan_passage(text, sid, _notes_for(text, notes.get(sid, [])))
                yield Located(f"plan.sections[{i}].passages[{j}]", "", passage, context,
                              heading)


def iter_quoted(campaign: Campaign) -> Iterator[Located]:
    """Yield what the lookup may quote: the plan block when the campaign has one, else the
    curated passages that quote the plan (the bot's own rules, quote: false, are left out)."""
    plan = iter_plan_passages(campaign)
    if plan is not None:
        yield from plan
        return
    for loc in iter_passages(campaign):
        if loc.passage.quote:
            yield loc
