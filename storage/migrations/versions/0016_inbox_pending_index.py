"""inbox_pending_index: the queue's index holds only pending rows

The claim (the oldest pending rows of a channel) used to walk the primary key from the
first row ever kept, past every closed row of the last two days, whenever the planner
judged the (status, channel, id) index dearer. A partial index on (channel, id) of the
pending rows is small and already in claim order; the old index, updated by every status
change, served nothing else on the hot path and is dropped.

Revision ID: 0016
Revises: 0014
Create Date: 2026-11-26 03:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_index("ix_inbox_pending", "inbox", ["channel", "id"], unique=False,
                    postgresql_where=PENDING, sqlite_where=PENDING)
    op.drop_index("ix_inbox_queue", table_name="inbox")


def downgrade() -> None:
    op.create_index("ix_inbox_queue", "inbox", ["status", "channel", "id"], unique=False)
    op.drop_index("ix_inbox_pending", table_name="inbox")
