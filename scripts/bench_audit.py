"""Cost of the audit triggers on the write-heaviest paths, with the triggers on vs off in one run.

Each repetition imports and publishes the demo deployment (西城区, 279 grids, ``service.import_file``)
and loads ``--grids`` synthetic grids (scripts/bench/synthetic.py) once with the audit triggers
disabled (baseline) and once enabled, alternately, in a fresh database. Printed: median seconds and
the ratio with/without, and the audit rows written.
    .venv/bin/python scripts/bench_audit.py [--repeat 3] [--grids 5000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import synthetic  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from tqdm import tqdm  # noqa: E402

from gisgrid.cli import DEMO_FILE  # noqa: E402
from gisgrid.grids import queries, service  # noqa: E402
from tests.conftest import fresh_database  # noqa: E402

AUDITED = ("boundary_version", "grid", "grid_staff")


def set_triggers(s: Session, on: bool) -> None:
    """Enable or disable the audit triggers of the grid tables (the table owner may)."""
    for table in AUDITED:
        # one row trigger audit_<table>, or one statement trigger per event since 0015_scale
        names = s.scalars(
            text("SELECT tgname FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) AND tgname LIKE 'audit%'"),
            {"t": table},
        )
        for name in list(names):
            s.execute(text(f"ALTER TABLE {table} {'ENABLE' if on else 'DISABLE'} TRIGGER {name}"))
    s.commit()


def load_synthetic(s: Session, grid_set) -> None:
    """Insert, link and publish a synthetic grid set."""
    version_id = queries.insert_version(s, "synthetic", "scripts/bench_audit.py")
    for start in range(0, len(grid_set.rows), 1000):
        queries.insert_grids(s, version_id, grid_set.rows[start : start + 1000])
    queries.build_version(s, version_id)
    queries.publish(s, version_id)
    s.commit()


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(repeat: int, total: int) -> dict:
    grid_set = synthetic.build(total)
    times = {(op, on): [] for op in ("demo import", f"{total} grids") for on in (False, True)}
    with fresh_database("gisgrid_bench_audit") as url:
        engine = create_engine(url)
        with Session(engine) as s:
            for _ in tqdm(range(repeat), desc="repetitions"):
                for on in (False, True):
                    set_triggers(s, on)
                    times[("demo import", on)].append(
                        timed(lambda: service.import_file(s, str(DEMO_FILE), label="demo", publish=True))
                    )
                    times[(f"{total} grids", on)].append(timed(lambda: load_synthetic(s, grid_set)))
            rows = s.scalar(text("SELECT count(*) FROM audit_log"))
        engine.dispose()
    return {"times": times, "audit_rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--grids", type=int, default=5000)
    args = parser.parse_args()
    result = run(args.repeat, args.grids)
    print(f"{'operation':<16} {'no triggers s':>14} {'triggers s':>11} {'ratio':>6}")
    for op in dict.fromkeys(op for op, _ in result["times"]):
        off = statistics.median(result["times"][(op, False)])
        on = statistics.median(result["times"][(op, True)])
        print(f"{op:<16} {off:>14.2f} {on:>11.2f} {on / off:>6.2f}")
    print(f"audit rows written by the runs with triggers: {result['audit_rows']}")


if __name__ == "__main__":
    main()
