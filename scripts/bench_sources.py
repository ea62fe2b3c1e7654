#!/usr/bin/env python
"""Benchmark the source import and the patrol coverage on the 西城区 demo grids, against baselines.

In one run, on a dedicated database (``gisgrid_bench_sources``, from ``gisgrid_template``) with the
demo boundaries (279 grids):

* import   -- ``sources.service.import_file`` of N CSV rows (validation, grid assignment, class
              rules, history, one transaction) vs the baseline: the same rows as plain
              ``INSERT ... ST_MakePoint`` statements over psycopg2 with no checks at all (the floor);
* coverage -- ``patrols.service.coverage`` for a month of T synthetic tracks at D metres (PostGIS
              geography buffers, one query) vs the baseline: the same shares computed independently
              in Python (shapely, every geometry projected to one Lambert azimuthal equal-area
              projection centred on the district); the largest share difference is printed too, as a
              cross-check of the geodesic computation.

    .venv/bin/python scripts/bench_sources.py [--sources 5000] [--tracks 300] [--distance 100] [--keep-db]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import psycopg2
import shapely
from pyproj import Transformer
from sqlalchemy import select
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench_lookup import _admin, create_database  # noqa: E402

from gisgrid import create_app  # noqa: E402
from gisgrid.auth import service as auth  # noqa: E402
from gisgrid.cli import DEMO_FILE  # noqa: E402
from gisgrid.db import db  # noqa: E402
from gisgrid.grids import service as grids  # noqa: E402
from gisgrid.grids.models import Grid  # noqa: E402
from gisgrid.patrols import service as patrols  # noqa: E402
from gisgrid.patrols.demo import _walk  # noqa: E402
from gisgrid.patrols.models import PatrolTrack  # noqa: E402
from gisgrid.sources import service as sources  # noqa: E402
from gisgrid.sources.demo import demo_rows  # noqa: E402

CHINA = timezone(timedelta(hours=8))


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sources", type=int, default=5000)
    p.add_argument("--tracks", type=int, default=300, help="tracks in the month (e.g. 10 staff x 30 days)")
    p.add_argument("--distance", type=float, default=100.0)
    p.add_argument("--db", default="gisgrid_bench_sources")
    p.add_argument("--keep-db", action="store_true")
    return p.parse_args(argv)


def write_csv(rows: list[tuple[int, dict]], path: str) -> None:
    """The rows as an import CSV."""
    cols = ["code", "name", "kind", "lon", "lat", "industry", "class"]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(cols)
        writer.writerows([[r.get(c) for c in cols] for _, r in rows])


def baseline_insert(dsn: str, rows: list[tuple[int, dict]]) -> float:
    """Plain INSERTs of the same rows with no checks; seconds (rolled back)."""
    conn = psycopg2.connect(dsn)
    try:
        start = time.perf_counter()
        with conn.cursor() as cur:
            for _, r in rows:
                cur.execute(
                    "INSERT INTO pollution_source (code, name, kind, supervision_class, class_reason, location)"
                    " VALUES (%s, %s, %s, 'B', 'bench', ST_SetSRID(ST_MakePoint(%s, %s), 4326))",
                    (r["code"], r["name"], r["kind"], r["lon"], r["lat"]),
                )
        elapsed = time.perf_counter() - start
        conn.rollback()
        return elapsed
    finally:
        conn.close()


def make_tracks(session, user, n: int, first_day: date) -> None:
    """``n`` lawn-mower walks through random leaf grids over 30 days."""
    rng = random.Random(3)
    leaves = session.execute(select(Grid.geom.ST_AsBinary()).where(Grid.level == 3)).scalars().all()
    for i in tqdm(range(n), desc="tracks", unit="track"):
        geom = shapely.from_wkb(bytes(leaves[rng.randrange(len(leaves))]))
        start = datetime.combine(first_day + timedelta(days=i % 30), datetime.min.time(), CHINA) + timedelta(hours=9)
        patrols.save_track(session, user, _walk(geom, start, rng), "api")


def python_shares(session, distance: float) -> dict[str, float]:
    """Coverage shares computed independently with shapely in one equal-area projection."""
    grid_rows = session.execute(select(Grid.code, Grid.geom.ST_AsBinary())).all()
    lines = session.execute(select(PatrolTrack.geom.ST_AsBinary())).scalars().all()
    centre = shapely.from_wkb(bytes(grid_rows[0][1])).centroid
    proj = Transformer.from_crs(
        "EPSG:4326", f"+proj=laea +lat_0={centre.y} +lon_0={centre.x} +ellps=WGS84", always_xy=True
    )

    def project(g):
        return shapely.transform(g, lambda xy: np.column_stack(proj.transform(xy[:, 0], xy[:, 1])))

    covered = shapely.union_all([project(shapely.from_wkb(bytes(w))).buffer(distance, 16) for w in lines])
    shares = {}
    for code, wkb in grid_rows:
        g = project(shapely.from_wkb(bytes(wkb)))
        shares[code] = g.intersection(covered).area / g.area
    return shares


def main(argv=None) -> int:
    """Build, measure, print; returns 0."""
    args = parse_args(argv)
    url = create_database(args.db)
    app = create_app({"DATABASE_URL": url})
    try:
        with app.app_context(), db.new_session() as session:
            grids.import_file(session, DEMO_FILE, label="demo", publish=True)
            user = auth.create_user(session, "bench_staff", "Bench-password-1", "admin")
            rows = demo_rows(session, args.sources, seed=1)
            dsn = url.replace("postgresql+psycopg2://", "postgresql://")
            base_s = baseline_insert(dsn, rows)
            with tempfile.TemporaryDirectory() as tmp:
                write_csv(rows, f"{tmp}/s.csv")
                start = time.perf_counter()
                sources.import_file(session, f"{tmp}/s.csv", by="bench")
                import_s = time.perf_counter() - start
            first = date(2026, 11, 1)
            make_tracks(session, user, args.tracks, first)
            start = time.perf_counter()
            result = patrols.coverage(session, user, first, first + timedelta(days=29), args.distance)
            cov_s = time.perf_counter() - start
            start = time.perf_counter()
            py = python_shares(session, args.distance)
            py_s = time.perf_counter() - start
        diff = max(abs(g["share"] - py[g["code"]]) for g in result["grids"])
        n = args.sources
        print(
            f"import {n} rows: {import_s:.2f} s = {n / import_s:,.0f} rows/s; baseline plain INSERT "
            f"{base_s:.2f} s = {n / base_s:,.0f} rows/s; ratio {base_s / import_s:.2f}x"
        )
        print(
            f"coverage, {len(result['grids'])} grids, {args.tracks} tracks, {len(result['sources'])} sources, "
            f"{args.distance:g} m: {cov_s:.2f} s; baseline shapely/LAEA {py_s:.2f} s; ratio {py_s / cov_s:.2f}x; "
            f"largest share difference {diff * 100:.3f} percentage points"
        )
    finally:
        db.engine.dispose()
        db.read_engine.dispose()
        if not args.keep_db:
            _admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
