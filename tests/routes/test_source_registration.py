"""登记污染源 one by one (form and JSON) and from a 新增污染源 report: scope, bad input, audit, links."""

from __future__ import annotations

import re

from gisgrid.audit.models import AuditLog
from gisgrid.incidents.models import Incident
from gisgrid.sources.models import PollutionSource
from tests.helpers import csrf_from
from tests.incident_support import As, _ok, _report
from tests.worlds import wgs84

IN_A1A, IN_B = wgs84(100, 100), wgs84(3500, 500)


def body(point=IN_A1A, **extra):
    return {"name": "示例·新发现洗车点", "kind": "vehicle_repair", "lon": point[0], "lat": point[1], **extra}


def refused(resp, status, field):
    assert resp.status_code == status, resp.get_data(as_text=True)
    error = resp.get_json()["error"]
    assert error["message"].startswith(f"{field}:") or field in (error.get("details") or {}), error
    return error


def test_staff_register_a_source_in_their_grid_by_json(app, case_world, session):
    staff = As(app, case_world["staff"])
    first = _ok(staff.post("/api/v1/sources", **body(address="示例路 1 号")), 201)
    assert first["class"] == "B" and first["grid_codes"][-1] == "A1a" and first["reported_incident_id"] is None
    assert re.fullmatch(r"XZ\d{8}-001", first["code"])
    second = _ok(staff.post("/api/v1/sources", **body(name="示例·第二家")), 201)
    assert second["code"] == first["code"][:-3] + "002"
    stored = session.get(PollutionSource, first["id"])
    assert stored.address == "示例路 1 号" and stored.kind == "vehicle_repair"
    assert stored.history[0].changed_by == case_world["staff"].username
    logged = session.query(AuditLog).filter_by(entity="pollution_source", entity_id=str(stored.id)).one()
    assert logged.action == "insert" and logged.actor_name == case_world["staff"].username
    page = staff.get(first["url"]).get_data(as_text=True)
    assert "示例·新发现洗车点" in page


def test_a_foreign_grid_user_cannot_register_there(app, case_world, session):
    foreign = As(app, case_world["foreign_staff"])
    resp = foreign.post("/api/v1/sources", **body())
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"
    assert session.query(PollutionSource).count() == 0
    assert _ok(foreign.post("/api/v1/sources", **body(IN_B)), 201)["grid_codes"][-1] == "B"


def test_bad_input_is_a_400_naming_the_field(app, case_world, session):
    staff = As(app, case_world["staff"])
    no_name = {k: v for k, v in body().items() if k != "name"}
    refused(staff.post("/api/v1/sources", **no_name), 400, "name")
    refused(staff.post("/api/v1/sources", **body(kind="factory")), 400, "kind")
    refused(staff.post("/api/v1/sources", **body(lon="east")), 400, "lon")
    refused(staff.post("/api/v1/sources", **body((150.0, 10.0))), 400, "lon")  # outside every grid
    refused(staff.post("/api/v1/sources", **body(crs="EPSG:99999")), 400, "crs")
    refused(staff.post("/api/v1/sources", **body(incident_id=99999)), 404, "incident_id")
    assert _ok(staff.post("/api/v1/sources", **body(code="DUP-1")), 201)
    error = refused(staff.post("/api/v1/sources", **body(code="DUP-1")), 409, "code")
    assert error["code"] == "conflict"
    assert session.query(PollutionSource).count() == 1


def test_the_form_registers_and_shows_a_bad_field_again(app, case_world, session):
    staff = As(app, case_world["staff"])
    page = staff.get("/sources/new").get_data(as_text=True)
    token = csrf_from(page)
    form = {"csrf_token": token, **body(), "lon": "abc", "address": "示例路 9 号"}
    resp = staff.client.post("/sources/new", data=form)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'data-field="lon"' in html and 'value="示例路 9 号"' in html
    resp = staff.client.post("/sources/new", data={**form, "lon": str(IN_A1A[0])})
    assert resp.status_code == 302
    source = session.query(PollutionSource).one()
    assert resp.headers["Location"].endswith(f"/sources/{source.id}") and source.grid_codes[-1] == "A1a"
    assert 'href="/sources/new"' in staff.get("/sources").get_data(as_text=True)


def test_a_new_source_report_leads_to_a_prefilled_registration(app, case_world, session, client):
    case_id = _ok(_report(client, category="new_source", address="示例胡同 3 号"), 201)["id"]
    staff = As(app, case_world["staff"])
    case_page = staff.get(f"/incidents/{case_id}").get_data(as_text=True)
    assert f'href="/sources/new?incident={case_id}"' in case_page and "登记该新增污染源" in case_page
    form_page = staff.get(f"/sources/new?incident={case_id}").get_data(as_text=True)
    assert f'name="incident_id" value="{case_id}"' in form_page and 'value="示例胡同 3 号"' in form_page
    assert f'value="{IN_A1A[0]}"' in form_page and "工地未覆盖，扬尘严重" in form_page and "A1a" in form_page
    registered = _ok(staff.post("/api/v1/sources", **body(incident_id=case_id)), 201)
    assert registered["reported_incident_id"] == case_id
    assert f"案件 {case_id}" in session.get(PollutionSource, registered["id"]).history[0].reason
    case_page = staff.get(f"/incidents/{case_id}").get_data(as_text=True)
    assert f'href="/sources/{registered["id"]}"' in case_page and "登记该新增污染源" not in case_page
    links = staff.get(f"/api/v1/incidents/{case_id}").get_json()["links"]
    assert [(link["kind"], link["source_id"]) for link in links] == [("registered_source", registered["id"])]
    refused(staff.post("/api/v1/sources", **body(incident_id=case_id, name="再登记")), 409, "incident_id")


def test_only_a_new_source_case_prefills_and_only_a_visible_one(app, case_world, session, client):
    dust = _ok(_report(client, category="dust"), 201)["id"]
    staff = As(app, case_world["staff"])
    refused(staff.post("/api/v1/sources", **body(incident_id=dust)), 400, "incident_id")
    assert "登记该新增污染源" not in staff.get(f"/incidents/{dust}").get_data(as_text=True)
    assert staff.get("/sources/new?incident=x1").status_code == 400
    new_in_b = _ok(_report(client, category="new_source", x=3500, y=500), 201)["id"]
    assert staff.get(f"/sources/new?incident={new_in_b}").status_code in (403, 404)  # not the user's case
    assert session.get(Incident, new_in_b).category_code == "new_source"


def test_the_prefilled_form_registers_from_the_case(app, case_world, session, client):
    case_id = _ok(_report(client, category="new_source"), 201)["id"]
    staff = As(app, case_world["staff"])
    page = staff.get(f"/sources/new?incident={case_id}").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), **body(), "incident_id": str(case_id), "code": "XZ20261205-001"}
    assert staff.client.post("/sources/new", data=form).status_code == 302
    source = session.query(PollutionSource).one()
    assert source.reported_incident_id == case_id
    second = _ok(staff.post("/api/v1/sources", **body(name="示例·另一家")), 201)  # a generated code skips the typed one
    assert second["code"].startswith("XZ") and second["code"] != "XZ20261205-001"
