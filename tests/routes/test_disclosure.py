"""信息公开 over HTTP (real PostGIS): the public register of sources with emission data, hazards, open data.

World E: sources S-E1 (in 戊一街道 E1) and S-E2 (in E2); a leader of each half. Only what staff mark public
reaches the public pages, APIs and files; the staff hazard pages are scoped by grid.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pyogrio
import pytest
from sqlalchemy import text

from gisgrid.incidents import matrix
from gisgrid.monitoring import service as monitoring
from gisgrid.monitoring import store
from gisgrid.sources import service as sources
from gisgrid.sources.models import Inspection, LotteryDraw, PollutionSource
from tests.helpers import csrf_from, login
from tests.monitor_support import IN_E1, IN_E2, station_rows

LOCAL = ZoneInfo("Asia/Shanghai")


@pytest.fixture()
def world(session, world_e):
    """World E with sources S-E1 and S-E2 and one station of S-E1 (public, SO₂ hourly limit 100)."""
    matrix.load_demo(session)
    made = {}
    for code, (lon, lat) in (("S-E1", IN_E1), ("S-E2", IN_E2)):
        raw = {"code": code, "name": f"示例·{code}", "kind": "enterprise", "lon": lon, "lat": lat}
        made[code] = sources.create_source(session, raw | {"address": f"{code} 路 1 号"}, by="t")
    (station,) = monitoring.register(session, None, [r | {"public": "1"} for r in station_rows(1)])
    return {"sources": made, "station": station}


def _leader(app, make_user, grid: str):
    client = app.test_client()
    return client, login(client, make_user("grid_leader", grids=[grid]).username)


def _publish(app, make_user, source: PollutionSource, public: bool = True) -> None:
    client, token = _leader(app, make_user, source.grid_codes[-1])
    resp = client.post(f"/sources/{source.id}/public", data={"public": "1" if public else "0", "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)


def _hourly(session, station_id: int, day: datetime, values: list[float]) -> None:
    rows = [
        (station_id, "a21026", 2061, day + timedelta(hours=h), None, v, None, None, None, "N")
        for h, v in enumerate(values)
    ]
    store.insert(session, rows, store.PartitionCache(LOCAL))


def test_only_sources_marked_public_are_in_the_register(app, client, session, world, make_user):
    e1 = world["sources"]["S-E1"]
    assert client.get("/api/v1/public/sources").get_json() == []
    assert client.get(f"/public/sources/{e1.id}").status_code == 404
    _publish(app, make_user, e1)
    (row,) = client.get("/api/v1/public/sources").get_json()
    assert (row["id"], row["name"], row["address"], row["grid_code"], row["grid_name"]) == (
        e1.id, "示例·S-E1", "S-E1 路 1 号", "E1", "戊一街道"
    )  # fmt: skip
    assert row["supervision_class"] == e1.supervision_class and row["monitored"] is True
    page = client.get("/public/sources").get_data(as_text=True)
    assert "示例·S-E1" in page and "示例·S-E2" not in page and 'id="map"' in page
    assert client.get(f"/api/v1/public/sources/{world['sources']['S-E2'].id}").status_code == 404
    _publish(app, make_user, e1, public=False)
    assert client.get("/api/v1/public/sources").get_json() == []


def test_a_leader_of_another_grid_cannot_publish_a_source(app, session, world, make_user):
    e1 = world["sources"]["S-E1"]
    client, token = _leader(app, make_user, "E2")
    resp = client.post(f"/sources/{e1.id}/public", data={"public": "1", "csrf_token": token})
    assert resp.status_code == 403
    staff = app.test_client()
    token = login(staff, make_user("grid_staff", grids=["E1"]).username)
    assert staff.post(f"/sources/{e1.id}/public", data={"public": "1", "csrf_token": token}).status_code == 403
    session.refresh(e1)
    assert e1.public is False


def test_the_json_api_sets_the_flag_in_ones_grids_only(app, client, session, world, make_user):
    e1 = world["sources"]["S-E1"]
    leader, token = _leader(app, make_user, "E1")
    resp = leader.put(f"/api/v1/sources/{e1.id}/public", json={"public": True}, headers={"X-CSRFToken": token})
    assert resp.status_code == 200 and resp.get_json() == {"id": e1.id, "code": "S-E1", "public": True}
    assert [s["code"] for s in client.get("/api/v1/public/sources").get_json()] == ["S-E1"]
    resp = leader.put(f"/api/v1/sources/{e1.id}/public", json={"public": "maybe"}, headers={"X-CSRFToken": token})
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("public:")
    foreign, foreign_token = _leader(app, make_user, "E2")
    resp = foreign.put(
        f"/api/v1/sources/{e1.id}/public", json={"public": False}, headers={"X-CSRFToken": foreign_token}
    )
    assert resp.status_code == 403
    assert [s["code"] for s in client.get("/api/v1/public/sources").get_json()] == ["S-E1"]


def test_last_inspection_and_the_draws_that_picked_the_source(app, client, session, world, make_user):
    e1 = world["sources"]["S-E1"]
    session.add(
        Inspection(source_id=e1.id, inspected_on=datetime(2026, 3, 2).date(), inspector_name="x", violation=False)
    )
    session.add(
        Inspection(source_id=e1.id, inspected_on=datetime(2026, 5, 9).date(), inspector_name="y", violation=True)
    )
    picks = {"picks": [{"source_id": e1.id, "inspectors": []}]}
    other = {"picks": [{"source_id": world["sources"]["S-E2"].id, "inspectors": []}]}
    for quarter, results in (("2026Q1", picks), ("2026Q2", other), ("2026Q3", picks)):
        session.add(LotteryDraw(quarter=quarter, seed="s", algorithm="a", inputs={}, results=results, drawn_by="t"))
    session.flush()
    _publish(app, make_user, e1)
    (row,) = client.get("/api/v1/public/sources").get_json()
    assert (row["last_inspected_on"], row["last_result"]) == ("2026-05-09", "发现问题")
    assert [d["quarter"] for d in row["draws"]] == ["2026Q1", "2026Q3"]


def test_daily_averages_against_the_limit_and_exceedance_days(app, client, session, world, make_user):
    e1, station = world["sources"]["S-E1"], world["station"]
    today = datetime.now(LOCAL).replace(hour=0, minute=0, second=0, microsecond=0)
    first, second = today - timedelta(days=2), today - timedelta(days=1)
    _hourly(session, station.id, first, [50.0, 150.0, 100.0])  # one hour over 100: an exceedance day
    _hourly(session, station.id, second, [40.0, 60.0])  # none over
    session.flush()
    _publish(app, make_user, e1)
    body = client.get(f"/api/v1/public/sources/{e1.id}").get_json()
    (series,) = body["daily"]
    assert (series["pollutant"], series["limit"], series["unit"]) == ("a21026", 100.0, "mg/m3")
    assert [(d["day"], d["mean"], d["max"], d["over_hours"]) for d in series["days"]] == [
        (first.date().isoformat(), 100.0, 150.0, 1),
        (second.date().isoformat(), 50.0, 60.0, 0),
    ]
    months = {(m["month"], m["exceedance_days"], m["days"], m["values"]) for m in body["monthly"]}
    if first.month == second.month:
        assert months == {(first.strftime("%Y-%m"), 1, 2, 5)}
    else:
        assert months == {(first.strftime("%Y-%m"), 1, 1, 3), (second.strftime("%Y-%m"), 0, 1, 2)}
    page = client.get(f"/public/sources/{e1.id}").get_data(as_text=True)
    assert f'data-chart="{station.id}-a21026"' in page and "vendor/uplot/uPlot.iife.min.js" in page
    assert "小时限值 100" in page


def test_a_station_not_marked_public_shows_no_data(app, client, session, world, make_user):
    e1, station = world["sources"]["S-E1"], world["station"]
    station.public = False
    _hourly(session, station.id, datetime.now(LOCAL) - timedelta(days=1), [70.0])
    session.flush()
    _publish(app, make_user, e1)
    body = client.get(f"/api/v1/public/sources/{e1.id}").get_json()
    assert body["daily"] == [] and body["monthly"] == [] and body["monitored"] is False


def _record(client, token, lon, lat, **extra):
    body = {"kind": "chemicals", "description": "储罐区围堰破损", "lon": lon, "lat": lat} | extra
    return client.post("/api/v1/hazards", json=body, headers={"X-CSRFToken": token})


def test_hazards_are_recorded_in_ones_grid_and_listed_by_scope(app, session, world, make_user):
    leader, token = _leader(app, make_user, "E1")
    resp = _record(leader, token, *IN_E1, notes="内部备注", deadline="2026-12-31", public=True)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    made = resp.get_json()
    assert (made["grid_codes"], made["status"], made["deadline"]) == (["E", "E1"], "pending", "2026-12-31")
    foreign, foreign_token = _leader(app, make_user, "E2")
    assert _record(foreign, foreign_token, *IN_E1).status_code == 403  # E1 is not theirs
    assert foreign.get("/api/v1/hazards").get_json() == []
    page = foreign.get("/hazards").get_data(as_text=True)
    assert "储罐区围堰破损" not in page
    resp = foreign.patch(
        f"/api/v1/hazards/{made['id']}", json={"status": "rectified"}, headers={"X-CSRFToken": foreign_token}
    )
    assert resp.status_code == 403
    assert [h["id"] for h in leader.get("/api/v1/hazards").get_json()] == [made["id"]]
    resp = leader.patch(f"/api/v1/hazards/{made['id']}", json={"status": "in_progress"}, headers={"X-CSRFToken": token})
    assert resp.status_code == 200 and resp.get_json()["status_label"] == "整改中"
    audited = session.execute(
        text("SELECT action, changes ->> 'status' FROM audit_log WHERE entity = 'hazard' AND entity_id = :id"),
        {"id": str(made["id"])},
    ).all()
    # one test transaction: the insert's audit entry takes the final values (audit_trigger.sql)
    assert [tuple(row) for row in audited] == [("insert", "in_progress")]


def test_bad_hazard_input_is_a_400_naming_the_field(app, world, make_user):
    leader, token = _leader(app, make_user, "E1")
    assert _record(leader, token, *IN_E1, kind="volcano").get_json()["error"]["message"].startswith("kind:")
    assert _record(leader, token, 200, 39).get_json()["error"]["message"].startswith("lon:")
    resp = _record(leader, token, 100.0, 10.0)  # outside every grid
    assert resp.status_code == 400 and "lon" in resp.get_json()["error"]["message"]
    resp = _record(leader, token, *IN_E1, deadline="31.12.2026")
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("deadline:")


def test_public_hazards_list_map_and_the_page_form(app, client, session, world, make_user):
    leader, token = _leader(app, make_user, "E1")
    assert _record(leader, token, *IN_E1, description="公开的隐患", public=True).status_code == 201
    assert _record(leader, token, *IN_E1, description="未公开的隐患").status_code == 201
    form = {"kind": "tailings", "description": "表单登记的隐患", "lon": str(IN_E1[0]), "lat": str(IN_E1[1])}
    resp = leader.post(
        "/hazards", data=form | {"public": "1", "csrf_token": csrf_from(leader.get("/hazards").get_data(as_text=True))}
    )
    assert resp.status_code == 302
    data = client.get("/api/v1/public/hazards").get_json()
    assert sorted(f["properties"]["description"] for f in data["features"]) == ["公开的隐患", "表单登记的隐患"]
    assert {f["properties"]["grid_name"] for f in data["features"]} == {"戊一街道"}
    page = client.get("/public/hazards").get_data(as_text=True)
    assert "公开的隐患" in page and "未公开的隐患" not in page and 'id="public-points"' in page


def test_open_data_of_sources_hazards_and_emissions(app, client, session, world, make_user, tmp_path):
    e1, station = world["sources"]["S-E1"], world["station"]
    _hourly(session, station.id, datetime.now(LOCAL) - timedelta(days=1), [120.0, 80.0])
    session.flush()
    _publish(app, make_user, e1)
    leader, token = _leader(app, make_user, "E1")
    assert _record(leader, token, *IN_E1, public=True).status_code == 201
    geo = client.get("/open-data/sources.geojson")
    assert geo.status_code == 200 and geo.mimetype == "application/geo+json"
    (feature,) = geo.get_json()["features"]
    assert feature["geometry"]["coordinates"] == pytest.approx(list(IN_E1))
    assert feature["properties"]["name"] == "示例·S-E1"
    csv_text = client.get("/open-data/emissions.csv").data.decode("utf-8-sig")
    header, row = csv_text.splitlines()[:2]
    assert header.startswith("month,source_id,source_code") and ",S-E1," in row
    assert json.loads(client.get("/open-data/hazards.geojson").data)["features"][0]["properties"]["kind"] == "chemicals"
    for name, count in (("sources", 1), ("hazards", 1), ("emissions", 1)):
        path = tmp_path / f"{name}.gpkg"
        resp = client.get(f"/open-data/{name}.gpkg")
        assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
        path.write_bytes(resp.data)
        assert len(pyogrio.read_dataframe(str(path), layer=name)) == count
    assert client.get("/open-data/sources.shp").status_code == 404


def test_the_endpoints_are_in_the_api_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/v1/public/sources", "/api/v1/public/sources/{source_id}", "/api/v1/hazards",
                 "/api/v1/public/hazards", "/open-data/sources.{fmt}", "/open-data/emissions.{fmt}"):  # fmt: skip
        assert path in paths, path
