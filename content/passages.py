"""Walk a campaign's passages (leaves), each with its dotted path, menu section and context."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from content.schema import (
    Campaign,
    ConferenceLevel,
    CriteriaGroup,
    Deadline,
    Deliverable,
    Passage,
    Responsibility,
    Reward,
    Step,
    UnitMinimum,
)

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


def _walk(obj: object, path: str, section: str, context: tuple[str, ...]) -> Iterator[Located]:
    if isinstance(obj, BaseModel):
        ctx = context + tuple(_own_context(obj))
        if isinstance(obj, Passage):
            yield Located(path, section, obj, ctx)
        for name in type(obj).model_fields:
            if name in ("notes", "keywords", "anchors"):
                continue
            child_path = f"{path}.{name}" if path else name
            yield from _walk(getattr(obj, name), child_path, section, ctx)
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _walk(item, f"{path}[{i}]", section, context)


def iter_passages(campaign: Campaign) -> Iterator[Located]:
    """Yield every passage of the campaign, with its path, section key and headings."""
    for name in type(campaign).model_fields:
        section = SECTION_OF_FIELD.get(name)
        if section is None:
            continue
        heading = HEADING_OF_FIELD.get(name)
        context = (heading,) if heading else ()
        yield from _walk(getattr(campaign, name), name, section, context)
