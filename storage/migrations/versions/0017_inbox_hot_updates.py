"""inbox_hot_updates: the queue's index no longer depends on the row's status

The queue's partial index named `status` in its condition, so every change of status (the
claim, the close) was an update PostgreSQL could not do in place (HOT): each wrote a new
entry into every index of the inbox (its key, its dedupe key, the queue) and the WAL for
them. A row is pending exactly while it has no claim time (stored pending: none; claimed:
set; requeued by a recovery: cleared; a close keeps it): the index of the pending rows is now
on that condition. The claim still changes an indexed column; the close, the one update
every row gets (a row handed to an idle worker is stored claimed), changes none and is done
in place when its page has room: the table's pages are now filled to 70 % by inserts, the
rest left to the new versions of their rows (PostgreSQL only; SQLite has no such updates).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-26 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

UNCLAIMED = sa.text("claimed_at IS NULL")
PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_index("ix_inbox_unclaimed", "inbox", ["channel", "id"], unique=False,
                    postgresql_where=UNCLAIMED, sqlite_where=UNCLAIMED)
    op.drop_index("ix_inbox_pending", table_name="inbox")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE inbox SET (fillfactor = 70)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE inbox RESET (fillfactor)")
    op.create_index("ix_inbox_pending", "inbox", ["channel", "id"], unique=False,
                    postgresql_where=PENDING, sqlite_where=PENDING)
    op.drop_index("ix_inbox_unclaimed", table_name="inbox")
