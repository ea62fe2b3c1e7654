#!/usr/bin/env python
"""Benchmark the 待办 header badge (one count per inbox source) against the page it sits on.

In one run, on a dedicated database (``gisgrid_bench_inbox``, from ``gisgrid_template``) with the 西城区 demo
grids, the demo accounts and duty matrix, N synthetic cases spread over the communities in every open state
and S sample sources, for each demo role:

* badge    -- ``inbox.service.counts`` (what every page's header runs once per request);
* entries  -- ``inbox.service.entries`` (the /inbox page and the phone app's bundle);
* per source -- each registered source's count alone;
* baseline -- ``GET /sources/dashboard`` through the test client with the badge switched off, and the same
              page with the badge on: the difference is what the header adds to a page.

Each figure is the median of R runs.

    .venv/bin/python scripts/bench_inbox.py [--cases 5000] [--sources 2000] [--runs 30] [--keep-db]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import func, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench_lookup import _admin, create_database  # noqa: E402

from gisgrid import create_app  # noqa: E402
from gisgrid.auth.demo import DEMO_PASSWORD, load_demo_users  # noqa: E402
from gisgrid.auth.models import User  # noqa: E402
from gisgrid.cli import DEMO_FILE  # noqa: E402
from gisgrid.db import db  # noqa: E402
from gisgrid.grids import queries as grid_queries  # noqa: E402
from gisgrid.grids import service as grids  # noqa: E402
from gisgrid.grids import versions  # noqa: E402
from gisgrid.inbox import registry  # noqa: E402
from gisgrid.inbox import service as inbox  # noqa: E402
from gisgrid.incidents import demo as incident_demo  # noqa: E402
from gisgrid.incidents.models import Incident  # noqa: E402
from gisgrid.sources import service as sources  # noqa: E402
from gisgrid.sources.demo import demo_rows  # noqa: E402

OPEN = ("reported", "registered", "dispatched", "in_progress", "handled", "verified", "closed")
ROLES = ("dispatcher", "leader_xichang", "staff_fuyou", "handler_zhujian", "admin")


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=5000)
    p.add_argument("--sources", type=int, default=2000)
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--db", default="gisgrid_bench_inbox")
    p.add_argument("--keep-db", action="store_true")
    return p.parse_args(argv)


def make_cases(session, n: int) -> None:
    """``n`` cases at the communities' inner points, states and departments drawn at random (seeded)."""
    version = versions.find_published(session)
    points = session.execute(
        text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grid WHERE version_id = :v "
            "AND level = (SELECT max(level) FROM grid WHERE version_id = :v)) g"
        ),
        {"v": version.id},
    ).all()
    chains = grid_queries.leaf_codes_at(session, version.id, [(i, x, y) for i, (x, y) in enumerate(points)])
    rng = random.Random(1)
    for i in range(n):
        k = rng.randrange(len(points))
        lon, lat = points[k]
        session.add(
            Incident(
                category_code="dust",
                description=f"基准测试案件 {i}",
                lon=lon,
                lat=lat,
                geom=f"SRID=4326;POINT({lon!r} {lat!r})",
                grid_codes=chains[k],
                version_id=version.id,
                channel=rng.choice(("web", "patrol", "hotline")),
                state=rng.choice(OPEN),
                department_codes=["zhujian"],
            )
        )
    session.commit()


def median_ms(fn, runs: int) -> float:
    """Median wall time of ``fn()`` in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def page_ms(app, username: str, runs: int) -> tuple[float, float]:
    """Median times of GET /sources/dashboard for ``username`` without and with the header badge.

    The two variants alternate run by run, so that a busy shared machine slows both alike.
    """
    client = app.test_client()
    client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    times: dict[bool, list[float]] = {False: [], True: []}
    try:
        for _ in range(runs):
            for badge in (False, True):
                app.jinja_env.globals["inbox_count"] = ORIGINAL[0] if badge else (lambda: 0)
                start = time.perf_counter()
                if client.get("/sources/dashboard").status_code != 200:
                    sys.exit("page failed")
                times[badge].append((time.perf_counter() - start) * 1000)
    finally:
        app.jinja_env.globals["inbox_count"] = ORIGINAL[0]
    return statistics.median(times[False]), statistics.median(times[True])


ORIGINAL: list = []


def main(argv=None) -> int:
    """Build, measure, print; returns 0."""
    args = parse_args(argv)
    url = create_database(args.db)
    app = create_app({"DATABASE_URL": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    ORIGINAL.append(app.jinja_env.globals["inbox_count"])
    try:
        with app.app_context(), db.new_session() as session:
            grids.import_file(session, DEMO_FILE, label="demo", publish=True)
            load_demo_users(session)
            incident_demo.load_demo(session)
            sources.register_rows(session, demo_rows(session, args.sources, seed=1), by="bench")
            make_cases(session, args.cases)
            total = session.scalar(select(func.count()).select_from(Incident))
            print(f"{total} cases, {args.sources} sources, median of {args.runs} runs each")
            for name in ROLES:
                user = session.scalar(select(User).where(User.username == name))
                count = sum(inbox.counts(session, user).values())
                badge = median_ms(lambda u=user: inbox.counts(session, u), args.runs)
                listed = median_ms(lambda u=user: inbox.entries(session, u), max(3, args.runs // 5))
                off, on = page_ms(app, name, args.runs)
                print(
                    f"{name:16} {count:5} waiting: badge {badge:6.2f} ms, entries {listed:7.2f} ms; "
                    f"page baseline (no badge) {off:6.2f} ms, with badge {on:6.2f} ms (+{on - off:.2f} ms)"
                )
                parts = ", ".join(
                    f"{s.name} {median_ms(lambda s=s, u=user: s.count(session, u), args.runs):.2f}"
                    for s in registry.sources()
                )
                print(f"{'':16} badge per source (ms): {parts}")
    finally:
        db.dispose(app)
        if not args.keep_db:
            _admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
