"""works and conferences

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 09:49:04.291308
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("conferences",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("campaign_id", sa.String(length=80), nullable=False),
    sa.Column("unit_code", sa.String(length=120), nullable=False),
    sa.Column("level", sa.String(length=40), nullable=False),
    sa.Column("form", sa.String(length=200), nullable=False),
    sa.Column("held_on", sa.Date(), nullable=False),
    sa.Column("delegates", sa.Integer(), nullable=False),
    sa.Column("grassroots", sa.Integer(), nullable=False),
    sa.Column("registered_by", sa.Integer(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["registered_by"], ["persons.id"], name=op.f("fk_conferences_registered_by_persons"), ondelete="SET NULL"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_conferences")),
    sa.UniqueConstraint("campaign_id", "unit_code", name=op.f("uq_conferences_campaign_id"))
    )
    with op.batch_alter_table("conferences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conferences_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conferences_registered_by"), ["registered_by"], unique=False)

    op.create_table("works",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("campaign_id", sa.String(length=80), nullable=False),
    sa.Column("unit_code", sa.String(length=120), nullable=False),
    sa.Column("name", sa.String(length=300), nullable=False),
    sa.Column("volume", sa.String(length=500), nullable=False),
    sa.Column("location", sa.String(length=300), nullable=False),
    sa.Column("value_vnd", sa.BigInteger(), nullable=False),
    sa.Column("funding", sa.String(length=300), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=False),
    sa.Column("due_precision", sa.String(length=10), nullable=False),
    sa.Column("progress", sa.Integer(), nullable=False),
    sa.Column("completed_on", sa.Date(), nullable=True),
    sa.Column("flagship", sa.Boolean(), nullable=False),
    sa.Column("registered_on", sa.Date(), nullable=False),
    sa.Column("registered_by", sa.Integer(), nullable=True),
    sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["registered_by"], ["persons.id"], name=op.f("fk_works_registered_by_persons"), ondelete="SET NULL"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_works"))
    )
    with op.batch_alter_table("works", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_works_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_works_registered_by"), ["registered_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_works_unit_code"), ["unit_code"], unique=False)

    op.create_table("work_updates",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("work_id", sa.Integer(), nullable=False),
    sa.Column("progress", sa.Integer(), nullable=False),
    sa.Column("note", sa.Text(), nullable=True),
    sa.Column("photo_ref", sa.Text(), nullable=True),
    sa.Column("photo_channel", sa.String(length=20), nullable=True),
    sa.Column("person_id", sa.Integer(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_work_updates_person_id_persons"), ondelete="SET NULL"),
    sa.ForeignKeyConstraint(["work_id"], ["works.id"], name=op.f("fk_work_updates_work_id_works"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_work_updates"))
    )
    with op.batch_alter_table("work_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_work_updates_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_updates_work_id"), ["work_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_updates_work_id"))
        batch_op.drop_index(batch_op.f("ix_work_updates_person_id"))

    op.drop_table("work_updates")
    with op.batch_alter_table("works", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_works_unit_code"))
        batch_op.drop_index(batch_op.f("ix_works_registered_by"))
        batch_op.drop_index(batch_op.f("ix_works_campaign_id"))

    op.drop_table("works")
    with op.batch_alter_table("conferences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conferences_registered_by"))
        batch_op.drop_index(batch_op.f("ix_conferences_campaign_id"))

    op.drop_table("conferences")
