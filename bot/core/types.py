"""Channel-neutral message types shared by the core, handlers and channel adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class AttachmentKind(StrEnum):
    """What an incoming or outgoing attachment is."""

    PHOTO = "photo"
    STICKER = "sticker"
    DOCUMENT = "document"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A photo, sticker or file; `url` or `data` carries the content where known."""

    kind: AttachmentKind
    url: str | None = None
    data: bytes | None = None
    filename: str | None = None
    size: int | None = None
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a menu: a label people read and a short ASCII payload (<= 64 bytes)."""

    label: str
    payload: str

    def __post_init__(self) -> None:
        if len(self.payload.encode("utf-8")) > 64 or not self.payload.isascii():
            raise ValueError(f"choice payload must be short ASCII: {self.payload!r}")


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message from a person, as every channel delivers it to the core.

    `text` is what was typed (None for a sticker or photo without caption), `choice` the
    payload of a pressed button (channels with buttons only), `start_payload` the deep-link
    payload of /start. `display_name` is the channel's name for the sender, if any.
    """

    channel: str
    chat_id: str
    user_id: str
    text: str | None = None
    choice: str | None = None
    attachments: tuple[Attachment, ...] = ()
    start_payload: str | None = None
    display_name: str | None = None
    raw: Any = None
    # When the platform received it, to the millisecond (Zalo's `date`), if the channel says.
    sent_at: datetime | None = None


@dataclass(slots=True)
class Reply:
    """One message from the bot: text, optional menu rows of choices, optional attachments."""

    text: str
    choices: list[list[Choice]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)

    def flat_choices(self) -> list[Choice]:
        """Return the choices in reading order, as numbered on text channels."""
        return [c for row in self.choices for c in row]
