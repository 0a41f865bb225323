"""Tables of unit works (công trình, phần việc), their updates and conferences."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


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
    # Closing the duty: the day the documents were reported sent, the conference held.
    documents_sent_on: Mapped[date | None] = mapped_column(Date)
    held_confirmed_on: Mapped[date | None] = mapped_column(Date)
    registered_by: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
