"""The 督办 lists' map over HTTP: each item placed by what it is about (case point, source location, a point in
the grid with its outline, else the owner's grid), coloured by state / overdue / escalated; the same scope
and filters as the list; a foreign county and a sibling village see none of it."""

from __future__ import annotations

from datetime import date

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import text

from gisgrid.incidents import matrix
from gisgrid.incidents.models import Incident
from gisgrid.sources.models import PollutionSource
from gisgrid.tracking import service as tracking
from gisgrid.tracking.rules import Rules
from tests.incident_support import As, _ok, _report
from tests.routes.test_openapi_casework import _check
from tests.tracking_support import DAY, people
from tests.worlds import wgs84


@pytest.fixture()
def items(app, session, world_ab, make_user, tmp_path):
    """Four items: 督办 on a case in A1a (overdue, escalated), on a source in A1a (reported done), on grid A1
    (open, due next year), and a department's meeting decision answering to A1 (no place of its own)."""
    matrix.load_demo(session)
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    who = people(make_user)
    case_id = _ok(_report(app.test_client(), x=100, y=100), 201)["id"]
    session.get(Incident, case_id).state = "in_progress"
    lon, lat = wgs84(120, 80)
    source = PollutionSource(code="S1", name="示例·S1", kind="enterprise", supervision_class="B", class_reason="示例",
                             location=from_shape(Point(lon, lat), srid=4326), grid_codes=["A1a"], sample_data=True)  # fmt: skip
    session.add(source)
    session.commit()
    common = {"kind": "duban", "watcher": "A", "actor": who.county, "rules": Rules(), "today": DAY}
    ids = {
        "case": tracking.open_item(
            session, title="案件督办", owner="A1a", about=("case", case_id), due=date(2026, 11, 4), **common
        ).id,  # fmt: skip
        "source": tracking.open_item(
            session, title="污染源督办", owner="A1a", about=("source", source.id), due=date(2026, 11, 30), **common
        ).id,  # fmt: skip
        "grid": tracking.open_item(
            session, title="网格督办", owner="A1", about=("grid", "A1"), due=date(2027, 6, 30), **common
        ).id,  # fmt: skip
        "decision": tracking.open_item(
            session,
            title="会议决定",
            owner_department="sthj",
            chain=["A", "A1"],
            about=("meeting", 999),
            due=date(2027, 6, 30),
            **{**common, "kind": "decision"},
        ).id,  # fmt: skip
    }
    tracking.act(session, who.village, ids["source"], tracking.Step("report_done", "已整改"), str(tmp_path), DAY)
    tracking.escalate_overdue(session, date(2026, 11, 20), Rules())
    return who, ids, {"case": (100, 100), "source": (120, 80)}


def _points(body):
    return {f["properties"]["id"]: f for f in body["features"] if f["properties"]["role"] == "item"}


def _covered(session, code, lon, lat):
    sql = text("SELECT ST_Covers(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) FROM grid g "
               "JOIN boundary_version v ON v.id = g.version_id AND v.status = 'published' WHERE g.code = :code")  # fmt: skip
    return session.execute(sql, {"lon": lon, "lat": lat, "code": code}).scalar()


def test_items_are_placed_by_what_they_are_about_and_coloured_by_state(app, client, session, items):
    who, ids, at = items
    body = _ok(As(app, who.county).get("/api/v1/tracking/map"))
    _check(client, "/api/v1/tracking/map", body, lambda b: b.update(type="Feature"))
    points = _points(body)
    assert set(points) == set(ids.values()) and body["unplaced"] == 0
    case, source = points[ids["case"]], points[ids["source"]]
    assert case["geometry"]["coordinates"] == pytest.approx(list(wgs84(*at["case"])), abs=1e-7)
    assert source["geometry"]["coordinates"] == pytest.approx(list(wgs84(*at["source"])), abs=1e-7)
    props = {k: p["properties"] for k, p in (("case", case), ("source", source))}
    assert (props["case"]["located_by"], props["case"]["colour"], props["case"]["overdue"]) == (
        "case",
        "escalated",
        True,
    )
    assert props["case"]["escalation_level"] >= 1
    assert (props["source"]["located_by"], props["source"]["colour"]) == ("source", "reported_done")
    grid, decision = points[ids["grid"]]["properties"], points[ids["decision"]]["properties"]
    assert (grid["located_by"], grid["colour"], decision["located_by"], decision["colour"]) == (
        "grid", "open", "owner_grid", "open",
    )  # fmt: skip
    for key, code in (("grid", "A1"), ("decision", "A1")):
        assert _covered(session, code, *points[ids[key]]["geometry"]["coordinates"])
    outlines = [f for f in body["features"] if f["properties"]["role"] == "outline"]
    assert [f["properties"]["id"] for f in outlines] == [ids["grid"]]  # only a grid subject brings its outline
    assert outlines[0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_the_map_has_the_lists_scope_and_filters(app, items):
    who, ids, _at = items
    overdue = _ok(As(app, who.county).get("/api/v1/tracking/map?overdue=true"))
    assert set(_points(overdue)) == {ids["case"]}
    village = _ok(As(app, who.village).get("/api/v1/tracking/map?view=mine"))
    assert set(_points(village)) == {ids["case"], ids["source"]}  # A1a's own items; A1's are above it
    for user in (who.foreign, who.sibling):
        assert _ok(As(app, user).get("/api/v1/tracking/map"))["features"] == []
    handler = _ok(As(app, who.handler).get("/api/v1/tracking/map"))
    assert set(_points(handler)) == {ids["decision"]}  # the department's own item only
    resp = As(app, who.county).get("/api/v1/tracking/map?state=lost")
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("state:")


def test_the_list_page_carries_the_map_with_its_filters(app, items):
    who, _ids, _at = items
    html = As(app, who.county).get("/tracking?view=raised&overdue=true").get_data(as_text=True)
    url = html.split('id="tracking-map"')[1].split('data-url="')[1].split('"')[0].replace("&amp;", "&")
    assert url.startswith("/api/v1/tracking/map?") and "view=raised" in url and "overdue=true" in url
    assert "超期已升级" in html and "leaflet.js" in html and "tracking_map.js" in html
