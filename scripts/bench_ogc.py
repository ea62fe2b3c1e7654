#!/usr/bin/env python
"""Benchmark /ogc under wrk against tipg (PyPI) serving the same table, side by side in one run.

Loads the demo deployment (西城区, ``gisgrid demo load``) into a fresh database from ``gisgrid_template``
(dropped after), starts gunicorn (``gisgrid.wsgi:app``, 2 sync workers) and tipg (uvicorn, 2 workers, from
a separate virtualenv: ``--tipg-python``, default /tmp/tipg-venv2/bin/python; tipg is not a project
dependency) on loopback, and runs wrk (scripts/bench/mixed.lua) on three path lists per server:

* items  -- ``limit=100`` pages over random bboxes inside the data;
* cql2   -- the same with a CQL2 filter (``level = 3 AND name LIKE '%社区%'``);
* tiles  -- MVT tiles z13-16 under random points (gisgrid: the cached generalised tiles; tipg: built per request).

Each figure is printed beside tipg's from the same run, with the ratio (gisgrid / tipg, requests per second).
Targets from issue 26: ≥ 1.0× on items, ≥ 2× on tiles.

    .venv/bin/python scripts/bench_ogc.py                 # 10 s per phase
    .venv/bin/python scripts/bench_ogc.py --duration 2 --json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from contextlib import contextmanager, nullcontext
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import bench_load  # noqa: E402  (demo world, wrk runner, tile maths)
from bench import load  # noqa: E402

CQL = "level = 3 AND name LIKE '%社区%'"
KINDS = ("items", "cql2", "tiles")


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=float, default=10.0, help="seconds of wrk load per phase")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (gthread); tipg is async")
    p.add_argument("--port", type=int, default=8791, help="gunicorn port; tipg uses port+1")
    p.add_argument("--tipg-python", default="/tmp/tipg-venv2/bin/python")
    p.add_argument("--no-peer", action="store_true", help="gisgrid only (the smoke test; no ratios)")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds per kind; the median round is reported")
    p.add_argument("--db-suffix", default="", help="appended to --db (parallel runs)")
    p.add_argument("--db", default="gisgrid_bench_ogc")
    p.add_argument("--seed", type=int, default=20261205)
    # like tipg's clients: no If-None-Match, every request answered in full (bench_load's wrk script asks)
    p.add_argument("--revalidate", type=float, default=0.0, help="share of repeats sent with If-None-Match (0..1)")
    p.add_argument("--json", action="store_true")
    return p.parse_args(argv)


def paths(points, kind: str, server: str, seed: int, n: int = 2000) -> list[tuple[str, str]]:
    """(Accept, path) pairs of one kind for one server; the same random boxes and tiles for both."""
    rng, out = random.Random(seed), []
    prefix = "/ogc/collections/grids" if server == "gisgrid" else "/collections/public.grid"
    for _ in range(n):
        lon, lat = rng.choice(points)
        if kind == "tiles":
            z = rng.randint(13, 16)
            x, y = bench_load.tile_xy(lon, lat, z)
            # OGC: tileMatrix/tileRow/tileCol; tipg 1.x: {z}/{x}/{y}
            tail = f"{z}/{y}/{x}" if server == "gisgrid" else f"{z}/{x}/{y}"
            out.append(("application/vnd.mapbox-vector-tile", f"{prefix}/tiles/WebMercatorQuad/{tail}"))
            continue
        half = rng.uniform(0.002, 0.01)
        query = f"limit=100&bbox={lon - half:.6f},{lat - half:.6f},{lon + half:.6f},{lat + half:.6f}"
        if kind == "cql2":
            query += "&filter-lang=cql2-text&filter=" + quote(CQL)
        out.append(("application/geo+json", f"{prefix}/items?{query}"))
    return out


@contextmanager
def tipg(url: str, python: str, port: int, workers: int, logdir: Path):
    """tipg (uvicorn) on 127.0.0.1:port serving the database's public schema; always stopped."""
    dsn = url.replace("postgresql+psycopg2://", "postgresql://")
    env = {**os.environ, "DATABASE_URL": dsn, "TIPG_DB_SCHEMAS": '["public"]', "TIPG_MAX_FEATURES_PER_QUERY": "10000"}
    cmd = [python, "-m", "uvicorn", "tipg.main:app", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", str(workers), "--log-level", "warning"]
    logfile = open(logdir / "tipg.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=logfile, stderr=subprocess.STDOUT)
    try:
        load._wait_ready(port, proc, logdir / "tipg.log")
        yield
    finally:
        load.stop_process(proc, 30)
        logfile.close()


def measure(args, port: int, server: str, kind: str, points, workdir: Path) -> dict:
    """wrk on one kind against one server: warm-up, then the measured phase; a non-2xx/204 is an error."""
    listing = workdir / f"{server}-{kind}.txt"
    listing.write_text("".join(f"{a} {p}\n" for a, p in paths(points, kind, server, args.seed)))
    warm = argparse.Namespace(**{**vars(args), "duration": 1})
    bench_load.run_wrk(port, listing, warm, f"{server} {kind} warm-up")
    result = bench_load.run_wrk(port, listing, args, f"{server} {kind}")
    bad = {code: n for code, n in result["statuses"].items() if code not in (200, 204)}
    if bad or result.get("socket_errors"):
        raise RuntimeError(f"{server} {kind}: statuses {bad}, socket errors {result.get('socket_errors')}")
    return result


def median_round(rounds: list[dict]) -> dict:
    """The round with the median requests/s, with every round's figure beside it (the spread)."""
    ordered = sorted(rounds, key=lambda r: r["rps"])
    return {**ordered[len(ordered) // 2], "rounds_rps": [round(r["rps"], 1) for r in rounds]}


def table(report: dict) -> str:
    """gisgrid and tipg side by side with the ratio."""
    lines = [f"{'kind':8} {'gisgrid req/s':>14} {'p99 ms':>8} {'tipg req/s':>11} {'p99 ms':>8} {'ratio':>7}"]
    for kind in KINDS:
        ours, peer = report["gisgrid"][kind], report["tipg"].get(kind)
        if peer is None:
            lines.append(f"{kind:8} {ours['rps']:14.1f} {ours['p99_ms']:8.1f} {'-':>11} {'-':>8} {'-':>7}")
            continue
        ratio = ours["rps"] / peer["rps"] if peer["rps"] else float("inf")
        lines.append(
            f"{kind:8} {ours['rps']:14.1f} {ours['p99_ms']:8.1f} {peer['rps']:11.1f} {peer['p99_ms']:8.1f} {ratio:6.2f}x"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    """Run both servers on the demo world and print the comparison."""
    args = parse_args(argv)
    if not args.no_peer and not Path(args.tipg_python).exists():
        print(
            f"tipg not found at {args.tipg_python}: python3 -m venv /tmp/tipg-venv2 && /tmp/tipg-venv2/bin/pip install tipg uvicorn"
        )
        return 2
    with bench_load.shared_world(args.db + args.db_suffix) as url, tempfile.TemporaryDirectory() as tmp:
        points, _codes = bench_load.interior_points(url, args.seed)
        workdir = Path(tmp)
        report = {
            "duration_s": args.duration,
            "concurrency": args.concurrency,
            "workers": args.workers,
            "threads": args.threads,
        }
        report["gisgrid"], report["tipg"] = {}, {}
        with load.gunicorn(url, "gisgrid.wsgi:app", args.port, args.workers, args.threads, workdir):
            with nullcontext() if args.no_peer else tipg(url, args.tipg_python, args.port + 1, args.workers, workdir):
                # one kind at a time on both servers, back to back: a shared machine's load hits both alike
                for kind in KINDS:
                    ours, peer = [], []
                    for _ in range(args.rounds):
                        ours.append(measure(args, args.port, "gisgrid", kind, points, workdir))
                        if not args.no_peer:
                            peer.append(measure(args, args.port + 1, "tipg", kind, points, workdir))
                    report["gisgrid"][kind] = median_round(ours)
                    if peer:
                        report["tipg"][kind] = median_round(peer)
    print(json.dumps(report, indent=2, default=str) if args.json else table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
