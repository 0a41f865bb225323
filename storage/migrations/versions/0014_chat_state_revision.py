"""chat_state_revision: a counter bumped by every write of a chat's state

A message read without the writer stores its new state only if the stored one is still the
one it read: one conditional UPDATE on this counter instead of reading the row again.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat_states") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("chat_states") as batch:
        batch.drop_column("revision")
