"""Migration 0017_h21chain on a real audit trail: rows sealed per row before it still verify, the first
transaction seal links to their end, a tampered old row is still found, and downgrade re-seals the
transactions' rows into the per-row chain."""

from __future__ import annotations

from contextlib import contextmanager

from alembic import command
from sqlalchemy import create_engine, text

from gisgrid.audit import chain, security
from gisgrid.migrate import alembic_config
from tests.conftest import fresh_database


def _history(app, prefix: str) -> None:
    from gisgrid.db import db

    with app.app_context(), db.new_session() as session:
        for n in range(3):  # three committed transactions
            security.record("login", f"{prefix}{n}", "10.0.0.5", f"{prefix}{n}", "success", session=session)


def _verify(app) -> chain.Verdict:
    from gisgrid.db import db

    with app.app_context(), db.new_session() as session:
        return chain.verify(session)


def _per_row_chain_holds(conn) -> bool:
    """The 0016 scheme checked by hand: seq 1..n, each prev_hash the row before's hash, each hash right."""
    rows = conn.execute(
        text("SELECT seq, prev_hash, row_hash, gisgrid_audit_canon(a) AS canon FROM audit_log a ORDER BY seq")
    )
    prev, expected = chain.GENESIS, 1
    for row in rows:
        if (row.seq, row.prev_hash) != (expected, prev) or chain.digest("sha256", prev, row.canon) != row.row_hash:
            return False
        prev, expected = row.row_hash, expected + 1
    return conn.execute(text("SELECT seq, hash FROM audit_chain")).one() == (expected - 1, prev)


def test_rows_sealed_per_row_still_verify_and_downgrade_reseals_them():
    from gisgrid import create_app
    from gisgrid.db import db

    with fresh_database("gisgrid_mig0017") as url:
        config = alembic_config(url)
        command.downgrade(config, "0016_supervise2")
        app = create_app({"DATABASE_URL": url, "TESTING": True})
        _history(app, "old")  # sealed per row, by 0016's trigger
        db.dispose(app)
        command.upgrade(config, "0017_h21chain")
        _history(app, "new")  # sealed per transaction
        verdict = _verify(app)
        with app.app_context(), db.new_session() as session:
            total = session.execute(text("SELECT count(*) FROM audit_log")).scalar()
            old = session.execute(text("SELECT count(*) FROM audit_log WHERE row_hash IS NOT NULL")).scalar()
            end = session.execute(text("SELECT hash FROM audit_chain")).scalar()
            first = session.execute(text("SELECT prev_hash FROM audit_seal WHERE seq = 1")).scalar()
            victim = session.execute(text("SELECT id FROM audit_log WHERE seq = 2")).scalar()
        assert verdict.ok and verdict.checked == total and 3 <= old < total
        assert first == end != chain.GENESIS  # the transaction chain starts where the per-row one ends
        with app.app_context(), db.new_session() as session:  # an old row altered is still found
            session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER gisgrid_chain_guard"))
            session.execute(text("GRANT UPDATE ON audit_log TO CURRENT_USER"))  # rolled back below
            session.execute(text("UPDATE audit_log SET actor_ip = '10.9.9.9' WHERE id = :id"), {"id": victim})
            broken = chain.verify(session)
            assert not broken.ok and broken.broken_id == victim and "altered" in broken.reason
            session.rollback()
        db.dispose(app)
        command.downgrade(config, "0016_supervise2")
        with db_engine(url) as conn:
            assert _per_row_chain_holds(conn)
            assert conn.execute(text("SELECT count(*) FROM audit_log WHERE row_hash IS NULL")).scalar() == 0
        command.upgrade(config, "heads")
        assert _verify(app).ok
        db.dispose(app)


@contextmanager
def db_engine(url):
    """A connection of a throwaway engine (closed and disposed on exit)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()
