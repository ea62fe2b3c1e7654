"""Planner pages and APIs over HTTP: roles, CSRF, conflicts as 409, publication, history ?at=, diff, files."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from tests import editor_world
from tests.helpers import login

API = "/api/v1/editor"


@pytest.fixture()
def world(session, tmp_path):
    return editor_world.load(session, tmp_path).version_id


@pytest.fixture()
def planner(client, make_user, world):
    make_user("planner", username="planner_x")
    return login(client, "planner_x")


def open_draft(client, token) -> int:
    resp = client.post("/editor/drafts", data={"csrf_token": token})
    assert resp.status_code == 302
    return int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def base(client, version_id) -> dict:
    fc = client.get(f"{API}/versions/{version_id}/grids").get_json()
    return {f["properties"]["code"]: f["properties"]["lock"] for f in fc["features"]}


def test_only_planners_and_admins(client, make_user, world):
    assert client.get(f"{API}/versions/{world}/grids").status_code == 401
    assert client.get("/editor", headers={"Accept": "text/html"}).status_code == 302  # to the login page
    make_user("dispatcher", username="disp")
    login(client, "disp")
    resp = client.get(f"{API}/versions/{world}/grids")
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"


def test_edit_validate_publish_and_history_over_http(client, planner, world):
    draft = open_draft(client, planner)
    page = client.get(f"/editor/drafts/{draft}").get_data(as_text=True)
    assert "leaflet-geoman.min.js" in page and f"草稿 {draft}" in page
    payload = {"op": "merge", "codes": ["V21", "V22"], "base": base(client, draft)}
    assert client.post(f"{API}/drafts/{draft}/edits", json=payload).status_code == 400  # no CSRF token
    resp = client.post(f"{API}/drafts/{draft}/edits", json=payload, headers={"X-CSRFToken": planner})
    assert resp.status_code == 200 and "V22" in resp.get_json()["changed"]
    report = client.get(f"{API}/drafts/{draft}/validation").get_json()
    assert report["ok"] and report["errors"] == 0
    moved = client.get(f"{API}/versions/{draft}/moved").get_json()
    assert moved == {"version_id": draft, "items": []}
    resp = client.post(f"{API}/drafts/{draft}/publish", json={}, headers={"X-CSRFToken": planner})
    assert resp.status_code == 200 and resp.get_json()["version_id"] == draft

    point = {"lon": 116.035, "lat": 39.01}
    assert client.get("/api/v1/lookup", query_string=point).get_json()["grid"]["code"] == "V21"
    today = client.get("/api/v1/lookup", query_string={**point, "at": date.today().isoformat()}).get_json()
    assert today["version"]["id"] == draft and today["grid"]["code"] == "V21"
    assert client.get("/api/v1/lookup", query_string={**point, "at": "1999-01-01"}).status_code == 404
    assert client.get("/api/v1/lookup", query_string={**point, "at": "yesterday"}).status_code == 400

    diff = client.get(f"{API}/diff", query_string={"a": world, "b": draft}).get_json()
    assert diff["counts"]["removed"] == 1 and diff["counts"]["reshaped"] == 1
    assert client.get(f"/editor/diff?a={world}&b={draft}").status_code == 200
    history = client.get(f"/editor/history?at={date.today().isoformat()}").get_data(as_text=True)
    assert f'data-version="{draft}"' in history
    assert client.get("/editor/history?at=1999-01-01").status_code == 404
    versions_page = client.get("/editor").get_data(as_text=True)
    assert "回滚到此版本" in versions_page and "当前发布" in versions_page
    resp = client.post(f"{API}/versions/{world}/rollback", json={}, headers={"X-CSRFToken": planner})
    assert resp.status_code == 200
    assert client.get("/api/v1/lookup", query_string=point).get_json()["grid"]["code"] == "V22"


def test_second_save_gets_409_naming_the_grid_and_the_planner(client, planner, make_user, world, app):
    draft = open_draft(client, planner)
    stale = base(client, draft)
    other = app.test_client()
    make_user("planner", username="planner_y")
    other_token = login(other, "planner_y")
    first = other.post(
        f"{API}/drafts/{draft}/edits",
        headers={"X-CSRFToken": other_token},
        json={"op": "attributes", "code": "V11", "values": {"entity": "乙"}, "base": stale},
    )
    assert first.status_code == 200
    resp = client.post(
        f"{API}/drafts/{draft}/edits",
        headers={"X-CSRFToken": planner},
        json={"op": "attributes", "code": "V11", "values": {"entity": "甲"}, "base": stale},
    )
    assert resp.status_code == 409
    message = resp.get_json()["error"]["message"]
    assert "V11" in message and "planner_y" in message
    props = {
        f["properties"]["code"]: f["properties"]
        for f in client.get(f"{API}/versions/{draft}/grids").get_json()["features"]
    }
    assert props["V11"]["entity"] == "乙"


def test_bad_edits_are_400_or_422_never_500(client, planner, world):
    draft = open_draft(client, planner)
    headers = {"X-CSRFToken": planner}
    for payload, status in (
        ({"op": "teleport"}, 400),
        ({"op": "split", "code": "V11", "line": "x", "base": {}}, 400),
        ({"op": "merge", "codes": ["V11", "NOPE"], "base": {}}, 404),
        ({"op": "attributes", "code": "V11", "values": [{"a": 1}], "base": {}}, 400),
        ({"op": "move_vertex", "old": [116.01, 39.01], "new": [116.02, 39.01], "snap_m": "x"}, 400),
        ({"op": "split", "code": "V21", "line": [[116.025, 38.99], [116.025, 39.03]], "snap_m": "nan"}, 400),
        ({"op": "delete", "code": "V11", "into": "V11", "base": {}}, 400),
        ({"op": "move_vertex", "old": [116.01, 39.01], "new": [116.025, 39.01], "base": base(client, draft)}, 422),
    ):
        assert client.post(f"{API}/drafts/{draft}/edits", json=payload, headers=headers).status_code == status
    assert client.post(f"{API}/drafts/{world}/edits", json={"op": "merge"}, headers=headers).status_code == 409
    assert client.post(f"{API}/drafts/999999/edits", json={"op": "merge"}, headers=headers).status_code == 404


def test_the_create_form_adds_a_top_level_grid_without_parent(client, planner, world):
    """editor.js sends the create form's empty parent as "": a county beside C; a deeper level needs a parent."""
    draft = open_draft(client, planner)
    headers, url = {"X-CSRFToken": planner}, f"{API}/drafts/{draft}/edits"
    county = [[116.04, 39.0], [116.06, 39.0], [116.06, 39.02], [116.04, 39.02]]
    edit = {"op": "create", "parent_code": "", "code": "C2", "name": "丁县", "polygon": county}
    below = client.post(url, json={**edit, "level": 2}, headers=headers)
    assert below.status_code == 400 and below.get_json()["error"]["message"].startswith("parent_code:")
    assert client.post(url, json=edit, headers=headers).get_json()["changed"] == ["C2"]
    grids = [f["properties"] for f in client.get(f"{API}/versions/{draft}/grids").get_json()["features"]]
    assert [(p["level"], p["parent_code"]) for p in grids if p["code"] == "C2"] == [(1, None)]
    overlap = client.post(url, json={**edit, "code": "C3"}, headers=headers)
    assert overlap.status_code == 422 and "重叠" in overlap.get_json()["error"]["message"]


def test_round_trip_and_filing_downloads(client, planner, world):
    draft = open_draft(client, planner)
    gpkg = client.get(f"/editor/drafts/{draft}/export.gpkg")
    assert gpkg.status_code == 200 and gpkg.data[:15] == b"SQLite format 3"
    resp = client.post(
        f"{API}/drafts/{draft}/import",
        headers={"X-CSRFToken": planner},
        data={"file": (io.BytesIO(gpkg.data), "draft.gpkg")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["changes"] == [] and body["errors"] == 0 and not body["applied"]
    filing = client.get(f"/editor/versions/{world}/filing.zip")
    assert filing.status_code == 200 and len(zipfile.ZipFile(io.BytesIO(filing.data)).namelist()) == 6


def test_bad_requests_to_the_other_endpoints_are_4xx(client, planner, world):
    draft = open_draft(client, planner)
    headers = {"X-CSRFToken": planner}
    resp = client.post(
        f"{API}/drafts/{draft}/import",
        headers=headers,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"not a geopackage"), "x.gpkg")},
    )
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_input"
    assert "gpkg" in resp.get_json()["error"]["message"]  # names the file it could not read
    assert client.post(f"{API}/drafts/{draft}/import", headers=headers, data={}).status_code == 400
    assert client.get(f"{API}/diff?a=x&b=1").status_code == 400
    assert client.get(f"{API}/diff?a=1&b=999999").status_code == 404
    assert client.post(f"{API}/versions/{draft}/rollback", json={}, headers=headers).status_code == 409
    assert client.post(f"{API}/drafts/{world}/publish", json={}, headers=headers).status_code == 409
    assert client.post(f"{API}/versions/{world}/reassign", json={"case": "x"}, headers=headers).status_code == 400
    assert client.post(f"{API}/versions/{world}/reassign", json={"case": 5}, headers=headers).status_code == 400
    assert client.post(f"{API}/versions/{world}/reassign", json=[1], headers=headers).status_code == 400
    assert (
        client.post(
            f"{API}/drafts/{draft}/edits", data="{", headers={**headers, "Content-Type": "application/json"}
        ).status_code
        == 400
    )
    assert client.get("/editor/history?at=someday").status_code == 400
