"""Rate limits shared through Redis: two real gunicorn servers on two ports count against one limit.

Beside it, the same pair with per-process ``memory://`` counting (the old default) lets each server
spend the whole limit, and a pair pointed at a Redis that is down still answers (in-memory fallback).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 4
LOOKUP = "/api/v1/lookup?lon=116.37&lat=39.91"
REDIS = os.environ.get("GISGRID_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@contextlib.contextmanager
def _gunicorn(database_url: str, env: dict, tmp_path: Path):
    """One gunicorn (1 sync worker) on a free loopback port; yields its base URL; always stopped."""
    port = free_port()
    exe = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    full = {
        **os.environ,
        "GISGRID_DATABASE_URL": database_url,
        "GISGRID_RATELIMIT_LOOKUP": f"{LIMIT} per minute",
        "PYTHONPATH": str(ROOT),
        **env,
    }
    log = open(tmp_path / f"gunicorn-{port}.log", "w")
    proc = subprocess.Popen(
        [exe, "gisgrid.wsgi:app", "-b", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=full,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base, proc, tmp_path / f"gunicorn-{port}.log")
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _wait_ready(base: str, proc, logfile: Path) -> None:
    deadline = time.monotonic() + 90  # a busy 2-core machine may take a while to import the app
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited: {logfile.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(base + "/ogc/conformance", timeout=2).read()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except (urllib.error.URLError, OSError):  # refused, or accepted but the worker is still booting
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer: {logfile.read_text()[-2000:]}")


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def _pair(database_url, env, tmp_path):
    stack = contextlib.ExitStack()
    return stack, [stack.enter_context(_gunicorn(database_url, env, tmp_path)) for _ in range(2)]


def _spend(servers: list[str]) -> list[int]:
    """LIMIT lookups spread over both servers, then one more on each: the statuses in order."""
    spent = [_status(servers[i % 2] + LOOKUP) for i in range(LIMIT)]
    return spent + [_status(server + LOOKUP) for server in servers]


@pytest.mark.slow
def test_two_servers_share_one_limit_through_redis(database_url, tmp_path):
    prefix = f"gisgrid-test-{uuid.uuid4().hex[:8]}"  # keys of this test only
    shared, servers = _pair(
        database_url, {"GISGRID_REDIS_URL": REDIS, "GISGRID_RATELIMIT_KEY_PREFIX": prefix}, tmp_path
    )
    with shared:
        statuses = _spend(servers)
    assert all(s != 429 for s in statuses[:LIMIT]), statuses
    assert statuses[LIMIT:] == [429, 429], statuses  # the limit is spent across both servers

    alone, servers = _pair(database_url, {"GISGRID_RATELIMIT_STORAGE_URI": "memory://"}, tmp_path)
    with alone:
        statuses = _spend(servers)
    assert 429 not in statuses, statuses  # per-process counting: each server has spent only half


@pytest.mark.slow
def test_a_redis_that_is_down_costs_no_request(database_url, tmp_path):
    down = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with _gunicorn(database_url, {"GISGRID_REDIS_URL": down}, tmp_path) as base:
        statuses = [_status(base + LOOKUP) for _ in range(LIMIT)]
    assert all(s < 500 for s in statuses), statuses
