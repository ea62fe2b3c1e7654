"""Repair time against a same-run baseline (plain validation of the same data), by size.

Builds N village grids in a lattice of 500 m cells under towns of 10×10 villages under one county,
each digitised "separately": every grid's corners are jittered by up to ±2 m on its own and its edges
carry their own jittered vertices, so every shared edge leaves slivers of gap and overlap (the state of
real files). For each N it times ``repair`` (gisgrid.grids.repair: GEOS coverage_clean level by level,
plus the report) and ``validate_grids`` on the unrepaired data (the baseline), checks that the repaired
data validates clean, and prints both with the growth factor per step and their ratio.
    .venv/bin/python scripts/bench_repair.py [--sizes 2000,8000,32000,100000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402

from gisgrid.grids.repair import repair  # noqa: E402
from gisgrid.grids.validation import validate_grids  # noqa: E402

CELL_M, BLOCK, JITTER_M = 500.0, 10, 2.0
METRES_PER_DEGREE = np.array([84_146.0, 111_052.0])  # at 41°N (GRS80)


def _ring(x0, y0, x1, y1, rng, per_side: int):
    """A rectangle's ring with ``per_side`` vertices per side, each jittered by up to ±JITTER_M."""
    t = np.linspace(0, 1, per_side, endpoint=False)
    sides = [
        np.column_stack([x0 + (x1 - x0) * t, np.full_like(t, y0)]),
        np.column_stack([np.full_like(t, x1), y0 + (y1 - y0) * t]),
        np.column_stack([x1 - (x1 - x0) * t, np.full_like(t, y1)]),
        np.column_stack([np.full_like(t, x0), y1 - (y1 - y0) * t]),
    ]
    return np.vstack(sides) + rng.uniform(-JITTER_M, JITTER_M, (4 * per_side, 2))


def synthetic(n: int, seed: int = 7) -> gpd.GeoDataFrame:
    """About n villages (whole towns of BLOCK×BLOCK), their towns and one county, jittered, in lon/lat."""
    rng = np.random.default_rng(seed)
    towns = max(1, round(n / BLOCK**2))
    cols = int(np.ceil(np.sqrt(towns)))
    side = BLOCK * CELL_M
    blocks = [
        shapely.box((t % cols) * side, (t // cols) * side, (t % cols + 1) * side, (t // cols + 1) * side)
        for t in range(towns)
    ]
    county = shapely.union_all(blocks)  # exactly the towns' blocks: a last row that is not full leaves no real gap
    records = [{"code": "C", "name": "县", "level": 1, "parent_code": None}]
    rings = [np.asarray(county.exterior.coords)[:-1]]
    for t in range(towns):
        tx, ty = (t % cols) * BLOCK * CELL_M, (t // cols) * BLOCK * CELL_M
        code = f"T{t:05d}"
        records.append({"code": code, "name": f"镇{t}", "level": 2, "parent_code": "C"})
        rings.append(_ring(tx, ty, tx + BLOCK * CELL_M, ty + BLOCK * CELL_M, rng, BLOCK * 2))
        for v in range(BLOCK**2):
            vx, vy = tx + (v % BLOCK) * CELL_M, ty + (v // BLOCK) * CELL_M
            records.append({"code": f"{code}V{v:03d}", "name": f"村{v}", "level": 3, "parent_code": code})
            rings.append(_ring(vx, vy, vx + CELL_M, vy + CELL_M, rng, 2))
    geoms = [shapely.multipolygons([shapely.Polygon(r / METRES_PER_DEGREE + (122.0, 41.0))]) for r in rings]
    gdf = gpd.GeoDataFrame(records, geometry=geoms, crs="EPSG:4326")
    gdf["source_index"] = range(len(gdf))
    gdf.attrs["source_crs"] = "EPSG:4326"
    return gdf


def measure(n: int) -> dict:
    """Seconds to validate the raw data (baseline) and to repair it; errors before and after."""
    gdf = synthetic(n)
    started = time.perf_counter()
    before = [p for p in validate_grids(gdf) if p.severity == "error"]
    validation_s = time.perf_counter() - started
    started = time.perf_counter()
    repaired, report = repair(gdf, snap_m=3, max_gap_width_m=10)
    repair_s = time.perf_counter() - started
    after = [p for p in validate_grids(repaired) if p.severity == "error"]
    return {
        "grids": len(gdf),
        "validation_s": validation_s,
        "repair_s": repair_s,
        "errors_before": len(before),
        "errors_after": len(after),
        "slivers": len(report.slivers),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,8000,32000,100000", help="villages per run, comma-separated")
    args = parser.parse_args(argv)
    print(
        "| villages | grids | errors before | errors after | slivers | validation (baseline) s | ×step "
        "| repair s | ×step | repair / validation |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    previous = None
    for n in (int(s) for s in args.sizes.split(",")):
        m = measure(n)
        grow_v = f"{m['validation_s'] / previous['validation_s']:.2f}" if previous else "–"
        grow_r = f"{m['repair_s'] / previous['repair_s']:.2f}" if previous else "–"
        print(
            f"| {n:,} | {m['grids']:,} | {m['errors_before']:,} | {m['errors_after']} | {m['slivers']:,} "
            f"| {m['validation_s']:.1f} | {grow_v} | {m['repair_s']:.1f} | {grow_r} "
            f"| {m['repair_s'] / m['validation_s']:.2f} |",
            flush=True,
        )
        previous = m
    return 0


if __name__ == "__main__":
    sys.exit(main())
