"""Plain-text views of a campaign for the menu: summary, status and the 8 sections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from content.schema import SECTION_KEYS, Campaign, Note, Passage
from content.search import Hit, format_note

SECTION_LABELS: dict[str, str] = {
    "muc_dich": "Mục đích",
    "doi_tuong": "Đối tượng",
    "thoi_gian": "Thời gian",
    "noi_dung": "Nội dung",
    "tieu_chi": "Tiêu chí",
    "khen_thuong": "Khen thưởng",
    "to_chuc": "Tổ chức thực hiện",
    "han_chot": "Hạn chót",
}
assert tuple(SECTION_LABELS) == SECTION_KEYS


def format_source(source: str) -> str:
    """Render a source reference as the plan names it: "(Mục III.1.b)" or "(Phần mở đầu)"."""
    return "(Phần mở đầu)" if source == "mở đầu" else f"(Mục {source})"


def format_date(day: dt.date) -> str:
    """Render a date the Vietnamese way, e.g. 28/4/2024."""
    return f"{day.day}/{day.month}/{day.year}"


def _line(passage: Passage, prefix: str = "- ") -> str:
    return f"{prefix}{passage.text} {format_source(passage.source)}"


def _notes_block(notes: Iterable[Note]) -> list[str]:
    seen: list[str] = []
    for note in notes:
        text = format_note(note)
        if text not in seen:
            seen.append(text)
    return seen


def is_running(campaign: Campaign, today: dt.date) -> bool:
    """Return whether today falls within the campaign's period (inclusive)."""
    start = campaign.period.start
    return (start is None or start <= today) and today <= campaign.period.end


def has_ended(campaign: Campaign, today: dt.date) -> bool:
    """Return whether the campaign's period is over."""
    return today > campaign.period.end


def summary(campaign: Campaign) -> str:
    """Return a short plain-text summary: name, issuer, document and period."""
    doc = campaign.document
    ident = ", ".join(x for x in (doc.number, doc.date_text) if x)
    period = campaign.period
    lines = [
        campaign.short_name,
        f"{doc.kind} của {campaign.issuer}" + (f" ({ident})" if ident else ""),
        campaign.title,
        f"Thời gian: {period.text} {format_source(period.source)}",
    ]
    if period.assumption and period.assumption_note:
        lines.append(f"({period.assumption_note})")
    lines.append(f"Liên hệ: {campaign.contact.text}")
    lines.extend(_notes_block(campaign.notes))
    return "\n".join(lines)


def _section_lines(campaign: Campaign, key: str) -> tuple[list[str], list[Note]]:
    lines: list[str] = []
    notes: list[Note] = []

    def add(passages: Iterable[Passage]) -> None:
        for p in passages:
            lines.append(_line(p))
            notes.extend(p.notes)

    if key == "muc_dich":
        add(campaign.aims)
        if campaign.requirements:
            lines.append("Yêu cầu:")
            add(campaign.requirements)
    elif key == "doi_tuong":
        add(campaign.audience)
    elif key == "thoi_gian":
        add([campaign.period])
        if campaign.period.assumption and campaign.period.assumption_note:
            lines.append(f"({campaign.period.assumption_note})")
    elif key == "noi_dung":
        add(campaign.themes)
        add(campaign.content)
    elif key == "tieu_chi":
        for group in campaign.criteria:
            lines.append(f"{group.title}:")
            add(group.items)
    elif key == "khen_thuong":
        add(campaign.rewards)
        add(campaign.reward_rules)
    elif key == "to_chuc":
        for resp in campaign.organisation:
            lines.append(f"{resp.actor}:")
            add(resp.tasks)
        lines.append(_line(campaign.contact, "Liên hệ: "))
        notes.extend(campaign.contact.notes)
    elif key == "han_chot":
        for d in campaign.deadlines:
            # Show a date only where the plan writes it; "tháng 6/2025" stays as written.
            when = d.rule or (format_date(d.date) if d.date else None)
            if when and not d.rule and when not in d.text:
                when = None
            label = f"{d.what} ({when})" if when else d.what
            lines.append(f"- {label}: {d.text} {format_source(d.source)}")
            notes.extend(d.notes)
    else:
        raise KeyError(f"unknown section {key!r}; expected one of {', '.join(SECTION_KEYS)}")
    return lines, notes


def section_text(campaign: Campaign, key: str) -> str:
    """Return one menu section as plain text (no markdown), each passage with its source."""
    lines, notes = _section_lines(campaign, key)
    out = [f"{SECTION_LABELS[key]} - {campaign.short_name}"]
    out.extend(lines or ["Kế hoạch không có nội dung cho mục này."])
    note_lines = _notes_block(notes)
    if note_lines:
        out.append("")
        out.extend(note_lines)
    return "\n".join(out)


def hit_text(hit: Hit) -> str:
    """Render a lookup answer: the quoted passage, its source and campaign, then dated notes."""
    lines = [f"{hit.text} {format_source(hit.source)}", f"Nguồn: {hit.campaign_title}"]
    lines.extend(hit.notes)
    return "\n".join(lines)
