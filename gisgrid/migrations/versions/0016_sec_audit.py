"""三员分立 and a tamper-evident audit trail (issue 27).

- ``app_user``: roles ``secadmin`` (安全管理员) and ``auditor`` (审计管理员) beside ``admin`` (系统管理员);
  ``duty`` remembers which of the three an account ever held, and the trigger ``gisgrid_duty`` refuses
  any other of them for it (one account never holds two duties, also not one after the other).
- ``audit_log``: security events (login, logout, login_failed, permission, export, prune) beside
  insert/update/delete; ``seq``, ``prev_hash``, ``row_hash``, ``hash_algo``: the hash chain sealed at
  commit (gisgrid/audit/sql/audit_chain.sql); ``audit_chain``: the chain's head and its anchor (the start
  left by pruning). Existing rows are sealed here, in id order.
- Grants: the application role (the owner here) keeps INSERT and SELECT; UPDATE only of the columns
  the triggers fill before sealing (the guard trigger refuses any change of a sealed row); no DELETE or
  TRUNCATE (pruning: gisgrid_audit_prune).

Revision ID: 0016_sec_audit
Revises: 0016_sec_auth
Create Date: 2026-12-05
"""

from importlib import resources

import sqlalchemy as sa
from alembic import op

revision = "0016_sec_audit"
down_revision = "0016_sec_auth"
branch_labels = None
depends_on = None

OLD_ROLES = ("public", "grid_staff", "dispatcher", "handler", "grid_leader", "planner", "admin")
ROLES = (*OLD_ROLES, "secadmin", "auditor")
DUTIES = ("admin", "secadmin", "auditor")
OLD_ACTIONS = ("insert", "update", "delete")
ACTIONS = (*OLD_ACTIONS, "login", "logout", "login_failed", "permission", "export", "prune")
GENESIS = "0" * 64
CHAIN_COLUMNS = "changes, seq, prev_hash, row_hash, hash_algo"

_SEAL_EXISTING = """
DO $$
DECLARE
  r audit_log%ROWTYPE;
  prev text := repeat('0', 64);
  n bigint := 0;
BEGIN
  FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
    n := n + 1;
    r.seq := n;
    r.hash_algo := 'sha256';
    r.prev_hash := prev;
    r.row_hash := gisgrid_audit_sha256(prev, gisgrid_audit_canon(r));
    UPDATE audit_log SET seq = r.seq, hash_algo = r.hash_algo, prev_hash = r.prev_hash, row_hash = r.row_hash
     WHERE id = r.id;
    prev := r.row_hash;
  END LOOP;
  UPDATE audit_chain SET seq = n, hash = prev;
END
$$;
"""

_DUTY = """
CREATE OR REPLACE FUNCTION gisgrid_duty() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.role IN ('admin', 'secadmin', 'auditor') THEN
    IF TG_OP = 'UPDATE' AND OLD.duty IS NOT NULL AND OLD.duty <> NEW.role THEN
      RAISE EXCEPTION 'account % already held the duty %, it cannot take %', OLD.username, OLD.duty, NEW.role
        USING ERRCODE = '23514';
    END IF;
    NEW.duty := NEW.role;
  ELSIF TG_OP = 'UPDATE' THEN
    NEW.duty := OLD.duty;
  ELSE
    NEW.duty := NULL;
  END IF;
  RETURN NEW;
END
$$;
"""


def _run_sql_file(name: str) -> None:
    sql = (resources.files("gisgrid.audit") / "sql" / name).read_text(encoding="utf-8")
    with op.get_bind().connection.dbapi_connection.cursor() as cursor:
        cursor.execute(sql)


def upgrade() -> None:
    _users()
    op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("hash", sa.Text),
        sa.Column("anchor_seq", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("anchor_hash", sa.Text, nullable=False, server_default=GENESIS),
        sa.CheckConstraint("id = 1", name="ck_audit_chain_one_row"),
    )
    op.execute(f"INSERT INTO audit_chain (id, seq, hash) VALUES (1, 0, '{GENESIS}')")
    op.add_column("audit_log", sa.Column("seq", sa.BigInteger))
    for column in ("prev_hash", "row_hash", "hash_algo"):
        op.add_column("audit_log", sa.Column(column, sa.Text))
    op.create_index("ux_audit_log_seq", "audit_log", ["seq"], unique=True)
    op.drop_constraint("ck_audit_log_action", "audit_log", type_="check")
    op.create_check_constraint("ck_audit_log_action", "audit_log", f"action IN {ACTIONS}")
    _run_sql_file("audit_chain.sql")
    op.execute(_SEAL_EXISTING)
    op.execute(
        "CREATE CONSTRAINT TRIGGER gisgrid_chain_seal AFTER INSERT ON audit_log DEFERRABLE INITIALLY DEFERRED "
        "FOR EACH ROW WHEN (gisgrid_audit_first_in_tx()) EXECUTE FUNCTION gisgrid_audit_seal()"
    )
    op.execute(
        "CREATE TRIGGER gisgrid_chain_guard BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION gisgrid_audit_guard()"
    )
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC, CURRENT_USER")
    op.execute(f"GRANT UPDATE ({CHAIN_COLUMNS}) ON audit_log TO CURRENT_USER")
    op.execute("REVOKE DELETE, TRUNCATE ON audit_chain FROM PUBLIC, CURRENT_USER")


def _users() -> None:
    op.add_column("app_user", sa.Column("duty", sa.Text))
    op.drop_constraint("ck_app_user_role", "app_user", type_="check")
    op.create_check_constraint("ck_app_user_role", "app_user", f"role IN {ROLES}")
    op.create_check_constraint("ck_app_user_duty", "app_user", f"duty IS NULL OR duty IN {DUTIES}")
    op.execute("UPDATE app_user SET duty = role WHERE role = 'admin'")
    op.execute(_DUTY)
    op.execute(
        "CREATE TRIGGER gisgrid_duty BEFORE INSERT OR UPDATE OF role ON app_user "
        "FOR EACH ROW EXECUTE FUNCTION gisgrid_duty()"
    )


def downgrade() -> None:
    op.execute("GRANT UPDATE, DELETE, TRUNCATE ON audit_log TO CURRENT_USER")
    op.execute("GRANT DELETE, TRUNCATE ON audit_chain TO CURRENT_USER")
    op.execute("DROP TRIGGER gisgrid_chain_guard ON audit_log")
    op.execute("DROP TRIGGER gisgrid_chain_seal ON audit_log")
    op.execute(f"DELETE FROM audit_log WHERE action NOT IN {OLD_ACTIONS}")
    for name in ("seal_tx()", "seal()", "first_in_tx()", "guard()", "prune(integer)"):
        op.execute(f"DROP FUNCTION gisgrid_audit_{name}")
    op.execute("DROP FUNCTION gisgrid_audit_canon(audit_log)")
    op.execute("DROP FUNCTION gisgrid_audit_sha256(text, text)")
    op.drop_constraint("ck_audit_log_action", "audit_log", type_="check")
    op.create_check_constraint("ck_audit_log_action", "audit_log", f"action IN {OLD_ACTIONS}")
    op.drop_index("ux_audit_log_seq", table_name="audit_log")
    for column in ("seq", "prev_hash", "row_hash", "hash_algo"):
        op.drop_column("audit_log", column)
    op.drop_table("audit_chain")
    op.execute("DROP TRIGGER gisgrid_duty ON app_user")
    op.execute("DROP FUNCTION gisgrid_duty()")
    # the two new duties do not exist below this revision: their accounts become inactive citizens
    op.execute("UPDATE app_user SET role = 'public', active = false WHERE role IN ('secadmin', 'auditor')")
    op.drop_constraint("ck_app_user_duty", "app_user", type_="check")
    op.drop_constraint("ck_app_user_role", "app_user", type_="check")
    op.create_check_constraint("ck_app_user_role", "app_user", f"role IN {OLD_ROLES}")
    op.drop_column("app_user", "duty")
