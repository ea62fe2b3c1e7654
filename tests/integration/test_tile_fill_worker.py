"""A publication fills the tile cache (and writes the batch index) through a real ``gisgrid worker`` and a real Redis.

The planner publishes in a committed transaction (the app's own session, as a request does); the runs are
enqueued after the commit, the worker fills the tiles of the new version and builds its open-data files, and
the planner's job records end ``done`` with their progress complete.
"""

from __future__ import annotations

import signal
import uuid

import pytest
from sqlalchemy import func, select

from gisgrid import create_app
from gisgrid.audit import actor
from gisgrid.db import db
from gisgrid.grids import tasks as grid_tasks
from gisgrid.jobs.models import JobRun
from gisgrid.public_map import tile_fill
from gisgrid.public_map.models import TileCache
from tests.conftest import fresh_database
from tests.worker_support import REDIS_URL, forget_queue, spawn_worker, until

WAIT_S = 120  # an upper bound for a loaded 2-core machine, not a speed requirement


def _publish(app, tmp_path) -> tuple[int, int]:
    """World C imported and published by a planner; → (planner id, published version id)."""
    from gisgrid.auth import service as users
    from tests import editor_world
    from tests.helpers import PASSWORD

    with app.app_context(), db.new_session() as session:
        planner = users.create_user(session, "p_tiles", PASSWORD, "planner")
        token = actor.act_as(actor.Actor(name=planner.username, source="cli", id=planner.id))
        try:
            version_id = editor_world.load(session, tmp_path).version_id
        finally:
            actor.reset(token)
        return planner.id, version_id


def _runs(app, version_id: int) -> dict:
    with app.app_context(), db.new_session() as session:
        runs = session.scalars(select(JobRun).where(JobRun.args["version_id"].as_integer() == version_id))
        return {r.kind: (r.state, r.user_id, r.done, r.total, r.result) for r in runs}


def _stored(app, version_id: int) -> int:
    with app.app_context(), db.new_session() as session:
        return session.scalar(select(func.count()).select_from(TileCache).where(TileCache.version_id == version_id))


@pytest.mark.slow
def test_a_publication_fills_the_tile_cache_in_the_worker(tmp_path):
    queue = f"gisgrid-test-{uuid.uuid4().hex[:8]}"
    cache = tmp_path / "cache"
    try:
        with fresh_database("gisgrid_tile_fill") as url:
            cfg = {"DATABASE_URL": url, "TESTING": True, "REDIS_URL": REDIS_URL, "JOBS_QUEUE": queue}
            app = create_app({**cfg, "CACHE_DIR": str(cache)})
            worker = spawn_worker(url, queue, {"GISGRID_CACHE_DIR": str(cache)})
            try:
                planner_id, version_id = _publish(app, tmp_path)
                done = {tile_fill.TILE_FILL: "done", tile_fill.OPEN_DATA: "done", grid_tasks.BATCH_INDEX: "done"}
                until(lambda: {k: v[0] for k, v in _runs(app, version_id).items()} == done, "the jobs", WAIT_S)
            finally:
                worker.send_signal(signal.SIGTERM)
                assert worker.wait(60) == 0
            runs = _runs(app, version_id)
            state, user_id, progress_done, total, result = runs[tile_fill.TILE_FILL]
            assert user_id == planner_id and progress_done == total > 0
            assert result["built"] == total and _stored(app, version_id) == total
            assert set(runs[tile_fill.OPEN_DATA][4]["files"]) == {"geojson", "csv", "gpkg"}
            batch_result = runs[grid_tasks.BATCH_INDEX][4]  # the prepared batch index, written by the worker
            assert batch_result["built"] and (cache / "batch-index" / batch_result["file"]).is_file()
            db.dispose(app)
    finally:
        forget_queue(queue)
