"""The audit trail's hash chain, grants and retention on their own committed database (sealing happens at commit).

Every assertion runs against real PostgreSQL: the rows are sealed by the commit trigger, the app role's
refusals are PostgreSQL's, tampering is done with the owner's own DDL, and `gisgrid audit verify` runs
as the installed command line would.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gisgrid.audit import chain, seals, security, tasks
from gisgrid.auth import service as auth_service
from tests.conftest import committed_app, committed_session
from tests.helpers import PASSWORD


@pytest.fixture(scope="module")
def chain_app():
    with committed_app("gisgrid_chain") as application:
        yield application


@pytest.fixture()
def session(chain_app):
    with committed_session(chain_app) as sess:
        yield sess


def _some_history(session, prefix: str) -> None:
    """Three committed transactions: two accounts and a login event."""
    for n in (1, 2):
        auth_service.create_user(session, f"{prefix}_{n}", PASSWORD, "grid_staff")
    security.record("login", f"{prefix}_1", "10.0.0.7", f"{prefix}_1", "success", session=session)


def _verify_cli(app) -> tuple[int, str]:
    from gisgrid.cli import main

    result = app.test_cli_runner().invoke(main, ["audit", "verify"])
    return result.exit_code, result.stdout


def test_committed_rows_are_chained_and_verify(chain_app, session):
    """Each committed transaction has one seal (0017_h21chain) listing its rows, linked to the one before."""
    _some_history(session, "chain")
    rows = session.execute(text("SELECT id, txid FROM audit_log ORDER BY id")).all()
    sealed = session.execute(text("SELECT * FROM audit_seal ORDER BY seq")).all()
    assert rows and [s.seq for s in sealed] == list(range(1, len(sealed) + 1))
    assert sorted(i for s in sealed for i in s.ids) == [r.id for r in rows]  # every row in exactly one seal
    assert {s.txid for s in sealed} == {r.txid for r in rows} and len(sealed) >= 3  # one per transaction
    assert sealed[0].prev_hash == chain.GENESIS  # the per-row chain of this fresh database is empty
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(sealed, sealed[1:], strict=False))
    for seal in sealed:
        assert seal.hash_algo == "sha256" and len(seal.digests) == 32 * len(seal.ids)
        assert seal.hash == seals.seal_hash("sha256", seal.prev_hash, seal.seq, bytes(seal.digests))
    assert session.execute(text("SELECT count(*) FROM audit_log WHERE seq IS NOT NULL")).scalar() == 0
    verdict = chain.verify(session)
    assert verdict.ok and verdict.checked == len(rows) and verdict.line() == f"OK {len(rows)} rows"
    assert _verify_cli(chain_app) == (0, f"OK {len(rows)} rows\n")


def test_the_command_line_lists_security_events_and_refuses_a_short_retention(chain_app, session):
    from gisgrid.cli import main

    _some_history(session, "cli")
    runner = chain_app.test_cli_runner()
    listed = runner.invoke(main, ["audit", "list", "--entity", "security", "--action", "login", "--actor", "cli_1"])
    assert listed.exit_code == 0, listed.output
    assert "登录 安全事件" in listed.output and "cli_1: success" in listed.output
    short = runner.invoke(main, ["audit", "prune", "--days", "30"])
    assert short.exit_code == 2 and "180" in short.output


def test_writers_committing_at_the_same_time_keep_one_chain(chain_app, session):
    """Four threads, each its own connection, commit 25 transactions each; the chain has no fork or gap."""
    from concurrent.futures import ThreadPoolExecutor

    from gisgrid.db import db

    before = chain.verify(session).checked

    def writer(k: int) -> int:
        with chain_app.app_context(), db.new_session() as own:
            for i in range(25):
                security.record("login", f"w{k}", "10.0.1.1", f"w{k}_{i}", "success", session=own)
        return k

    with ThreadPoolExecutor(4) as pool:
        assert sorted(pool.map(writer, range(4))) == [0, 1, 2, 3]
    verdict = chain.verify(session)
    assert verdict.ok and verdict.checked == before + 100


def test_the_app_role_cannot_update_or_delete_audit_rows(session):
    _some_history(session, "grants")
    row_id = session.execute(text("SELECT max(id) FROM audit_log")).scalar()  # committed, so sealed
    statements = [
        "UPDATE audit_log SET actor_name = 'someone else' WHERE id = :id",  # no column privilege
        "UPDATE audit_log SET changes = '{}' WHERE id = :id",  # privilege to fold, but the row is sealed
        "DELETE FROM audit_log WHERE id = :id",
        "TRUNCATE audit_log",
    ]
    for statement in statements:
        with pytest.raises(DBAPIError) as refused:
            session.execute(text(statement), {"id": row_id})
        assert refused.value.orig.pgcode == "42501", statement  # insufficient_privilege
        session.rollback()
    assert session.execute(text("SELECT current_user")).scalar() == "gisgrid"  # the application's own role
    assert session.execute(text("SELECT count(*) FROM audit_log WHERE id = :id"), {"id": row_id}).scalar() == 1
    seal_statements = [
        "UPDATE audit_seal SET ids = '{}' WHERE seq = :seq",  # no column privilege
        "UPDATE audit_seal SET hash = 'forged' WHERE seq = :seq",  # privilege for the SM3 job, but hashed
        "DELETE FROM audit_seal WHERE seq = :seq",
        "TRUNCATE audit_seal",
    ]
    last = session.execute(text("SELECT max(seq) FROM audit_seal")).scalar()
    for statement in seal_statements:
        with pytest.raises(DBAPIError) as refused:
            session.execute(text(statement), {"seq": last})
        assert refused.value.orig.pgcode == "42501", statement
        session.rollback()


def _as_owner_alter(session: Session, statement: str, **params) -> None:
    """What a database owner (or superuser) can still do: drop the guards, grant itself, change rows or seals."""
    session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER gisgrid_chain_guard"))
    session.execute(text("ALTER TABLE audit_seal DISABLE TRIGGER gisgrid_seal_guard"))
    session.execute(text("GRANT UPDATE, DELETE ON audit_log, audit_seal TO CURRENT_USER"))
    session.execute(text(statement), params)
    session.execute(text("REVOKE UPDATE, DELETE ON audit_log, audit_seal FROM CURRENT_USER"))
    session.execute(text("GRANT UPDATE (changes) ON audit_log TO CURRENT_USER"))  # as 0017_h21chain left them
    session.execute(text("GRANT UPDATE (digests, prev_hash, hash) ON audit_seal TO CURRENT_USER"))
    session.execute(text("ALTER TABLE audit_seal ENABLE TRIGGER gisgrid_seal_guard"))
    session.execute(text("ALTER TABLE audit_log ENABLE TRIGGER gisgrid_chain_guard"))
    session.commit()


def _owner_sets_changes(session: Session, row_id: int, changes) -> None:
    """The owner rewrites one audit row's ``changes`` (to forge it, or to put the original back)."""
    statement = "UPDATE audit_log SET changes = CAST(:c AS jsonb) WHERE id = :id"
    _as_owner_alter(session, statement, c=_json(changes), id=row_id)


def test_a_row_altered_directly_is_found_by_verify(chain_app, session):
    _some_history(session, "tamper")
    victim = session.execute(
        text("SELECT id, at, changes FROM audit_log WHERE entity = 'app_user' ORDER BY id DESC OFFSET 1 LIMIT 1")
    ).one()
    forged = {**victim.changes, "role": "admin"}
    _owner_sets_changes(session, victim.id, forged)
    verdict = chain.verify(session)
    assert not verdict.ok and verdict.broken_id == victim.id and "altered" in verdict.reason
    assert verdict.broken_tx == _seal_of(session, victim.id)
    code, out = _verify_cli(chain_app)
    assert code == 1 and out.startswith(f"BROKEN at id {victim.id}, ")
    # the original content back: the chain holds again (the hash covers exactly the content)
    _owner_sets_changes(session, victim.id, victim.changes)
    assert chain.verify(session).ok


def test_a_row_deleted_directly_breaks_the_chain(chain_app, session):
    _some_history(session, "gap")
    victim = session.execute(text("SELECT id FROM audit_log ORDER BY id DESC OFFSET 2 LIMIT 1")).one()
    saved = session.execute(text("SELECT * FROM audit_log WHERE id = :id"), {"id": victim.id}).mappings().one()
    _as_owner_alter(session, "DELETE FROM audit_log WHERE id = :id", id=victim.id)
    verdict = chain.verify(session)
    assert not verdict.ok and verdict.broken_id == victim.id and "missing (deleted)" in verdict.reason
    assert verdict.broken_tx == _seal_of(session, victim.id)
    _restore(session, saved)
    assert chain.verify(session).ok


def test_removing_the_newest_transaction_is_found_too(session):
    """The newest seal and its rows deleted together: the head no longer matches the chain's end."""
    _some_history(session, "tail")
    seal = session.execute(text("SELECT * FROM audit_seal ORDER BY seq DESC LIMIT 1")).mappings().one()
    rows = session.execute(text("SELECT * FROM audit_log WHERE id = ANY(:ids)"), {"ids": seal["ids"]}).mappings().all()
    _as_owner_alter(session, "DELETE FROM audit_log WHERE id = ANY(:ids)", ids=seal["ids"])
    _as_owner_alter(session, "DELETE FROM audit_seal WHERE seq = :seq", seq=seal["seq"])
    verdict = chain.verify(session)
    assert not verdict.ok and "transactions removed" in verdict.reason
    for row in rows:
        _restore(session, row)
    _restore_seal(session, seal)
    assert chain.verify(session).ok


def test_an_altered_seal_is_found_at_its_transaction(session):
    """A row's digest changed in its seal (to match a forged row): the seal's own hash no longer holds."""
    _some_history(session, "sealed")
    seal = session.execute(text("SELECT seq, digests FROM audit_seal ORDER BY seq DESC OFFSET 1 LIMIT 1")).one()
    forged = bytes(32) + bytes(seal.digests)[32:]
    _as_owner_alter(session, "UPDATE audit_seal SET digests = :d WHERE seq = :seq", d=forged, seq=seal.seq)
    verdict = chain.verify(session)
    assert not verdict.ok and verdict.broken_tx == seal.seq and "does not match its hash" in verdict.reason
    assert verdict.line().startswith(f"BROKEN at transaction {seal.seq}: ")
    _as_owner_alter(session, "UPDATE audit_seal SET digests = :d WHERE seq = :seq", d=bytes(seal.digests), seq=seal.seq)
    assert chain.verify(session).ok


def test_a_seal_rewritten_consistently_breaks_the_link_of_the_next(session):
    """Row, digest and seal hash all forged: the next transaction's prev_hash gives it away."""
    _some_history(session, "rewrite")
    seal = session.execute(text("SELECT * FROM audit_seal ORDER BY seq DESC OFFSET 1 LIMIT 1")).one()
    victim = session.execute(text("SELECT id, changes FROM audit_log WHERE id = :id"), {"id": seal.ids[0]}).one()
    _as_owner_alter(
        session,
        "UPDATE audit_log SET changes = changes || '{\"forged\": true}' WHERE id = :id",
        id=victim.id,
    )
    canon = session.execute(text("SELECT gisgrid_audit_canon(a) FROM audit_log a WHERE id = :id"), {"id": victim.id})
    digests = seals.row_digest("sha256", canon.scalar()) + bytes(seal.digests)[32:]
    forged = seals.seal_hash("sha256", seal.prev_hash, seal.seq, digests)
    statement = "UPDATE audit_seal SET digests = :d, hash = :h WHERE seq = :seq"
    _as_owner_alter(session, statement, d=digests, h=forged, seq=seal.seq)
    verdict = chain.verify(session)
    assert not verdict.ok and verdict.broken_tx == seal.seq + 1 and "prev_hash" in verdict.reason
    _as_owner_alter(session, statement, d=bytes(seal.digests), h=seal.hash, seq=seal.seq)
    _owner_sets_changes(session, victim.id, victim.changes)
    assert chain.verify(session).ok


def test_reordered_transactions_and_rows_are_found(session):
    _some_history(session, "order")
    last = session.execute(text("SELECT max(seq) FROM audit_seal")).scalar()
    # the two newest transactions trade places: each seal takes the other's content
    swap = (
        "UPDATE audit_seal AS s SET txid = o.txid, ids = o.ids, digests = o.digests, last_at = o.last_at,"
        " prev_hash = o.prev_hash, hash = o.hash FROM audit_seal AS o WHERE s.seq IN (:a, :b) AND o.seq = :a + :b - s.seq"
    )
    _as_owner_alter(session, swap, a=last - 1, b=last)
    verdict = chain.verify(session)
    assert not verdict.ok and verdict.broken_tx == last - 1 and "prev_hash" in verdict.reason
    _as_owner_alter(session, swap, a=last - 1, b=last)
    assert chain.verify(session).ok
    # two rows of one transaction swap places in its seal's list (their digests stay): the first is found
    _backdated(session, days=(0,), rows=3)  # one transaction of three rows
    many = session.execute(text("SELECT seq, ids FROM audit_seal ORDER BY seq DESC LIMIT 1")).one()
    assert len(many.ids) == 3
    ids = [many.ids[1], many.ids[0], *many.ids[2:]]
    _as_owner_alter(session, "UPDATE audit_seal SET ids = :ids WHERE seq = :seq", ids=ids, seq=many.seq)
    verdict = chain.verify(session)
    assert not verdict.ok and verdict.broken_id == many.ids[1] and verdict.broken_tx == many.seq
    _as_owner_alter(session, "UPDATE audit_seal SET ids = :ids WHERE seq = :seq", ids=many.ids, seq=many.seq)
    assert chain.verify(session).ok


def test_a_row_slipped_into_a_sealed_transaction_is_found(session):
    """A forged row with the txid of a committed transaction: no seal lists it."""
    _some_history(session, "slip")
    saved = session.execute(text("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")).mappings().one()
    forged = {**saved, "id": saved["id"] + 1_000_000, "entity_key": "forged"}
    _restore(session, forged)
    verdict = chain.verify(session)
    assert not verdict.ok and verdict.broken_id == forged["id"] and "outside the chain" in verdict.reason
    _as_owner_alter(session, "DELETE FROM audit_log WHERE id = :id", id=forged["id"])
    assert chain.verify(session).ok


def test_a_row_slipped_in_without_its_seal_is_found(session):
    session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER gisgrid_chain_seal"))
    security.record("login", "ghost", "10.0.0.9", "ghost", "success", session=session)
    session.execute(text("ALTER TABLE audit_log ENABLE TRIGGER gisgrid_chain_seal"))
    session.commit()
    ghost = session.execute(text("SELECT id FROM audit_log WHERE entity_key = 'ghost'")).scalar()
    verdict = chain.verify(session)
    assert not verdict.ok and verdict.broken_id == ghost and "outside the chain" in verdict.reason
    _as_owner_alter(session, "DELETE FROM audit_log WHERE id = :id", id=ghost)
    assert chain.verify(session).ok


def test_sm3_rows_wait_for_the_sealing_job_and_then_verify(session):
    before = chain.verify(session).checked
    session.execute(text("SELECT set_config('gisgrid.audit_hash', 'sm3', true)"))
    security.record("permission", "sm3_admin", "10.0.0.8", "sm3_target", "success", session=session)
    pending = session.execute(text("SELECT * FROM audit_seal ORDER BY seq DESC LIMIT 1")).one()
    assert pending.hash_algo == "sm3" and pending.hash is None and pending.digests is None
    assert len(pending.ids) == 1
    assert chain.verify(session).line() == f"OK {before} rows, 1 awaiting their SM3 seal"
    assert tasks.seal(session, {}) == 1
    sealed = session.execute(text("SELECT * FROM audit_seal WHERE seq = :s"), {"s": pending.seq}).one()
    canon = session.execute(
        text("SELECT gisgrid_audit_canon(a) FROM audit_log a WHERE id = :id"), {"id": pending.ids[0]}
    )
    assert bytes(sealed.digests) == seals.row_digest("sm3", canon.scalar())
    assert sealed.hash == seals.seal_hash("sm3", sealed.prev_hash, sealed.seq, bytes(sealed.digests))
    assert len(sealed.hash) == 64 and sealed.hash != seals.seal_hash("sha256", sealed.prev_hash, sealed.seq, b"")
    verdict = chain.verify(session)
    assert verdict.ok and verdict.checked == before + 1


def test_prune_keeps_recent_rows_logs_itself_and_the_chain_still_verifies():
    from gisgrid import create_app
    from gisgrid.db import db
    from tests.conftest import fresh_database

    with fresh_database("gisgrid_prune") as url:
        app = create_app({"DATABASE_URL": url, "TESTING": True})
        with app.app_context(), db.new_session() as session:
            _backdated(session, days=(400, 300, 200))  # the chain's first three rows, older than 180 days
            _some_history(session, "recent")
            recent = session.execute(text("SELECT count(*) FROM audit_log")).scalar() - 3
            assert chain.prune(session, 180) == 3
            left = session.execute(text("SELECT action, entity, changes FROM audit_log ORDER BY id")).all()
            assert len(left) == recent + 1 and not any("at_days" in r.changes for r in left)
            prune_row = left[-1]
            assert (prune_row.action, prune_row.entity) == ("prune", "security")
            assert prune_row.changes["removed"] == 3 and prune_row.changes["retention_days"] == 180
            assert chain.verify(session).ok and chain.verify(session).checked == len(left)
            assert tasks.prune(session, {"AUDIT_RETENTION_DAYS": 180}) == 0  # nothing old left; logged again
            with pytest.raises(DBAPIError, match="at least 180 days"):
                chain.prune(session, 30)
        db.dispose(app)
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'prune'")).scalar() == 2
        engine.dispose()


def _backdated(session, days, rows: int = 1) -> None:
    """One committed transaction of ``rows`` login events per age in ``days``."""
    for age in days:
        session.execute(
            text(
                "INSERT INTO audit_log (at, actor_name, actor_source, entity, entity_key, action, changes)"
                " SELECT now() - make_interval(days => :age), 'old', 'db', 'security', 'old', 'login',"
                " jsonb_build_object('result', 'success', 'at_days', :age, 'n', n) FROM generate_series(1, :rows) AS n"
            ),
            {"age": age, "rows": rows},
        )
        session.commit()


def _restore(session, saved) -> None:
    columns = ", ".join(saved.keys())
    values = ", ".join(f":{k}" for k in saved.keys())
    session.execute(
        text(f"INSERT INTO audit_log ({columns}) VALUES ({values})"),
        {**saved, "changes": _json(saved["changes"])},
    )
    session.commit()  # an INSERT is the app role's right; the row keeps its seq and hashes (sealed already)


def _restore_seal(session, saved) -> None:
    columns = ", ".join(saved.keys())
    values = ", ".join(f":{k}" for k in saved.keys())
    session.execute(text(f"INSERT INTO audit_seal ({columns}) VALUES ({values})"), dict(saved))
    session.commit()


def _seal_of(session, row_id: int) -> int:
    return session.execute(text("SELECT seq FROM audit_seal WHERE :id = ANY(ids)"), {"id": row_id}).scalar()


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def test_the_csv_export_gives_each_row_its_transaction_seal_hash(session):
    import csv
    import io

    from gisgrid.audit import service

    _some_history(session, "csv")
    body, count = service.export_csv(session, {"entity": "security", "action": "login"})
    rows = list(csv.reader(io.StringIO(body)))[1:]
    assert count == len(rows) >= 1
    for row in rows:
        expected = session.execute(text("SELECT hash FROM audit_seal WHERE :id = ANY(ids)"), {"id": int(row[0])})
        assert row[-1] == expected.scalar() and len(row[-1]) == 64
