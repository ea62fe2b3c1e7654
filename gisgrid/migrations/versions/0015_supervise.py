"""督查督办, 联席会议 and campaigns: the tracked-item engine (items, notes, attachments, escalations), spot
checks, meetings, 专项行动 / 联合执法 campaigns.

Every new table gets the audit trigger of migration 0009 (each escalation is a row *and* an audit entry).

Revision ID: 0015_supervise
Revises: 0014u
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0015_supervise"
down_revision = "0015_repair"
branch_labels = None
depends_on = None

# table: (hashed columns, ignored columns, key column, id column) for gisgrid_audit (migration 0009)
AUDITED = {
    "tracked_item": ("", "", "title", "id"),
    "tracked_note": ("", "", "action", "id"),
    "tracked_attachment": ("", "", "name", "id"),
    "tracked_escalation": ("", "", "to_grid_code", "id"),
    "supervision_check": ("", "", "checked_on", "id"),
    "meeting": ("", "", "title", "id"),
    "campaign": ("area", "", "title", "id"),
}


def _ts(name: str, **kw) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), **kw)


def _user(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer, sa.ForeignKey("app_user.id", ondelete="SET NULL"))


def _items() -> None:
    op.create_table(
        "tracked_item",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("detail", sa.Text),
        sa.Column("priority", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False, server_default="open"),
        sa.Column("owner_grid_code", sa.Text),
        sa.Column("owner_department_code", sa.Text),
        _user("owner_user_id"),
        sa.Column("chain", ARRAY(sa.Text), nullable=False),
        sa.Column("watcher_grid_code", sa.Text),
        sa.Column("watcher_label", sa.Text, nullable=False),
        sa.Column("watcher_chain", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("about_kind", sa.Text),
        sa.Column("about_id", sa.Text),
        sa.Column("opened_on", sa.Date, nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        _user("created_by_id"),
        _ts("created_at", nullable=False, server_default=sa.func.now()),
        _ts("reported_at"),
        _ts("closed_at"),
        sa.Column("escalation_level", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("escalated_to", sa.Text),
        _ts("escalated_at"),
        sa.CheckConstraint("priority IN ('full', 'rapid', 'regular')", name="ck_tracked_item_priority"),
        sa.CheckConstraint(
            "state IN ('open', 'in_progress', 'reported_done', 'accepted', 'sent_back')", name="ck_tracked_item_state"
        ),
        sa.CheckConstraint(
            "owner_grid_code IS NOT NULL OR owner_department_code IS NOT NULL", name="ck_tracked_item_owner"
        ),
        sa.CheckConstraint("cardinality(chain) >= 1", name="ck_tracked_item_chain"),
        sa.CheckConstraint("due >= opened_on", name="ck_tracked_item_due"),
    )
    op.create_index("ix_tracked_item_chain", "tracked_item", ["chain"], postgresql_using="gin")
    op.create_index("ix_tracked_item_watcher_chain", "tracked_item", ["watcher_chain"], postgresql_using="gin")
    op.create_index("ix_tracked_item_about", "tracked_item", ["about_kind", "about_id"])
    op.create_index("ix_tracked_item_state_due", "tracked_item", ["state", "due"])


def _item_children() -> None:

    def item() -> sa.ForeignKey:  # a ForeignKey belongs to one column: a fresh one each time
        return sa.ForeignKey("tracked_item.id", ondelete="CASCADE")

    op.create_table(
        "tracked_note",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("item_id", sa.BigInteger, item(), nullable=False),
        _ts("at", nullable=False, server_default=sa.func.now()),
        _user("user_id"),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("from_state", sa.Text, nullable=False),
        sa.Column("to_state", sa.Text, nullable=False),
        sa.Column("text", sa.Text),
    )
    op.create_index("ix_tracked_note_item", "tracked_note", ["item_id"])
    op.create_table(
        "tracked_attachment",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("item_id", sa.BigInteger, item(), nullable=False),
        sa.Column("note_id", sa.BigInteger, sa.ForeignKey("tracked_note.id", ondelete="SET NULL")),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("mime", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        _user("user_id"),
        _ts("created_at", nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_tracked_attachment_item", "tracked_attachment", ["item_id"])
    op.create_table(
        "tracked_escalation",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("item_id", sa.BigInteger, item(), nullable=False),
        sa.Column("level", sa.SmallInteger, nullable=False),
        sa.Column("to_grid_code", sa.Text, nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        _ts("at", nullable=False, server_default=sa.func.now()),
        sa.Column("reason", sa.Text, nullable=False),
        sa.CheckConstraint("level >= 1", name="ck_tracked_escalation_level"),
    )
    # one row per level: a second escalation run on the same day adds nothing
    op.create_index("uq_tracked_escalation_item_level", "tracked_escalation", ["item_id", "level"], unique=True)


def _supervision() -> None:
    op.create_table(
        "supervision_check",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("grid_code", sa.Text),
        sa.Column("department_code", sa.Text),
        sa.Column("chain", ARRAY(sa.Text), nullable=False),
        sa.Column("watcher_grid_code", sa.Text),
        sa.Column("checked_on", sa.Date, nullable=False),
        sa.Column("checkers", sa.Text, nullable=False),
        sa.Column("items", JSONB, nullable=False, server_default="[]"),
        sa.Column("findings", sa.Text),
        sa.Column("bulletin_title", sa.Text),
        sa.Column("bulletin_body", sa.Text),
        sa.Column("public", sa.Boolean, nullable=False, server_default="false"),
        _ts("published_at"),
        _user("created_by_id"),
        _ts("created_at", nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("grid_code IS NOT NULL OR department_code IS NOT NULL", name="ck_supervision_check_target"),
    )
    op.create_index("ix_supervision_check_chain", "supervision_check", ["chain"], postgresql_using="gin")
    op.create_table(
        "meeting",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("grid_code", sa.Text, nullable=False),
        sa.Column("chain", ARRAY(sa.Text), nullable=False),
        sa.Column("convenor", sa.Text, nullable=False),
        sa.Column("attendees", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("agenda", JSONB, nullable=False, server_default="[]"),
        sa.Column("minutes", sa.Text),
        _user("created_by_id"),
        _ts("created_at", nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_meeting_chain", "meeting", ["chain"], postgresql_using="gin")
    op.create_index("ix_meeting_held", "meeting", ["held_on"])


def _campaigns() -> None:
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("lead_grid_code", sa.Text, nullable=False),
        sa.Column("chain", ARRAY(sa.Text), nullable=False),
        sa.Column("organiser", sa.Text),
        sa.Column("departments", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("area_codes", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("area", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)),
        sa.Column("source_ids", ARRAY(sa.Integer), nullable=False, server_default="{}"),
        sa.Column("plan_text", sa.Text),
        sa.Column("plan_name", sa.Text),
        sa.Column("plan_path", sa.Text),
        sa.Column("plan_mime", sa.Text),
        _user("created_by_id"),
        _ts("created_at", nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("kind IN ('专项行动', '联合执法')", name="ck_campaign_kind"),
        sa.CheckConstraint("ends_on >= starts_on", name="ck_campaign_period"),
    )
    op.create_index("ix_campaign_chain", "campaign", ["chain"], postgresql_using="gin")
    op.create_index("ix_campaign_area_codes", "campaign", ["area_codes"], postgresql_using="gin")


def upgrade() -> None:
    _items()
    _item_children()
    _supervision()
    _campaigns()
    for table, args in AUDITED.items():
        quoted = ", ".join(f"'{a}'" for a in args)
        op.execute(
            f"CREATE TRIGGER audit_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION gisgrid_audit({quoted})"
        )


def downgrade() -> None:
    for table in (
        "campaign",
        "meeting",
        "supervision_check",
        "tracked_escalation",
        "tracked_attachment",
        "tracked_note",
    ):
        op.drop_table(table)
    op.drop_table("tracked_item")
