"""The field app (issue 23): client ids that make offline retries idempotent, and GPS-stamped inspections.

A phone queues what it records without signal and sends it again until the server answers; each item
carries an id the phone made (``client_id``), unique per user, so a retry after a lost answer finds the
first row instead of storing a second one. Inspections recorded on the phone also keep where and when
the inspector arrived (GPS) and the checklist answers. Patrol tracks get the audit trigger of 0009.

Revision ID: 0015_field
Revises: 0014u
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0015_field"
down_revision = "0015_notify"
branch_labels = None
depends_on = None

# the audit trigger function of migration 0009: (hashed columns, ignored columns, key column, id column)
AUDIT = (
    "CREATE TRIGGER audit_patrol_track AFTER INSERT OR UPDATE OR DELETE ON patrol_track "
    "FOR EACH ROW EXECUTE FUNCTION gisgrid_audit('geom,points', '', 'patroller', 'id')"
)


def upgrade() -> None:
    op.add_column("patrol_track", sa.Column("client_id", sa.Text))
    op.create_unique_constraint("uq_patrol_track_client", "patrol_track", ["user_id", "client_id"])
    op.add_column("source_inspection", sa.Column("client_id", sa.Text))
    op.create_unique_constraint("uq_source_inspection_client", "source_inspection", ["inspector_id", "client_id"])
    op.add_column("source_inspection", sa.Column("arrived_at", sa.DateTime(timezone=True)))
    op.add_column("source_inspection", sa.Column("arrival_lon", sa.Float))
    op.add_column("source_inspection", sa.Column("arrival_lat", sa.Float))
    op.add_column("source_inspection", sa.Column("arrival_accuracy_m", sa.Float))
    op.add_column("source_inspection", sa.Column("checklist", JSONB, nullable=False, server_default="{}"))
    op.execute(AUDIT)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_patrol_track ON patrol_track")
    for column in ("checklist", "arrival_accuracy_m", "arrival_lat", "arrival_lon", "arrived_at"):
        op.drop_column("source_inspection", column)
    op.drop_constraint("uq_source_inspection_client", "source_inspection")
    op.drop_column("source_inspection", "client_id")
    op.drop_constraint("uq_patrol_track_client", "patrol_track")
    op.drop_column("patrol_track", "client_id")
