#!/usr/bin/env python
"""Load test: public lookups, tiles and map pages under wrk, quiet and while planners publish and cases move.

In one run: loads the demo deployment (``gisgrid demo load``: 279 grids of 西城区, accounts,
cases, sources) into a dedicated database made from ``gisgrid_template`` (dropped after),
starts gunicorn (``gisgrid.wsgi:app``, 2 sync workers, rate limits off) and a ``gisgrid worker``
(the jobs a publication starts: tile cache fill, open-data build) on a queue of its own, and runs
wrk (``scripts/bench/mixed.lua``, one connection per wrk thread) on a mix of GET paths that all exist:
50 % point lookups at random points inside the grids, 25 % vector tiles (z13-16) over them, 15 % grid
JSON, 10 % grid pages. Like a browser, wrk remembers each path's ETag and revalidates with
If-None-Match in ``--revalidate`` of its repeat requests; a 304 counts as a success.

* lookup   -- lookups alone (the same lookup paths): the ceiling the mix is compared with;
* baseline -- the mix alone;
* write    -- the same mix while a planner opens a draft, publishes it and rolls back (two
  publications per cycle, each starting its tile fill and open-data jobs) and two dispatchers file
  cases and register/dispatch them, over HTTP;
* fault (``--fault``) -- the mix on a PRIVATE throwaway cluster (never the shared one) that is
  stopped for ``--outage`` seconds mid-load: requests must fail cleanly (503 only) and the
  app must answer 200 again by itself; outage and recovery time are measured.

Errors (non-2xx other than 304, socket errors, writer failures; in the fault phase anything but
200/304/503) make the exit status non-zero. Machines are noisy, so the figures are printed as ratios
measured in the same run: mix/lookup (target >= 0.6) and write/baseline (target >= 0.7, p99 <= 100 ms).

    .venv/bin/python scripts/bench_load.py                    # 20 s per phase
    .venv/bin/python scripts/bench_load.py --fault            # + PostgreSQL restart mid-load
    .venv/bin/python scripts/bench_load.py --duration 2 --fault --json
    .venv/bin/python scripts/bench_load.py --threads 4 --cpu  # + CPU seconds per process kind and phase
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import bench_lookup  # noqa: E402  (database helpers)
from bench import cluster, cpu, load, probe, writers  # noqa: E402

LUA = ROOT / "scripts" / "bench" / "mixed.lua"
MIX = (("lookup", 50), ("tile", 25), ("grid_json", 15), ("grid_page", 10))


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=float, default=20.0, help="seconds of wrk load per phase")
    p.add_argument("--concurrency", type=int, default=8, help="open wrk connections (one per wrk thread)")
    p.add_argument(
        "--revalidate", type=float, default=0.5, help="share of repeat requests sent with If-None-Match (0..1)"
    )
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    p.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (>1: gthread workers; 1: sync workers)"
    )
    p.add_argument("--planner-pause", type=float, default=1.0, help="seconds between a planner's publish cycles")
    p.add_argument("--planners", type=int, default=1, help="planner threads in the write phase (0: cases only)")
    p.add_argument(
        "--dispatchers", type=int, default=2, help="dispatcher threads in the write phase (0: publishing only)"
    )
    p.add_argument("--fault", action="store_true", help="add the PostgreSQL restart phase (private cluster)")
    p.add_argument("--outage", type=float, default=3.0, help="seconds PostgreSQL stays down in the fault phase")
    p.add_argument("--port", type=int, default=8777, help="gunicorn port")
    p.add_argument(
        "--fault-port", type=int, default=None, help="gunicorn port of the fault phase (default: --port + 1)"
    )
    p.add_argument("--pg-port", type=int, default=55433, help="port of the private cluster")
    p.add_argument("--db", default="gisgrid_bench_load", help="database to (re)build; must start with gisgrid_bench")
    p.add_argument("--seed", type=int, default=20261203)
    p.add_argument("--cpu", action="store_true", help="print CPU seconds per process kind in each phase (Linux /proc)")
    p.add_argument(
        "--probe", action="store_true", help="print each request kind's latency per phase (one extra client)"
    )
    p.add_argument("--json", action="store_true", help="print the results as JSON on stdout")
    args = p.parse_args(argv)
    if not args.db.startswith("gisgrid_bench"):
        p.error("--db must start with gisgrid_bench: it is dropped and recreated")
    return args


def log(message: str) -> None:
    """Progress on stderr, so ``--json`` output stays clean."""
    print(message, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- worlds


def demo_load(url: str) -> None:
    """``gisgrid demo load`` into the database at ``url``."""
    run = subprocess.run(
        [sys.executable, "-c", "from gisgrid.cli import main; main()", "demo", "load"],
        cwd=ROOT,
        env={**os.environ, "GISGRID_DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        raise RuntimeError(f"demo load failed:\n{run.stderr[-3000:]}")


@contextmanager
def shared_world(name: str):
    """The demo in a fresh database on the configured (shared) server; dropped afterwards."""
    url = bench_lookup.create_database(name)
    try:
        demo_load(url)
        yield url
    finally:
        bench_lookup._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def private_world(port: int):
    """The demo on a private throwaway cluster that may be stopped; yields (url, cluster)."""
    reason = cluster.available()
    if reason:
        raise RuntimeError(f"cannot make a private PostgreSQL cluster: {reason}")
    pg = cluster.PrivateCluster(port)
    try:
        pg.start()
        url = pg.create_database("gisgrid_bench_fault")
        demo_load(url)
        yield url, pg
    finally:
        pg.destroy()


def interior_points(url: str, seed: int, per_grid: int = 3) -> tuple[list[tuple[float, float]], list[str]]:
    """Random points inside the published village grids (so every lookup finds a grid), and all grid codes."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT ST_X(p.geom), ST_Y(p.geom) FROM grid g, boundary_version v, "
                "LATERAL ST_Dump(ST_GeneratePoints(g.geom, :n, :seed)) p "
                "WHERE g.version_id = v.id AND v.status = 'published' AND g.level = 3"
            ),
            {"n": per_grid, "seed": seed},
        ).all()
        codes = (
            conn.execute(
                text(
                    "SELECT g.code FROM grid g JOIN boundary_version v ON v.id = g.version_id "
                    "WHERE v.status = 'published'"
                )
            )
            .scalars()
            .all()
        )
    engine.dispose()
    return [(float(x), float(y)) for x, y in rows], list(codes)


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The slippy-map tile holding a point at zoom z."""
    n = 1 << z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def request_paths(points, codes, seed: int, n: int = 4000) -> list[tuple[str, str, str]]:
    """(kind, Accept, path) in the MIX proportions; every path exists while versions are republished."""
    rng, out = random.Random(seed), []
    for kind, weight in MIX:
        for _ in range(n * weight // 100):
            lon, lat = rng.choice(points)
            if kind == "lookup":
                accept, path = "application/json", f"/api/v1/lookup?lon={lon:.7f}&lat={lat:.7f}"
            elif kind == "tile":
                z = rng.randint(13, 16)
                accept, path = "application/x-protobuf", "/tiles/{}/{}/{}.pbf".format(z, *tile_xy(lon, lat, z))
            elif kind == "grid_json":
                accept, path = "application/json", f"/api/v1/grids/{rng.choice(codes)}"
            else:
                accept, path = "text/html", f"/grids/{rng.choice(codes)}"
            out.append((kind, accept, path))
    rng.shuffle(out)
    return out


# ----------------------------------------------------------------------------- phases


def run_wrk(port: int, paths_file: Path, args, label: str) -> dict:
    """wrk -t2 for ``args.duration`` seconds with mixed.lua, a progress bar meanwhile; parsed output."""
    cmd = [
        "wrk",
        f"-t{args.concurrency}",  # one connection per thread: mixed.lua pairs each answer with its request
        f"-c{args.concurrency}",
        f"-d{args.duration:g}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{port}/",
        "--",
        str(paths_file),
        str(args.seed),
        str(args.revalidate),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with tqdm(total=round(args.duration), desc=label, unit="s", file=sys.stderr, leave=False) as bar:
        t0 = time.monotonic()
        while proc.poll() is None:
            time.sleep(0.5)
            bar.n = min(round(args.duration), int(time.monotonic() - t0))
            bar.refresh()
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {err[-2000:]}")
    return load.parse_wrk(out)


def _marks(*samplers):
    """One ``mark(phase)`` that marks every sampler given (None: not running)."""
    running = [s for s in samplers if s is not None]

    def mark(phase):
        for s in running:
            s.mark(phase)

    return mark


def phase_errors(result: dict, allowed=(200, 304)) -> int:
    """Responses with a status outside ``allowed``, plus wrk's socket errors."""
    return sum(n for code, n in result["statuses"].items() if code not in allowed) + result["socket_errors"]


def baseline_and_write(args, paths_file: Path, lookup_file: Path, url: str, points, paths: list) -> dict:
    """gunicorn and a job worker on the shared-cluster world: lookups alone, the quiet mix, the mix under writes."""
    with tempfile.TemporaryDirectory() as logdir:
        with (
            job_worker(url, Path(logdir)),
            load.gunicorn(url, "gisgrid.wsgi:app", args.port, args.workers, args.threads, Path(logdir)),
        ):
            base = f"http://127.0.0.1:{args.port}"
            wait_for_jobs(url)  # the demo publication's tile fill and open-data build: not during the phases
            run_wrk(args.port, paths_file, argparse.Namespace(**{**vars(args), "duration": 1}), "warm-up")
            sampler = cpu.Sampler(args.db).start() if args.cpu else None
            prober = probe.Probe(base, paths, ("baseline", "write"), args.seed).start() if args.probe else None
            mark = _marks(sampler, prober)
            mark("lookup")
            lookup = run_wrk(args.port, lookup_file, args, "lookup")
            mark("baseline")
            baseline = run_wrk(args.port, paths_file, args, "baseline")
            mark("write")
            writes = writers.WriteLoad(
                base, points, args.planners, args.dispatchers, seed=args.seed, planner_pause=args.planner_pause
            ).start()
            write = run_wrk(args.port, paths_file, args, "write")
            mark(None)
            write["writers"] = writes.stop()
            write["writer_times"] = writes.request_times()
            cpu_phases = sampler.stop() if sampler else None
            probed = prober.stop() if prober else None
            workers_ok = _workers_ok(Path(logdir) / "gunicorn.log", args.workers)
    for phase in (lookup, baseline, write):
        phase["errors"] = phase_errors(phase)
    write["writer_errors"] = sum(t["errors"] for t in write["writers"].values())
    report = {"lookup": lookup, "baseline": baseline, "write": write, "workers_ok": workers_ok}
    report["jobs"] = job_summary(url)
    if probed:
        report["probe"] = probed
    if cpu_phases:
        report["cpu"] = {"phases": cpu_phases, "seconds": sampler.seconds}
    return report


@contextmanager
def job_worker(url: str, logdir: Path):
    """``gisgrid worker`` on the bench database and queue (the jobs a publication starts); stopped after."""
    # periodic tasks (recovery, retention, delivery) every minute, not every 5 s: the jobs are what is measured
    env = {**os.environ, "GISGRID_DATABASE_URL": url, "GISGRID_JOBS_TICK_SECONDS": "60"}
    cmd = [sys.executable, "-c", "from gisgrid.cli import main; main()", "worker"]
    with open(logdir / "worker.log", "a") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            load.stop_process(proc, 60)


def wait_for_jobs(url: str, timeout: float = 300.0) -> None:
    """Until no job run is queued or running (an upper bound for a loaded machine, then go on)."""
    engine, deadline = create_engine(url), time.monotonic() + timeout
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            open_runs = conn.execute(text("SELECT count(*) FROM job_run WHERE state IN ('queued', 'running')"))
            if not open_runs.scalar():
                break
            conn.rollback()
            time.sleep(0.5)
    engine.dispose()


def job_summary(url: str) -> dict:
    """Runs of the publication jobs by kind and outcome (done, skipped as superseded, failed, still open)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT kind, CASE WHEN result ? 'skipped' THEN 'skipped' WHEN result ? 'stopped' THEN 'stopped'"
                " ELSE state END, count(*) FROM job_run GROUP BY 1, 2 ORDER BY 1, 2"
            )
        ).all()
        tiles = conn.execute(text("SELECT count(*) FROM tile_cache")).scalar()
    engine.dispose()
    return {"runs": {f"{kind} {outcome}": n for kind, outcome, n in rows}, "tile_cache_rows": tiles}


@contextmanager
def own_queue(seed: int):
    """A job queue and cache directory of this run (its demo load and publications enqueue there); forgotten after."""
    from redis import Redis

    queue = f"gisgrid-bench-load-{os.getpid()}-{seed}"
    with tempfile.TemporaryDirectory() as cache:
        os.environ.update(GISGRID_JOBS_QUEUE=queue, GISGRID_CACHE_DIR=cache)
        try:
            yield queue
        finally:
            redis = Redis.from_url(os.environ.get("GISGRID_REDIS_URL") or "redis://127.0.0.1:6379/0")
            for key in redis.scan_iter(f"*{queue}*"):
                redis.delete(key)


def _workers_ok(logpath: Path, workers: int) -> bool:
    """No worker timed out, crashed or was restarted (no hung workers)."""
    text_ = logpath.read_text()
    return "WORKER TIMEOUT" not in text_ and "Traceback" not in text_ and text_.count("Booting worker") == workers


def fault_phase(args, paths_file: Path, url: str, pg) -> dict:
    """The mix on the private cluster, which is stopped for ``args.outage`` s a third of the way in."""
    port = args.fault_port or args.port + 1
    with tempfile.TemporaryDirectory() as logdir:
        with load.gunicorn(url, "gisgrid.wsgi:app", port, args.workers, args.threads, Path(logdir)):
            times: dict = {}
            killer = threading.Thread(target=_restart, args=(pg, port, args, times), daemon=True)
            killer.start()
            result = run_wrk(port, paths_file, args, "fault")
            killer.join(60)
            workers_ok = _workers_ok(Path(logdir) / "gunicorn.log", args.workers)
    result.update(
        times,
        workers_ok=workers_ok,
        errors=phase_errors(result, allowed=(200, 304, 503)),
        unavailable=result["statuses"].get(503, 0),
    )
    if "recovery_s" not in times:
        result["errors"] += 1  # never answered 200 again
    return result


def _restart(pg, port: int, args, times: dict) -> None:
    time.sleep(args.duration / 3)
    t0 = time.monotonic()
    pg.stop()
    time.sleep(args.outage)
    pg.start()
    t1 = time.monotonic()
    times["outage_s"] = t1 - t0
    while time.monotonic() - t1 < 30:  # the app must reconnect by itself
        try:
            status, _ = load.http_get(port, "/api/v1/lookup?lon=116.3760&lat=39.9208")
        except OSError:
            status = None
        if status == 200:
            times["recovery_s"] = time.monotonic() - t1
            return
        time.sleep(0.05)


# ----------------------------------------------------------------------------- report


def table(report: dict) -> str:
    """The results as a text table, with the same-run ratios and their targets."""
    rows = [
        f"{'phase':<9} {'requests':>9} {'req/s':>8} {'errors':>7} {'304':>7} {'503':>6} {'p50 ms':>7} {'p99 ms':>7}"
    ]
    for name in ("lookup", "baseline", "write", "fault"):
        r = report.get(name)
        if r:
            rows.append(
                f"{name:<9} {r['requests']:>9,} {r['rps']:>8.0f} {r['errors']:>7} {r['statuses'].get(304, 0):>7} "
                f"{r['statuses'].get(503, 0):>6} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f}"
            )
    ratio, write = report["ratio"], report["write"]
    rows.append(f"mix/lookup: throughput x{ratio['mix']:.2f} (target >= 0.6: {_ok(ratio['mix'] >= 0.6)})")
    rows.append(
        f"write/baseline: throughput x{ratio['rps']:.2f} (target >= 0.7: {_ok(ratio['rps'] >= 0.7)}), "
        f"p99 x{ratio['p99']:.2f}, write p99 {write['p99_ms']:.1f} ms (target <= 100: {_ok(write['p99_ms'] <= 100)})"
    )
    for kind, t in write["writers"].items():
        rows.append(f"writers {kind:<8}: {t['ops']} writes, {t['errors']} errors {'; '.join(t['messages'][:2])}")
    times = ", ".join(f"{path} {n}x {mean * 1000:.0f} ms" for path, (n, mean) in write.get("writer_times", {}).items())
    rows.append(f"writer requests (count, mean): {times}")
    jobs = report["jobs"]
    runs = ", ".join(f"{k}: {n}" for k, n in jobs["runs"].items())
    rows.append(f"publication jobs: {runs}; tile_cache rows {jobs['tile_cache_rows']}")
    fault = report.get("fault")
    if fault:
        recovery = f"{fault['recovery_s']:.2f} s" if "recovery_s" in fault else "NEVER"
        rows.append(
            f"fault: PostgreSQL down {fault.get('outage_s', 0):.1f} s, {fault['unavailable']} clean 503s, "
            f"200 again {recovery} after it was back, no app restart: {fault['workers_ok']}"
        )
    if report.get("probe"):
        rows.append(probe.table(report["probe"]))
    if report.get("cpu"):
        rows.append(cpu.table(report["cpu"]["phases"], report["cpu"]["seconds"]))
    rows.append(f"total errors: {report['total_errors']}")
    return "\n".join(rows)


def _ok(met: bool) -> str:
    return "met" if met else "NOT met"


def write_paths(folder: Path, url: str, seed: int) -> tuple[Path, Path, list, list]:
    """The mix's paths file, the lookups-only file (the same lookups), the interior points and the mix's
    (kind, Accept, path) triples."""
    points, codes = interior_points(url, seed)
    paths = request_paths(points, codes, seed)
    mix, lookups = folder / "paths.txt", folder / "lookups.txt"
    mix.write_text("".join(f"{accept} {path}\n" for _, accept, path in paths))
    lookups.write_text("".join(f"{accept} {path}\n" for kind, accept, path in paths if kind == "lookup"))
    return mix, lookups, points, paths


def main(argv=None) -> int:
    """Run the phases; print the table (or JSON); non-zero exit status on any error."""
    args = parse_args(argv)
    report = {"settings": {k: v for k, v in vars(args).items() if k != "json"}}
    with tempfile.TemporaryDirectory() as tmp, own_queue(args.seed):
        log(f"building database {args.db} (demo deployment) ...")
        with shared_world(args.db) as url:
            paths_file, lookup_file, points, paths = write_paths(Path(tmp), url, args.seed)
            report.update(baseline_and_write(args, paths_file, lookup_file, url, points, paths))
        if args.fault:
            log(f"private PostgreSQL cluster on port {args.pg_port} for the restart fault ...")
            with private_world(args.pg_port) as (url, pg):
                report["fault"] = fault_phase(args, paths_file, url, pg)
    lookup, base, write = report["lookup"], report["baseline"], report["write"]
    report["ratio"] = {
        "mix": base["rps"] / lookup["rps"],
        "rps": write["rps"] / base["rps"],
        "p99": write["p99_ms"] / max(base["p99_ms"], 1e-9),
    }
    report["total_errors"] = (
        lookup["errors"]
        + base["errors"]
        + write["errors"]
        + write["writer_errors"]
        + report.get("fault", {}).get("errors", 0)
        + (0 if report["workers_ok"] else 1)
        + (0 if report.get("fault", {}).get("workers_ok", True) else 1)
    )
    print(json.dumps(report, indent=2, default=str) if args.json else table(report))
    return 1 if report["total_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
