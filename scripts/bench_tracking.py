#!/usr/bin/env python
"""Benchmark the tracked-item engine on N synthetic items over the 西城区 demo grids, each beside a baseline.

Builds a scratch database (the demo's 279 grids, N items owned by random communities, due dates spread
over the last 60 days) and times, in this process:

* escalate (first run)  -- every overdue item climbs its levels, one row + note + audit row each;
  baseline: reading the same overdue rows (the least an escalation run must do);
* escalate (again)      -- the same day again: nothing new (the idempotent daily re-run);
* waiting_for           -- the inbox rows of a community's staff and of the district leader;
  baseline: list_items of the same user (the same scope filter, no owner/watcher test per row);
* overdue_by_level      -- the per-level table of the district leader; baseline: count(*) in scope.
* map features          -- the 督办 list's map of the district leader (the list's 500 items placed by their
  subject, here their owner's grid); baseline: list_items of the same user (the same 500 rows).

    .venv/bin/python scripts/bench_tracking.py                  # 20,000 items
    .venv/bin/python scripts/bench_tracking.py --items 2000 --json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench_lookup import _admin, create_database  # noqa: E402

from gisgrid.auth import roles  # noqa: E402
from gisgrid.auth.models import User, UserGrid  # noqa: E402
from gisgrid.cli import DEMO_FILE  # noqa: E402
from gisgrid.clock import today_in_china  # noqa: E402
from gisgrid.grids import service as grids  # noqa: E402
from gisgrid.grids.models import Grid  # noqa: E402
from gisgrid.tracking import places, queries, service  # noqa: E402
from gisgrid.tracking.models import ACTIVE_STATES, TrackedItem  # noqa: E402
from gisgrid.tracking.rules import Rules  # noqa: E402

TOP = "110102000000"


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--items", type=int, default=20_000)
    p.add_argument(
        "--db", default="gisgrid_bench_tracking", help="database to (re)build; must start with gisgrid_bench"
    )
    p.add_argument("--seed", type=int, default=20261205)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if not args.db.startswith("gisgrid_bench"):
        p.error("--db must start with gisgrid_bench: it is dropped and recreated")
    return args


def _user(session: Session, name: str, role: str, code: str) -> User:
    user = User(username=name, password_hash="x", display_name=name, role=role, grids=[UserGrid(grid_code=code)])
    session.add(user)
    return user


def load_items(session: Session, n: int, seed: int) -> dict:
    """N items owned by random communities, watched by their street, due over the last 60 days."""
    rng, today = random.Random(seed), today_in_china()
    version = grids.import_file(session, DEMO_FILE, label="bench", publish=True).version_id
    leaves = session.execute(select(Grid.code).where(Grid.version_id == version, Grid.level == 3)).scalars().all()
    chains = {code: queries.grid_chain(session, code) for code in leaves}
    rows = []
    for _ in range(n):
        chain = chains[rng.choice(leaves)]
        opened = today - timedelta(days=rng.randint(20, 90))
        rows.append({
            "kind": "duban", "title": "bench", "priority": rng.choice(("full", "rapid", "regular")), "state": "open",
            "owner_grid_code": chain[-1], "chain": chain, "watcher_grid_code": chain[-2], "watcher_label": "bench",
            "watcher_chain": chain[:-1], "opened_on": opened, "due": opened + timedelta(days=rng.randint(3, 80)),
        })  # fmt: skip
    session.execute(insert(TrackedItem), rows)
    staff = _user(session, "bench_staff", roles.GRID_STAFF, leaves[0])
    leader = _user(session, "bench_leader", roles.GRID_LEADER, TOP)
    session.commit()
    return {"staff": staff, "leader": leader, "today": today, "grids": len(chains)}


def timed(fn, repeat: int = 1) -> float:
    """Best wall time of ``repeat`` calls, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return round(best * 1000, 2)


def measure(session: Session, world: dict) -> list[dict]:
    """Each figure beside its same-run baseline."""
    today, staff, leader = world["today"], world["staff"], world["leader"]
    overdue = select(TrackedItem).where(TrackedItem.state.in_(ACTIVE_STATES), TrackedItem.due < today)
    baseline_read = timed(lambda: session.scalars(overdue).all())
    session.expire_all()
    made = []
    first = timed(lambda: made.extend(service.escalate_overdue(session, today, Rules())))
    again = timed(lambda: service.escalate_overdue(session, today, Rules()))
    out = [{"what": f"escalate, first run ({len(made)} escalations)", "ms": first, "baseline": "read the overdue rows",
            "baseline_ms": baseline_read},
           {"what": "escalate, same day again (0 new)", "ms": again, "baseline": "read the overdue rows",
            "baseline_ms": baseline_read}]  # fmt: skip
    for name, user in (("community staff", staff), ("district leader", leader)):
        rows = queries.waiting_for(session, user, today)
        out.append({
            "what": f"waiting_for, {name} ({len(rows)} rows)", "ms": timed(lambda u=user: queries.waiting_for(session, u, today), 5),
            "baseline": "list_items of the same user",
            "baseline_ms": timed(lambda u=user: queries.list_items(session, u, {}, today, limit=10**9), 5),
        })  # fmt: skip
    count = select(func.count()).select_from(TrackedItem).where(queries.scope_filter(leader))
    out.append({"what": "overdue_by_level, district leader", "ms": timed(lambda: queries.overdue_by_level(session, leader, today), 5),
                "baseline": "count(*) in scope", "baseline_ms": timed(lambda: session.scalar(count), 5)})  # fmt: skip
    mapped = len(places.features(session, leader, {}, today)["features"])
    out.append({"what": f"map features, district leader ({mapped} points)",
                "ms": timed(lambda: places.features(session, leader, {}, today), 5),
                "baseline": "list_items of the same user (500 rows)",
                "baseline_ms": timed(lambda: queries.list_items(session, leader, {}, today), 5)})  # fmt: skip
    return out


def main(argv=None) -> int:
    """Build, measure, print, drop."""
    args = parse_args(argv)
    url = create_database(args.db)
    engine = create_engine(url)
    try:
        from gisgrid import create_app

        with create_app({"DATABASE_URL": url}).app_context(), Session(engine, expire_on_commit=False) as session:
            world = load_items(session, args.items, args.seed)
            results = measure(session, world)
    finally:
        engine.dispose()
        _admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    report = {"items": args.items, "grids": world["grids"], "results": results}
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(f"{args.items} tracked items over {world['grids']} communities")
        for r in results:
            print(f"  {r['what']:<48} {r['ms']:>10.2f} ms   baseline ({r['baseline']}): {r['baseline_ms']:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
