"""Pollution sources, class history, documents, inspections, 双随机 draws and patrol tracks.

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0007"
down_revision = "0002"
branch_labels = None
depends_on = None

KINDS = (
    "enterprise",
    "construction_site",
    "livestock_farm",
    "drinking_water_source",
    "catering",
    "vehicle_repair",
    "other",
)


def upgrade() -> None:
    _sources()
    _inspections()
    _patrols()


def _sources() -> None:
    op.create_table(
        "pollution_source",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("industry", sa.Text),
        sa.Column("address", sa.Text),
        sa.Column("permits", sa.Text),
        sa.Column("contacts", sa.Text),
        sa.Column("key_source", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("large_polluter", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("last_violation_on", sa.Date),
        sa.Column("supervision_class", sa.Text, nullable=False),
        sa.Column("class_reason", sa.Text, nullable=False),
        sa.Column("location", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("site", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)),
        sa.Column("grid_codes", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("grid_version_id", sa.Integer, sa.ForeignKey("boundary_version.id", ondelete="SET NULL")),
        sa.Column("registered_on", sa.Date, nullable=False, server_default=sa.func.current_date()),
        sa.Column("active", sa.Boolean, nullable=False, server_default="true"),
        sa.Column("sample_data", sa.Boolean, nullable=False, server_default="false"),
        sa.CheckConstraint("supervision_class IN ('A', 'B', 'C')", name="ck_pollution_source_class"),
        sa.CheckConstraint(f"kind IN {KINDS}", name="ck_pollution_source_kind"),
    )
    op.create_index("ix_pollution_source_location", "pollution_source", ["location"], postgresql_using="gist")
    op.create_index("ix_pollution_source_grid_codes", "pollution_source", ["grid_codes"], postgresql_using="gin")
    op.create_table(
        "source_class_change",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("pollution_source.id", ondelete="CASCADE"), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("changed_by", sa.Text, nullable=False),
        sa.Column("from_class", sa.Text),
        sa.Column("to_class", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_source_class_change_source", "source_class_change", ["source_id"])
    op.create_table(
        "source_document",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("pollution_source.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("stored_path", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("uploaded_by", sa.Text, nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_source_document_source", "source_document", ["source_id"])


def _inspections() -> None:
    freq = op.create_table(
        "inspection_frequency",
        sa.Column("supervision_class", sa.Text, primary_key=True),
        sa.Column("interval_months", sa.Integer, nullable=False),
        sa.CheckConstraint("interval_months BETWEEN 1 AND 60", name="ck_inspection_frequency_months"),
    )
    op.bulk_insert(
        freq,
        [
            {"supervision_class": "A", "interval_months": 12},
            {"supervision_class": "B", "interval_months": 3},
            {"supervision_class": "C", "interval_months": 1},
        ],
    )
    op.create_table(
        "lottery_draw",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("quarter", sa.Text, nullable=False, unique=True),
        sa.Column("seed", sa.Text, nullable=False),
        sa.Column("algorithm", sa.Text, nullable=False),
        sa.Column("inputs", JSONB, nullable=False),
        sa.Column("results", JSONB, nullable=False),
        sa.Column("drawn_by", sa.Text, nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "source_inspection",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("pollution_source.id", ondelete="CASCADE"), nullable=False),
        sa.Column("inspected_on", sa.Date, nullable=False),
        sa.Column("inspector_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("inspector_name", sa.Text, nullable=False),
        sa.Column("violation", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("findings", sa.Text),
        sa.Column("draw_id", sa.Integer, sa.ForeignKey("lottery_draw.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_source_inspection_source_day", "source_inspection", ["source_id", "inspected_on"])
    op.create_table(
        "inspector_conflict",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("pollution_source.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def _patrols() -> None:
    op.create_table(
        "patrol_track",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("patroller", sa.Text, nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("geom", Geometry("LINESTRING", srid=4326, spatial_index=False), nullable=False),
        sa.Column("points", JSONB, nullable=False),
        sa.Column("cleaning", JSONB, nullable=False),
        sa.Column("length_m", sa.Float, nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_patrol_track_geom", "patrol_track", ["geom"], postgresql_using="gist")
    op.create_index("ix_patrol_track_time", "patrol_track", ["started_at", "ended_at"])


def downgrade() -> None:
    for table in (
        "patrol_track",
        "inspector_conflict",
        "source_inspection",
        "lottery_draw",
        "inspection_frequency",
        "source_document",
        "source_class_change",
        "pollution_source",
    ):
        op.drop_table(table)
