"""The inbox: every update a channel took from a platform, stored before it is acknowledged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class InboxRow(Base):
    """One update of one channel; `update_key` deduplicates redeliveries across processes.

    status: pending → handling (claimed) → done, written before the replies go (with the
    message's effects when the core commits some: storage.inbox.marks), so that a process
    dying while it sends them never sends them again; failed (the handler raised) is final
    too. `answering` (replies being sent, closed as `unsure` by a recovery) remains for a
    caller that marks before sending and closes after. The payload is cleared once the
    row is final. A row is pending exactly while `claimed_at` is null (a close keeps it).
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "update_key"),
        # The queue: only pending rows (those without a claim time), in claim order. Its
        # condition is not on `status`, which every close changes: a close changes no
        # indexed column and PostgreSQL does it in place (HOT, migration 0017).
        Index("ix_inbox_unclaimed", "channel", "id",
              postgresql_where=text("claimed_at IS NULL"),
              sqlite_where=text("claimed_at IS NULL")),
        # Pages filled to 70 % by inserts: room for the new versions of their rows.
        {"postgresql_with": {"fillfactor": 70}},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    update_key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12))
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_at: Mapped[datetime | None]
    received_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(80))
