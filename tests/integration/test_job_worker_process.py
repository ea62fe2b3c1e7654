"""A background job survives its worker: ``gisgrid worker`` as a real process on a committed database and a
real Redis is SIGKILLed in the middle of an open-data build; a second worker finds the run's lease run out,
runs it again, and the job record (the one a publication starts) ends ``done`` with both attempts counted.

"In the middle" is made certain, not timed: the test holds the file lock a build takes (opendata._build_once),
so the first worker's job waits inside the build until it is killed.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from gisgrid import create_app
from gisgrid.db import db
from gisgrid.jobs.models import JobRun
from tests.conftest import fresh_database
from tests.worker_support import REDIS_URL, forget_queue, spawn_worker, until

WAIT_S = 120  # an upper bound for a loaded 2-core machine, not a speed requirement


def _app(url: str, cache: Path, queue: str):
    cfg = {"DATABASE_URL": url, "TESTING": True, "REDIS_URL": REDIS_URL, "JOBS_QUEUE": queue}
    return create_app({**cfg, "CACHE_DIR": str(cache), "JOBS_LEASE_SECONDS": 2.0})


def _setup(app, tmp_path) -> tuple[int, str]:
    """World A/B published, which records its open-data build (a tracked run); → (run id, lock file of the GeoJSON)."""
    from gisgrid.deployment import from_env
    from gisgrid.grids import service as grids
    from gisgrid.grids import versions
    from gisgrid.public_map import opendata, tasks
    from tests import worlds

    with app.app_context(), db.new_session() as session:
        grids.import_file(session, worlds.write(worlds.world_ab_frame(), tmp_path / "ab.gpkg"), publish=True)
        version = versions.resolve(session, None)
        path = opendata.cached_path(version, "geojson", app.config["CACHE_DIR"], from_env().key)
        run_id = session.scalar(select(JobRun.id).where(JobRun.kind == tasks.OPEN_DATA))  # the publication's
        return run_id, os.path.join(os.path.dirname(path), ".geojson.lock")


def _worker(url: str, cache: Path, queue: str) -> subprocess.Popen:
    return spawn_worker(url, queue, {"GISGRID_JOBS_LEASE_SECONDS": "2", "GISGRID_CACHE_DIR": str(cache)})


def _run_row(app, run_id: int) -> tuple:
    with app.app_context(), db.new_session() as session:
        run = session.get(JobRun, run_id)
        return run.state, run.attempts, run.done, run.total, run.result


def _until(check, what: str):
    return until(check, what, WAIT_S)


@pytest.mark.slow
def test_a_build_interrupted_by_a_killed_worker_completes_on_the_next(tmp_path):
    queue = f"gisgrid-test-{uuid.uuid4().hex[:8]}"
    cache = tmp_path / "cache"
    try:
        with fresh_database("gisgrid_jobs_worker") as url:
            app = _app(url, cache, queue)
            run_id, lock_path = _setup(app, tmp_path)
            os.makedirs(os.path.dirname(lock_path), exist_ok=True)
            with open(lock_path, "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # the build of the first format waits here
                first = _worker(url, cache, queue)
                try:
                    _until(lambda: _run_row(app, run_id)[0] == "running", "the first worker to claim the run")
                finally:
                    first.send_signal(signal.SIGKILL)
                    first.wait(30)
                state, attempts, done, total, result = _run_row(app, run_id)
                assert (state, attempts, result) == ("running", 1, None)  # claimed, never finished
                assert (done, total) == (0, 3)  # it reported starting the first of three files
            second = _worker(url, cache, queue)
            try:
                _until(lambda: _run_row(app, run_id)[0] == "done", "the second worker to finish the run")
            finally:
                second.send_signal(signal.SIGTERM)  # RQ's warm shutdown
                assert second.wait(60) == 0
            state, attempts, done, total, result = _run_row(app, run_id)
            assert (state, attempts, done, total) == ("done", 2, 3, 3)
            assert set(result["files"]) == {"geojson", "csv", "gpkg"}
            folder = os.path.dirname(lock_path)
            assert sorted(n for n in os.listdir(folder) if not n.startswith(".")) == [
                "grids.xicheng.csv",
                "grids.xicheng.geojson",
                "grids.xicheng.gpkg",
            ]
            db.dispose(app)
    finally:
        forget_queue(queue)
