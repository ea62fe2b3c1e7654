"""Campaign results per department (figures a department enters beside what the data shows), with its audit
trigger; plan lines structured: each line of supervision_plan.items gets object_kind, period and times, read
from its free text (the words below are those of gisgrid/plans/lines.py when this was written; the migration
keeps its own copy so later edits there do not change what it did). Downgrade removes the three keys again.

Revision ID: 0016_supervise2
Revises: 0016_speed
Create Date: 2026-12-05
"""

import json
import re

import sqlalchemy as sa
from alembic import op

revision = "0016_supervise2"
down_revision = "0016_speed"
branch_labels = None
depends_on = None

# table: (hashed columns, ignored columns, key column, id column) for gisgrid_audit (migration 0009)
AUDITED = {"campaign_result": ("", "", "department_code", "id")}


_WORDS = (
    (r"双随机", "random_check"),
    (r"巡查", "patrol"),
    (r"饮用水", "drinking_water_source"),
    (r"建设项目|施工|工地", "construction_site"),
    (r"畜禽|养殖", "livestock_farm"),
    (r"餐饮", "catering"),
    (r"汽修|机动车维修", "vehicle_repair"),
    (r"A\s*类", "source_a"),
    (r"B\s*类", "source_b"),
    (r"C\s*类", "source_c"),
    (r"污染源|企业", "source_all"),
)
_PERIODS = (("半年", "half_year"), ("季", "quarter"), ("月", "month"), ("年", "year"))
_ADDED = ("object_kind", "period", "times")


def _line(item: dict) -> dict:
    text, frequency = item.get("object_class") or "", item.get("frequency") or ""
    kind = next((k for pattern, k in _WORDS if re.search(pattern, text)), "other")
    period = next((p for word, p in _PERIODS if word in frequency), None)
    times = re.search(r"(\d+)\s*次", frequency)
    return {**item, "object_kind": item.get("object_kind") or kind, "period": item.get("period") or period,
            "times": item.get("times") or (int(times.group(1)) if times else (1 if period else None))}  # fmt: skip


def _rewrite(change) -> None:
    conn = op.get_bind()
    for plan_id, items in conn.execute(sa.text("SELECT id, items FROM supervision_plan")).all():
        new = [change(dict(i)) for i in items or []]
        if new != items:
            conn.execute(sa.text("UPDATE supervision_plan SET items = CAST(:items AS jsonb) WHERE id = :id"),
                         {"items": json.dumps(new, ensure_ascii=False), "id": plan_id})  # fmt: skip


def upgrade() -> None:
    _rewrite(_line)
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
    _rewrite(lambda item: {k: v for k, v in item.items() if k not in _ADDED})
    op.drop_table("campaign_result")  # its trigger goes with it
