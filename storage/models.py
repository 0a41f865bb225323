"""SQLAlchemy 2 table models (the schema itself is created by Alembic migrations)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class AwareDateTime(TypeDecorator[datetime]):
    """Store datetimes in UTC and always read them back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to an aware column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base of all models."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: AwareDateTime, dict[str, Any]: JSON}


class PersonRow(Base):
    """A person: profile fields are empty until registration."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    unit_code: Mapped[str | None] = mapped_column(String(120), index=True)
    role: Mapped[str] = mapped_column(String(20), default="resident")
    current_campaign: Mapped[str | None] = mapped_column(String(80))
    registered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ChannelAccountRow(Base):
    """One account of a person on one channel (Zalo, Telegram, console)."""

    __tablename__ = "channel_accounts"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(120))
    chat_id: Mapped[str | None] = mapped_column(String(120))
    blocked_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class ConsentRow(Base):
    """One consent decision (yes or no) for one purpose, with the policy version shown."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(40))
    granted: Mapped[bool] = mapped_column(Boolean)
    policy_version: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    decided_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]


class ChatStateRow(Base):
    """Conversation state of one chat: the active form step and the last menu shown."""

    __tablename__ = "chat_states"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    flow: Mapped[str | None] = mapped_column(String(60))
    step: Mapped[str | None] = mapped_column(String(60))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    menu: Mapped[list[Any]] = mapped_column(JSON, default=list)
    start_payload: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]


class LinkCodeRow(Base):
    """A one-time code that links another channel account to a person."""

    __tablename__ = "link_codes"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


# --- Dân vận khéo referrals (handlers/referrals) ------------------------------------------


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
