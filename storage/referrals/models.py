"""Tables of Dân vận khéo referrals: participants, referred members, imports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class RefParticipantRow(Base):
    """A person who joined a campaign's referral programme, with their referral code."""

    __tablename__ = "ref_participants"
    __table_args__ = (UniqueConstraint("campaign_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(80))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    unit_code: Mapped[str] = mapped_column(String(120), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    joined_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RefMemberRow(Base):
    """A quiz account followed by the programme: a participant's own or a referred one.

    Weeks are bit masks (week 1 = bit 0): self-reported, verified by an official list, and
    covered by an official list (a covered week not verified makes a self-report a conflict).
    """

    __tablename__ = "ref_members"
    __table_args__ = (
        UniqueConstraint("campaign_id", "quiz_account"),
        # Covers the progress query: per participant, kind and weeks without the table.
        Index("ix_ref_members_progress", "participant_id", "kind", "reported_mask",
              "verified_mask", "official_mask"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("ref_participants.id", ondelete="CASCADE")
    )
    campaign_id: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(10))
    display_name: Mapped[str | None] = mapped_column(String(100))
    relation: Mapped[str | None] = mapped_column(String(20))
    quiz_account: Mapped[str] = mapped_column(String(120))
    account_kind: Mapped[str] = mapped_column(String(10))
    eligibility_confirmed_at: Mapped[datetime | None]
    linked_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), index=True
    )
    linked_at: Mapped[datetime | None]
    reported_mask: Mapped[int] = mapped_column(Integer, default=0)
    verified_mask: Mapped[int] = mapped_column(Integer, default=0)
    official_mask: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RefImportRow(Base):
    """One official weekly participation list imported, with its match report."""

    __tablename__ = "ref_imports"
    __table_args__ = (UniqueConstraint("campaign_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(80))
    week: Mapped[int] = mapped_column(Integer)
    unit_code: Mapped[str | None] = mapped_column(String(120))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    imported_by: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL")
    )
    imported_at: Mapped[datetime]


# --- Delivery: outbox, broadcasts, reminders (bot/delivery) -------------------------------
