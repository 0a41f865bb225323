"""duties: conferences can be closed (documents sent, held), broadcasts carry a sender line

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conferences") as batch:
        batch.add_column(sa.Column("documents_sent_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("held_confirmed_on", sa.Date(), nullable=True))
    with op.batch_alter_table("broadcasts") as batch:
        batch.add_column(sa.Column("sender", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_column("sender")
    with op.batch_alter_table("conferences") as batch:
        batch.drop_column("held_confirmed_on")
        batch.drop_column("documents_sent_on")
