"""Repaired imports: ``boundary_version.repair`` records that an import repaired the coverage.

NULL for a version imported as it was (or made in the editor); otherwise the limits used
(``snap_m``, ``max_gap_width_m``) and a summary of what changed (grids changed, slivers by kind,
areas moved, largest displacement), written by ``gisgrid grids import --repair`` and the editor's
修复 import. Nothing is repaired silently: the version says so.

Revision ID: 0015_repair
Revises: 0014u
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0015_repair"
down_revision = "0015_scale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("boundary_version", sa.Column("repair", JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("boundary_version", "repair")
