"""Built vector tiles kept in the database (``tile_cache``, gisgrid/public_map/models.py): filled at publication
by a background job and on a tile's first request, so a cached tile is read, never built again. Derived data:
not audited (the grids it is drawn from are); its rows go with their version.

Revision ID: 0017_h25tiles
Revises: 0016_supervise2
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_h25tiles"
down_revision = "0017_h21chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tile_cache",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("boundary_version.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("variant", sa.Text, primary_key=True),
        sa.Column("schema", sa.Text, primary_key=True),
        sa.Column("level", sa.SmallInteger, primary_key=True),
        sa.Column("z", sa.SmallInteger, primary_key=True),
        sa.Column("x", sa.Integer, primary_key=True),
        sa.Column("y", sa.Integer, primary_key=True),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("tile_cache")
