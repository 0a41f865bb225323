"""Tables of good-deed reports, their photos, history and notifications."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class NotificationRow(Base):
    """A message owed to a person (e.g. a review decision); a later outbox drains these."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    text_key: Mapped[str] = mapped_column(String(80))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class DeedRow(Base):
    """A good-deed report ("người tốt, việc tốt"); `version` guards concurrent decisions."""

    __tablename__ = "deeds"
    # Reviewers' queues filter by their units and a status.
    __table_args__ = (Index("ix_deeds_unit_code_status", "unit_code", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(80), index=True)
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), index=True
    )
    unit_code: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_self: Mapped[bool] = mapped_column(Boolean)
    nominee_name: Mapped[str] = mapped_column(String(200))
    nominee_minor: Mapped[str] = mapped_column(String(10))
    village: Mapped[str | None] = mapped_column(String(200))
    what: Mapped[str] = mapped_column(Text)
    happened_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(300))
    contact_ok: Mapped[bool] = mapped_column(Boolean)
    phone: Mapped[str | None] = mapped_column(String(20))
    original: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"))
    reward_form: Mapped[str | None] = mapped_column(String(300))
    reward_source: Mapped[str | None] = mapped_column(String(40))
    reject_reason: Mapped[str | None] = mapped_column(String(40))
    nominee_consent: Mapped[str] = mapped_column(String(20))
    submitted_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DeedPhotoRow(Base):
    """A photo of a deed report: its reference (URL or channel file id) and, when the bot
    could download it, the stored file holding its bytes."""

    __tablename__ = "deed_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deed_id: Mapped[int] = mapped_column(ForeignKey("deeds.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str | None] = mapped_column(String(1000))
    size: Mapped[int | None] = mapped_column(Integer)
    caption: Mapped[str | None] = mapped_column(String(1000))
    # The photo's bytes kept by the bot (storage/files.py), so evidence outlives the URL.
    file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_files.id", ondelete="SET NULL"), index=True)


class DeedEventRow(Base):
    """One step in a deed's history: who did what, when, why, with values before and after."""

    __tablename__ = "deed_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deed_id: Mapped[int] = mapped_column(ForeignKey("deeds.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"))
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(30))
    status_before: Mapped[str | None] = mapped_column(String(20))
    status_after: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
