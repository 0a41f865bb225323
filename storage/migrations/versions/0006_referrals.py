"""Dân vận khéo referrals: participants, followed accounts, official list imports

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 10:22:46.923990
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("ref_imports",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("campaign_id", sa.String(length=80), nullable=False),
    sa.Column("week", sa.Integer(), nullable=False),
    sa.Column("unit_code", sa.String(length=120), nullable=True),
    sa.Column("filename", sa.String(length=200), nullable=False),
    sa.Column("sha256", sa.String(length=64), nullable=False),
    sa.Column("report", sa.JSON(), nullable=False),
    sa.Column("imported_by", sa.Integer(), nullable=True),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["imported_by"], ["persons.id"], name=op.f("fk_ref_imports_imported_by_persons"), ondelete="SET NULL"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_ref_imports")),
    sa.UniqueConstraint("campaign_id", "sha256", name=op.f("uq_ref_imports_campaign_id"))
    )
    op.create_table("ref_participants",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("campaign_id", sa.String(length=80), nullable=False),
    sa.Column("person_id", sa.Integer(), nullable=False),
    sa.Column("unit_code", sa.String(length=120), nullable=False),
    sa.Column("code", sa.String(length=16), nullable=False),
    sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_ref_participants_person_id_persons"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_ref_participants")),
    sa.UniqueConstraint("campaign_id", "person_id", name=op.f("uq_ref_participants_campaign_id")),
    sa.UniqueConstraint("code", name=op.f("uq_ref_participants_code"))
    )
    with op.batch_alter_table("ref_participants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ref_participants_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ref_participants_unit_code"), ["unit_code"], unique=False)

    op.create_table("ref_members",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("participant_id", sa.Integer(), nullable=False),
    sa.Column("campaign_id", sa.String(length=80), nullable=False),
    sa.Column("kind", sa.String(length=10), nullable=False),
    sa.Column("display_name", sa.String(length=100), nullable=True),
    sa.Column("relation", sa.String(length=20), nullable=True),
    sa.Column("quiz_account", sa.String(length=120), nullable=False),
    sa.Column("account_kind", sa.String(length=10), nullable=False),
    sa.Column("eligibility_confirmed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("linked_person_id", sa.Integer(), nullable=True),
    sa.Column("linked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("reported_mask", sa.Integer(), nullable=False),
    sa.Column("verified_mask", sa.Integer(), nullable=False),
    sa.Column("official_mask", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["linked_person_id"], ["persons.id"], name=op.f("fk_ref_members_linked_person_id_persons"), ondelete="SET NULL"),
    sa.ForeignKeyConstraint(["participant_id"], ["ref_participants.id"], name=op.f("fk_ref_members_participant_id_ref_participants"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_ref_members")),
    sa.UniqueConstraint("campaign_id", "quiz_account", name=op.f("uq_ref_members_campaign_id"))
    )
    with op.batch_alter_table("ref_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ref_members_linked_person_id"), ["linked_person_id"], unique=False)
        batch_op.create_index("ix_ref_members_progress", ["participant_id", "kind", "reported_mask", "verified_mask", "official_mask"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ref_members", schema=None) as batch_op:
        batch_op.drop_index("ix_ref_members_progress")
        batch_op.drop_index(batch_op.f("ix_ref_members_linked_person_id"))

    op.drop_table("ref_members")
    with op.batch_alter_table("ref_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ref_participants_unit_code"))
        batch_op.drop_index(batch_op.f("ix_ref_participants_person_id"))

    op.drop_table("ref_participants")
    op.drop_table("ref_imports")
