"""delivery: outbox, broadcasts, reminder preferences and runs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 09:49:54.291442
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("reminder_runs",
    sa.Column("rule_id", sa.String(length=60), nullable=False),
    sa.Column("moment_key", sa.String(length=160), nullable=False),
    sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recipients", sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint("rule_id", "moment_key", name=op.f("pk_reminder_runs"))
    )
    op.create_table("broadcasts",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("author_id", sa.Integer(), nullable=True),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("photo_url", sa.String(length=1000), nullable=True),
    sa.Column("audience", sa.JSON(), nullable=False),
    sa.Column("status", sa.String(length=12), nullable=False),
    sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("cursor", sa.Integer(), nullable=False),
    sa.Column("recipients", sa.Integer(), nullable=False),
    sa.Column("sent", sa.Integer(), nullable=False),
    sa.Column("failed", sa.Integer(), nullable=False),
    sa.Column("blocked", sa.Integer(), nullable=False),
    sa.Column("cancelled", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["author_id"], ["persons.id"], name=op.f("fk_broadcasts_author_id_persons"), ondelete="SET NULL"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts"))
    )
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_broadcasts_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_broadcasts_status"), ["status"], unique=False)

    op.create_table("reminder_prefs",
    sa.Column("person_id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=40), nullable=False),
    sa.Column("enabled", sa.Boolean(), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_reminder_prefs_person_id_persons"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("person_id", "kind", name=op.f("pk_reminder_prefs"))
    )
    op.create_table("outbox",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("dedupe_key", sa.String(length=200), nullable=False),
    sa.Column("source", sa.String(length=20), nullable=False),
    sa.Column("kind", sa.String(length=40), nullable=False),
    sa.Column("person_id", sa.Integer(), nullable=False),
    sa.Column("account_id", sa.Integer(), nullable=False),
    sa.Column("channel", sa.String(length=20), nullable=False),
    sa.Column("priority", sa.Integer(), nullable=False),
    sa.Column("broadcast_id", sa.Integer(), nullable=True),
    sa.Column("rule_id", sa.String(length=60), nullable=True),
    sa.Column("check_key", sa.String(length=160), nullable=True),
    sa.Column("message_key", sa.String(length=80), nullable=True),
    sa.Column("params", sa.JSON(), nullable=False),
    sa.Column("status", sa.String(length=12), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.String(length=200), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["account_id"], ["channel_accounts.id"], name=op.f("fk_outbox_account_id_channel_accounts"), ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["broadcast_id"], ["broadcasts.id"], name=op.f("fk_outbox_broadcast_id_broadcasts"), ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_outbox_person_id_persons"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key"))
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_broadcast_id"), ["broadcast_id"], unique=False)
        batch_op.create_index("ix_outbox_due", ["status", "channel", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_person_id"))
        batch_op.drop_index("ix_outbox_due")
        batch_op.drop_index(batch_op.f("ix_outbox_broadcast_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_account_id"))

    op.drop_table("outbox")
    op.drop_table("reminder_prefs")
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_broadcasts_status"))
        batch_op.drop_index(batch_op.f("ix_broadcasts_author_id"))

    op.drop_table("broadcasts")
    op.drop_table("reminder_runs")
