"""Cross-boundary pollution events, linked cases, harm areas, jurisdiction disputes and the river network.

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _events()
    _disputes()
    _rivers()


def _events() -> None:
    op.create_table(
        "pollution_event",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("act_geom", Geometry("GEOMETRY", srid=4326, spatial_index=False), nullable=False),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("boundary_version.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_by", sa.Text),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "pollution_event_case",
        sa.Column("incident_id", sa.BigInteger, sa.ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("event_id", sa.BigInteger, sa.ForeignKey("pollution_event.id", ondelete="CASCADE"), nullable=False),
        sa.Column("received_chain", ARRAY(sa.Text), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("linked_by", sa.Text, nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_pollution_event_case_event", "pollution_event_case", ["event_id"])
    op.create_table(
        "pollution_event_area",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("event_id", sa.BigInteger, sa.ForeignKey("pollution_event.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("params", JSONB, nullable=False, server_default="{}"),
        sa.Column("geom", Geometry("GEOMETRY", srid=4326, spatial_index=False), nullable=False),
        sa.CheckConstraint("kind IN ('observed', 'buffer', 'wind', 'downstream')", name="ck_pollution_event_area_kind"),
    )
    op.create_index("ix_pollution_event_area_event", "pollution_event_area", ["event_id"])


def _disputes() -> None:
    op.create_table(
        "jurisdiction_dispute",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("event_id", sa.BigInteger, sa.ForeignKey("pollution_event.id", ondelete="CASCADE"), nullable=False),
        sa.Column("parties", ARRAY(sa.Text), nullable=False),
        sa.Column("deciding_code", sa.Text),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raised_by", sa.Text, nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("state", sa.Text, nullable=False, server_default="open"),
        sa.Column("designated_code", sa.Text),
        sa.Column("decision_reason", sa.Text),
        sa.Column("decided_by", sa.Text),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("state IN ('open', 'decided')", name="ck_jurisdiction_dispute_state"),
        sa.CheckConstraint(
            "state = 'open' OR (designated_code IS NOT NULL AND decision_reason IS NOT NULL)",
            name="ck_jurisdiction_dispute_decided",
        ),
    )
    op.create_index(
        "uq_jurisdiction_dispute_open",
        "jurisdiction_dispute",
        ["event_id"],
        unique=True,
        postgresql_where=sa.text("state = 'open'"),
    )


def _rivers() -> None:
    op.create_table(
        "river_reach",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("river", sa.Text, nullable=False),
        sa.Column("code", sa.Text),
        sa.Column("geom", Geometry("LINESTRING", srid=4326, spatial_index=False), nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("sample_data", sa.Boolean, nullable=False, server_default="false"),
    )
    op.create_index("ix_river_reach_geom", "river_reach", ["geom"], postgresql_using="gist")


def downgrade() -> None:
    for table in (
        "river_reach",
        "jurisdiction_dispute",
        "pollution_event_area",
        "pollution_event_case",
        "pollution_event",
    ):
        op.drop_table(table)
