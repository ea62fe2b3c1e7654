"""Personal API tokens (``api_token``): only the SHA-256 of a token is stored; audited.

Revision ID: 0015_tokens
Revises: 0014u
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_tokens"
down_revision = "0014u"
branch_labels = None
depends_on = None

# the hash itself is hashed again in the audit log, and last use is not a change anyone needs to review
AUDIT = (
    "CREATE TRIGGER audit_api_token AFTER INSERT OR UPDATE OR DELETE ON api_token FOR EACH ROW "
    "EXECUTE FUNCTION gisgrid_audit('token_hash', 'last_used_at', 'name', 'id')"
)


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("token_hash", sa.Text, nullable=False, unique=True),
        sa.Column("prefix", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_api_token_user", "api_token", ["user_id"])
    op.execute(AUDIT)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_api_token ON api_token")
    op.drop_table("api_token")
