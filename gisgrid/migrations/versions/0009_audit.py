"""Audit trail: one audit_log table filled by row triggers on the tables people change.

Revision ID: 0009
Revises: 0008
Depends on: 0004, 0006, 0007 (it puts triggers on their tables)
Create Date: 2026-12-03
"""

from importlib import resources

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = ("0004", "0006", "0007")

# table: (hashed columns, ignored columns, key column, id column). Frozen here on purpose: a later
# migration that audits more tables adds its own triggers.
AUDITED = {
    "boundary_version": ("", "", "label", "id"),
    "grid": ("geom", "lock_version,edited_at,ancestor_ids", "code", "id"),
    "grid_staff": ("", "", "name", "id"),
    "app_user": ("password_hash", "", "username", "id"),
    "app_user_grid": ("", "", "grid_code", "user_id"),
    "department": ("", "", "code", "id"),
    "incident": ("geom", "", "id", "id"),
    "incident_task": ("", "", "department_code", "id"),
    "incident_transfer": ("", "", "to_department", "id"),
    "incident_photo": ("", "", "path", "id"),
    "pollution_source": ("location,site", "", "code", "id"),
    "source_document": ("", "", "title", "id"),
    "source_inspection": ("", "", "inspected_on", "id"),
    "pollution_event": ("act_geom", "", "title", "id"),
    "pollution_event_case": ("", "", "event_id", "incident_id"),
    "jurisdiction_dispute": ("", "", "state", "id"),
}


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("txid", sa.BigInteger, nullable=False, server_default=sa.text("txid_current()")),
        sa.Column("actor_id", sa.Integer),
        sa.Column("actor_name", sa.Text, nullable=False),
        sa.Column("actor_source", sa.Text, nullable=False),
        sa.Column("actor_ip", sa.Text),
        sa.Column("entity", sa.Text, nullable=False),
        sa.Column("entity_id", sa.Text),
        sa.Column("entity_key", sa.Text),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("changes", JSONB, nullable=False),
        sa.CheckConstraint("action IN ('insert', 'update', 'delete')", name="ck_audit_log_action"),
    )
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_actor", "audit_log", ["actor_name"])
    sql = (resources.files("gisgrid.audit") / "sql" / "audit_trigger.sql").read_text(encoding="utf-8")
    op.get_bind().exec_driver_sql(sql)
    for table, args in AUDITED.items():
        quoted = ", ".join(f"'{a}'" for a in args)
        op.execute(
            f"CREATE TRIGGER audit_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION gisgrid_audit({quoted})"
        )


def downgrade() -> None:
    for table in AUDITED:
        op.execute(f"DROP TRIGGER IF EXISTS audit_{table} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS gisgrid_audit()")
    op.execute("DROP FUNCTION IF EXISTS gisgrid_audit_row(jsonb, text[], text[])")
    op.drop_table("audit_log")
