"""HTTP side of scripts/bench_lookup.py: run gunicorn, drive it with wrk (or threads), post batches."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
LUA = Path(__file__).with_name("lookup.lua")
READY_CONFIG = Path(__file__).with_name("gunicorn_ready.py")


@contextmanager
def gunicorn(url: str, app: str, port: int, workers: int, threads: int, logdir: Path, extra: tuple = ()):
    """Run ``gunicorn <app>`` on 127.0.0.1:port for the bench database; always stop it; yields its command.

    ``extra``: more gunicorn options (``--pythonpath`` of the bare ceiling app, ``--preload``)."""
    with gunicorn_process(url, app, port, workers, threads, logdir, extra) as (command, _proc):
        yield command


@contextmanager
def gunicorn_process(url: str, app: str, port: int, workers: int, threads: int, logdir: Path, extra: tuple = ()):
    """``gunicorn``, yielding (command, master process): the memory readings need the master's pid."""
    _check_port_free(port)
    ready = logdir / f"ready-{port}-{time.monotonic_ns()}"  # one empty file per worker that loaded the app
    ready.mkdir()
    cmd = [
        shutil.which("gunicorn", path=Path(sys.executable).parent) or "gunicorn",
        app,
        "-b",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        # a worker that loads the app itself (no --preload) builds the lookup index before its first
        # heartbeat: minutes at 640,000 grids, which gunicorn's usual 30-120 s would kill as a hang
        "--timeout",
        "900",
        "--backlog",
        "2048",
        "--config",
        str(READY_CONFIG),
    ]
    if threads > 1:
        cmd += ["--worker-class", "gthread", "--threads", str(threads)]
    cmd += list(extra)
    # a benchmark measures the app, not the rate limiter (which would answer 429s to wrk)
    env = {**os.environ, "GISGRID_DATABASE_URL": url, "GISGRID_RATELIMIT_ENABLED": "0", "BENCH_READY_DIR": str(ready)}
    env.setdefault("GISGRID_THREADS", str(threads))  # the pool size follows it (config._pool_size), as in production
    logfile = open(logdir / "gunicorn.log", "a")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=logfile, stderr=subprocess.STDOUT)
    try:
        # --preload builds the lookup index before gunicorn listens: minutes at 640,000 grids
        _wait_ready(port, proc, logdir / "gunicorn.log", timeout=900.0)
        _wait_workers(ready, workers, proc, timeout=900.0)
        yield " ".join(cmd[1:]), proc
    finally:
        stop_process(proc, 30)
        logfile.close()


def _check_port_free(port: int) -> None:
    with socket.socket() as probe:
        # SO_REUSEADDR as gunicorn does: sockets in TIME_WAIT from a previous run don't count
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise RuntimeError(f"port {port} is in use: pick another with --port") from None


def _wait_ready(port: int, proc, logpath: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({proc.returncode}):\n{logpath.read_text()[-3000:]}")
        try:
            status, _ = http_get(port, "/api/v1/lookup?lon=0&lat=0")
            if status in (200, 404):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer in {timeout:.0f} s:\n{logpath.read_text()[-3000:]}")


def _wait_workers(ready: Path, workers: int, proc, timeout: float) -> None:
    """Until every worker has loaded the app (each builds its own lookup index without --preload)."""
    deadline = time.monotonic() + timeout
    while len(list(ready.iterdir())) < workers:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"only {len(list(ready.iterdir()))} of {workers} gunicorn workers loaded the app")
        time.sleep(0.2)


def http_get(port: int, path: str, conn=None) -> tuple[int, bytes]:
    """One GET on a (new or given) keep-alive connection."""
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def run_wrk(port: int, box, concurrency: int, duration: float, seed: int) -> dict:
    """wrk -t2 -c<concurrency> -d<duration>s --latency with the random-point Lua script; parsed."""
    cmd = [
        "wrk",
        "-t2",
        f"-c{concurrency}",
        f"-d{duration:g}s",
        "--latency",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{port}/",
        "--",
        *[f"{v:.7f}" for v in box],
        str(seed),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> dict:
    """Requests/s, latency percentiles (ms), statuses and socket errors from wrk + lookup.lua output."""
    statuses = {int(c): int(n) for c, n in re.findall(r"^STATUS (\d+) (\d+)$", out, re.M)}
    lat = dict(re.findall(r"(p\d+|max)=(\d+)", out.split("LATENCY_US", 1)[1]))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": sum(statuses.values()),
        "statuses": statuses,
        "p50_ms": int(lat["p50"]) / 1000,
        "p90_ms": int(lat["p90"]) / 1000,
        "p99_ms": int(lat["p99"]) / 1000,
        "p999_ms": int(lat["p999"]) / 1000,
        "max_ms": int(lat["max"]) / 1000,
        "socket_errors": sum(int(v) for v in socket.groups()) if socket else 0,
        "errors": sum(n for c, n in statuses.items() if c not in (200, 404)),
        "client": "wrk",
    }


def run_python_load(port: int, box, concurrency: int, duration: float, seed: int) -> dict:
    """Fallback without wrk: threads on keep-alive connections (the client eats CPU; reads low)."""
    latencies, statuses, lock = [], {}, threading.Lock()

    def worker(seed: int) -> None:
        rng, conn, mine = np.random.default_rng(seed), http.client.HTTPConnection("127.0.0.1", port), []
        deadline = time.perf_counter() + duration
        while time.perf_counter() < deadline:
            path = f"/api/v1/lookup?lon={rng.uniform(box[0], box[2]):.7f}&lat={rng.uniform(box[1], box[3]):.7f}"
            t0 = time.perf_counter()
            status, _ = http_get(port, path, conn)
            mine.append((time.perf_counter() - t0, status))
        with lock:
            latencies.extend(t for t, _ in mine)
            for _, s in mine:
                statuses[s] = statuses.get(s, 0) + 1

    threads = [threading.Thread(target=worker, args=(seed + i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ms = [float(v) for v in np.percentile(np.asarray(latencies) * 1000, [50, 90, 99, 99.9, 100])]
    return {
        "rps": len(latencies) / duration,
        "requests": len(latencies),
        "statuses": statuses,
        "p50_ms": ms[0],
        "p90_ms": ms[1],
        "p99_ms": ms[2],
        "p999_ms": ms[3],
        "max_ms": ms[4],
        "socket_errors": 0,
        "errors": sum(n for c, n in statuses.items() if c not in (200, 404)),
        "client": "python threads (slower than wrk)",
    }


def post_batch(port: int, body: bytes, content_type: str) -> tuple[float, bytes]:
    """POST a batch body to /api/v1/lookup/batch; (seconds, response body). RuntimeError unless 200."""
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.request("POST", "/api/v1/lookup/batch", body=body, headers={"Content-Type": content_type})
    except OSError as err:  # the server answered (an error) before reading the whole body
        sent_error = err
    else:
        sent_error = None
    try:
        response = conn.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException) as err:
        raise RuntimeError(f"batch POST failed: {sent_error or err!r}") from err
    finally:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status} {_error_code(data)}")
    return time.perf_counter() - t0, data


def _error_code(data: bytes) -> str:
    try:
        return json.loads(data)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return data[:100].decode(errors="replace")


def csv_body(lon, lat) -> bytes:
    """lon,lat CSV of the points."""
    return ("lon,lat\n" + "".join(f"{x:.7f},{y:.7f}\n" for x, y in zip(lon, lat))).encode()


def geojson_body(lon, lat) -> bytes:
    """GeoJSON FeatureCollection of the points."""
    features = ",".join(
        f'{{"type":"Feature","properties":{{}},"geometry":{{"type":"Point","coordinates":[{x:.7f},{y:.7f}]}}}}'
        for x, y in zip(lon, lat)
    )
    return ('{"type":"FeatureCollection","features":[' + features + "]}").encode()


def csv_answers(data: bytes) -> tuple[int, int]:
    """(rows, rows without a grid) of a batch CSV answer."""
    lines = data.decode("utf-8").splitlines()[1:]
    return len(lines), sum(1 for line in lines if line.split(",")[2] == "")


def geojson_answers(data: bytes) -> tuple[int, int]:
    """(features, features without a grid) of a batch GeoJSON answer."""
    features = json.loads(data)["features"]
    return len(features), sum(1 for f in features if f["properties"]["grid_code"] is None)


FORMATS = {
    "csv": ("text/csv", csv_body, csv_answers),
    "geojson": ("application/geo+json", geojson_body, geojson_answers),
}


def stop_process(proc: subprocess.Popen, timeout: float) -> None:
    """SIGTERM a server the benchmark started; kill it if it has not exited within ``timeout`` seconds."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
