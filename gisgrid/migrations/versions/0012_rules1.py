"""Issue 20 rules: 双随机 draw window override and yearly plan; 移送 kinds, 查处完成, feedback 督办, case-file copies.

- ``lottery_draw.override_reason``: why a draw ran outside 虎林's window (the last 5 working days
  of the quarter before the drawn one); NULL for a draw inside it.
- ``lottery_plan``: the number of sources a year's draws are planned to inspect.
- ``incident_transfer``: ``kind`` (站前区 第二条 route), ``completed_on``/``completed_note``
  (查处完成, from which the 15 working days of 第四条 run), ``escalated_to``/``escalated_at``
  (督办 of overdue feedback), ``file_photo_ids`` (the case file copied to the receiver).
- audit triggers on ``lottery_draw`` and ``lottery_plan`` (0009 froze its own list).

Revision ID: 0012_rules1
Revises: 0011
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0012_rules1"
down_revision = "0011"
branch_labels = None
depends_on = None

AUDITED = {"lottery_draw": ("inputs,results", "", "quarter", "id"), "lottery_plan": ("", "", "year", "year")}


def upgrade() -> None:
    op.add_column("lottery_draw", sa.Column("override_reason", sa.Text))
    op.create_table(
        "lottery_plan",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("planned_count", sa.Integer, nullable=False),
        sa.Column("set_by", sa.Text, nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("planned_count >= 0", name="ck_lottery_plan_count"),
    )
    op.add_column("incident_transfer", sa.Column("kind", sa.Text, nullable=False, server_default="department"))
    op.add_column("incident_transfer", sa.Column("completed_on", sa.Date))
    op.add_column("incident_transfer", sa.Column("completed_note", sa.Text))
    op.add_column("incident_transfer", sa.Column("escalated_to", sa.Text))
    op.add_column("incident_transfer", sa.Column("escalated_at", sa.DateTime(timezone=True)))
    op.add_column(
        "incident_transfer",
        sa.Column("file_photo_ids", ARRAY(sa.BigInteger), nullable=False, server_default="{}"),
    )
    for table, args in AUDITED.items():
        quoted = ", ".join(f"'{a}'" for a in args)
        op.execute(
            f"CREATE TRIGGER audit_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION gisgrid_audit({quoted})"
        )


def downgrade() -> None:
    for table in AUDITED:
        op.execute(f"DROP TRIGGER IF EXISTS audit_{table} ON {table}")
    for column in ("file_photo_ids", "escalated_at", "escalated_to", "completed_note", "completed_on", "kind"):
        op.drop_column("incident_transfer", column)
    op.drop_table("lottery_plan")
    op.drop_column("lottery_draw", "override_reason")
