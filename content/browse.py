"""Plain-text views of a campaign for the menu: summary, status, the 8 sections, answers.

Every word added around the plan's own text comes from the message catalog (`rules.*`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from content.messages import Messages
from content.schema import SECTION_KEYS, Campaign, Note, Passage
from content.search import Hit
from content.text import fold

NoteKey = tuple[dt.date, str]


def section_label(messages: Messages, key: str) -> str:
    """Return the Vietnamese label of a menu section key (`han_chot` → "Hạn chót")."""
    if key not in SECTION_KEYS:
        raise KeyError(f"unknown section {key!r}; expected one of {', '.join(SECTION_KEYS)}")
    return messages.t(f"rules.section.{key}")


def format_source(messages: Messages, source: str) -> str:
    """Render a source reference as the plan names it: "(Mục III.1.b)" or "(Phần mở đầu)"."""
    if source == "mở đầu":
        return messages.t("rules.source_intro")
    if source == "chữ ký":
        return messages.t("rules.source_signature")
    return messages.t("rules.source", source=source)


def format_date(day: dt.date) -> str:
    """Render a date the Vietnamese way, e.g. 28/4/2024."""
    return f"{day.day}/{day.month}/{day.year}"


def format_note(messages: Messages, note: NoteKey) -> str:
    """Render a dated note, e.g. "Ghi chú của Trợ lý (cập nhật 01/7/2025): …"."""
    day, text = note
    return messages.t("rules.note", date=f"{day.day:02d}/{day.month}/{day.year}", text=text)


def _line(messages: Messages, passage: Passage, prefix: str = "- ") -> str:
    return f"{prefix}{passage.text} {format_source(messages, passage.source)}"


def _notes_block(messages: Messages, notes: Iterable[Note | NoteKey]) -> list[str]:
    seen: list[str] = []
    for note in notes:
        key = (note.date, note.text) if isinstance(note, Note) else note
        text = format_note(messages, key)
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


def summary(messages: Messages, campaign: Campaign) -> str:
    """Return a short plain-text summary: name, issuer, document and period."""
    doc = campaign.document
    ident = ", ".join(x for x in (doc.number, doc.date_text) if x)
    period = campaign.period
    lines = [
        campaign.short_name,
        messages.t("rules.document", kind=doc.kind, issuer=campaign.issuer)
        + (f" ({ident})" if ident else ""),
        campaign.title,
        messages.t("rules.period", text=period.text,
                   source=format_source(messages, period.source)),
    ]
    if period.assumption and period.assumption_note:
        lines.append(f"({period.assumption_note})")
    lines.append(messages.t("rules.contact", text=campaign.contact.text))
    lines.extend(_notes_block(messages, campaign.notes))
    return "\n".join(lines)


def _section_lines(messages: Messages, campaign: Campaign, key: str
                   ) -> tuple[list[str], list[Note]]:
    lines: list[str] = []
    notes: list[Note] = []

    def add(passages: Iterable[Passage]) -> None:
        for p in passages:
            lines.append(_line(messages, p))
            notes.extend(p.notes)

    if key == "muc_dich":
        add(campaign.aims)
        if campaign.requirements:
            lines.append(messages.t("rules.requirements"))
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
        lines.append(_line(messages, campaign.contact,
                           messages.t("rules.contact", text="")))
        notes.extend(campaign.contact.notes)
    elif key == "han_chot":
        for d in campaign.deadlines:
            # Show a date only where the plan writes it; "tháng 6/2025" stays as written.
            when = d.rule or (format_date(d.date) if d.date else None)
            if when and not d.rule and when not in d.text:
                when = None
            label = f"{d.what} ({when})" if when else d.what
            lines.append(f"- {label}: {d.text} {format_source(messages, d.source)}")
            notes.extend(d.notes)
    else:
        raise KeyError(f"unknown section {key!r}; expected one of {', '.join(SECTION_KEYS)}")
    return lines, notes


def section_text(messages: Messages, campaign: Campaign, key: str) -> str:
    """Return one menu section as plain text (no markdown), each passage with its source."""
    lines, notes = _section_lines(messages, campaign, key)
    out = [f"{section_label(messages, key)} - {campaign.short_name}"]
    out.extend(lines or [messages.t("rules.empty_section")])
    note_lines = _notes_block(messages, notes)
    if note_lines:
        out.append("")
        out.extend(note_lines)
    return "\n".join(out)


def hit_text(messages: Messages, hit: Hit, name: str | None = None) -> str:
    """Render a lookup answer: the quoted passage, its source and campaign, then dated notes."""
    quote = hit.sentence or hit.text
    if hit.section_texts:
        # A question asking for a list gets the whole section, bullet by bullet, verbatim.
        quote = "\n".join(f"- {text}" for text in hit.section_texts)
        if hit.heading:
            quote = f"{hit.heading.rstrip(' :')}:\n{quote}"
    elif hit.heading and fold(hit.heading) not in fold(quote):
        # The item's heading names its subject ("Phòng Nội vụ: Tham mưu…"), quote it too.
        quote = f"{hit.heading.rstrip(' :')}: {quote}"
    lines = [f"{quote} {format_source(messages, hit.source)}",
             messages.t("rules.from", title=name or hit.campaign_title)]
    lines.extend(_notes_block(messages, hit.notes))
    return "\n".join(lines)
