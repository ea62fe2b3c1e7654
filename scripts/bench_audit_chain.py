"""Cost of the audit hash chain (0016_sec_audit): sealing at commit and `gisgrid audit verify`, in one run.

In a fresh database, ``--rows`` audit rows are inserted in one transaction with the seal trigger
disabled (the baseline: insert + commit only) and then the same with it enabled (insert + seal at
commit); printed: seconds of each, their ratio, and the seconds `verify` takes to walk the chain
(SHA-256), with rows per second. ``--sm3`` also times sealing the same number of rows with SM3 in
Python (the audit.seal job) and verifying them.
    .venv/bin/python scripts/bench_audit_chain.py [--rows 100000] [--sm3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from gisgrid.audit import chain  # noqa: E402
from tests.conftest import fresh_database  # noqa: E402

INSERT = text(
    "INSERT INTO audit_log (actor_name, actor_source, actor_ip, entity, entity_key, action, changes)"
    " SELECT 'bench', 'cli', '10.0.0.1', 'security', 'user_' || i, 'login', jsonb_build_object('result', 'success', 'i', i)"
    " FROM generate_series(1, :n) AS i"
)


def _timed_insert(session: Session, n: int, seal: bool, algo: str = "sha256") -> float:
    """Insert ``n`` rows in one transaction and commit; seconds (the seal, if on, runs in the commit)."""
    session.execute(text(f"ALTER TABLE audit_log {'ENABLE' if seal else 'DISABLE'} TRIGGER gisgrid_chain_seal"))
    session.commit()
    started = time.perf_counter()
    session.execute(text("SELECT set_config('gisgrid.audit_hash', :a, true)"), {"a": algo})
    session.execute(INSERT, {"n": n})
    session.commit()
    return time.perf_counter() - started


def _timed(fn, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - started, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sm3", action="store_true", help="also seal and verify the same number of rows with SM3")
    args = parser.parse_args(argv)
    n = args.rows
    with fresh_database("gisgrid_bench_chain") as url:
        engine = create_engine(url)
        with Session(engine) as session:
            # rows of the baseline stay outside the chain: they are removed before verify (owner, throwaway database)
            base = _timed_insert(session, n, seal=False)
            session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER gisgrid_chain_guard"))
            session.execute(text("GRANT DELETE ON audit_log TO CURRENT_USER"))
            session.execute(text("DELETE FROM audit_log WHERE seq IS NULL"))
            session.execute(text("ALTER TABLE audit_log ENABLE TRIGGER gisgrid_chain_guard"))
            session.commit()
            sealed = _timed_insert(session, n, seal=True)
            print(f"{n:,} rows in one transaction: insert+commit {base:.2f}s, with the seal {sealed:.2f}s")
            print(
                f"ratio sealed / baseline: {sealed / base:.2f}; seal alone ≈ {(sealed - base) / n * 1e6:.1f} µs a row"
            )
            seconds, verdict = _timed(chain.verify, session)
            print(f"verify (sha256): {verdict.line()} in {seconds:.2f}s, {verdict.checked / seconds:,.0f} rows/s")
            if args.sm3:
                _timed_insert(session, n, seal=True, algo="sm3")
                seconds, count = _timed(chain.seal_pending, session)
                print(
                    f"seal job (sm3 by {chain._SM3_ENGINE}): {count:,} rows in {seconds:.2f}s, {count / seconds:,.0f} rows/s"
                )
                seconds, verdict = _timed(chain.verify, session)
                print(
                    f"verify (sha256 + sm3): {verdict.line()} in {seconds:.2f}s, {verdict.checked / seconds:,.0f} rows/s"
                )
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
