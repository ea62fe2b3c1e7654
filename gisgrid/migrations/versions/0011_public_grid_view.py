"""The public grid view: the only place that says which grid fields the public may see.

Every public endpoint, vector tile, open-data download, public grid page and OGC item reads
``public_grid`` / ``public_grid_staff`` instead of the tables, so a phone not marked public is
NULL before any query sees it. The view's columns are the public fields of the field registry
(gisgrid/grids/fields.py); tests/integration/test_grid_fields.py keeps the two equal.

Adding a public grid field: ALTER TABLE grid ADD COLUMN, then CREATE OR REPLACE VIEW public_grid
with the new column appended at the end (PostgreSQL only lets a replaced view add columns at the end).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PUBLIC_GRID_STAFF = """
CREATE VIEW public_grid_staff AS
SELECT s.id, s.grid_id, s.position, s.name, s.role,
       CASE WHEN s.phone_public THEN s.phone END AS phone  -- a staff phone only when marked public
FROM grid_staff s
"""

# Plain (non-aggregating) views are inlined by the planner: columns a query does not read, such as
# the staff subquery, cost nothing, and the indexes of grid are used as before.
PUBLIC_GRID = """
CREATE VIEW public_grid AS
SELECT g.id, g.version_id, g.parent_id, g.ancestor_ids, g.geom, g.area_m2,
       g.code, g.name, g.level, g.parent_code, g.entity, g.leader_name, g.leader_title,
       CASE WHEN g.leader_phone_public THEN g.leader_phone END AS leader_phone,
       CASE WHEN g.contact_phone_public THEN g.contact_phone END AS contact_phone,
       g.duties, g.sample_data,
       (SELECT coalesce(json_agg(json_build_object('name', s.name, 'role', s.role, 'phone', s.phone)
                                 ORDER BY s.position), '[]'::json)
        FROM public_grid_staff s WHERE s.grid_id = g.id) AS staff
FROM grid g
"""


def upgrade() -> None:
    op.execute(PUBLIC_GRID_STAFF)
    op.execute(PUBLIC_GRID)


def downgrade() -> None:
    op.execute("DROP VIEW public_grid")
    op.execute("DROP VIEW public_grid_staff")
