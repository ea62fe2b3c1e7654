"""Editing a draft through a live /ogc as a GIS client does (OGC API – Features Part 4): ``requests`` with an API
token, every write committed in its own transaction and audited as the token's user; GDAL reads the result.

GDAL's OAPIF driver cannot write (Debian's GDAL 3.6 lists it as ``(ro)``, and the driver has no
create/update/delete in any release), so the writes go through ``requests`` the way QGIS's OAPIF provider
sends them: OPTIONS for ``Allow``, GET for the ETag, PUT/PATCH/DELETE with ``If-Match``, POST a Feature.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
import requests
import shapely
from shapely.geometry import box, mapping, shape
from sqlalchemy import text

from tests import editor_world
from tests.conftest import fresh_database
from tests.helpers import PASSWORD, bearer_header
from tests.servers import serve


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """(the /ogc URL, the draft id, a T1 planner's bearer headers, the app) on a fresh database."""
    from gisgrid import create_app
    from gisgrid.auth import service as auth_service
    from gisgrid.db import db
    from gisgrid.editor import drafts
    from gisgrid.tokens import service as tokens

    with fresh_database("gisgrid_test_ogc_part4") as url:
        app = create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False})
        with app.app_context(), db.new_session() as session:
            editor_world.load(session, tmp_path_factory.mktemp("part4"))
            draft = drafts.open_draft(session, "setup")
            planner = auth_service.create_user(session, "planner_live", PASSWORD, "planner", grid_codes=("T1",))
            token = tokens.create(session, planner, "QGIS", 90)[1]
        with serve(app) as base:
            yield f"{base}/ogc", draft, {"Authorization": f"Bearer {token}"}, app


def _sql(app, query: str, **params) -> list:
    from gisgrid.db import db

    with app.app_context(), db.new_session() as session:
        return list(session.execute(text(query), params))


def test_a_client_edits_a_draft_over_http(live):
    ogc, draft, auth, app = live
    items = f"{ogc}/collections/draft-{draft}-grids/items"
    listed = requests.get(f"{ogc}/collections", headers=auth, timeout=30).json()["collections"]
    assert f"draft-{draft}-grids" in [c["id"] for c in listed]
    assert "POST" in requests.options(items, headers=auth, timeout=30).headers["Allow"]
    assert requests.post(items, json={}, timeout=30).status_code == 401  # no token, no cookie: refused first

    one = requests.get(f"{items}/V11", headers=auth, timeout=30)
    wider = box(116.0, 39.0, 116.012, 39.02)
    feature = {**one.json(), "geometry": mapping(wider)}
    feature["properties"] = {k: v for k, v in feature["properties"].items() if k not in ("area_m2",)}
    put = requests.put(f"{items}/V11", json=feature, headers={**auth, "If-Match": one.headers["ETag"]}, timeout=30)
    assert put.status_code == 204, put.text
    stale = requests.put(f"{items}/V11", json=feature, headers={**auth, "If-Match": one.headers["ETag"]}, timeout=30)
    assert stale.status_code == 412

    v12 = requests.get(f"{items}/V12", headers=auth, timeout=30)
    assert shape(v12.json()["geometry"]).equals(box(116.012, 39.0, 116.02, 39.02))  # gave the strip up
    patch = {"properties": {"leader_name": "李四"}}
    headers = {**auth, "If-Match": v12.headers["ETag"], "Content-Type": "application/merge-patch+json"}
    assert requests.patch(f"{items}/V12", json=patch, headers=headers, timeout=30).status_code == 204

    gone = requests.get(f"{items}/V11", headers=auth, timeout=30)
    assert requests.delete(f"{items}/V11", headers={**auth, "If-Match": gone.headers["ETag"]}, timeout=30).ok
    new = {"type": "Feature", "properties": {"code": "V13", "name": "丙村V13", "parent_code": "T1"}}
    new["geometry"] = mapping(wider)
    created = requests.post(items, json=new, headers={**auth, "Content-Type": "application/geo+json"}, timeout=30)
    assert created.status_code == 201 and created.headers["Location"] == f"{items}/V13"
    assert requests.get(created.headers["Location"], headers=auth, timeout=30).json()["properties"]["level"] == 3

    # every write was its own transaction, audited as the token's user
    audited = _sql(
        app,
        "SELECT entity_key, action FROM audit_log WHERE entity = 'grid' AND actor_name = 'planner_live'",
    )
    assert {("V11", "update"), ("V12", "update"), ("V11", "delete"), ("V13", "insert")} <= set(map(tuple, audited))
    grids = dict(_sql(app, "SELECT code, ST_AsText(geom) FROM grid WHERE version_id = :v", v=draft))
    assert shapely.from_wkt(grids["V13"]).equals(wider) and "V11" not in grids


def test_gdal_reads_the_edited_draft_with_the_token(live):
    ogc, draft, auth, _app = live
    if shutil.which("ogrinfo") is None:
        pytest.fail("ogrinfo not found: run scripts/dev setup (installs Debian's gdal-bin)")
    formats = subprocess.run(["ogrinfo", "--formats"], capture_output=True, text=True, timeout=60).stdout
    assert "OAPIF -vector- (ro)" in formats  # read-only: when GDAL can write, edit through it here too
    items = f"{ogc}/collections/draft-{draft}-grids/items"
    tag = requests.get(f"{items}/V12", headers=auth, timeout=30).headers["ETag"]
    patch = {"properties": {"leader_name": "王五"}}
    assert requests.patch(f"{items}/V12", json=patch, headers={**auth, "If-Match": tag}, timeout=30).ok
    header = f"Authorization: {auth['Authorization']}"
    cmd = ["ogrinfo", "-ro", "-q", "--config", "GDAL_HTTP_HEADERS", header, f"OAPIF:{ogc}", f"draft-{draft}-grids"]
    run = subprocess.run([*cmd, "-where", "code = 'V12'"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "leader_name (String) = 王五" in run.stdout
    anonymous = subprocess.run(cmd[:3] + cmd[5:], capture_output=True, text=True, timeout=120)
    assert anonymous.returncode != 0  # without the token the draft is not there (401)


def test_an_admin_adds_a_county_and_preconditions_hold_over_http(live):
    """A top-level grid POSTed without parent_code, committed and audited; If-Match lists and If-Unmodified-Since
    as a client sends them."""
    from gisgrid.auth import service as auth_service
    from gisgrid.db import db

    ogc, draft, _planner, app = live
    with app.app_context(), db.new_session() as session:
        admin = auth_service.create_user(session, "admin_live", PASSWORD, "admin")
        auth = bearer_header(session, admin)
    items = f"{ogc}/collections/draft-{draft}-grids/items"
    county = {"type": "Feature", "properties": {"code": "C2", "name": "丁县"}}
    county["geometry"] = mapping(box(116.04, 39.0, 116.06, 39.02))
    created = requests.post(items, json=county, headers=auth, timeout=30)
    assert created.status_code == 201, created.text
    again = requests.post(
        items, json={**county, "properties": {"code": "C3", "name": "戊县"}}, headers=auth, timeout=30
    )
    assert again.status_code == 422  # the same outline: it overlaps C2
    one = requests.get(f"{items}/C2", headers=auth, timeout=30)
    assert one.json()["properties"]["level"] == 1 and one.headers["Last-Modified"]
    tags = f'W/{one.headers["ETag"]}, "v{draft}-99", {one.headers["ETag"]}'
    patch = {"properties": {"leader_name": "县长"}}
    assert requests.patch(f"{items}/C2", json=patch, headers={**auth, "If-Match": tags}, timeout=30).status_code == 204
    since = {**auth, "If-Unmodified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"}
    assert requests.patch(f"{items}/C2", json=patch, headers=since, timeout=30).status_code == 412
    audited = _sql(
        app, "SELECT action FROM audit_log WHERE entity = 'grid' AND entity_key = 'C2' AND actor_name = 'admin_live'"
    )
    assert sorted(a for (a,) in audited) == ["insert", "update"]
    assert _sql(app, "SELECT count(*) FROM grid WHERE version_id = :v AND code = 'C3'", v=draft) == [(0,)]
