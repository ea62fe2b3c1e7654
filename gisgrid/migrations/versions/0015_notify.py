"""Notifications: the outbox (in-app, e-mail, SMS), delivery attempts, per-user preferences; case outcomes.

``notification`` is written in the same transaction as the case step that causes it (the outbox); the
worker (``gisgrid worker``) delivers e-mail and SMS rows and records each try in ``notification_attempt``.
In-app rows are delivered by being stored (the bell reads them). ``incident.outcome`` is the result a
closed case carries (已解决 / 部分解决 / 未解决 with a reason), so fix rates count honestly.

Revision ID: 0015_notify
Revises: 0014u
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0015_notify"
down_revision = "0015_evaluate"
branch_labels = None
depends_on = None

# the audit trigger function of migration 0009: (hashed columns, ignored columns, key column, id column).
# Preferences are a person's choice and audited; the outbox is machine traffic (its attempts are its log).
AUDIT = (
    "CREATE TRIGGER audit_notification_preference AFTER INSERT OR UPDATE OR DELETE ON notification_preference "
    "FOR EACH ROW EXECUTE FUNCTION gisgrid_audit('', '', 'user_id', 'user_id')"
)


def upgrade() -> None:
    op.create_table(
        "notification_preference",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("inapp", sa.Boolean, nullable=False, server_default="true"),
        sa.Column("email", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("sms", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("email_address", sa.Text),
        sa.Column("quiet_start", sa.Time),
        sa.Column("quiet_end", sa.Time),
        sa.Column("digest", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("digest_hour", sa.SmallInteger, nullable=False, server_default="8"),
        sa.CheckConstraint("digest_hour BETWEEN 0 AND 23", name="ck_notification_preference_hour"),
        sa.CheckConstraint("(quiet_start IS NULL) = (quiet_end IS NULL)", name="ck_notification_preference_quiet"),
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("message_id", sa.Text, nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="CASCADE")),
        sa.Column("address", sa.Text),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("incident_id", sa.BigInteger, sa.ForeignKey("incident.id", ondelete="SET NULL")),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("params", JSONB, nullable=False, server_default="{}"),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("sending_since", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text),
        sa.Column("dedupe_key", sa.Text, unique=True),
        sa.Column("digest_id", sa.BigInteger, sa.ForeignKey("notification.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("channel IN ('inapp', 'email', 'sms')", name="ck_notification_channel"),
        sa.CheckConstraint(
            "state IN ('pending', 'sending', 'sent', 'failed', 'digest', 'digested')", name="ck_notification_state"
        ),
        sa.CheckConstraint("user_id IS NOT NULL OR address IS NOT NULL", name="ck_notification_recipient"),
    )
    # the bell: a user's unread in-app rows; the worker: due rows of the external channels
    op.create_index(
        "ix_notification_inbox", "notification", ["user_id", "id"], postgresql_where=sa.text("channel = 'inapp'")
    )
    op.create_index(
        "ix_notification_due",
        "notification",
        ["next_attempt_at"],
        postgresql_where=sa.text("state IN ('pending', 'sending')"),
    )
    op.create_index("ix_notification_digest", "notification", ["user_id"], postgresql_where=sa.text("state = 'digest'"))
    op.create_table(
        "notification_attempt",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column(
            "notification_id", sa.BigInteger, sa.ForeignKey("notification.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("ok", sa.Boolean),
        sa.Column("error", sa.Text),
        sa.UniqueConstraint("notification_id", "attempt", name="uq_notification_attempt"),
    )
    op.execute(AUDIT)
    op.add_column("incident", sa.Column("outcome", sa.Text))
    op.add_column("incident", sa.Column("outcome_reason", sa.Text))
    op.create_check_constraint(
        "ck_incident_outcome", "incident", "outcome IS NULL OR outcome IN ('resolved', 'partial', 'unresolved')"
    )


def downgrade() -> None:
    op.drop_constraint("ck_incident_outcome", "incident")
    op.drop_column("incident", "outcome_reason")
    op.drop_column("incident", "outcome")
    op.drop_table("notification_attempt")
    op.drop_table("notification")
    op.drop_table("notification_preference")
