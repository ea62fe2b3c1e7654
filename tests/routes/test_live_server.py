"""The production server (gunicorn) over real HTTP: what the Flask test client cannot show."""

import csv
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from gisgrid.grids import service
from tests import worlds
from tests.conftest import free_port, fresh_database

GUNICORN = Path(sys.executable).with_name("gunicorn")


def _wait_until_up(base: str, proc: subprocess.Popen) -> None:
    for _ in range(100):
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {proc.stderr.read().decode()}")
        try:
            requests.get(base + "/", timeout=5)  # a worker's first import of the app takes seconds
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """(base URL, database URL): gunicorn with 2 workers on a committed copy of world A/B."""
    with fresh_database("gisgrid_live") as url:
        engine = create_engine(url)
        with Session(engine) as session:
            path = worlds.write(worlds.world_ab_frame(), tmp_path_factory.mktemp("live") / "ab.gpkg")
            service.import_file(session, path, publish=True)
        engine.dispose()
        port = free_port()
        env = {**os.environ, "GISGRID_DATABASE_URL": url}
        proc = subprocess.Popen(
            [str(GUNICORN), "--bind", f"127.0.0.1:{port}", "--workers", "2", "gisgrid.wsgi:app"],
            env=env,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, proc)
            yield base, url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


@pytest.fixture(scope="module")
def live_server(live):
    return live[0]


def test_lookup_through_gunicorn(live_server):
    lon, lat = worlds.wgs84(300, 300)
    resp = requests.get(live_server + "/api/v1/lookup", params={"lon": lon, "lat": lat}, timeout=10)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/json")
    assert [g["code"] for g in resp.json()["chain"]] == ["A", "A2", "A2b"]
    assert resp.json()["grid"]["name"] == "甲二镇飞地村"


def test_batch_csv_streams_through_gunicorn(live_server):
    lon, lat = worlds.wgs84(1500, 500)
    body = "lon,lat\n" + f"{lon},{lat}\n" * 50_000
    resp = requests.post(
        live_server + "/api/v1/lookup/batch", data=body.encode(), headers={"Content-Type": "text/csv"}, timeout=60
    )
    assert resp.status_code == 200
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert len(rows) == 50_000
    assert {r["grid_code"] for r in rows} == {"A2a"}


def test_bad_input_through_gunicorn_is_json_400(live_server):
    resp = requests.get(live_server + "/api/v1/lookup", params={"lon": "x", "lat": "1"}, timeout=10)
    assert resp.status_code == 400
    assert "lon" in resp.json()["error"]["message"]


def test_recovers_when_database_connections_are_killed(live):
    base, url = live
    lon, lat = worlds.wgs84(100, 100)
    params = {"lon": lon, "lat": lat}
    for _ in range(10):  # warm both workers' connection pools
        requests.get(base + "/api/v1/lookup", params=params, timeout=10)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    engine.dispose()
    assert killed >= 1
    statuses = [requests.get(base + "/api/v1/lookup", params=params, timeout=10).status_code for _ in range(12)]
    # a killed pooled connection is dropped and the read retried on a fresh one: no error at all
    assert statuses == [200] * 12
