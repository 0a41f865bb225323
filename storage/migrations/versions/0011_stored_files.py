"""stored_files: files the bot keeps (deed evidence photos), and deed_photos.file_id

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25 20:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("stored_files",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("person_id", sa.Integer(), nullable=False),
    sa.Column("purpose", sa.String(length=40), nullable=False),
    sa.Column("channel", sa.String(length=20), nullable=False),
    sa.Column("filename", sa.String(length=200), nullable=True),
    sa.Column("mime", sa.String(length=100), nullable=False),
    sa.Column("size", sa.Integer(), nullable=False),
    sa.Column("sha256", sa.String(length=64), nullable=False),
    sa.Column("claimed", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("data", sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(["person_id"], ["persons.id"],
                            name=op.f("fk_stored_files_person_id_persons"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_files"))
    )
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_files_person_id"), ["person_id"],
                              unique=False)
    with op.batch_alter_table("deed_photos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_deed_photos_file_id_stored_files"),
                                    "stored_files", ["file_id"], ["id"], ondelete="SET NULL")
        batch_op.create_index(batch_op.f("ix_deed_photos_file_id"), ["file_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deed_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deed_photos_file_id"))
        batch_op.drop_constraint(batch_op.f("fk_deed_photos_file_id_stored_files"),
                                 type_="foreignkey")
        batch_op.drop_column("file_id")
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_files_person_id"))
    op.drop_table("stored_files")
