"""The prepared batch index is built by a job recorded at publication (grids/tasks.py), not by a request.

A planner publishes over HTTP; the job runs here in the test process (``tracked.execute``, what the worker
calls; a real ``gisgrid worker`` runs it in tests/integration/test_tile_fill_worker.py). Afterwards
``batch.index_for`` loads the file: the parts' geometry is never read from PostgreSQL again.
"""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from gisgrid.grids import batch, batch_store, tasks, versions
from gisgrid.jobs import tracked
from gisgrid.jobs.models import JobRun
from tests import editor_world
from tests.helpers import login, statement_counter
from tests.routes.test_tile_cache import publish_copy


@pytest.fixture()
def cache(app, tmp_path):
    app.config["CACHE_DIR"] = str(tmp_path)
    batch._cache.clear()
    yield tmp_path
    batch._cache.clear()


@pytest.fixture()
def planner(client, make_user, session, tmp_path):
    (tmp_path / "world").mkdir()
    editor_world.load(session, tmp_path / "world")
    make_user("planner", username="planner_batch")
    return login(client, "planner_batch")


@pytest.fixture()
def part_reads(connection):
    """How many times the lookup parts' geometry was read (``queries.part_arrays``: what a build reads)."""
    count, stop = statement_counter(connection, "ST_AsBinary(grid_part.geom)")
    yield count
    stop()


def job_of(session, version_id: int) -> JobRun:
    runs = session.scalars(
        select(JobRun).where(JobRun.kind == tasks.BATCH_INDEX, JobRun.args["version_id"].as_integer() == version_id)
    ).all()
    assert len(runs) == 1
    return runs[0]


def run_job(session, app, version_id: int) -> dict:
    run = job_of(session, version_id)
    assert tracked.execute(session, app.config, run.id) == "done"
    session.expire_all()
    return session.get(JobRun, run.id).result


def files(cache) -> list[str]:
    return sorted(p.name for p in (cache / "batch-index").glob("*.npz"))


def test_a_publication_records_the_batch_index_job_for_its_publisher(client, session, planner, cache):
    version_id = publish_copy(client, planner)
    run = job_of(session, version_id)
    assert run.state == "queued" and run.user_id is not None and run.dedupe_key == f"grids.batch_index:v{version_id}"
    mine = {job["id"]: job for job in client.get("/api/v1/jobs").get_json()["jobs"]}
    assert mine[run.id]["kind"] == tasks.BATCH_INDEX  # the publisher follows it under /api/v1/jobs


def test_the_job_writes_the_file_and_index_for_loads_it_without_building(
    client, session, app, planner, cache, part_reads
):
    version_id = publish_copy(client, planner)
    result = run_job(session, app, version_id)
    assert result["built"] is True and result["version_id"] == version_id
    assert files(cache) == [result["file"]]
    done = client.get(f"/api/v1/jobs/{job_of(session, version_id).id}").get_json()
    assert done["state"] == "done" and done["done"] == done["total"] == 3  # its steps, all done
    before = part_reads()
    with app.app_context():
        index = batch.index_for(session, versions.published(session))
    assert part_reads() == before  # loaded from the job's file, not built
    assert index.version_id == version_id and index.cells is not None
    built = batch.build_index(session, version_id)
    lon, lat = np.meshgrid(np.linspace(115.99, 116.05, 61), np.linspace(38.99, 39.03, 41))
    assert np.array_equal(index.assign(lon.ravel(), lat.ravel()), built.assign(lon.ravel(), lat.ravel()))


def test_a_sound_file_is_kept_and_a_damaged_one_rebuilt(client, session, app, planner, cache, part_reads):
    version_id = publish_copy(client, planner)
    run_job(session, app, version_id)
    (path,) = (cache / "batch-index").glob("*.npz")
    version = versions.published(session)
    before = part_reads()
    kept = batch_store.prepare(session, version, str(cache), lambda *a: None)
    assert kept == {"version_id": version_id, "file": path.name, "built": False} and part_reads() == before
    path.write_bytes(path.read_bytes()[:1000])  # truncated
    again = batch_store.prepare(session, version, str(cache), lambda *a: None)
    assert again["built"] is True and batch_store.load(session, version_id, path) is not None


def test_a_version_no_longer_published_is_done_without_building(client, session, app, planner, cache):
    first = publish_copy(client, planner)
    publish_copy(client, planner)
    assert run_job(session, app, first) == {"version_id": first, "skipped": "superseded"}
    assert not (cache / "batch-index").exists()
