"""Every intake channel builds a Report in its own words; the same report lands as the same case."""

from __future__ import annotations

from gisgrid.incidents.models import Incident
from tests.helpers import csrf_from
from tests.incident_support import As, _ok
from tests.worlds import wgs84

LON, LAT = wgs84(100, 100)
SAME = ("category_code", "description", "lon", "lat", "grid_codes", "address", "reporter_name", "reporter_contact")


def _landed(session, case_id) -> tuple[dict, str]:
    case = session.get(Incident, int(case_id))
    return {name: getattr(case, name) for name in SAME}, case.channel


def _form(client, **extra):
    token = csrf_from(client.get("/report").get_data(as_text=True))
    data = {"category": "dust", "description": "工地渣土未覆盖", "lon": LON, "lat": LAT, **extra}
    return client.post("/api/v1/incidents", data=data, headers={"X-CSRFToken": token})


def test_each_channel_lands_the_same_case_fields(app, client, case_world, session):
    who = {"address": "示例路 1 号", "name": "张三", "contact": "13800000000"}
    web = _ok(_form(client, **who), 201)["id"]
    hotline = As(app, case_world["dispatcher"])
    by_phone = _ok(hotline.post("/api/v1/incidents", channel="hotline", **_json(who)), 201)["id"]
    walker = As(app, case_world["staff"])
    on_patrol = _ok(walker.post("/api/v1/incidents", channel="patrol", **_json(who)), 201)["id"]
    open311 = app.test_client().post(
        "/open311/v2/requests.json",
        data={
            "service_code": "dust",
            "description": "工地渣土未覆盖",
            "lat": LAT,
            "long": LON,
            "address_string": "示例路 1 号",
            "first_name": "张三",
            "phone": "13800000000",
        },
    )
    by_open311 = _ok(open311, 201)[0]["service_request_id"]

    landed = [_landed(session, case) for case in (web, by_phone, on_patrol, by_open311)]
    assert [channel for _fields, channel in landed] == ["web", "hotline", "patrol", "open311"]
    first = landed[0][0]
    assert first["reporter_name"] == "张三" and first["address"] == "示例路 1 号" and first["grid_codes"]
    assert all(fields == first for fields, _channel in landed)


def _json(who: dict) -> dict:
    return {"category": "dust", "description": "工地渣土未覆盖", "lon": LON, "lat": LAT, **who}


def test_a_channel_refusal_names_its_own_field(app, client, case_world, session):
    bad_web = _form(client, lon="inf")
    assert bad_web.status_code == 400 and "lon" in bad_web.get_json()["error"]["message"]
    bad_311 = app.test_client().post(
        "/open311/v2/requests.json", data={"service_code": "dust", "description": "x", "lat": LAT, "long": "nan"}
    )
    assert bad_311.status_code == 400 and "long" in bad_311.get_json()[0]["description"]
    too_long = _form(client, name="名" * 101)
    assert too_long.status_code == 400 and too_long.get_json()["error"]["details"] == {"field": "reporter_name"}
    assert session.query(Incident).count() == 0
