"""Public disclosure (信息公开): the ``public`` flag of sources, public replies of cases, hazards, public views.

- ``pollution_source.public``: set by staff; only such sources enter the public register.
- ``incident_public_reply``: the handler's reply marked for the public, one per case, kept apart from the
  internal notes (event reasons, ``result``) so no public output can read those by mistake.
- ``hazard``: 环境安全隐患 recorded by staff (point, kind, grid chain, status, rectification deadline).
- Views ``public_source``, ``public_station`` and ``public_hazard``: the only place that says what of these
  the public may see; every public page, API and download reads them (like ``public_grid``, 0011).
The three tables get the audit trigger of migration 0009.

Revision ID: 0016_disclose
Revises: 0016_sec_web
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0016_disclose"
down_revision = "0016_sec_web"
branch_labels = None
depends_on = None

# the audit trigger function of migration 0009: (hashed columns, ignored columns, key column, id column)
AUDIT = {
    "incident_public_reply": ("", "", "incident_id", "incident_id"),
    "hazard": ("location", "", "id", "id"),
}

# a source's grid name comes from the version its chain was computed in; draws are the 双随机 picks
PUBLIC_SOURCE = """
CREATE VIEW public_source AS
SELECT s.id, s.code, s.name, s.kind, s.industry, s.address, s.supervision_class, s.location, s.sample_data,
       s.grid_codes[cardinality(s.grid_codes)] AS grid_code,
       (SELECT g.name FROM public_grid g
         WHERE g.version_id = s.grid_version_id AND g.code = s.grid_codes[cardinality(s.grid_codes)]) AS grid_name,
       i.inspected_on AS last_inspected_on,
       CASE WHEN i.id IS NULL THEN NULL WHEN i.violation THEN '发现问题' ELSE '未发现问题' END AS last_result,
       (SELECT coalesce(json_agg(json_build_object('id', d.id, 'quarter', d.quarter) ORDER BY d.quarter), '[]'::json)
          FROM lottery_draw d
         WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(d.results -> 'picks') p
                        WHERE (p ->> 'source_id')::int = s.id)) AS draws
FROM pollution_source s
LEFT JOIN LATERAL (SELECT x.id, x.inspected_on, x.violation FROM source_inspection x
                    WHERE x.source_id = s.id ORDER BY x.inspected_on DESC, x.id DESC LIMIT 1) i ON true
WHERE s.public AND s.active
"""

PUBLIC_STATION = """
CREATE VIEW public_station AS
SELECT st.id, st.source_id, st.name, st.medium
FROM monitor_station st
JOIN pollution_source s ON s.id = st.source_id
WHERE st.public AND st.active AND s.public AND s.active
"""

PUBLIC_HAZARD = """
CREATE VIEW public_hazard AS
SELECT h.id, h.kind, h.description, h.status, h.deadline, h.location, h.created_on, h.sample_data,
       h.grid_codes[cardinality(h.grid_codes)] AS grid_code,
       (SELECT g.name FROM public_grid g
         WHERE g.version_id = h.grid_version_id AND g.code = h.grid_codes[cardinality(h.grid_codes)]) AS grid_name
FROM hazard h
WHERE h.public
"""


def upgrade() -> None:
    op.add_column("pollution_source", sa.Column("public", sa.Boolean, nullable=False, server_default="false"))
    op.create_table(
        "incident_public_reply",
        sa.Column("incident_id", sa.BigInteger, sa.ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("written_by", sa.Text, nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    _hazards()
    for table, args in AUDIT.items():
        quoted = ", ".join(f"'{a}'" for a in args)
        op.execute(
            f"CREATE TRIGGER audit_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION gisgrid_audit({quoted})"
        )
    op.execute(PUBLIC_SOURCE)
    op.execute(PUBLIC_STATION)
    op.execute(PUBLIC_HAZARD)


def _hazards() -> None:
    op.create_table(
        "hazard",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("notes", sa.Text),  # internal: never in a public view
        sa.Column("location", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("grid_codes", sa.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("grid_version_id", sa.Integer, sa.ForeignKey("boundary_version.id", ondelete="SET NULL")),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("deadline", sa.Date),
        sa.Column("public", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_on", sa.Date, nullable=False, server_default=sa.func.current_date()),
        sa.Column("sample_data", sa.Boolean, nullable=False, server_default="false"),
        sa.CheckConstraint("status IN ('pending', 'in_progress', 'rectified')", name="ck_hazard_status"),
        sa.CheckConstraint(
            "kind IN ('chemicals', 'hazardous_waste', 'tailings', 'wastewater', 'pipeline', 'other')",
            name="ck_hazard_kind",
        ),
    )
    op.create_index("ix_hazard_location", "hazard", ["location"], postgresql_using="gist")
    op.create_index("ix_hazard_grid_codes", "hazard", ["grid_codes"], postgresql_using="gin")


def downgrade() -> None:
    op.execute("DROP VIEW public_hazard")
    op.execute("DROP VIEW public_station")
    op.execute("DROP VIEW public_source")
    op.drop_table("hazard")
    op.drop_table("incident_public_reply")
    op.drop_column("pollution_source", "public")
