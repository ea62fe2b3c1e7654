#!/usr/bin/env python
"""Benchmark the open-data downloads on N synthetic grids: built once per version, then from the file cache.

Builds (or reuses) a scratch database with N synthetic grids (scripts/bench/synthetic.py, the same
set as bench_lookup.py and bench_tiles.py) and downloads every format through the Flask app in this
process, reading the streamed body to the end:

* cold   -- the first download of the version: the file is built into an empty cache directory
            (what every download cost before the cache: built per request);
* cached -- the same download again: the file is streamed from disk.

The ratio cold / cached is the speed-up of every download after the first. Peak memory of the
process (ru_maxrss) is printed before and after, since the files are written a page at a time.

    .venv/bin/python scripts/bench_open_data.py                 # 100,000 grids (~2 min to build)
    .venv/bin/python scripts/bench_open_data.py --grids 2000 --json
    .venv/bin/python scripts/bench_open_data.py --keep-db / --reuse-db gisgrid_bench_opendata
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import bench_lookup  # noqa: E402  (database building is shared with the lookup benchmark)

from gisgrid import create_app  # noqa: E402
from gisgrid.db import db  # noqa: E402

FORMATS = ("geojson", "csv", "gpkg")


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--grids", type=int, default=100_000)
    p.add_argument(
        "--db", default="gisgrid_bench_opendata", help="database to (re)build; must start with gisgrid_bench"
    )
    p.add_argument("--keep-db", action="store_true")
    p.add_argument("--reuse-db", metavar="NAME")
    p.add_argument("--seed", type=int, default=20261123)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if not args.db.startswith("gisgrid_bench"):
        p.error("--db must start with gisgrid_bench: it is dropped and recreated")
    return args


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def download(client, fmt: str) -> tuple[float, int, str]:
    """(seconds, bytes, ETag) of one download read to the end without keeping it."""
    t0 = time.perf_counter()
    resp = client.get(f"/open-data/grids.{fmt}", buffered=False)
    assert resp.status_code == 200, resp.status_code
    size = sum(len(chunk) for chunk in resp.response)
    resp.close()
    return time.perf_counter() - t0, size, resp.headers["ETag"]


def measure(url: str) -> dict:
    """Cold and cached download of every format, with a fresh cache directory."""
    with tempfile.TemporaryDirectory(prefix="gisgrid-bench-cache-") as cache:
        app = create_app({"DATABASE_URL": url, "CACHE_DIR": cache})
        client = app.test_client()
        results = {"peak_mb_before": peak_mb(), "formats": []}
        for fmt in tqdm(FORMATS, desc="formats", file=sys.stderr):
            cold_s, size, etag = download(client, fmt)
            cached_s, cached_size, cached_etag = download(client, fmt)
            assert (cached_size, cached_etag) == (size, etag), "the cached file differs from the built one"
            results["formats"].append(
                {
                    "format": fmt,
                    "mb": size / 1e6,
                    "cold_s": cold_s,
                    "cached_s": cached_s,
                    "speedup": cold_s / cached_s,
                    "peak_mb_after": peak_mb(),
                }
            )
        db.dispose(app)
    return results


def print_table(results: dict) -> None:
    """The measurements as a small table."""
    print(f"grids {results['database']['grids']:,}; peak memory before {results['peak_mb_before']:.0f} MB")
    print("format   MB      cold (built) s   cached s   cold/cached   peak memory after MB")
    for r in results["formats"]:
        print(
            f"{r['format']:<8} {r['mb']:7.1f} {r['cold_s']:12.2f} {r['cached_s']:10.2f} {r['speedup']:11.1f}x"
            f" {r['peak_mb_after']:12.0f}"
        )


def main(argv=None) -> int:
    """Build (or reuse) the database, measure, print."""
    args = parse_args(argv)
    results = {"build": {}}
    with bench_lookup.bench_database(args, results) as url:
        results["database"] = bench_lookup.database_info(url)
        results.update(measure(url))
    if args.json:
        print(json.dumps(results, indent=2, default=str))
    else:
        print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
