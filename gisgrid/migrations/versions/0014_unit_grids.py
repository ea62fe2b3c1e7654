"""重点监管单元网格 (盘锦): overlay unit grids of a boundary version, their public view, and the case copy.

A unit grid is designated by a grid (its ``parent_code``) and supervised at that grid's level; it
lies inside that grid but may cross the lower grids, so it is not part of the tiling and lives in
its own table ``unit_grid`` (same attribute columns as ``grid``, from the field registry). It
belongs to a boundary version like the grids: the editor's copy, publication and rollback carry it.
``public_unit_grid`` is the only thing public outputs read (a private phone is NULL there).
``incident.unit_grid_codes`` records the unit grids covering a case's point at intake.

Revision ID: 0014u
Revises: 0013_rules2
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0014u"
down_revision = "0013_rules2"
branch_labels = None
depends_on = None

PUBLIC_UNIT_GRID = """
CREATE VIEW public_unit_grid AS
SELECT u.id, u.version_id, u.geom, u.area_m2,
       u.code, u.name, u.level, u.parent_code, u.entity, u.leader_name, u.leader_title,
       CASE WHEN u.leader_phone_public THEN u.leader_phone END AS leader_phone,
       CASE WHEN u.contact_phone_public THEN u.contact_phone END AS contact_phone,
       u.duties, u.sample_data, u.tasks, u.rewards_penalties
FROM unit_grid u
"""

# the audit trigger function of migration 0009: (hashed columns, ignored columns, key column, id column)
AUDIT = "CREATE TRIGGER audit_unit_grid AFTER INSERT OR UPDATE OR DELETE ON unit_grid FOR EACH ROW EXECUTE FUNCTION gisgrid_audit('geom', 'lock_version,edited_at', 'code', 'id')"


def upgrade() -> None:
    op.create_table(
        "unit_grid",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("boundary_version.id", ondelete="CASCADE"), nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("parent_code", sa.Text, nullable=False),
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
        # 五定's 定任务 and 定奖惩 (0013_rules2): the same attribute columns as grid, from the one field registry
        sa.Column("tasks", sa.Text),
        sa.Column("rewards_penalties", sa.Text),
        sa.Column("extra", JSONB, nullable=False, server_default="{}"),
        sa.Column("lock_version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("edited_by", sa.Text),
        sa.Column("edited_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("version_id", "code", name="uq_unit_grid_version_code"),
        sa.CheckConstraint("level >= 1", name="ck_unit_grid_level"),
    )
    # the lookup's ST_Covers: version first would not help GiST; the few unit grids of other
    # versions are filtered after the index scan
    op.create_index("ix_unit_grid_geom", "unit_grid", ["geom"], postgresql_using="gist")
    op.create_index("ix_unit_grid_version", "unit_grid", ["version_id"])
    op.execute(PUBLIC_UNIT_GRID)
    op.execute(AUDIT)
    op.add_column("incident", sa.Column("unit_grid_codes", ARRAY(sa.Text), nullable=False, server_default="{}"))
    op.create_index("ix_incident_unit_grid_codes", "incident", ["unit_grid_codes"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("ix_incident_unit_grid_codes", table_name="incident")
    op.drop_column("incident", "unit_grid_codes")
    op.execute("DROP VIEW public_unit_grid")
    op.drop_table("unit_grid")
