"""Cost of pre-filling a 考评 round from the data, beside the KPI page's own computation in the same run.

A fresh database gets the 西城区 demo deployment (``gisgrid demo load``: 279 grids, sample cases, sources,
tracks). Each repetition computes, for the last 365 days: the KPI table per street (``incidents.kpi.compute``,
what /incidents/kpi runs: the baseline), the patrol coverage of every grid (``patrols.service.coverage``, what
/patrols/coverage runs: a second baseline), and every indicator of every street of a round
(``evaluation.indicators.compute`` with one shared Period, what opening a round runs per form). Printed:
median seconds of each.
    .venv/bin/python scripts/bench_evaluation.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from gisgrid import create_app  # noqa: E402
from gisgrid.auth.models import User  # noqa: E402
from gisgrid.cli import main as cli_main  # noqa: E402
from gisgrid.clock import today_in_china  # noqa: E402
from gisgrid.db import db  # noqa: E402
from gisgrid.evaluation import indicators, queries  # noqa: E402
from gisgrid.grids import versions  # noqa: E402
from gisgrid.incidents import kpi  # noqa: E402
from gisgrid.patrols import service as patrols  # noqa: E402
from tests.conftest import fresh_database  # noqa: E402


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _round(session, streets: list[dict], start, end) -> None:
    period = indicators.Period(start, end)  # one per round: shared data is read once
    for g in streets:
        indicators.compute(session, g["code"], period)


def run(repeat: int) -> dict:
    times: dict[str, list[float]] = {
        "KPI table (baseline)": [],
        "patrol coverage (baseline)": [],
        "round indicators": [],
    }
    with fresh_database("gisgrid_bench_evaluation") as url:
        app = create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False})
        result = app.test_cli_runner().invoke(cli_main, ["demo", "load"])
        assert result.exit_code == 0, result.output
        with app.app_context(), db.new_session() as session:
            admin = session.scalar(select(User).where(User.username == "admin"))
            version = versions.find_published(session)
            streets = queries.round_grids(session, version.id, 2)
            end = today_in_china()
            start = end - timedelta(days=364)
            for _ in range(repeat):
                times["KPI table (baseline)"].append(timed(lambda: kpi.compute(session, start, end, "grid", 2)))
                times["patrol coverage (baseline)"].append(timed(lambda: patrols.coverage(session, admin, start, end)))
                times["round indicators"].append(timed(lambda: _round(session, streets, start, end)))
        db.dispose(app)
    return {"times": times, "streets": len(streets)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    result = run(args.repeat)
    print(f"{'computation (365 days, 西城区 demo)':<40} {'median s':>9}")
    for name, values in result["times"].items():
        print(f"{name:<40} {statistics.median(values):>9.3f}")
    print(f"round indicators cover {result['streets']} streets × {len(indicators.REGISTRY)} indicators")


if __name__ == "__main__":
    main()
