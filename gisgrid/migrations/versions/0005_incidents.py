"""Incidents: duty matrix, cases, audit events, transfers, joint sub-tasks, photos.

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None

STATES = (
    "reported",
    "rejected",
    "registered",
    "dispatched",
    "in_progress",
    "handled",
    "verified",
    "closed",
    "evaluated",
)
CHANNELS = ("web", "hotline", "patrol", "open311")
TRANSFER_STATES = ("pending", "accepted", "returned", "fed_back")
PHOTO_STAGES = ("intake", "before", "after", "verify")
TS = sa.DateTime(timezone=True)


def _incident_columns():
    return [
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("client_scope", sa.Text),
        sa.Column("client_request_id", sa.Text),
        sa.Column("category_code", sa.Text, sa.ForeignKey("incident_category.code"), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("address", sa.Text),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("grid_codes", sa.ARRAY(sa.Text), nullable=False),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("boundary_version.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("reporter_name", sa.Text),
        sa.Column("reporter_contact", sa.Text),
        sa.Column("reporter_user_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("state", sa.Text, nullable=False, server_default="reported"),
        sa.Column("department_codes", sa.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("organiser", sa.Text),
        sa.Column("deadline", sa.Date),
        sa.Column("result", sa.Text),
        sa.Column("rework_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("score", sa.SmallInteger),
        sa.Column("escalated_to", sa.Text),
        sa.Column("escalated_at", TS),
        sa.Column("reported_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("registered_at", TS),
        sa.Column("dispatched_at", TS),
        sa.Column("handled_at", TS),
        sa.Column("closed_at", TS),
        sa.CheckConstraint(f"state IN {STATES}", name="ck_incident_state"),
        sa.CheckConstraint(f"channel IN {CHANNELS}", name="ck_incident_channel"),
        sa.CheckConstraint("client_request_id IS NULL OR client_scope IS NOT NULL", name="ck_incident_client_scope"),
        sa.UniqueConstraint("client_scope", "client_request_id", name="uq_incident_client_request"),
    ]


def upgrade() -> None:
    op.create_table(
        "incident_category",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("department_codes", sa.ARRAY(sa.Text), nullable=False),
        sa.Column("deadline_days", sa.SmallInteger, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default="true"),
        sa.CheckConstraint("deadline_days > 0", name="ck_incident_category_deadline"),
    )
    op.create_table("incident", *_incident_columns())
    op.create_index("ix_incident_geom", "incident", ["geom"], postgresql_using="gist")
    op.create_index("ix_incident_grid_codes", "incident", ["grid_codes"], postgresql_using="gin")
    op.create_index("ix_incident_state", "incident", ["state"])
    _child_tables()


def _child_tables() -> None:
    parent = sa.ForeignKey("incident.id", ondelete="CASCADE")
    op.create_table(
        "incident_event",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("incident_id", sa.BigInteger, parent, nullable=False),
        sa.Column("at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("from_state", sa.Text),
        sa.Column("to_state", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
    )
    op.create_index("ix_incident_event_incident", "incident_event", ["incident_id"])
    op.create_table(
        "incident_transfer",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("incident_id", sa.BigInteger, sa.ForeignKey("incident.id", ondelete="CASCADE"), nullable=False),
        sa.Column("from_department", sa.Text),
        sa.Column("to_department", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False, server_default="pending"),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("answered_at", TS),
        sa.Column("answer", sa.Text),
        sa.Column("feedback_due", sa.Date),
        sa.Column("feedback", sa.Text),
        sa.Column("feedback_at", TS),
        sa.CheckConstraint(f"state IN {TRANSFER_STATES}", name="ck_incident_transfer_state"),
    )
    op.create_index("ix_incident_transfer_incident", "incident_transfer", ["incident_id"])
    op.create_table(
        "incident_task",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("incident_id", sa.BigInteger, sa.ForeignKey("incident.id", ondelete="CASCADE"), nullable=False),
        sa.Column("department_code", sa.Text, nullable=False),
        sa.Column("done", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("result", sa.Text),
        sa.Column("done_at", TS),
    )
    op.create_index("ix_incident_task_incident", "incident_task", ["incident_id"])
    op.create_table(
        "incident_photo",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("incident_id", sa.BigInteger, sa.ForeignKey("incident.id", ondelete="CASCADE"), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("mime", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("published", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("stage", sa.Text, nullable=False, server_default="intake"),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.CheckConstraint(f"stage IN {PHOTO_STAGES}", name="ck_incident_photo_stage"),
    )
    op.create_index("ix_incident_photo_incident", "incident_photo", ["incident_id"])


def downgrade() -> None:
    for table in ("incident_photo", "incident_task", "incident_transfer", "incident_event", "incident"):
        op.drop_table(table)
    op.drop_table("incident_category")
