"""`gisgrid worker` as a real process for the integration tests: start one on a queue of its own, wait
for a condition, find what is left running for the queue, and forget the queue's Redis keys."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from redis import Redis

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of its own: the tests' queues never meet the dev server's


def spawn_worker(url: str, queue: str, settings: dict[str, str]) -> subprocess.Popen:
    """A `gisgrid worker` on ``url`` and ``queue`` (ticking every 0.5 s) with extra GISGRID_* ``settings``."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GISGRID_DATABASE_URL": url,
        "GISGRID_REDIS_URL": REDIS_URL,
        "GISGRID_JOBS_QUEUE": queue,
        "GISGRID_JOBS_TICK_SECONDS": "0.5",
        **settings,
    }
    cmd = [sys.executable, "-m", "gisgrid.cli", "worker"]
    return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def until(check, what: str, wait_s: float):
    """``check()``'s first true result within ``wait_s`` (an upper bound for a loaded machine), else fail."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def processes_of(queue: str) -> list[int]:
    """Pids of live processes started for ``queue`` (their environment names it)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            environ = (entry / "environ").read_bytes() if entry.name.isdigit() else b""
            state = (entry / "stat").read_text().split(") ")[-1][:1] if environ else ""
        except OSError:
            continue
        if f"GISGRID_JOBS_QUEUE={queue}".encode() in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def forget_queue(queue: str) -> None:
    """Delete the Redis keys of ``queue`` (RQ's queue, registries, scheduler lock)."""
    redis = Redis.from_url(REDIS_URL)
    for key in redis.scan_iter(f"*{queue}*"):
        redis.delete(key)
