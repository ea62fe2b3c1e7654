"""Boundary versions, grids, grid staff and subdivided grid parts.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "boundary_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="draft"),
        sa.Column("source", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("superseded_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("status IN ('draft', 'published', 'superseded')", name="ck_boundary_version_status"),
    )
    op.create_index(
        "uq_boundary_version_published",
        "boundary_version",
        ["status"],
        unique=True,
        postgresql_where=sa.text("status = 'published'"),
    )
    op.create_table(
        "grid",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("boundary_version.id", ondelete="CASCADE"), nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("parent_id", sa.BigInteger, sa.ForeignKey("grid.id", ondelete="CASCADE")),
        sa.Column("parent_code", sa.Text),
        sa.Column("ancestor_ids", ARRAY(sa.BigInteger), nullable=False, server_default="{}"),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False),
        sa.Column("area_m2", sa.Float),
        sa.Column("entity", sa.Text),
        sa.Column("leader_name", sa.Text),
        sa.Column("leader_title", sa.Text),
        sa.Column("leader_phone", sa.Text),
        sa.Column("leader_phone_public", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("contact_phone", sa.Text),
        sa.Column("contact_phone_public", sa.Boolean, nullable=False, server_default="true"),
        sa.Column("duties", sa.Text),
        sa.Column("sample_data", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("extra", JSONB, nullable=False, server_default="{}"),
        sa.UniqueConstraint("version_id", "code", name="uq_grid_version_code"),
        sa.CheckConstraint("level >= 1", name="ck_grid_level"),
    )
    op.create_index("ix_grid_geom", "grid", ["geom"], postgresql_using="gist")
    op.create_index("ix_grid_parent", "grid", ["parent_id"])
    op.create_table(
        "grid_staff",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("grid_id", sa.BigInteger, sa.ForeignKey("grid.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False, server_default="网格员"),
        sa.Column("phone", sa.Text),
        sa.Column("phone_public", sa.Boolean, nullable=False, server_default="false"),
    )
    op.create_index("ix_grid_staff_grid", "grid_staff", ["grid_id"])
    op.create_table(
        "grid_part",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("grid_id", sa.BigInteger, sa.ForeignKey("grid.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("boundary_version.id", ondelete="CASCADE"), nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("geom", Geometry("POLYGON", srid=4326, spatial_index=False), nullable=False),
    )
    op.create_index("ix_grid_part_geom", "grid_part", ["geom"], postgresql_using="gist")
    op.create_index("ix_grid_part_grid", "grid_part", ["grid_id"])


def downgrade() -> None:
    op.drop_table("grid_part")
    op.drop_table("grid_staff")
    op.drop_table("grid")
    op.drop_table("boundary_version")
