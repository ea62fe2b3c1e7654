#!/usr/bin/env python
"""Benchmark the public map's vector tiles on N synthetic grids, against unsimplified ST_AsMVT.

Builds (or reuses) a scratch database with N synthetic grids (scripts/bench/synthetic.py, the
same set as bench_lookup.py), then requests the tiles a person would see: for each zoom, random
1280x800 viewports over the data (5x4 tiles each), through the Flask app (routing, version
lookup, level choice, SQL, cache) in this process:

* baseline -- the same tiles and levels built without simplification (ST_AsMVTGeom alone);
* on the fly -- every tile once, empty cache, simplified per request (ST_Simplify + ST_AsMVTGeom);
* prepare  -- ``gisgrid tiles prepare``: GCJ-02 companion + low-zoom generalised geometry, once per version;
* cold     -- every tile once with an empty cache, after prepare (what a new version's first visitors get);
* cached   -- the same tiles again (in-process LRU);
* gcj02    -- the GCJ-02 variant cold, after prepare.

Target from the issue: p95 tile time < 50 ms at 100,000 grids.

    .venv/bin/python scripts/bench_tiles.py                          # 100,000 grids (~3 min to build)
    .venv/bin/python scripts/bench_tiles.py --grids 2000 --viewports 2
    .venv/bin/python scripts/bench_tiles.py --keep-db / --reuse-db gisgrid_bench_tiles / --json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import bench_lookup  # noqa: E402  (database building is shared with the lookup benchmark)

from gisgrid import create_app  # noqa: E402
from gisgrid.db import db  # noqa: E402
from gisgrid.grids import versions as grid_versions  # noqa: E402
from gisgrid.public_map import tiles  # noqa: E402

TARGET_P95_MS = 50.0
VIEW_W, VIEW_H = 5, 4  # tiles of a 1280x800 viewport


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--grids", type=int, default=100_000)
    p.add_argument("--zooms", default="5-14", help="zoom range, e.g. 5-14")
    p.add_argument("--viewports", type=int, default=4, help="random viewports per zoom")
    p.add_argument("--db", default="gisgrid_bench_tiles", help="database to (re)build; must start with gisgrid_bench")
    p.add_argument("--keep-db", action="store_true")
    p.add_argument("--reuse-db", metavar="NAME")
    p.add_argument("--seed", type=int, default=20261123)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if not args.db.startswith("gisgrid_bench"):
        p.error("--db must start with gisgrid_bench: it is dropped and recreated")
    lo, hi = (int(v) for v in args.zooms.split("-"))
    args.zoom_range = range(lo, hi + 1)
    return args


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The tile holding a lon/lat point at zoom z."""
    n = 1 << z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def viewport_tiles(extent, zooms, viewports: int, seed: int) -> dict[int, list[tuple[int, int]]]:
    """Per zoom, the distinct tiles of random viewports centred inside the data extent."""
    rng, out = np.random.default_rng(seed), {}
    w, s, e, n = extent
    for z in zooms:
        seen = []
        for lon, lat in zip(rng.uniform(w, e, viewports), rng.uniform(s, n, viewports)):
            cx, cy = tile_xy(lon, lat, z)
            for dx in range(-(VIEW_W // 2), VIEW_W - VIEW_W // 2):
                for dy in range(-(VIEW_H // 2), VIEW_H - VIEW_H // 2):
                    x, y = cx + dx, cy + dy
                    if 0 <= x < (1 << z) and 0 <= y < (1 << z) and (x, y) not in seen and _touches(extent, z, x, y):
                        seen.append((x, y))
        out[z] = seen
    return out


def _touches(extent, z, x, y) -> bool:
    w, s, e, n = tiles.tile_bbox(z, x, y, buffer=0)
    return w < extent[2] and e > extent[0] and s < extent[3] and n > extent[1]


def timed_get(client, url: str) -> tuple[float, int]:
    """(milliseconds, payload bytes) of one GET that must succeed."""
    t0 = time.perf_counter()
    resp = client.get(url)
    elapsed = (time.perf_counter() - t0) * 1000
    assert resp.status_code == 200, (url, resp.status_code, resp.data[:200])
    return elapsed, len(resp.data)


def measure_zoom(client, session, version_id, sizes, z, xys, crs="wgs84") -> dict:
    """Cold, cached and baseline timings and payloads of one zoom's tiles."""
    level = tiles.auto_level(sizes, z)
    cold, cached, base, size, base_size = [], [], [], [], []
    for x, y in xys:
        url = f"/tiles/{z}/{x}/{y}.pbf?crs={crs}"
        ms, nbytes = timed_get(client, url)
        cold.append(ms)
        size.append(nbytes)
        cached.append(timed_get(client, url)[0])
        if crs == "wgs84":
            t0 = time.perf_counter()
            body = tiles.render_tile(
                session, grid_versions.by_id(session, version_id), z, x, y, level, "baseline", sizes
            )
            base.append((time.perf_counter() - t0) * 1000)
            base_size.append(len(body))
            session.rollback()
    row = {
        "zoom": z,
        "level": level,
        "tiles": len(xys),
        **_stats("cold", cold),
        **_stats("cached", cached),
        "kb_mean": float(np.mean(size)) / 1024,
        "kb_max": float(np.max(size)) / 1024,
        "cold_ms": cold,
    }
    if base:
        row.update(_stats("baseline", base), baseline_kb_mean=float(np.mean(base_size)) / 1024, baseline_ms=base)
    return row


def _stats(name: str, values) -> dict:
    return {f"{name}_p50": float(np.percentile(values, 50)), f"{name}_p95": float(np.percentile(values, 95))}


def measure(url: str, args) -> dict:
    """All measurements on a built database."""
    info = bench_lookup.database_info(url)
    app = create_app({"DATABASE_URL": url})
    client = app.test_client()
    plan = viewport_tiles(info["extent"], args.zoom_range, args.viewports, args.seed)
    results = {"database": info, "zooms": [], "gcj02": []}
    with app.app_context(), Session(db.engine) as session:
        sizes = tiles.level_sizes(session, grid_versions.by_id(session, info["version_id"]))
        results["levels"] = sizes
        total = sum(len(v) for v in plan.values())
        results["on_the_fly"] = on_the_fly(client, session, info["version_id"], plan, total)
        t0 = time.perf_counter()
        tiles.prepare(session, info["version_id"])
        session.commit()  # the benchmark is the transaction's owner here (no request, no service)
        results["prepare_s"] = time.perf_counter() - t0
        tiles.TILE_CACHE.clear()
        with tqdm(total=total, desc="tiles (wgs84)", unit="tile", file=sys.stderr) as bar:
            for z, xys in plan.items():
                results["zooms"].append(measure_zoom(client, session, info["version_id"], sizes, z, xys))
                bar.update(len(xys))
        with tqdm(total=total, desc="tiles (gcj02)", unit="tile", file=sys.stderr) as bar:
            for z, xys in plan.items():
                row = measure_zoom(client, session, info["version_id"], sizes, z, xys, crs="gcj02")
                results["gcj02"].append({k: row[k] for k in ("zoom", "cold_p50", "cold_p95", "kb_mean")})
                bar.update(len(xys))
    db.dispose(app)  # the database is dropped next
    results["overall"] = overall(results["zooms"])
    return results


def on_the_fly(client, session, version_id: int, plan, total: int) -> dict:
    """Cold p95 per zoom with nothing prepared (generalised geometry removed first)."""
    from gisgrid.public_map import queries

    queries.clear_generalised(session, version_id)
    session.commit()
    tiles._READY.clear()
    tiles.TILE_CACHE.clear()
    out = {}
    with tqdm(total=total, desc="tiles (on the fly)", unit="tile", file=sys.stderr) as bar:
        for z, xys in plan.items():
            out[z] = [timed_get(client, f"/tiles/{z}/{x}/{y}.pbf")[0] for x, y in xys]
            bar.update(len(xys))
    every = [ms for values in out.values() for ms in values]
    return {"per_zoom_p95": {z: float(np.percentile(v, 95)) for z, v in out.items()}, **_stats("cold", every)}


def overall(rows) -> dict:
    """p50/p95 over every tile of every zoom, and the baseline ratio."""
    cold = [ms for r in rows for ms in r["cold_ms"]]
    base = [ms for r in rows for ms in r.get("baseline_ms", [])]
    out = {"tiles": len(cold), **_stats("cold", cold), **_stats("baseline", base)}
    out["speedup_p95"] = out["baseline_p95"] / out["cold_p95"]
    out["target_p95_ms"], out["meets_target"] = TARGET_P95_MS, out["cold_p95"] < TARGET_P95_MS
    return out


def print_table(results: dict) -> None:
    """Human-readable summary."""
    print(
        f"grids {results['database']['grids']:,}; levels (level, count, typical width m): "
        + ", ".join(f"({lv}, {n:,}, {w:,.0f})" for lv, n, w in results["levels"])
    )
    fly = {int(z): ms for z, ms in results["on_the_fly"]["per_zoom_p95"].items()}  # JSON keys are text
    print(
        f"{'z':>3} {'lvl':>3} {'tiles':>5} {'base p95':>9} {'fly p95':>8} {'cold p50':>9} {'cold p95':>9} "
        f"{'cached p95':>10} {'KB mean':>8} {'KB max':>7} {'base KB':>8}"
    )
    for r in results["zooms"]:
        print(
            f"{r['zoom']:>3} {r['level']:>3} {r['tiles']:>5} {r['baseline_p95']:>9.1f} {fly[r['zoom']]:>8.1f} "
            f"{r['cold_p50']:>9.1f} {r['cold_p95']:>9.1f} {r['cached_p95']:>10.2f} {r['kb_mean']:>8.1f} "
            f"{r['kb_max']:>7.1f} {r['baseline_kb_mean']:>8.1f}"
        )
    o = results["overall"]
    print(
        f"all {o['tiles']} tiles: cold p50 {o['cold_p50']:.1f} ms, p95 {o['cold_p95']:.1f} ms "
        f"(target < {TARGET_P95_MS:.0f} ms: {'met' if o['meets_target'] else 'NOT met'}); "
        f"baseline p95 {o['baseline_p95']:.1f} ms -> {o['speedup_p95']:.2f}x; "
        f"on the fly (nothing prepared) p95 {results['on_the_fly']['cold_p95']:.1f} ms"
    )
    g = results["gcj02"]
    print(
        f"prepare (GCJ-02 + generalised) {results['prepare_s']:.1f} s; gcj02 cold p95 per zoom "
        + ", ".join(f"z{r['zoom']} {r['cold_p95']:.1f}" for r in g)
    )


def main(argv=None) -> int:
    """Build (or reuse) the database, measure, print."""
    args = parse_args(argv)
    results = {"build": {}}
    with bench_lookup.bench_database(args, results) as url:
        results.update(measure(url, args))
    if args.json:
        print(json.dumps(results, indent=2, default=str))
    else:
        print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
