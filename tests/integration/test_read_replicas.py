"""Read replicas with a real hot standby (pg_basebackup -R on another port), over real HTTP.

A lagging replica (WAL replay paused) keeps answering anonymous lookups from the previous published
version as a whole while a logged-in user reads the new one from the primary; when replay resumes the
replica switches atomically; stopping the replica under load costs no client an error.
"""

from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from gisgrid import create_app
from gisgrid.auth import service as auth_service
from gisgrid.grids import service
from tests import worlds
from tests.helpers import PASSWORD, csrf_from
from tests.replica_support import primary, standby
from tests.servers import serve

pytestmark = pytest.mark.slow  # two private clusters per test (initdb, PostGIS, pg_basebackup)
_APP_CONNECTIONS = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
)
POINT = worlds.wgs84(100, 900)  # inside village A1a
CHAINS = {"v1": ["甲县", "甲一镇", "甲一镇东村"], "v2": ["甲县（新）", "甲一镇（新）", "甲一镇东村（新）"]}


def _import(engine, tmp_path, suffix: str) -> int:
    rows = worlds.world_ab_rows()
    if suffix:
        renamed = {"A": "甲县（新）", "A1": "甲一镇（新）", "A1a": "甲一镇东村（新）"}
        rows = [{**row, "name": renamed.get(row["code"], row["name"])} for row in rows]
    path = worlds.write(worlds.gpd.GeoDataFrame(rows, geometry="geometry", crs=worlds.PROJECTED), tmp_path / "w.gpkg")
    with Session(engine) as session:
        return service.import_file(session, path, publish=True).version_id


@pytest.fixture()
def primary_and_replica(tmp_path):
    """A committed world A/B (version v1) on a private primary cluster, a standby of it, and the app on both."""
    with primary() as pg:
        url = pg.create_database("gisgrid_replica")
        engine = create_engine(url)
        v1 = _import(engine, tmp_path, "")
        with Session(engine) as session:
            auth_service.create_user(session, "staff_r", PASSWORD, "dispatcher", display_name="示例·调度员")
        try:
            with standby(pg, "gisgrid_replica") as (replica_url, controls):
                config = {"DATABASE_URL": url, "DATABASE_REPLICA_URLS": replica_url, "RATELIMIT_ENABLED": False}
                with serve(create_app(config)) as base:
                    yield engine, base, controls, v1
        finally:
            engine.dispose()


def _lookup(http, base) -> tuple[int, list[str]]:
    resp = http.get(f"{base}/api/v1/lookup", params={"lon": POINT[0], "lat": POINT[1]}, timeout=30)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    return body["version"]["id"], [g["name"] for g in body["chain"]]


def _key(answer):
    return answer[0], tuple(answer[1])


def test_a_lagging_replica_answers_whole_versions_and_switches_atomically(primary_and_replica, tmp_path):
    engine, base, controls, v1 = primary_and_replica
    anonymous, staff = requests.Session(), requests.Session()
    assert _lookup(anonymous, base) == (v1, CHAINS["v1"])
    controls.pause_replay()  # the replica lags from now on
    v2 = _import(engine, tmp_path, "（新）")
    token = csrf_from(staff.get(f"{base}/login").text)
    form = {"username": "staff_r", "password": PASSWORD, "csrf_token": token}
    assert staff.post(f"{base}/login", data=form, allow_redirects=False).status_code == 302
    assert _lookup(staff, base) == (v2, CHAINS["v2"])  # logged in: the primary, its own writes at once
    assert _lookup(anonymous, base) == (v1, CHAINS["v1"])  # anonymous: the lagging replica, still whole v1
    controls.resume_replay()
    seen = [_lookup(anonymous, base) for _ in range(400)]
    assert all(answer in ((v1, CHAINS["v1"]), (v2, CHAINS["v2"])) for answer in seen)  # never a mix
    first_new = next(i for i, (version, _) in enumerate(seen) if version == v2)
    assert all(version == v2 for version, _ in seen[first_new:])  # once switched, it stays switched


def test_stopping_the_replica_under_load_costs_no_request(primary_and_replica):
    _engine, base, controls, v1 = primary_and_replica
    answers, failures = [], []

    def client():
        http = requests.Session()
        for _ in range(150):
            try:
                answers.append(_lookup(http, base))
            except (AssertionError, requests.RequestException) as err:
                failures.append(repr(err))

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    while len(answers) < 100 and not failures:
        threading.Event().wait(0.05)
    assert controls.scalar(_APP_CONNECTIONS) > 0  # the lookups were being served by the replica
    controls.stop()  # mid-load
    for thread in threads:
        thread.join(120)
    assert failures == []
    assert len(answers) == 600 and {_key(a) for a in answers} == {_key((v1, CHAINS["v1"]))}
