"""Identification and authentication (等保2.0 身份鉴别): expiry, forced change, history, lockout, TOTP.

- ``app_user`` gains ``password_changed_at`` (expiry), ``must_change_password`` (initial and reset
  passwords), lockout counters (``failed_count`` toward the lock, ``failed_since_login`` shown after the
  next login, ``locked_until``, ``last_failed_at``), ``last_login_at`` and the TOTP secret with the last
  accepted time step (a code is accepted once).
- ``app_password_history``: earlier password hashes (no reuse of the last PASSWORD_HISTORY). No audit
  trigger: it holds only hashes, is written with each password change (which app_user's trigger logs),
  and its rows would put password hashes into the audit log.
- The audit trigger of ``app_user`` is re-created so that ``totp_secret`` is hashed like the password and
  the counters a login bumps (failed/last-login columns, the TOTP step) are not logged: the audit trail
  records logins themselves elsewhere, and one audit row per login attempt would bury the real changes.
  ``locked_until`` stays audited (a lock and an administrator's unlock are security events).

Revision ID: 0016_sec_auth
Revises: 0015_monitor
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_sec_auth"
down_revision = "0015_monitor"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)
COLUMNS = (
    sa.Column("password_changed_at", _TS, nullable=False, server_default=sa.func.now()),
    sa.Column("must_change_password", sa.Boolean, nullable=False, server_default="false"),
    sa.Column("failed_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("failed_since_login", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", _TS),
    sa.Column("last_login_at", _TS),
    sa.Column("last_failed_at", _TS),
    sa.Column("totp_secret", sa.Text),
    sa.Column("totp_last_step", sa.BigInteger),
)
_IGNORED = "failed_count,failed_since_login,last_login_at,last_failed_at,totp_last_step"
# the 0009 trigger function's arguments: (hashed columns, ignored columns, key column, id column)
NEW_TRIGGER = f"gisgrid_audit('password_hash,totp_secret', '{_IGNORED}', 'username', 'id')"
OLD_TRIGGER = "gisgrid_audit('password_hash', '', 'username', 'id')"


def _trigger(call: str) -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_app_user ON app_user")
    op.execute(
        f"CREATE TRIGGER audit_app_user AFTER INSERT OR UPDATE OR DELETE ON app_user FOR EACH ROW EXECUTE FUNCTION {call}"
    )


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column("app_user", column)
    op.create_table(
        "app_password_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_app_password_history_user", "app_password_history", ["user_id", "id"])
    _trigger(NEW_TRIGGER)


def downgrade() -> None:
    _trigger(OLD_TRIGGER)
    op.drop_table("app_password_history")
    for column in reversed(COLUMNS):
        op.drop_column("app_user", column.name)
