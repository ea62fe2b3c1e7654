"""The editor's 重点监管单元网格 over HTTP: listed with every attribute, created, changed, deleted, 409 on races."""

from __future__ import annotations

import pytest

from tests import unit_grid_world as uw
from tests import worlds
from tests.helpers import login

API = "/api/v1/editor"


@pytest.fixture()
def draft(client, session, make_user, tmp_path):
    """World A/B with unit grids published, a planner logged in and a draft opened: (draft id, CSRF token)."""
    uw.import_world(session, tmp_path)
    make_user("planner", username="planner_u")
    token = login(client, "planner_u")
    resp = client.post("/editor/drafts", data={"csrf_token": token})
    assert resp.status_code == 302
    return int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1]), token


def outline(x1, y1, x2, y2) -> dict:
    """A box in world metres as a WGS84 GeoJSON polygon."""
    corners = [worlds.wgs84(x, y) for x, y in ((x1, y1), (x2, y1), (x2, y2), (x1, y2), (x1, y1))]
    return {"type": "Polygon", "coordinates": [[list(c) for c in corners]]}


def units_of(client, version_id) -> dict:
    resp = client.get(f"{API}/versions/{version_id}/unit-grids")
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    return {f["properties"]["code"]: f["properties"] for f in resp.json["features"]}


def put(client, token, version_id, code, **body):
    return client.put(f"{API}/drafts/{version_id}/unit-grids/{code}", json=body, headers={"X-CSRFToken": token})


def test_the_draft_lists_unit_grids_with_private_attributes_for_planners(client, draft):
    version_id, _ = draft
    units = units_of(client, version_id)
    assert set(units) == {"A1-U1", "A-U2"}
    assert units["A1-U1"]["leader_phone"] == "199-1111-0001"  # planners edit the private phone too
    assert units["A1-U1"]["parent_code"] == "A1" and units["A1-U1"]["lock_version"] == 0


def test_only_planners_see_the_editor_listing(app, make_user, draft):
    version_id, _ = draft
    other = app.test_client()
    login(other, make_user("grid_leader", grids=("A1",)).username)
    assert other.get(f"{API}/versions/{version_id}/unit-grids").status_code == 403


def test_create_change_and_delete_a_unit_grid(client, draft):
    version_id, token = draft
    resp = put(
        client, token, version_id, "A2-U9", name="新划定单元", parent_code="A2", geometry=outline(1100, 100, 1300, 300)
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.json == {"code": "A2-U9", "lock_version": 1}
    created = units_of(client, version_id)["A2-U9"]
    assert created["level"] == 2 and created["area_m2"] == pytest.approx(40_000, rel=1e-2)

    resp = put(client, token, version_id, "A2-U9", lock_version=1, entity="甲二镇人民政府", contact_phone_public=False)
    assert resp.status_code == 200 and resp.json["lock_version"] == 2
    changed = units_of(client, version_id)["A2-U9"]
    assert changed["entity"] == "甲二镇人民政府" and changed["contact_phone_public"] is False
    assert changed["name"] == "新划定单元"  # attributes not sent are kept

    resp = client.delete(f"{API}/drafts/{version_id}/unit-grids/A2-U9?lock_version=2", headers={"X-CSRFToken": token})
    assert resp.status_code == 204 and "A2-U9" not in units_of(client, version_id)


def test_a_stale_lock_is_409_and_saves_nothing(client, draft):
    version_id, token = draft
    assert put(client, token, version_id, "A1-U1", lock_version=0, name="甲").status_code == 200
    resp = put(client, token, version_id, "A1-U1", lock_version=0, name="乙")
    assert resp.status_code == 409 and resp.json["error"]["code"] == "conflict"
    assert units_of(client, version_id)["A1-U1"]["name"] == "甲"
    resp = put(client, token, version_id, "A1-U1", name="重建")  # no lock_version: would create a duplicate
    assert resp.status_code == 409


@pytest.mark.parametrize(
    "code,body,status,fragment",
    [
        ("A1-U9", {"name": "越界", "parent_code": "A1", "geometry": outline(900, 100, 1100, 300)}, 422, "geometry"),
        ("A1-U9", {"name": "无主", "parent_code": "ZZ", "geometry": outline(600, 100, 700, 200)}, 422, "parent_code"),
        (
            "A1-U9",
            {"name": "点", "parent_code": "A1", "geometry": {"type": "Point", "coordinates": [1, 2]}},
            400,
            "geometry",
        ),
        ("A1-U9", {"name": "坏", "parent_code": "A1", "geometry": {"type": "Polygon"}}, 400, "geometry"),
        ("A1-U9", {"parent_code": "A1", "geometry": outline(600, 100, 700, 200)}, 400, "name"),
        (
            "A1-U9",
            {"name": "x", "parent_code": "A1", "geometry": outline(600, 100, 700, 200), "colour": 1},
            400,
            "colour",
        ),
        ("A1-U1", {"lock_version": "x"}, 400, "lock_version"),
        ("A1-U1", {"lock_version": 0, "name": "长" * 300}, 400, "name"),
        ("NOPE", {"lock_version": 0, "name": "x"}, 404, "NOPE"),
    ],
)
def test_bad_unit_grid_edits_are_4xx_naming_the_field(client, draft, code, body, status, fragment):
    version_id, token = draft
    before = units_of(client, version_id)
    resp = put(client, token, version_id, code, **body)
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert fragment in resp.json["error"]["message"]
    assert units_of(client, version_id) == before


def test_a_published_version_cannot_be_edited(client, draft, session):
    from gisgrid.grids import versions as grid_versions

    version_id, token = draft
    published = grid_versions.find_published(session).id
    resp = put(client, token, published, "A1-U1", lock_version=0, name="x")
    assert resp.status_code == 409


def test_unit_grid_edits_are_published_with_the_draft(client, draft):
    version_id, token = draft
    assert put(client, token, version_id, "A1-U1", lock_version=0, name="甲一镇化工园（扩）").status_code == 200
    resp = client.post(f"{API}/drafts/{version_id}/publish", headers={"X-CSRFToken": token})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    lon, lat = worlds.wgs84(*uw.U1_INSIDE_A1A)
    body = client.get("/api/v1/lookup", query_string={"lon": lon, "lat": lat}).json
    assert [u["name"] for u in body["unit_grids"]] == ["甲一镇化工园（扩）"]


def test_the_profile_decides_which_level_may_designate(app, client, draft, monkeypatch):
    # 盘锦's rule (designated_by = [1]): the township A1 may not designate, the county A may
    from dataclasses import replace

    from gisgrid.deployment.profile import EXTENSION_KEY

    monkeypatch.setitem(app.extensions, EXTENSION_KEY, replace(app.extensions[EXTENSION_KEY], unit_grid_depths=(1,)))
    version_id, token = draft
    resp = put(
        client, token, version_id, "A1-U9", name="镇划单元", parent_code="A1", geometry=outline(450, 450, 650, 650)
    )
    assert resp.status_code == 422 and "parent_code" in resp.get_data(as_text=True)
    assert "A1-U9" not in units_of(client, version_id)
    resp = put(
        client, token, version_id, "A-U9", name="县划单元", parent_code="A", geometry=outline(450, 450, 650, 650)
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    report = client.get(f"{API}/drafts/{version_id}/validation")  # the imported A1-U1 now breaks the rule
    assert report.status_code == 200 and not report.json["ok"]
    assert {(p["code"], p["kind"]) for p in report.json["problems"] if p["severity"] == "error"} == {
        ("A1-U1", "unit_designator")
    }
