"""zalo_oa: the OA's OAuth grant and the per-person interaction ledger

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 18:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("zalo_oa_grants",
    sa.Column("oa_id", sa.String(length=40), nullable=False),
    sa.Column("access_token", sa.String(length=1000), nullable=False),
    sa.Column("refresh_token", sa.String(length=1000), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint("oa_id", name=op.f("pk_zalo_oa_grants"))
    )
    op.create_table("zalo_oa_interactions",
    sa.Column("oa_id", sa.String(length=40), nullable=False),
    sa.Column("user_id", sa.String(length=64), nullable=False),
    sa.Column("last_interaction_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("follower", sa.Boolean(), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("oa_id", "user_id", name=op.f("pk_zalo_oa_interactions"))
    )


def downgrade() -> None:
    op.drop_table("zalo_oa_interactions")
    op.drop_table("zalo_oa_grants")
