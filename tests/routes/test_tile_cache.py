"""The tile cache filled at publication (public_map/tile_fill.py, tile_store.py) and the ETags of grid JSON and pages.

A publication records a tile fill and an open-data build for the user who published; the fill runs here in the
test process (``tracked.execute``, what the worker calls; a real worker is in
tests/integration/test_tile_fill_worker.py). A stored tile is answered without ST_AsMVT: the statements sent
on the test's connection are counted.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gisgrid.grids import tasks as grid_tasks
from gisgrid.grids import versions as grid_versions
from gisgrid.jobs import tracked
from gisgrid.jobs.models import JobRun
from gisgrid.public_map import detail_cache, tile_fill, tiles
from gisgrid.public_map.models import TileCache
from tests import editor_world
from tests.helpers import login, statement_counter

API = "/api/v1/editor"


@pytest.fixture()
def world(session, tmp_path):
    tiles.TILE_CACHE.clear()
    detail_cache.clear()
    return editor_world.load(session, tmp_path).version_id


@pytest.fixture()
def planner(client, make_user, world):
    make_user("planner", username="planner_tiles")
    return login(client, "planner_tiles")


@pytest.fixture()
def mvt_count(connection):
    """How many statements with ST_AsMVT ran on the test's connection since the fixture started."""
    count, stop = statement_counter(connection, "ST_AsMVT(")
    yield count
    stop()


def publish_copy(client, token) -> int:
    """Open a draft of the published version and publish it unchanged (a new version, same grids)."""
    resp = client.post("/editor/drafts", data={"csrf_token": token})
    draft = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    resp = client.post(f"{API}/drafts/{draft}/publish", json={}, headers={"X-CSRFToken": token})
    assert resp.status_code == 200, resp.get_json()
    return draft


def runs_of(session, version_id: int) -> dict[str, JobRun]:
    runs = session.scalars(select(JobRun).where(JobRun.args["version_id"].as_integer() == version_id))
    return {run.kind: run for run in runs}


def run_fill(session, app, version_id: int) -> dict:
    run = runs_of(session, version_id)[tile_fill.TILE_FILL]
    assert tracked.execute(session, app.config, run.id) == "done"
    session.expire_all()
    return session.get(JobRun, run.id).result


def stored(session, version_id: int) -> int:
    return session.scalar(select(func.count()).select_from(TileCache).where(TileCache.version_id == version_id))


def test_a_publication_starts_the_tile_fill_and_the_open_data_build_for_its_publisher(client, session, planner):
    version_id = publish_copy(client, planner)
    runs = runs_of(session, version_id)
    assert set(runs) == {tile_fill.TILE_FILL, tile_fill.OPEN_DATA, grid_tasks.BATCH_INDEX}
    assert all(run.state == "queued" and run.user_id is not None for run in runs.values())
    previous = runs[tile_fill.TILE_FILL].args["previous_id"]
    assert previous is not None and previous != version_id
    mine = {job["id"]: job for job in client.get("/api/v1/jobs").get_json()["jobs"]}
    assert {run.id for run in runs.values()} <= set(mine)  # the publisher follows them (progress, result)


def test_filled_tiles_are_served_without_building_them(client, session, app, planner, mvt_count):
    version_id = publish_copy(client, planner)
    result = run_fill(session, app, version_id)
    assert result["built"] > 0 and stored(session, version_id) == result["built"] + result["carried"]
    row = session.scalars(select(TileCache).where(TileCache.version_id == version_id, TileCache.z == 15)).first()
    tiles.TILE_CACHE.clear()  # not this process's memory: the database's cache
    before = mvt_count()
    resp = client.get(f"/tiles/{row.z}/{row.x}/{row.y}.pbf")
    assert resp.status_code == 200 and resp.data == row.body and len(row.body) > 0
    assert mvt_count() == before  # no tile was built
    version = grid_versions.by_id(session, version_id)
    assert tiles.render_tile(session, version, row.z, row.x, row.y, row.level, "wgs84") == row.body


def test_the_next_publication_copies_the_tiles_nothing_changed(client, session, app, planner):
    first = publish_copy(client, planner)
    filled = run_fill(session, app, first)
    second = publish_copy(client, planner)  # the same grids again
    result = run_fill(session, app, second)
    assert result["carried"] == filled["built"] and result["built"] == 0
    assert result["pruned"] >= 0 and stored(session, second) == filled["built"]


def test_a_superseded_version_is_not_filled(client, session, app, planner):
    first = publish_copy(client, planner)
    publish_copy(client, planner)
    assert run_fill(session, app, first) == {"version_id": first, "skipped": "superseded"}
    assert stored(session, first) == 0


def test_an_uncached_tile_is_built_once_and_kept(client, session, world, mvt_count):
    version = grid_versions.published(session)
    z = 15
    ((x, y),) = tile_fill.covering([(116.025, 39.01, 116.025, 39.01)], z)  # inside V21
    resp = client.get(f"/tiles/{z}/{x}/{y}.pbf")
    assert resp.status_code == 200 and mvt_count() == 1
    kept = session.scalar(select(TileCache.body).where(TileCache.version_id == version.id, TileCache.z == z))
    assert kept == resp.data
    tiles.TILE_CACHE.clear()
    assert client.get(f"/tiles/{z}/{x}/{y}.pbf").data == resp.data and mvt_count() == 1


def test_grid_json_answers_304_for_its_version_and_200_after_a_publication(client, planner):
    first = client.get("/api/v1/grids/V21")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and "public" in first.headers["Cache-Control"]
    again = client.get("/api/v1/grids/V21", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag and not again.data
    publish_copy(client, planner)
    after = client.get("/api/v1/grids/V21", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag


def test_anonymous_grid_pages_have_a_public_etag_and_staff_pages_are_private(app, client, make_user, world):
    anonymous = app.test_client()
    page = anonymous.get("/grids/V21")
    etag = page.headers["ETag"]
    assert page.status_code == 200 and "public" in page.headers["Cache-Control"]
    again = anonymous.get("/grids/V21", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    assert anonymous.get("/grids/V22", headers={"If-None-Match": etag}).status_code == 200
    make_user("dispatcher", username="disp_tiles")
    login(client, "disp_tiles")
    staff = client.get("/grids/V21", headers={"If-None-Match": etag})  # the anonymous page must not be reused
    assert staff.status_code == 200 and "ETag" not in staff.headers
    assert "private" in staff.headers["Cache-Control"] and "public" not in staff.headers["Cache-Control"]


def test_a_stored_tile_commits_without_waiting_for_the_wal_flush_and_only_its_transaction(session, world):
    from sqlalchemy import text

    from gisgrid.db import unit_of_work
    from gisgrid.public_map import tile_store

    row = {"version_id": world, "variant": "wgs84", "schema": tiles.TILE_SCHEMA, "level": 3, "z": 1, "x": 1, "y": 0}
    with unit_of_work(session):
        tile_store.put(session, [{**row, "body": b"tile"}])
        assert session.execute(text("SHOW synchronous_commit")).scalar() == "off"  # a cache row: no fsync wait
    assert tile_store.read(session, world, "wgs84", tiles.TILE_SCHEMA, 3, 1, 1, 0) == b"tile"
