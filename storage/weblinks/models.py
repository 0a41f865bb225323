"""The table of one-time web links (only the token's hash is stored, never the token)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class WebLinkRow(Base):
    """A link made for one person and one purpose (upload, download, progress)."""

    __tablename__ = "web_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"),
                                           index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    # What the link is about: campaign, unit, week, export kind (no personal data).
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    # Upload links work once: set when the file was taken.
    used_at: Mapped[datetime | None]
