"""Personal information (个人信息保护): audit actions for access to it, and no reporter data in the audit log.

* ``audit_log.action`` also takes ``reveal`` (显示: a handler or dispatcher unmasked a reporter),
  ``export`` (an export of personal data, with its reason) and ``anonymise`` (the retention job),
  written by gisgrid/privacy/record.py.
* The row trigger of ``incident`` ignores ``reporter_name`` and ``reporter_contact``: the audit trail is
  kept for years and cannot be edited, so a reporter's phone logged there would outlive the retention
  period; who unmasked, exported or anonymised them is logged by the actions above instead.
  Entries written before this migration keep what they logged.

Revision ID: 0016_sec_web
Revises: 0016_sec_audit
Create Date: 2026-12-05
"""

from alembic import op

revision = "0016_sec_web"
down_revision = "0016_sec_audit"
branch_labels = None
depends_on = None

# after 0016_sec_audit: its security events stay allowed
SECURITY = "'login', 'logout', 'login_failed', 'permission', 'export', 'prune'"
OLD_ACTIONS = f"('insert', 'update', 'delete', {SECURITY})"
NEW_ACTIONS = f"('insert', 'update', 'delete', {SECURITY}, 'reveal', 'anonymise')"
# the incident row trigger's arguments (0009): hashed, ignored, key column, id column
OLD_ARGS = "'geom', '', 'id', 'id'"
NEW_ARGS = "'geom', 'reporter_name,reporter_contact', 'id', 'id'"


def _trigger(args: str) -> None:
    op.execute("DROP TRIGGER audit_incident ON incident")
    op.execute(
        "CREATE TRIGGER audit_incident AFTER INSERT OR UPDATE OR DELETE ON incident "
        f"FOR EACH ROW EXECUTE FUNCTION gisgrid_audit({args})"
    )


def upgrade() -> None:
    op.drop_constraint("ck_audit_log_action", "audit_log", type_="check")
    op.create_check_constraint("ck_audit_log_action", "audit_log", f"action IN {NEW_ACTIONS}")
    _trigger(NEW_ARGS)


def downgrade() -> None:
    _trigger(OLD_ARGS)
    op.drop_constraint("ck_audit_log_action", "audit_log", type_="check")
    # NOT VALID: the access records already written stay (an audit trail is not rewritten by a downgrade);
    # only new rows are held to the old list
    op.execute(f"ALTER TABLE audit_log ADD CONSTRAINT ck_audit_log_action CHECK (action IN {OLD_ACTIONS}) NOT VALID")
