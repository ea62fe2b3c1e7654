"""Issue 20 (rules2): 五定's 定任务/定奖惩 on grids; inspections and registered sources linked to cases.

- ``grid.tasks`` (定任务) and ``grid.rewards_penalties`` (定奖惩: text or a link to the 责任状), both
  public: the view ``public_grid`` is re-created with them appended (a replaced view can only append),
  so the 公示牌, grid pages, open data and OGC show all five 定.
- ``source_inspection.incident_id``: the case an inspection that found a violation opened.
- ``pollution_source.reported_incident_id``: the 新增污染源 report a source was registered from.
- channel ``inspection`` on ``incident``: a case opened by an inspection (not a patrol, not a citizen).

Revision ID: 0013_rules2
Revises: 0012_rules1
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_rules2"
down_revision = "0012_rules1"
branch_labels = None
depends_on = None

# the 0011 select list unchanged, then the two new public columns (registry order)
PUBLIC_GRID = """
CREATE OR REPLACE VIEW public_grid AS
SELECT g.id, g.version_id, g.parent_id, g.ancestor_ids, g.geom, g.area_m2,
       g.code, g.name, g.level, g.parent_code, g.entity, g.leader_name, g.leader_title,
       CASE WHEN g.leader_phone_public THEN g.leader_phone END AS leader_phone,
       CASE WHEN g.contact_phone_public THEN g.contact_phone END AS contact_phone,
       g.duties, g.sample_data,
       (SELECT coalesce(json_agg(json_build_object('name', s.name, 'role', s.role, 'phone', s.phone)
                                 ORDER BY s.position), '[]'::json)
        FROM public_grid_staff s WHERE s.grid_id = g.id) AS staff,
       g.tasks, g.rewards_penalties
FROM grid g
"""

PUBLIC_GRID_0011 = """
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
CHANNELS = ("web", "hotline", "patrol", "open311", "inspection")
OLD_CHANNELS = ("web", "hotline", "patrol", "open311")


def upgrade() -> None:
    op.add_column("grid", sa.Column("tasks", sa.Text))
    op.add_column("grid", sa.Column("rewards_penalties", sa.Text))
    op.execute(PUBLIC_GRID)
    op.add_column(
        "source_inspection",
        sa.Column("incident_id", sa.BigInteger, sa.ForeignKey("incident.id", ondelete="SET NULL")),
    )
    op.create_index("ix_source_inspection_incident", "source_inspection", ["incident_id"])
    op.add_column(
        "pollution_source",
        sa.Column("reported_incident_id", sa.BigInteger, sa.ForeignKey("incident.id", ondelete="SET NULL")),
    )
    op.create_index("ix_pollution_source_reported_incident", "pollution_source", ["reported_incident_id"])
    op.drop_constraint("ck_incident_channel", "incident", type_="check")
    op.create_check_constraint("ck_incident_channel", "incident", f"channel IN {CHANNELS}")


def downgrade() -> None:
    op.drop_constraint("ck_incident_channel", "incident", type_="check")
    op.create_check_constraint("ck_incident_channel", "incident", f"channel IN {OLD_CHANNELS}")
    op.drop_index("ix_pollution_source_reported_incident", "pollution_source")
    op.drop_column("pollution_source", "reported_incident_id")
    op.drop_index("ix_source_inspection_incident", "source_inspection")
    op.drop_column("source_inspection", "incident_id")
    op.execute("DROP VIEW public_grid")
    op.execute(PUBLIC_GRID_0011)
    op.drop_column("grid", "rewards_penalties")
    op.drop_column("grid", "tasks")
