"""GCJ-02 companion geometry and low-zoom generalised geometry for the public map's vector tiles.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "grid_gcj02",
        sa.Column("grid_id", sa.BigInteger, sa.ForeignKey("grid.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("boundary_version.id", ondelete="CASCADE"), nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False),
    )
    op.create_index("ix_grid_gcj02_geom", "grid_gcj02", ["geom"], postgresql_using="gist")
    op.create_index("ix_grid_gcj02_version", "grid_gcj02", ["version_id"])
    op.create_table(
        "grid_generalised",
        sa.Column("grid_id", sa.BigInteger, sa.ForeignKey("grid.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("variant", sa.Text, primary_key=True),
        sa.Column("zoom", sa.SmallInteger, primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("boundary_version.id", ondelete="CASCADE"), nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("geom", Geometry("GEOMETRY", srid=4326, spatial_index=False), nullable=False),
    )
    op.create_index("ix_grid_generalised_geom", "grid_generalised", ["geom"], postgresql_using="gist")
    op.create_index("ix_grid_generalised_version", "grid_generalised", ["version_id", "variant", "zoom", "level"])


def downgrade() -> None:
    op.drop_table("grid_generalised")
    op.drop_table("grid_gcj02")
