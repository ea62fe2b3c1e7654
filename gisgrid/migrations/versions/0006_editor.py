"""Boundary editor: draft lineage and per-grid optimistic lock counters.

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("boundary_version", sa.Column("based_on_id", sa.Integer))
    op.add_column("boundary_version", sa.Column("created_by", sa.Text))
    op.add_column("grid", sa.Column("lock_version", sa.Integer, nullable=False, server_default="0"))
    op.add_column("grid", sa.Column("edited_by", sa.Text))
    op.add_column("grid", sa.Column("edited_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("grid", "edited_at")
    op.drop_column("grid", "edited_by")
    op.drop_column("grid", "lock_version")
    op.drop_column("boundary_version", "created_by")
    op.drop_column("boundary_version", "based_on_id")
