"""Tables of the Zalo OA channel: the OAuth grant, and the last interaction of each person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class ZaloOAGrantRow(Base):
    """The OA's access and refresh token (one row per OA); refreshed under a row lock."""

    __tablename__ = "zalo_oa_grants"

    oa_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    access_token: Mapped[str] = mapped_column(String(1000))
    refresh_token: Mapped[str] = mapped_column(String(1000))
    expires_at: Mapped[datetime]
    refreshed_at: Mapped[datetime]
    # Set when a refresh was refused: the admin must consent again (`thidua zalo-oa connect`).
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))


class ZaloOAInteractionRow(Base):
    """When a person last interacted with the OA (opens the 7-day window), and following."""

    __tablename__ = "zalo_oa_interactions"

    oa_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_interaction_at: Mapped[datetime | None]
    follower: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime]
