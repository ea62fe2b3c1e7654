"""考评 (evaluation rounds, forms, evidence), 责任状 (responsibility agreements), 信息报告 (work reports) and
年度日常监管工作计划 (supervision plans), with audit triggers.

Revision ID: 0015_evaluate
Revises: 0014u
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0015_evaluate"
down_revision = "0015_supervise"
branch_labels = None
depends_on = None

# the audit trigger function of migration 0009: table → (hashed columns, ignored columns, key column, id column)
AUDITED = {
    "evaluation_round": ("", "", "label", "id"),
    "evaluation_form": ("", "", "grid_code", "id"),
    "evaluation_evidence": ("", "", "title", "id"),
    "responsibility_agreement": ("", "", "title", "id"),
    "work_report": ("", "", "label", "id"),
    "supervision_plan": ("", "", "grid_code", "id"),
}


def _ts(name: str, **kw) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **kw)


def _rounds() -> None:
    op.create_table(
        "evaluation_round",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("template", JSONB, nullable=False),
        sa.Column("lowest_depth", sa.SmallInteger, nullable=False),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("boundary_version.id", ondelete="SET NULL")),
        sa.Column("state", sa.Text, nullable=False, server_default="open"),
        sa.Column("created_by", sa.Text, nullable=False),
        _ts("created_at", nullable=False, server_default=sa.func.now()),
        _ts("finished_at"),
        sa.CheckConstraint("state IN ('open', 'finished')", name="ck_evaluation_round_state"),
        sa.CheckConstraint("ends_on >= starts_on", name="ck_evaluation_round_period"),
        sa.UniqueConstraint("label", name="uq_evaluation_round_label"),
    )


def _forms() -> None:
    op.create_table(
        "evaluation_form",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("round_id", sa.Integer, sa.ForeignKey("evaluation_round.id", ondelete="CASCADE"), nullable=False),
        sa.Column("grid_code", sa.Text, nullable=False),
        sa.Column("grid_name", sa.Text, nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("parent_code", sa.Text),
        sa.Column("chain", ARRAY(sa.Text), nullable=False),
        sa.Column("state", sa.Text, nullable=False, server_default="draft"),
        sa.Column("indicators", JSONB, nullable=False, server_default="{}"),
        sa.Column("self_scores", JSONB, nullable=False, server_default="{}"),
        sa.Column("self_total", sa.Float),
        sa.Column("self_note", sa.Text),
        sa.Column("submitted_by", sa.Text),
        _ts("submitted_at"),
        sa.Column("review_scores", JSONB, nullable=False, server_default="{}"),
        sa.Column("review_total", sa.Float),
        sa.Column("review_note", sa.Text),
        sa.Column("reviewed_by", sa.Text),
        _ts("reviewed_at"),
        sa.CheckConstraint("state IN ('draft', 'submitted', 'returned', 'reviewed')", name="ck_evaluation_form_state"),
        sa.UniqueConstraint("round_id", "grid_code", name="uq_evaluation_form_grid"),
    )
    op.create_index("ix_evaluation_form_chain", "evaluation_form", ["chain"], postgresql_using="gin")
    op.create_table(
        "evaluation_evidence",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("form_id", sa.BigInteger, sa.ForeignKey("evaluation_form.id", ondelete="CASCADE"), nullable=False),
        sa.Column("item_key", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("stored_path", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("uploaded_by", sa.Text, nullable=False),
        _ts("uploaded_at", nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_evaluation_evidence_form", "evaluation_evidence", ["form_id"])


def _agreements() -> None:
    op.create_table(
        "responsibility_agreement",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("upper_code", sa.Text, nullable=False),
        sa.Column("upper_name", sa.Text, nullable=False),
        sa.Column("party_kind", sa.Text, nullable=False),
        sa.Column("party_code", sa.Text, nullable=False),
        sa.Column("party_name", sa.Text, nullable=False),
        sa.Column("upper_chain", ARRAY(sa.Text), nullable=False),
        sa.Column("party_chain", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("tasks", sa.Text, nullable=False),
        sa.Column("rewards_penalties", sa.Text, nullable=False),
        sa.Column("signed_on", sa.Date),
        sa.Column("scan_path", sa.Text),
        sa.Column("scan_filename", sa.Text),
        sa.Column("scan_size", sa.Integer),
        sa.Column("created_by", sa.Text, nullable=False),
        _ts("created_at", nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("party_kind IN ('grid', 'department')", name="ck_responsibility_agreement_party"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="ck_responsibility_agreement_year"),
    )
    op.create_index("ix_responsibility_agreement_codes", "responsibility_agreement", ["upper_code", "party_code"])


def _reports() -> None:
    op.create_table(
        "work_report",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("grid_code", sa.Text, nullable=False),
        sa.Column("grid_name", sa.Text, nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("chain", ARRAY(sa.Text), nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("number", sa.SmallInteger, nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("figures", JSONB, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False, server_default="draft"),
        sa.Column("created_by", sa.Text, nullable=False),
        _ts("created_at", nullable=False, server_default=sa.func.now()),
        sa.Column("submitted_by", sa.Text),
        _ts("submitted_at"),
        sa.CheckConstraint("state IN ('draft', 'submitted')", name="ck_work_report_state"),
        sa.UniqueConstraint("grid_code", "period", "year", "number", name="uq_work_report_period"),
    )


def _plans() -> None:
    op.create_table(
        "supervision_plan",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("grid_code", sa.Text, nullable=False),
        sa.Column("grid_name", sa.Text, nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("chain", ARRAY(sa.Text), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("items", JSONB, nullable=False, server_default="[]"),
        sa.Column("patrols_planned", sa.Integer, nullable=False, server_default="0"),
        sa.Column("random_checks_next_year", sa.Integer, nullable=False, server_default="0"),
        sa.Column("state", sa.Text, nullable=False, server_default="draft"),
        sa.Column("filed_on", sa.Date),
        sa.Column("filed_to", sa.Text),
        sa.Column("filed_by", sa.Text),
        sa.Column("document_path", sa.Text),
        sa.Column("document_name", sa.Text),
        sa.Column("created_by", sa.Text, nullable=False),
        _ts("created_at", nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("state IN ('draft', 'filed')", name="ck_supervision_plan_state"),
        sa.CheckConstraint("patrols_planned >= 0 AND random_checks_next_year >= 0", name="ck_supervision_plan_counts"),
        sa.UniqueConstraint("grid_code", "year", name="uq_supervision_plan_grid_year"),
    )


def upgrade() -> None:
    _rounds()
    _forms()
    _agreements()
    _reports()
    _plans()
    for table, args in AUDITED.items():
        quoted = ", ".join(f"'{a}'" for a in args)
        op.execute(
            f"CREATE TRIGGER audit_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION gisgrid_audit({quoted})"
        )


def downgrade() -> None:
    op.drop_table("supervision_plan")
    op.drop_table("work_report")
    op.drop_table("responsibility_agreement")
    op.drop_table("evaluation_evidence")
    op.drop_table("evaluation_form")
    op.drop_table("evaluation_round")
