"""Background jobs a user starts (jobs/tracked.py): the editor's import with 修复 and the open-data build, their
progress and result for the user who started them only, retries, and a run claimed once.

The job runs here in the test process (``tracked.execute``, what the worker calls); a real worker process
killed mid-job is in tests/integration/test_job_worker_process.py.
"""

from __future__ import annotations

import io
import os
import uuid

import pytest
from redis import Redis
from sqlalchemy import select

from gisgrid.auth.models import User
from gisgrid.jobs import tracked
from gisgrid.jobs.models import JobRun
from tests import repair_world as rw
from tests.helpers import login

REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture()
def jobs_app(app, tmp_path):
    queue = f"gisgrid-test-{uuid.uuid4().hex[:8]}"
    app.config.update(REDIS_URL=REDIS_URL, JOBS_QUEUE=queue, CACHE_DIR=str(tmp_path / "cache"))
    yield app
    redis = Redis.from_url(REDIS_URL)
    for key in redis.scan_iter(f"*{queue}*"):
        redis.delete(key)


@pytest.fixture()
def messy_gpkg(tmp_path):
    path = tmp_path / "messy.gpkg"
    rw.messy_county().drop(columns=["source_index"]).to_file(path, driver="GPKG", engine="pyogrio")
    return path.read_bytes()


@pytest.fixture()
def planner(jobs_app, client, make_user, session, tmp_path):
    from gisgrid.grids import service

    path = tmp_path / "clean.gpkg"
    rw.messy_county().drop(columns=["source_index"]).to_file(path, driver="GPKG", engine="pyogrio")
    service.import_file(session, str(path), publish=True, repair=service.RepairLimits())
    make_user("planner", username="planner_job")
    return login(client, "planner_job")


def _user(session, name: str):
    return session.scalar(select(User).where(User.username == name))


def _draft(client, token) -> int:
    resp = client.post("/editor/drafts", data={"csrf_token": token})
    return int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _run(session, jobs_app, run_id: int):
    return tracked.execute(session, jobs_app.config, run_id)


def test_editor_import_with_repair_runs_as_a_job_its_starter_follows(client, session, jobs_app, planner, messy_gpkg):
    draft = _draft(client, planner)
    resp = client.post(
        f"/api/v1/editor/drafts/{draft}/import-job",
        headers={"X-CSRFToken": planner},
        data={"file": (io.BytesIO(messy_gpkg), "messy.gpkg"), "repair": "1", "snap_m": "3", "max_gap_width_m": "10"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 202, resp.get_json()
    queued = resp.get_json()
    assert queued["state"] == "queued" and queued["kind"] == "editor.import" and queued["result"] is None
    assert _run(session, jobs_app, queued["id"]) == "done"
    assert _run(session, jobs_app, queued["id"]) is None  # a second message for the same run does nothing
    done = client.get(f"/api/v1/jobs/{queued['id']}").get_json()
    assert done["state"] == "done" and done["attempts"] == 1 and done["done"] == done["total"] == 1
    preview = done["result"]
    # the same preview as the synchronous import (tests/routes/test_editor_repair.py): repaired, no error left
    assert preview["errors"] == 0 and not preview["applied"]
    slivers = [f for f in preview["repair"]["features"] if f["properties"]["record"] == "sliver"]
    assert sorted(f["properties"]["kind"] for f in slivers) == ["gap", "gap", "gap", "outside_parent", "overlap"]
    listed = client.get("/api/v1/jobs").get_json()["jobs"]
    assert [j["id"] for j in listed] == [queued["id"]]


def test_a_job_is_seen_only_by_the_user_who_started_it(client, session, jobs_app, planner, make_user):
    run = tracked.submit(session, jobs_app.config, "public_map.open_data", {}, _user(session, "planner_job"))
    assert client.get(f"/api/v1/jobs/{run.id}").status_code == 200
    client.post("/logout", data={"csrf_token": planner})
    # another planner, and a grid leader of another grid, get 403 and an empty list
    make_user("planner", username="planner_other")
    make_user("grid_leader", grids=["210002"], username="leader_foreign")
    for name in ("planner_other", "leader_foreign"):
        token = login(client, name)
        assert client.get(f"/api/v1/jobs/{run.id}").status_code == 403
        assert client.get("/api/v1/jobs").get_json() == {"jobs": []}
        client.post("/logout", data={"csrf_token": token})
    assert client.get(f"/api/v1/jobs/{run.id}").status_code == 401
    make_user("admin", username="admin_jobs")
    login(client, "admin_jobs")
    got = client.get(f"/api/v1/jobs/{run.id}")
    assert got.get_json().get("state") == "queued", got.get_data(as_text=True)
    assert client.get("/api/v1/jobs/999999").status_code == 404


def test_open_data_build_is_idempotent_and_shows_progress(client, session, jobs_app, planner):
    first = client.post("/api/v1/jobs/open-data", headers={"X-CSRFToken": planner})
    again = client.post("/api/v1/jobs/open-data", headers={"X-CSRFToken": planner})
    assert first.status_code == again.status_code == 202
    assert again.get_json()["id"] == first.get_json()["id"]  # one open build per published version
    run_id = first.get_json()["id"]
    assert _run(session, jobs_app, run_id) == "done"
    done = client.get(f"/api/v1/jobs/{run_id}").get_json()
    assert done["total"] == 3 and done["done"] == 3 and set(done["result"]["files"]) == {"geojson", "csv", "gpkg"}
    folder = os.path.join(jobs_app.config["CACHE_DIR"], "open-data")
    built = sorted(name for _, _, names in os.walk(folder) for name in names if not name.startswith("."))
    assert built == ["grids.xicheng.csv", "grids.xicheng.geojson", "grids.xicheng.gpkg"]
    # the download now comes from the files the job built
    download = client.get("/open-data/grids.csv")
    assert download.status_code == 200 and "210001" in download.get_data(as_text=True)
    # once done, a new build request starts a new run, which finds the files and only checks them
    fresh = client.post("/api/v1/jobs/open-data", headers={"X-CSRFToken": planner}).get_json()
    assert fresh["id"] != run_id and _run(session, jobs_app, fresh["id"]) == "done"


def test_a_failing_job_is_retried_then_reported_failed(client, session, jobs_app, planner):
    draft = _draft(client, planner)
    # an unexpected failure (here a run recorded without its tolerance: a KeyError in the job) is retried
    bad = {"version_id": draft, "path": "/nonexistent/edited.gpkg", "user": "planner_job"}
    run = tracked.submit(session, jobs_app.config, "editor.import", bad, _user(session, "planner_job"))
    states = [_run(session, jobs_app, run.id) for _ in range(run.max_attempts)]
    assert states == ["queued", "queued", "failed"]
    failed = client.get(f"/api/v1/jobs/{run.id}").get_json()
    assert failed["attempts"] == 3 and failed["finished_at"] and failed["error"] == "KeyError: 'tolerance_m2'"
    assert session.get(JobRun, run.id).state == "failed" and _run(session, jobs_app, run.id) is None


def test_a_refused_import_is_not_retried(client, session, jobs_app, planner, messy_gpkg, tmp_path):
    draft = _draft(client, planner)
    path = tmp_path / "messy-for-job.gpkg"
    path.write_bytes(messy_gpkg)
    # applying the messy file without 修复, with a stamp that is not the preview's: refused (409) at once
    args = {"version_id": draft, "path": str(path), "user": "planner_job", "tolerance_m2": 1.0, "stamp": "x"}
    run = tracked.submit(session, jobs_app.config, "editor.import", args, _user(session, "planner_job"))
    assert _run(session, jobs_app, run.id) == "failed"
    failed = client.get(f"/api/v1/jobs/{run.id}").get_json()
    assert failed["attempts"] == 1 and failed["error"].startswith("Conflict")


def test_only_planners_start_builds_and_imports(client, session, jobs_app, planner, make_user):
    client.post("/logout", data={"csrf_token": planner})
    make_user("grid_staff", grids=["210001"], username="staff_job")
    token = login(client, "staff_job")
    assert client.post("/api/v1/jobs/open-data", headers={"X-CSRFToken": token}).status_code == 403
    assert client.post("/api/v1/editor/drafts/1/import-job", headers={"X-CSRFToken": token}).status_code == 403
