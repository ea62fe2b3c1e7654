#!/usr/bin/env python
"""Benchmark point → grid lookups on N synthetic grids, against a plain PostGIS baseline.

In one run: builds a dedicated database (``gisgrid_bench``, from ``gisgrid_template``)
with N synthetic grids in three levels (~N/1000 counties → ~N/50 townships → villages
of 30-250 vertices whose bent edges are shared exactly, around lon 110-120, lat 30-40),
written by the project's own insert_version/insert_grids/build_version/publish, then
measures, on random points of the data extent (~2 % fall just outside it):

* baseline -- one plain ``ST_Covers`` query per point, sequentially over one psycopg2 connection;
* bare     -- the ceiling: a minimal Flask app answering a small JSON document (scripts/bench/bare_app.py)
              under the same gunicorn settings and the same wrk load;
* HTTP     -- ``GET /api/v1/lookup`` under gunicorn (2 sync workers) driven by wrk, concurrency 8;
* batch    -- ``PartIndex.assign`` in process beside its peer, a plain shapely
              ``STRtree.query(points, predicate="covered_by")`` over the same leaf-level parts, and
              ``POST /api/v1/lookup/batch`` as CSV and GeoJSON.

Targets (issue 25, 2-core machine): HTTP lookups >= 0.75x the bare ceiling with p99 <= 10 ms at
100,000 grids (>= 0.7x at 640,000); batch >= 500,000 points/s in process and >= 0.6x the shapely
peer; over HTTP >= 300,000 points/s as CSV and >= 150,000 as GeoJSON. Machines are noisy, so every
figure is printed beside its same-run baseline.

    .venv/bin/python scripts/bench_lookup.py                      # 100,000 grids, full run
    .venv/bin/python scripts/bench_lookup.py --grids 2000 --duration 3 --batch-points 50000
    .venv/bin/python scripts/bench_lookup.py --keep-db            # keep gisgrid_bench afterwards
    .venv/bin/python scripts/bench_lookup.py --reuse-db gisgrid_bench --json
    .venv/bin/python scripts/bench_lookup.py --grids 640000 --keep-db   # national village level (slow build)
    .venv/bin/python scripts/bench_lookup.py --reuse-db gisgrid_bench --pythonpath /tmp/old  # A/B other code
    .venv/bin/python scripts/bench_lookup.py --reuse-db gisgrid_bench --compare-preload  # memory per worker

After the lookup load and again after the batch POSTs it reads the memory of gunicorn's master and of
each worker (PSS, RSS, private dirty, shared; /proc/<pid>/smaps_rollup): with ``--preload`` the workers
share the lookup data the master built, without it each holds its own copy.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import psycopg2
import shapely
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench import load, memory, synthetic  # noqa: E402
from bench.lookup_report import TARGETS, print_table, summarise  # noqa: E402

from gisgrid import config as settings  # noqa: E402
from gisgrid.grids import batch, batch_store, cells, queries  # noqa: E402
from gisgrid.grids import versions as grid_versions  # noqa: E402
from gisgrid.migrate import upgrade  # noqa: E402

TEMPLATE = os.environ.get("GISGRID_TEST_TEMPLATE", "gisgrid_template")
OUTSIDE_PAD = 0.005  # query box = data extent grown 0.5 % per side: ~2 % of points fall outside
BASELINE_SQL = (
    "SELECT grid_id FROM grid_part WHERE version_id = %s AND "
    "ST_Covers(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) ORDER BY level DESC, code LIMIT 1"
)


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--grids", type=int, default=100_000, help="synthetic grids in all three levels")
    p.add_argument("--duration", type=float, default=15.0, help="seconds of HTTP load (and of baseline)")
    p.add_argument("--concurrency", type=int, default=8, help="open HTTP connections")
    p.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2 measured best here)")
    p.add_argument("--threads", type=int, default=1, help="threads per worker (>1 selects gthread)")
    p.add_argument("--batch-points", type=int, default=1_000_000, help="points for in-process batch")
    p.add_argument("--http-batch-points", type=int, help="points per batch POST (default: min(200000, --batch-points))")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--app", default="gisgrid.wsgi:app", help="WSGI entry point for gunicorn (A/B a patch)")
    p.add_argument("--pythonpath", help="directory put first on gunicorn's sys.path (A/B another checkout)")
    p.add_argument("--no-preload", action="store_true", help="no gunicorn --preload (each worker builds its own)")
    p.add_argument(
        "--compare-preload",
        action="store_true",
        help="run the HTTP phase twice, with and without --preload, to compare the workers' memory",
    )
    p.add_argument("--skip-bare", action="store_true", help="do not measure the bare Flask ceiling")
    p.add_argument(
        "--cache-dir",
        help="in-process batch: load the prepared index file from this CACHE_DIR (built there on the first run); "
        "gunicorn gets it as GISGRID_CACHE_DIR",
    )
    p.add_argument("--db", default="gisgrid_bench", help="database to (re)build; must start with gisgrid_bench")
    p.add_argument("--keep-db", action="store_true", help="do not drop the database at the end")
    p.add_argument("--reuse-db", metavar="NAME", help="measure an existing database, build nothing")
    p.add_argument("--seed", type=int, default=20261123)
    p.add_argument("--json", action="store_true", help="print the results as JSON on stdout")
    args = p.parse_args(argv)
    if not args.db.startswith("gisgrid_bench"):
        p.error("--db must start with gisgrid_bench: it is dropped and recreated")
    return args


def log(message: str) -> None:
    """Progress on stderr, so ``--json`` output stays clean."""
    print(message, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- database


def database_url(name: str) -> str:
    """SQLAlchemy URL of database ``name`` on the configured server."""
    base = make_url(settings.from_env()["DATABASE_URL"])
    return base.set(database=name).render_as_string(hide_password=False)


def _admin(sql: str) -> None:
    engine = create_engine(database_url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def create_database(name: str) -> str:
    """(Re)create ``name`` from the PostGIS template, migrate it, return its URL."""
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    url = database_url(name)
    upgrade(url)
    return url


def insert_grid_set(url: str, grid_set, chunk: int = 1000) -> tuple[int, float]:
    """Write a grid set's rows with insert_version/insert_grids/insert_staff; (version id, seconds)."""
    engine = create_engine(url)
    with Session(engine) as session:
        t0 = time.perf_counter()
        version_id = queries.insert_version(session, f"bench {len(grid_set.rows)}", "scripts/bench_lookup.py")
        ids = {}
        with tqdm(total=len(grid_set.rows), desc="insert grids", unit="grid", file=sys.stderr) as bar:
            for start in range(0, len(grid_set.rows), chunk):
                ids.update(queries.insert_grids(session, version_id, grid_set.rows[start : start + chunk]))
                bar.update(min(chunk, len(grid_set.rows) - start))
        queries.insert_staff(
            session,
            [
                {"grid_id": ids[r["code"]], "position": i, **person}
                for r in grid_set.rows
                for i, person in enumerate(r.get("staff", []))
            ],
        )
        session.commit()
    engine.dispose()
    return version_id, time.perf_counter() - t0


def build_and_publish(url: str, version_id: int) -> dict:
    """build_version (parents, ancestors, areas, ST_Subdivide) and publish; phase timings."""
    timings, engine = {}, create_engine(url)
    with Session(engine) as session:
        t0 = time.perf_counter()
        log(
            "build_version (parents, ancestors, areas, ST_Subdivide; one statement, no progress: ~20 min at 640,000) ..."
        )
        queries.build_version(session, version_id)
        timings["build_version_s"], t0 = time.perf_counter() - t0, time.perf_counter()
        log(f"build_version done in {timings['build_version_s']:.0f} s; publishing ...")
        queries.publish(session, version_id)
        session.commit()
        timings["publish_s"] = time.perf_counter() - t0
    engine.dispose()
    return timings


def analyze(url: str) -> float:
    """VACUUM ANALYZE the fresh tables (autovacuum would do it soon after a real import)."""
    t0 = time.perf_counter()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return time.perf_counter() - t0


def database_info(url: str) -> dict:
    """Published version id, data extent and row counts of a bench database."""
    engine = create_engine(url)
    with engine.connect() as conn:
        version_id = conn.execute(text("SELECT id FROM boundary_version WHERE status = 'published'")).scalar_one()
        row = conn.execute(
            text(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), n FROM (SELECT ST_Extent(geom) e, count(*) n "
                "FROM grid WHERE version_id = :v) s"
            ),
            {"v": version_id},
        ).one()
        parts = conn.execute(
            text("SELECT count(*) FROM grid_part WHERE version_id = :v"), {"v": version_id}
        ).scalar_one()
    engine.dispose()
    return {"version_id": version_id, "extent": tuple(row[:4]), "grids": row[4], "parts": parts}


def build(args) -> tuple[str, dict]:
    """Create and fill the bench database; returns its URL and the build report."""
    t0 = time.perf_counter()
    grid_set = synthetic.build(args.grids, seed=args.seed)
    report = {
        "generate_s": time.perf_counter() - t0,
        "levels": grid_set.counts,
        "vertices_min_mean_max": grid_set.vertices,
    }
    log(
        f"generated {len(grid_set.rows):,} grids {grid_set.counts} in {report['generate_s']:.1f} s; "
        f"vertices per level (min, mean, max): {grid_set.vertices}"
    )
    url = create_database(args.db)
    version_id, report["insert_s"] = insert_grid_set(url, grid_set)
    del grid_set  # the rows' WKB (~6 GB at 640,000 grids) is not held while PostgreSQL builds the version
    report.update(build_and_publish(url, version_id))
    report["analyze_s"] = analyze(url)
    report["total_s"] = time.perf_counter() - t0
    return url, report


# ----------------------------------------------------------------------------- measurements


def query_box(extent) -> tuple[float, float, float, float]:
    """The data extent grown by OUTSIDE_PAD per side."""
    x0, y0, x1, y1 = extent
    dx, dy = (x1 - x0) * OUTSIDE_PAD, (y1 - y0) * OUTSIDE_PAD
    return x0 - dx, y0 - dy, x1 + dx, y1 + dy


def random_points(box, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` uniformly random lon/lat points in ``box``."""
    rng = np.random.default_rng(seed)
    return rng.uniform(box[0], box[2], n), rng.uniform(box[1], box[3], n)


def measure_baseline(url: str, version_id: int, lon, lat, duration: float) -> dict:
    """Plain ST_Covers query per point, sequentially over one connection, for ``duration`` s."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    found, cur = [], conn.cursor()
    try:
        for i in range(20):  # warm the cache and the plan
            cur.execute(BASELINE_SQL, (version_id, float(lon[i]), float(lat[i])))
        t0, deadline = time.perf_counter(), time.perf_counter() + duration
        while len(found) < len(lon) and time.perf_counter() < deadline:
            cur.execute(BASELINE_SQL, (version_id, float(lon[len(found)]), float(lat[len(found)])))
            row = cur.fetchone()
            found.append(row[0] if row else -1)
        elapsed = time.perf_counter() - t0
    finally:
        conn.close()
    ids = np.asarray(found, dtype=np.int64)
    return {"queries": len(ids), "qps": len(ids) / elapsed, "inside_share": float((ids >= 0).mean()), "ids": ids}


def measure_batch_inprocess(url: str, lon, lat, cache_dir: str | None = None) -> dict:
    """Index build (or load of its prepared file), then PartIndex.assign over all points, beside the shapely peer."""
    engine = create_engine(url)
    with Session(engine) as session:
        t0 = time.perf_counter()
        if cache_dir:  # the prepared file under cache_dir, built and written on the first run
            index = batch_store.load_or_build(session, grid_versions.published(session), cache_dir)
        else:
            index = batch.published_index(session)
        build_s = time.perf_counter() - t0
    engine.dispose()
    t0 = time.perf_counter()
    ids = index.assign(lon, lat)
    elapsed = time.perf_counter() - t0
    exact = index.cells.lookup(lon, lat) == cells.EXACT if index.cells is not None else np.ones(len(lon), dtype=bool)
    return {
        "index_build_s": build_s,
        "index_from_file": bool(cache_dir),
        "geos_share": float(exact.mean()),
        "points": len(lon),
        "pts_s": len(lon) / elapsed,
        "inside_share": float((ids >= 0).mean()),
        "peer": measure_shapely_peer(index, lon, lat),
        "ids": ids,
    }


def measure_shapely_peer(index, lon, lat) -> dict:
    """The peer: one plain STRtree of the leaf level's parts, ``query(points, predicate="covered_by")``.

    Same polygons, same points, same process; the tree is built before the clock starts and the
    points are made inside it (as ``assign`` makes them), so only the query is compared.
    """
    leaf_tree = index.trees[0][0]
    tree = shapely.STRtree(leaf_tree.geometries)
    t0 = time.perf_counter()
    points = shapely.points(lon, lat)
    point_idx, _ = tree.query(points, predicate="covered_by")
    elapsed = time.perf_counter() - t0
    return {"parts": len(leaf_tree.geometries), "pts_s": len(lon) / elapsed, "hits": int(len(point_idx))}


# ----------------------------------------------------------------------------- HTTP


def warm_batch_index(port: int, workers: int) -> float:
    """Small concurrent batch POSTs so each worker builds its STRtree before the timed runs."""

    def one() -> None:
        try:
            load.post_batch(port, load.geojson_body([115.0], [35.0]), "application/geo+json")
        except RuntimeError as err:
            log(f"  warm-up batch POST: {err}")

    warm = [threading.Thread(target=one) for _ in range(2 * workers)]
    t0 = time.perf_counter()
    for t in warm:
        t.start()
    for t in warm:
        t.join()
    return time.perf_counter() - t0


def measure_batch_http(port: int, lon, lat, fmt: str) -> dict:
    """Median of 3 batch POSTs of the points as CSV or GeoJSON; the error if the server fails."""
    content_type, make_body, answers = load.FORMATS[fmt]
    body = make_body(lon, lat)
    try:
        runs = sorted(load.post_batch(port, body, content_type) for _ in range(3))
    except RuntimeError as err:
        return {"points": len(lon), "pts_s": 0.0, "error": str(err)}
    elapsed, data = runs[1]
    rows, outside = answers(data)
    if rows != len(lon):
        return {"points": len(lon), "pts_s": 0.0, "error": f"{rows} rows back for {len(lon)} points"}
    return {
        "points": len(lon),
        "pts_s": len(lon) / elapsed,
        "seconds": [r[0] for r in runs],
        "body_mb": len(body) / 1e6,
        "inside_share": 1 - outside / rows,
    }


def measure_bare(url: str, box, args, logdir: Path) -> dict | None:
    """The bare ceiling: scripts/bench/bare_app.py under the same gunicorn settings and wrk load."""
    if args.skip_bare:
        return None
    extra = ("--pythonpath", str(ROOT / "scripts"))
    with load.gunicorn(url, "bench.bare_app:app", args.port, args.workers, args.threads, logdir, extra):
        drive = load.run_wrk if shutil.which("wrk") else load.run_python_load
        log(f"bare ceiling: {args.duration:g} s of GET /api/v1/lookup on a minimal Flask app ...")
        drive(args.port, box, args.concurrency, min(2.0, args.duration), args.seed + 4)
        return drive(args.port, box, args.concurrency, args.duration, args.seed)


def gunicorn_extra(args, preload: bool) -> tuple:
    """gunicorn options of the gisgrid runs: --preload (shared index), --pythonpath (A/B)."""
    extra = ("--preload",) if preload else ()
    return extra + (("--pythonpath", args.pythonpath) if args.pythonpath else ())


def measure_http(url: str, box, args, logdir: Path, preload: bool, bare: dict | None) -> dict:
    """Start gunicorn, warm up, run the lookup load and the batch POSTs, read the memory, stop gunicorn."""
    if args.cache_dir:
        os.environ["GISGRID_CACHE_DIR"] = args.cache_dir  # gunicorn inherits it: the workers load the same file
    lon, lat = random_points(box, args.http_batch_points or min(200_000, args.batch_points), args.seed + 2)
    extra = gunicorn_extra(args, preload)
    log(f"HTTP: starting gunicorn ({'the master' if preload else 'each worker'} builds the lookup index first) ...")
    t0 = time.perf_counter()
    with load.gunicorn_process(url, args.app, args.port, args.workers, args.threads, logdir, extra) as (command, proc):
        start_s = time.perf_counter() - t0
        log(f"HTTP: every worker ready after {start_s:.1f} s")
        started = memory.server(proc.pid)
        drive = load.run_wrk if shutil.which("wrk") else load.run_python_load
        log(f"HTTP: {command}; warming up ...")
        drive(args.port, box, args.concurrency, min(3.0, args.duration), args.seed + 3)
        log(f"HTTP: {args.duration:g} s of GET /api/v1/lookup at concurrency {args.concurrency} ...")
        lookups = drive(args.port, box, args.concurrency, args.duration, args.seed)
        after_lookups = memory.server(proc.pid)
        log(f"HTTP: POST /api/v1/lookup/batch with {len(lon):,} points as CSV and as GeoJSON ...")
        warm_s = warm_batch_index(args.port, args.workers)
        batches = {fmt: measure_batch_http(args.port, lon, lat, fmt) for fmt in load.FORMATS}
        after_batches = memory.server(proc.pid)
        if lookups["errors"] or any("error" in b for b in batches.values()):
            tail = (logdir / "gunicorn.log").read_text().splitlines()[-15:]
            log("gunicorn log (last lines):\n" + "\n".join(tail))
    return {
        "gunicorn": command,
        "start_s": start_s,
        "bare": bare,
        "lookup": lookups,
        "batch_warmup_s": warm_s,
        **{f"batch_{fmt}": result for fmt, result in batches.items()},
        "preload": preload,
        "memory": {"started": started, "after_lookups": after_lookups, "after_batches": after_batches},
    }


def agreement(baseline: dict, inprocess: dict) -> dict:
    """How often the SQL baseline and the STRtree batch pick the same grid for the same point."""
    n = len(baseline["ids"])
    return {"points": n, "share": float((baseline["ids"] == inprocess["ids"][:n]).mean()) if n else 1.0}


def measure_all(url: str, args, results: dict) -> None:
    """Baseline, in-process batch, then everything over HTTP, into ``results``."""
    info = results["database"] = database_info(url)
    box = query_box(info["extent"])
    lon, lat = random_points(box, max(args.batch_points, 1000), args.seed + 1)
    log(f"baseline: plain ST_Covers over one connection for {args.duration:g} s ...")
    baseline = measure_baseline(url, info["version_id"], lon, lat, args.duration)
    log(f"batch in process: {len(lon):,} points ...")
    inprocess = measure_batch_inprocess(url, lon, lat, args.cache_dir)
    results["agreement"] = agreement(baseline, inprocess)
    results["baseline"] = {k: v for k, v in baseline.items() if k != "ids"}
    results["batch"] = {k: v for k, v in inprocess.items() if k != "ids"}
    with tempfile.TemporaryDirectory(prefix="bench_lookup_") as logdir:
        bare = measure_bare(url, box, args, Path(logdir))
        results["http"] = measure_http(url, box, args, Path(logdir), not args.no_preload, bare)
        if args.compare_preload:  # the other way, same database and points: the memory per worker side by side
            results["http_other"] = measure_http(url, box, args, Path(logdir), args.no_preload, bare)


@contextmanager
def bench_database(args, results: dict):
    """The bench database's URL: ``--reuse-db``, or built now and dropped afterwards unless ``--keep-db``."""
    try:
        if args.reuse_db:
            yield database_url(args.reuse_db)
        else:
            url, results["build"] = build(args)
            yield url
    finally:
        if not (args.reuse_db or args.keep_db):
            _admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')


def main(argv=None) -> int:
    """Build (or reuse) the bench database, measure everything, print the summary."""
    args = parse_args(argv)
    results = {"args": vars(args), "targets": TARGETS, "build": {}, "db": args.reuse_db or args.db}
    with bench_database(args, results) as url:
        measure_all(url, args, results)
    if args.json:
        print(json.dumps({**results, "summary": summarise(results)}, indent=2, default=str))
    else:
        print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
