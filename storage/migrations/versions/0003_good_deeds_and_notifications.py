"""good deeds and notifications

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("deeds",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("campaign_id", sa.String(length=80), nullable=False),
    sa.Column("reporter_id", sa.Integer(), nullable=True),
    sa.Column("unit_code", sa.String(length=120), nullable=False),
    sa.Column("status", sa.String(length=20), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("is_self", sa.Boolean(), nullable=False),
    sa.Column("nominee_name", sa.String(length=200), nullable=False),
    sa.Column("nominee_minor", sa.String(length=10), nullable=False),
    sa.Column("village", sa.String(length=200), nullable=True),
    sa.Column("what", sa.Text(), nullable=False),
    sa.Column("happened_on", sa.Date(), nullable=False),
    sa.Column("place", sa.String(length=300), nullable=False),
    sa.Column("contact_ok", sa.Boolean(), nullable=False),
    sa.Column("phone", sa.String(length=20), nullable=True),
    sa.Column("original", sa.JSON(), nullable=False),
    sa.Column("reviewer_id", sa.Integer(), nullable=True),
    sa.Column("reward_form", sa.String(length=300), nullable=True),
    sa.Column("reward_source", sa.String(length=40), nullable=True),
    sa.Column("reject_reason", sa.String(length=40), nullable=True),
    sa.Column("nominee_consent", sa.String(length=20), nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["reporter_id"], ["persons.id"], name=op.f("fk_deeds_reporter_id_persons"), ondelete="SET NULL"),
    sa.ForeignKeyConstraint(["reviewer_id"], ["persons.id"], name=op.f("fk_deeds_reviewer_id_persons"), ondelete="SET NULL"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_deeds"))
    )
    with op.batch_alter_table("deeds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deeds_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deeds_reporter_id"), ["reporter_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deeds_status"), ["status"], unique=False)
        batch_op.create_index("ix_deeds_unit_code_status", ["unit_code", "status"], unique=False)

    op.create_table("notifications",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("person_id", sa.Integer(), nullable=False),
    sa.Column("text_key", sa.String(length=80), nullable=False),
    sa.Column("params", sa.JSON(), nullable=False),
    sa.Column("dedupe_key", sa.String(length=200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_notifications_person_id_persons"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    sa.UniqueConstraint("dedupe_key", name=op.f("uq_notifications_dedupe_key"))
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_person_id"), ["person_id"], unique=False)

    op.create_table("deed_events",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("deed_id", sa.Integer(), nullable=False),
    sa.Column("actor_id", sa.Integer(), nullable=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("action", sa.String(length=30), nullable=False),
    sa.Column("status_before", sa.String(length=20), nullable=True),
    sa.Column("status_after", sa.String(length=20), nullable=True),
    sa.Column("reason", sa.String(length=40), nullable=True),
    sa.Column("text", sa.Text(), nullable=True),
    sa.Column("before", sa.JSON(), nullable=True),
    sa.Column("after", sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(["actor_id"], ["persons.id"], name=op.f("fk_deed_events_actor_id_persons"), ondelete="SET NULL"),
    sa.ForeignKeyConstraint(["deed_id"], ["deeds.id"], name=op.f("fk_deed_events_deed_id_deeds"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_deed_events"))
    )
    with op.batch_alter_table("deed_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deed_events_deed_id"), ["deed_id"], unique=False)

    op.create_table("deed_photos",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("deed_id", sa.Integer(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("channel", sa.String(length=20), nullable=False),
    sa.Column("ref", sa.String(length=1000), nullable=True),
    sa.Column("size", sa.Integer(), nullable=True),
    sa.Column("caption", sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(["deed_id"], ["deeds.id"], name=op.f("fk_deed_photos_deed_id_deeds"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_deed_photos"))
    )
    with op.batch_alter_table("deed_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deed_photos_deed_id"), ["deed_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deed_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deed_photos_deed_id"))

    op.drop_table("deed_photos")
    with op.batch_alter_table("deed_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deed_events_deed_id"))

    op.drop_table("deed_events")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_person_id"))

    op.drop_table("notifications")
    with op.batch_alter_table("deeds", schema=None) as batch_op:
        batch_op.drop_index("ix_deeds_unit_code_status")
        batch_op.drop_index(batch_op.f("ix_deeds_status"))
        batch_op.drop_index(batch_op.f("ix_deeds_reporter_id"))
        batch_op.drop_index(batch_op.f("ix_deeds_campaign_id"))

    op.drop_table("deeds")
