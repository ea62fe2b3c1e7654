"""The audit hash chain per transaction (issue 21): audit rows are no longer rewritten at commit.

- ``audit_seal``: one row per committed transaction that wrote audit rows — its place in the chain
  (``seq``), its rows' ``ids`` in order, their ``digests`` (H of each row's canonical text, 32 bytes
  each), ``prev_hash`` and ``hash`` (gisgrid/audit/sql/audit_seal.sql). ``audit_chain`` gains the head
  and anchor of this chain (``tx_*``); its own ``seq``/``hash`` stay the end of the per-row chain.
- Rows sealed before this revision keep their per-row hashes and verify as before (both schemes are
  read); the first seal links to the per-row chain's end. SM3 rows still awaiting their seal would
  leave that end unknown: the upgrade refuses until ``gisgrid audit seal`` has run.
- The seal's commit trigger reads its "already queued" flag in its WHEN before calling PL/pgSQL.
- The guard of audit_log fires only for sealed rows (trigger WHEN): the set-wise trigger's fold of
  this transaction's own rows calls no function per row. The application role keeps UPDATE of
  ``changes`` only (the fold); on audit_seal, UPDATE of the digests and hashes only (the SM3 job).
- Downgrade re-seals the rows of the seals into the per-row chain, in seal order (SHA-256 only).

Revision ID: 0017_h21chain
Revises: 0016_supervise2
Create Date: 2026-12-05
"""

from importlib import resources

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0017_h21chain"
down_revision = "0016_supervise2"
branch_labels = None
depends_on = None

CHAIN_COLUMNS = "changes, seq, prev_hash, row_hash, hash_algo"
# fired only for a sealed row: another transaction's, one with a per-row seal, or one already in a seal
GUARD_WHEN = (
    "OLD.txid IS DISTINCT FROM txid_current() OR OLD.seq IS NOT NULL"
    " OR OLD.id <= coalesce(nullif(current_setting('gisgrid.audit_sealed', true), '')::bigint, 0)"
)

# the seal's commit trigger: queued by a transaction's first audit row only. The flag is read first, in
# C (current_setting), so the PL/pgSQL function runs once a transaction, not once per row (AND stops at
# the first false): 296,000 calls fewer in a 100,000-grid import
SEAL_WHEN = "current_setting('gisgrid.audit_queued', true) IS DISTINCT FROM 'yes' AND gisgrid_audit_first_in_tx()"


def _seal_trigger(when: str) -> None:
    op.execute("DROP TRIGGER gisgrid_chain_seal ON audit_log")
    op.execute(
        "CREATE CONSTRAINT TRIGGER gisgrid_chain_seal AFTER INSERT ON audit_log DEFERRABLE INITIALLY DEFERRED "
        f"FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION gisgrid_audit_seal()"
    )


# downgrade: the rows of every seal, in seal order and id order, get per-row hashes (as 0016 sealed them)
_RESEAL_ROWS = """
DO $$
DECLARE
  r audit_log%ROWTYPE;
  n bigint := (SELECT seq FROM audit_chain);
  prev text := (SELECT hash FROM audit_chain);
BEGIN
  FOR r IN SELECT a.* FROM audit_seal AS s CROSS JOIN LATERAL unnest(s.ids) WITH ORDINALITY AS u(id, k)
           JOIN audit_log AS a ON a.id = u.id ORDER BY s.seq, u.k LOOP
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


def _run_sql_file(name: str) -> None:
    sql = (resources.files("gisgrid.audit") / "sql" / name).read_text(encoding="utf-8")
    with op.get_bind().connection.dbapi_connection.cursor() as cursor:
        cursor.execute(sql)


def _guard(when: str | None) -> None:
    op.execute("DROP TRIGGER gisgrid_chain_guard ON audit_log")
    condition = f"WHEN ({when}) " if when else ""
    op.execute(
        f"CREATE TRIGGER gisgrid_chain_guard BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW {condition}"
        "EXECUTE FUNCTION gisgrid_audit_guard()"
    )


def upgrade() -> None:
    waiting = op.get_bind().execute(
        sa.text("SELECT count(*) FROM audit_log WHERE seq IS NOT NULL AND row_hash IS NULL")
    )
    if waiting.scalar():
        raise RuntimeError("audit rows await their SM3 seal: run `gisgrid audit seal`, then upgrade again")
    op.create_table(
        "audit_seal",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("txid", sa.BigInteger, nullable=False),
        sa.Column("ids", ARRAY(sa.BigInteger), nullable=False),
        sa.Column("digests", sa.LargeBinary),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hash_algo", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.Text),
        sa.Column("hash", sa.Text),
        sa.CheckConstraint("hash_algo IN ('sha256', 'sm3')", name="ck_audit_seal_algo"),
    )
    op.create_index("ix_audit_seal_txid", "audit_seal", ["txid"])
    op.add_column("audit_chain", sa.Column("tx_seq", sa.BigInteger, nullable=False, server_default="0"))
    op.add_column("audit_chain", sa.Column("tx_hash", sa.Text))
    op.add_column("audit_chain", sa.Column("tx_anchor_seq", sa.BigInteger, nullable=False, server_default="0"))
    op.add_column("audit_chain", sa.Column("tx_anchor_hash", sa.Text))
    op.execute("UPDATE audit_chain SET tx_hash = hash, tx_anchor_hash = hash")  # the per-row chain's end
    _run_sql_file("audit_seal.sql")
    _guard(GUARD_WHEN)
    _seal_trigger(SEAL_WHEN)
    op.execute(
        "CREATE TRIGGER gisgrid_seal_guard BEFORE UPDATE OR DELETE ON audit_seal "
        "FOR EACH ROW EXECUTE FUNCTION gisgrid_audit_seal_guard()"
    )
    op.execute("REVOKE UPDATE ON audit_log FROM CURRENT_USER")  # with its column privileges
    op.execute("GRANT UPDATE (changes) ON audit_log TO CURRENT_USER")
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_seal FROM PUBLIC, CURRENT_USER")
    op.execute("GRANT UPDATE (digests, prev_hash, hash) ON audit_seal TO CURRENT_USER")


def downgrade() -> None:
    if op.get_bind().execute(sa.text("SELECT count(*) FROM audit_seal WHERE hash_algo <> 'sha256'")).scalar():
        raise RuntimeError("SM3 seals cannot be turned back into per-row seals by the database")
    _run_sql_file("audit_chain.sql")  # 0016's seal, guard and prune
    op.execute(f"GRANT UPDATE ({CHAIN_COLUMNS}) ON audit_log TO CURRENT_USER")
    op.execute("ALTER TABLE audit_log DISABLE TRIGGER gisgrid_chain_guard")
    op.execute(_RESEAL_ROWS)
    op.execute("ALTER TABLE audit_log ENABLE TRIGGER gisgrid_chain_guard")
    _guard(None)
    _seal_trigger("gisgrid_audit_first_in_tx()")
    op.drop_table("audit_seal")  # its guard trigger goes with it
    for name in ("seal_guard()", "prune_rows(timestamptz)", "prune_seals(timestamptz)"):
        op.execute(f"DROP FUNCTION gisgrid_audit_{name}")
    for column in ("tx_seq", "tx_hash", "tx_anchor_seq", "tx_anchor_hash"):
        op.drop_column("audit_chain", column)
