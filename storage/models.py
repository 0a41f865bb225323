"""SQLAlchemy 2 table models (the schema itself is created by Alembic migrations)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
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
    # Set when the person deleted their account: the row stays as an anonymous shell.
    deleted_at: Mapped[datetime | None]
    # When the inactivity warning was sent (retention); activity after it cancels it.
    retention_warned_at: Mapped[datetime | None]


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
    """A photo of a deed report, kept as a reference (URL or channel file id), never bytes."""

    __tablename__ = "deed_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deed_id: Mapped[int] = mapped_column(ForeignKey("deeds.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str | None] = mapped_column(String(1000))
    size: Mapped[int | None] = mapped_column(Integer)
    caption: Mapped[str | None] = mapped_column(String(1000))


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


class WorkRow(Base):
    """A work ("công trình, phần việc") a unit registered for a campaign."""

    __tablename__ = "works"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(80), index=True)
    unit_code: Mapped[str] = mapped_column(String(120), index=True)
    name: Mapped[str] = mapped_column(String(300))
    volume: Mapped[str] = mapped_column(String(500))
    location: Mapped[str] = mapped_column(String(300))
    value_vnd: Mapped[int] = mapped_column(BigInteger)
    funding: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date)
    due_precision: Mapped[str] = mapped_column(String(10))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    completed_on: Mapped[date | None] = mapped_column(Date)
    flagship: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_on: Mapped[date] = mapped_column(Date)
    registered_by: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), index=True
    )
    withdrawn_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WorkUpdateRow(Base):
    """A progress report on a work: percentage, note, photo reference."""

    __tablename__ = "work_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), index=True)
    progress: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    photo_ref: Mapped[str | None] = mapped_column(Text)
    photo_channel: Mapped[str | None] = mapped_column(String(20))
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime]


class ConferenceRow(Base):
    """A unit's conference of advanced examples for a campaign (one per unit)."""

    __tablename__ = "conferences"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(80), index=True)
    unit_code: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(40))
    form: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date)
    delegates: Mapped[int] = mapped_column(Integer)
    grassroots: Mapped[int] = mapped_column(Integer)
    registered_by: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RoleGrantRow(Base):
    """A role given to a person, scoped to a unit and its children (none for admins)."""

    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    unit_code: Mapped[str | None] = mapped_column(String(120))
    granted_by: Mapped[int | None] = mapped_column(Integer)
    granted_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[int | None] = mapped_column(Integer)


class RoleInviteRow(Base):
    """A one-time invite code (stored hashed) that gives a role for a unit to who uses it."""

    __tablename__ = "role_invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    unit_code: Mapped[str | None] = mapped_column(String(120))
    created_by: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_by: Mapped[int | None] = mapped_column(Integer)
    used_at: Mapped[datetime | None]


class AuditRow(Base):
    """One line of the append-only audit log; people are referred to by id only."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(120), index=True)
    unit_code: Mapped[str | None] = mapped_column(String(120))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(String(200))


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


# --- Delivery: outbox, broadcasts, reminders (bot/delivery) -------------------------------


class BroadcastRow(Base):
    """An announcement by an admin: text or photo, audience, schedule, progress and counts."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    photo_url: Mapped[str | None] = mapped_column(String(1000))
    audience: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), index=True)
    scheduled_at: Mapped[datetime]
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # Last person id enqueued: enqueueing resumes from here after a restart.
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    blocked: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)


class OutboxRow(Base):
    """One message for one recipient account; producers insert, the sender drains."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_outbox_due", "status", "channel", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True
    )
    rule_id: Mapped[str | None] = mapped_column(String(60))
    check_key: Mapped[str | None] = mapped_column(String(160))
    message_key: Mapped[str | None] = mapped_column(String(80))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class ReminderPrefRow(Base):
    """A person's choice to receive one kind of reminder or not (no row: on)."""

    __tablename__ = "reminder_prefs"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime]


class ReminderRunRow(Base):
    """A reminder moment already turned into outbox rows (so it is enqueued once)."""

    __tablename__ = "reminder_runs"

    rule_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    moment_key: Mapped[str] = mapped_column(String(160), primary_key=True)
    ran_at: Mapped[datetime]
    recipients: Mapped[int] = mapped_column(Integer, default=0)
