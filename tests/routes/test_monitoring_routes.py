"""Monitoring pages and API over HTTP (Flask test client, real PostGIS): registry, scope, map, series, summaries."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from gisgrid.incidents import matrix
from gisgrid.monitoring import store
from gisgrid.monitoring.models import Alert, Station
from gisgrid.sources import service as sources
from tests.helpers import login
from tests.monitor_support import IN_E1, IN_E2, station_rows

LOCAL = ZoneInfo("Asia/Shanghai")
SECRET = "canary-PW-7f3a"  # a station password that must never appear in any answer


@pytest.fixture()
def world(session, world_e):
    """World E, sources S-E1 (in E1) and S-E2 (in E2), a leader of each half, a dispatcher of the county."""
    matrix.load_demo(session)
    for code, (lon, lat) in (("S-E1", IN_E1), ("S-E2", IN_E2)):
        sources.create_source(
            session, {"code": code, "name": f"示例·{code}", "kind": "enterprise", "lon": lon, "lat": lat}, by="t"
        )
    return world_e


def _body(mn: str = "MNAPI1", source: str = "S-E1", **extra) -> dict:
    body = {"source_code": source, "mn": mn, "name": "1号排口", "password": SECRET, "medium": "gas"}
    body |= {"lon": IN_E1[0], "lat": IN_E1[1], "interval_s": 60, "public": True}
    body["limits"] = [
        {"pollutant": "a21026", "name": "二氧化硫", "unit": "mg/m3", "period": "hour", "limit": 100},
        {"pollutant": "a34013", "name": "颗粒物", "unit": "mg/m3", "period": "day", "limit": 20},
    ]
    return body | extra


def _leader(client, make_user, grid: str) -> str:
    return login(client, make_user("grid_leader", grids=[grid]).username)


def test_register_list_and_never_show_the_password(client, session, world, make_user):
    token = _leader(client, make_user, "E1")
    resp = client.post("/api/v1/monitoring/stations", json=_body(), headers={"X-CSRFToken": token})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    created = resp.get_json()
    assert created["mn"] == "MNAPI1" and "password" not in created
    assert {(x["pollutant"], x["period"], x["limit"]) for x in created["limits"]} == {
        ("a21026", "hour", 100.0),
        ("a34013", "day", 20.0),
    }
    assert session.get(Station, created["id"]).password == SECRET  # stored as sent: the receiver compares it
    listed = client.get("/api/v1/monitoring/stations").get_json()
    assert [s["mn"] for s in listed] == ["MNAPI1"] and listed[0]["status"] == "normal"
    for url in (
        "/api/v1/monitoring/stations",
        "/api/v1/monitoring/stations.geojson",
        f"/api/v1/monitoring/stations/{created['id']}/values",
        "/monitoring",
        "/monitoring/map",
        f"/monitoring/sources/{created['source_id'] if 'source_id' in created else listed[0]['source_id']}",
        "/api/openapi.json",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert SECRET not in page.get_data(as_text=True), url
    # the audit log keeps a hash of the password, never the password
    logged = (
        session.execute(text("SELECT changes::text FROM audit_log WHERE entity = 'monitor_station'")).scalars().all()
    )
    assert logged and all(SECRET not in row for row in logged)


def test_bad_input_is_a_400_naming_the_field(client, world, make_user):
    token = _leader(client, make_user, "E1")
    for body, field in (
        (_body(mn="MN with spaces"), "mn"),
        (_body(medium="air"), "medium"),
        (_body(lon=500), "lon"),
        (_body(limits=[{"pollutant": "a21026", "period": "week", "limit": 1}]), "limits"),
        (_body(password=""), "password"),
    ):
        resp = client.post("/api/v1/monitoring/stations", json=body, headers={"X-CSRFToken": token})
        assert resp.status_code == 400, body
        assert field in resp.get_json()["error"]["message"], resp.get_json()
    unknown = client.post("/api/v1/monitoring/stations", json=_body(source="NOPE"), headers={"X-CSRFToken": token})
    assert unknown.status_code == 404 and "source_code" in unknown.get_json()["error"]["message"]
    assert client.get("/api/v1/monitoring/stations/1/values?hours=0").status_code == 400
    resp = client.get("/api/v1/monitoring/sources/1/summary?period=week")
    assert resp.status_code == 400 and "period" in resp.get_json()["error"]["message"]


def test_a_foreign_grid_leader_sees_and_changes_nothing_of_another_grid(client, session, world, make_user):
    from gisgrid.monitoring import service

    (station,) = service.register(session, None, station_rows(1))  # a station of S-E1 (grid E1)
    source_id = station.source_id
    _leader(client, make_user, "E2")
    assert client.get("/api/v1/monitoring/stations").get_json() == []
    assert client.get("/api/v1/monitoring/stations.geojson").get_json()["features"] == []
    assert client.get(f"/api/v1/monitoring/stations/{station.id}/values").status_code == 403
    assert client.get(f"/api/v1/monitoring/sources/{source_id}/summary").status_code == 403
    assert client.get(f"/monitoring/sources/{source_id}").status_code == 403
    session.add(Alert(station_id=station.id, kind="offline", started_at=datetime.now(UTC), last_at=datetime.now(UTC)))
    session.flush()
    assert client.get("/api/v1/monitoring/alerts").get_json() == []
    assert station.mn not in client.get("/monitoring").get_data(as_text=True)
    assert station.mn not in client.get("/monitoring/alerts").get_data(as_text=True)
    token = client.get("/monitoring").get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    refused = client.post("/api/v1/monitoring/stations", json=_body(), headers={"X-CSRFToken": token})
    assert refused.status_code == 403 and "source_code" in refused.get_json()["error"]["message"]
    # the leader of E1 sees the same station and its alert
    client.post("/logout", data={"csrf_token": token})
    _leader(client, make_user, "E1")
    assert [s["mn"] for s in client.get("/api/v1/monitoring/stations").get_json()] == [station.mn]
    assert [a["kind"] for a in client.get("/api/v1/monitoring/alerts").get_json()] == ["offline"]


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def test_csv_import_is_all_or_nothing_with_every_bad_row_listed(client, session, world, make_user):
    token = _leader(client, make_user, "E")
    good = station_rows(2)
    resp = client.post(
        "/monitoring/import",
        data={"csrf_token": token, "file": (io.BytesIO(_csv(good)), "stations.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200 and 'id="imported"' in resp.get_data(as_text=True)
    assert session.execute(text("SELECT count(*) FROM monitor_limit")).scalar() == 6  # 2 stations × 3 limits
    bad = station_rows(1, prefix="NEW") + [dict(good[0], mn="X Y"), dict(good[0], mn="NEW2", source_code="NOPE")]
    resp = client.post(
        "/monitoring/import",
        data={"csrf_token": token, "file": (io.BytesIO(_csv(bad)), "stations.csv")},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert resp.status_code == 422
    assert [p["row"] for p in resp.get_json()["error"]["details"]] == [4, 5]
    assert session.execute(text("SELECT count(*) FROM monitor_station WHERE mn LIKE 'NEW%'")).scalar() == 0


def _store(session, station_id: int, cn: int, times_values: list[tuple[datetime, float]]) -> None:
    rows = [(station_id, "a21026", cn, t, None, v, v - 1, v + 1, None, "N") for t, v in times_values]
    store.insert(session, rows, store.PartitionCache(LOCAL))


def test_map_status_series_and_summaries(client, session, world, make_user):
    from gisgrid.monitoring import service

    normal, exceeding, silent = service.register(session, None, station_rows(3))
    session.execute(
        text("INSERT INTO monitor_station_state VALUES (:id, now() - interval '1 hour')"), {"id": silent.id}
    )
    now = datetime.now(UTC)
    session.add(
        Alert(
            station_id=exceeding.id, kind="exceedance", pollutant="a21026", period="hour", started_at=now, last_at=now
        )
    )
    day = datetime.now(LOCAL).replace(hour=1, minute=0, second=0, microsecond=0) - timedelta(days=1)
    _store(session, normal.id, 2061, [(day + timedelta(hours=h), v) for h, v in enumerate((50.0, 150.0, 100.0, 120.0))])
    session.flush()
    _leader(client, make_user, "E1")
    data = client.get("/api/v1/monitoring/stations.geojson").get_json()
    status = {f["properties"]["mn"]: f["properties"]["status"] for f in data["features"]}
    assert status == {normal.mn: "normal", exceeding.mn: "exceeding", silent.mn: "offline"}
    assert data["counts"] == {"normal": 1, "exceeding": 1, "offline": 1}

    series = client.get(f"/api/v1/monitoring/stations/{normal.id}/values?hours=48").get_json()["series"]
    (hourly,) = series
    assert (hourly["pollutant"], hourly["cn"], hourly["limit"], hourly["unit"]) == ("a21026", 2061, 100.0, "mg/m3")
    assert hourly["values"] == [50.0, 150.0, 100.0, 120.0]

    daily = client.get(f"/api/v1/monitoring/sources/{normal.source_id}/summary?period=day").get_json()["rows"]
    assert [(r["bucket"], r["values"], r["mean"], r["min"], r["max"], r["over"]) for r in daily] == [
        (day.date().isoformat(), 4, 105.0, 49.0, 151.0, 2)  # 150 and 120 are over 100; 100 is not
    ]
    monthly = client.get(f"/api/v1/monitoring/sources/{normal.source_id}/summary?period=month").get_json()["rows"]
    assert [(r["bucket"], r["values"], r["over"]) for r in monthly] == [(day.strftime("%Y-%m"), 4, 2)]

    page = client.get(f"/monitoring/sources/{normal.source_id}").get_data(as_text=True)
    assert 'id="monitoring-series"' in page and "vendor/uplot/uPlot.iife.min.js" in page
    assert f'data-chart="{normal.id}-a21026-2061"' in page and "限值 100" in page
    assert day.date().isoformat() in page  # the daily summary row
