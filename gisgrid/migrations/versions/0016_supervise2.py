"""Campaign results per department (figures a department enters beside what the data shows), with its audit trigger.

Revision ID: 0016_supervise2
Revises: 0015_monitor
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_supervise2"
down_revision = "0015_monitor"
branch_labels = None
depends_on = None

# table: (hashed columns, ignored columns, key column, id column) for gisgrid_audit (migration 0009)
AUDITED = {"campaign_result": ("", "", "department_code", "id")}


def upgrade() -> None:
    op.create_table(
        "campaign_result",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaign.id", ondelete="CASCADE"), nullable=False),
        sa.Column("department_code", sa.Text, nullable=False),
        sa.Column("inspections", sa.Integer, nullable=False, server_default="0"),
        sa.Column("findings", sa.Integer, nullable=False, server_default="0"),
        sa.Column("cases", sa.Integer, nullable=False, server_default="0"),
        sa.Column("note", sa.Text),
        sa.Column("entered_by", sa.Text, nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("inspections >= 0 AND findings >= 0 AND cases >= 0", name="ck_campaign_result_counts"),
        sa.UniqueConstraint("campaign_id", "department_code", name="uq_campaign_result_department"),
    )
    for table, args in AUDITED.items():
        quoted = ", ".join(f"'{a}'" for a in args)
        op.execute(
            f"CREATE TRIGGER audit_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION gisgrid_audit({quoted})"
        )


def downgrade() -> None:
    op.drop_table("campaign_result")  # its trigger goes with it
