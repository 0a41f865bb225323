"""web_links: one-time links to the bot's small web pages (upload, download, progress)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 20:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("web_links",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("token_hash", sa.String(length=64), nullable=False),
    sa.Column("person_id", sa.Integer(), nullable=False),
    sa.Column("purpose", sa.String(length=20), nullable=False),
    sa.Column("params", sa.JSON(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["person_id"], ["persons.id"],
                            name=op.f("fk_web_links_person_id_persons"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_web_links")),
    sa.UniqueConstraint("token_hash", name=op.f("uq_web_links_token_hash"))
    )
    op.create_index(op.f("ix_web_links_person_id"), "web_links", ["person_id"], unique=False)
    op.create_index(op.f("ix_web_links_expires_at"), "web_links", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_web_links_expires_at"), table_name="web_links")
    op.drop_index(op.f("ix_web_links_person_id"), table_name="web_links")
    op.drop_table("web_links")
