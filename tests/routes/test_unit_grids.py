"""重点监管单元网格 (盘锦) over HTTP: lookup beside the chain, the public layer, case routing and scope."""

from __future__ import annotations

import pytest

from gisgrid.incidents import matrix
from tests import unit_grid_world as uw
from tests.incident_support import As, _ok, _report
from tests.worlds import wgs84


@pytest.fixture()
def unit_world(session, tmp_path):
    """World A/B with unit grids U1 (designated by township A1, across A1a/A1b) and U2 (by county A)."""
    return uw.import_world(session, tmp_path)


def lookup(client, x, y):
    lon, lat = wgs84(x, y)
    resp = client.get("/api/v1/lookup", query_string={"lon": lon, "lat": lat})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.json


def test_lookup_inside_a_unit_grid_returns_it_beside_the_chain(client, unit_world):
    body = lookup(client, *uw.U1_INSIDE_A1A)
    assert [g["code"] for g in body["chain"]] == ["A", "A1", "A1a"]
    [unit] = body["unit_grids"]
    assert unit["code"] == "A1-U1" and unit["kind"] == "unit"
    assert unit["level"] == 2 and unit["parent_code"] == "A1"  # supervised at the level of its designating grid
    assert unit["entity"] == "甲一镇人民政府"


def test_a_unit_grid_crosses_two_villages(client, unit_world):
    east, west = lookup(client, *uw.U1_INSIDE_A1A), lookup(client, *uw.U1_INSIDE_A1B)
    assert east["grid"]["code"] == "A1a" and west["grid"]["code"] == "A1b"
    assert [u["code"] for u in east["unit_grids"]] == [u["code"] for u in west["unit_grids"]] == ["A1-U1"]


def test_lookup_outside_every_unit_grid_has_an_empty_list(client, unit_world):
    body = lookup(client, *uw.A1A_OUTSIDE_UNITS)
    assert body["grid"]["code"] == "A1a" and body["unit_grids"] == []


def test_lookup_without_unit_grids_still_answers_an_empty_list(client, world_ab):
    assert lookup(client, 100, 100)["unit_grids"] == []


def test_lookup_hides_private_phones_of_unit_grids(client, unit_world):
    [u1] = lookup(client, *uw.U1_INSIDE_A1A)["unit_grids"]
    assert u1["leader"]["phone"] is None and u1["contact_phone"] is None
    [u2] = lookup(client, *uw.U2_INSIDE)["unit_grids"]
    assert u2["contact_phone"] == "199-1111-0002"  # marked public
    assert u2["leader"]["phone"] is None


def test_public_layer_lists_unit_grids_without_private_phones(client, unit_world):
    resp = client.get("/api/v1/unit-grids")
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    body = resp.json
    assert body["type"] == "FeatureCollection" and body["version"]["id"] == unit_world.version_id
    props = {f["properties"]["code"]: f["properties"] for f in body["features"]}
    assert set(props) == {"A1-U1", "A-U2"}
    assert props["A1-U1"]["designating_name"] == "甲一镇" and props["A-U2"]["designating_name"] == "甲县"
    assert props["A1-U1"]["leader"]["phone"] is None and props["A1-U1"]["contact_phone"] is None
    assert props["A-U2"]["contact_phone"] == "199-1111-0002"
    assert "199-1111-0001" not in resp.get_data(as_text=True)
    assert props["A1-U1"]["source_count"] == 0
    assert all(f["geometry"]["type"] == "MultiPolygon" for f in body["features"])


def test_public_layer_in_gcj02_moves_the_polygons(client, unit_world):
    plain = client.get("/api/v1/unit-grids").json["features"][0]["geometry"]["coordinates"][0][0][0]
    shifted = client.get("/api/v1/unit-grids?crs=gcj02").json["features"][0]["geometry"]["coordinates"][0][0][0]
    assert plain != shifted and abs(plain[0] - shifted[0]) < 0.01


def test_public_layer_refuses_a_bad_parameter_naming_it(client, unit_world):
    resp = client.get("/api/v1/unit-grids?crs=mars")
    assert resp.status_code == 400 and resp.json["error"]["code"] == "invalid_input"
    assert "crs" in resp.json["error"]["message"]
    resp = client.get("/api/v1/unit-grids?at=2026-13-01")
    assert resp.status_code == 400 and "at" in resp.json["error"]["message"]


def test_public_layer_before_any_publication_is_404(client):
    resp = client.get("/api/v1/unit-grids")
    assert resp.status_code == 404 and resp.json["error"]["code"] == "not_found"


@pytest.fixture()
def unit_cases(app, session, unit_world, make_user, tmp_path):
    """Two cases in U1 (one in each village it crosses), one in A1a outside U1, and the users who look."""
    matrix.load_demo(session)
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    anon = app.test_client()
    cases = {
        "u1_a1a": _ok(_report(anon, x=uw.U1_INSIDE_A1A[0], y=uw.U1_INSIDE_A1A[1]), 201),
        "u1_a1b": _ok(_report(anon, x=uw.U1_INSIDE_A1B[0], y=uw.U1_INSIDE_A1B[1]), 201),
        "a1a": _ok(_report(anon, x=uw.A1A_OUTSIDE_UNITS[0], y=uw.A1A_OUTSIDE_UNITS[1]), 201),
    }
    users = {
        "unit_staff": make_user("grid_staff", grids=("A1-U1",)),
        "supervisor": make_user("grid_leader", grids=("A1",)),
        "a1b_staff": make_user("grid_staff", grids=("A1b",)),
        "foreign": make_user("grid_staff", grids=("A2",)),
        "u2_staff": make_user("grid_staff", grids=("A-U2",)),
    }
    return cases, users


def test_a_case_in_a_unit_grid_records_it(unit_cases):
    cases, _ = unit_cases
    assert cases["u1_a1a"]["unit_grid_codes"] == ["A1-U1"] and cases["u1_a1a"]["grid_codes"] == ["A", "A1", "A1a"]
    assert cases["u1_a1b"]["unit_grid_codes"] == ["A1-U1"] and cases["u1_a1b"]["grid_codes"][-1] == "A1b"
    assert cases["a1a"]["unit_grid_codes"] == []


def _visible(app, user, cases):
    who = As(app, user)
    seen = {c["id"] for c in _ok(who.get("/api/v1/incidents"))["cases"]}
    detail = {name: who.get(f"/api/v1/incidents/{c['id']}").status_code for name, c in cases.items()}
    return {name for name, c in cases.items() if c["id"] in seen}, detail


def test_unit_grid_staff_see_its_cases_across_villages_and_no_others(app, unit_cases):
    cases, users = unit_cases
    listed, detail = _visible(app, users["unit_staff"], cases)
    assert listed == {"u1_a1a", "u1_a1b"}
    assert detail == {"u1_a1a": 200, "u1_a1b": 200, "a1a": 403}


def test_the_supervising_grid_sees_every_case_of_its_unit_grid(app, unit_cases):
    cases, users = unit_cases
    listed, detail = _visible(app, users["supervisor"], cases)
    assert {"u1_a1a", "u1_a1b"} <= listed and set(detail.values()) == {200}


def test_foreign_grid_users_do_not_see_unit_grid_cases_of_others(app, unit_cases):
    cases, users = unit_cases
    for name in ("foreign", "u2_staff"):
        listed, detail = _visible(app, users[name], cases)
        assert listed == set() and set(detail.values()) == {403}, name
    # a village the unit grid crosses sees its own part only
    listed, detail = _visible(app, users["a1b_staff"], cases)
    assert listed == {"u1_a1b"} and detail == {"u1_a1a": 403, "u1_a1b": 200, "a1a": 403}
