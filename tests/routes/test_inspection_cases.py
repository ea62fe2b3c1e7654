"""An inspection that finds a violation opens a case in the source's grid, linked both ways, in one unit."""

from __future__ import annotations

from gisgrid.incidents.models import Incident
from gisgrid.sources.models import Inspection, PollutionSource
from tests.helpers import csrf_from
from tests.incident_support import As, _ok
from tests.worlds import wgs84


def registered(staff) -> int:
    lon, lat = wgs84(100, 100)
    body = {"name": "示例·电镀厂", "kind": "enterprise", "lon": lon, "lat": lat, "address": "示例工业园 5 号"}
    return _ok(staff.post("/api/v1/sources", **body), 201)["id"]


def inspect(user: As, source_id: int, **form):
    token = csrf_from(user.get(f"/sources/{source_id}").get_data(as_text=True))
    data = {"csrf_token": token, "inspected_on": "2026-11-20", **form}
    return user.client.post(f"/sources/{source_id}/inspections", data=data, headers={"Accept": "application/json"})


def test_a_violation_opens_a_linked_case_in_the_sources_grid(app, case_world, session):
    staff = As(app, case_world["staff"])
    source_id = registered(staff)
    resp = inspect(staff, source_id, violation="1", findings="示例·废水直排", category="wastewater")
    assert resp.status_code == 302
    inspection = session.query(Inspection).one()
    case = session.get(Incident, inspection.incident_id)
    source = session.get(PollutionSource, source_id)
    assert (case.channel, case.category_code, case.state) == ("inspection", "wastewater", "reported")
    assert case.grid_codes == source.grid_codes and case.address == "示例工业园 5 号"
    assert "示例·电镀厂" in case.description and "示例·废水直排" in case.description
    assert source.supervision_class == "C"
    source_page = staff.get(f"/sources/{source_id}").get_data(as_text=True)
    assert f'href="/incidents/{case.id}" data-case="{case.id}"' in source_page
    case_page = staff.get(f"/incidents/{case.id}").get_data(as_text=True)
    assert 'data-link="inspection"' in case_page and f'href="/sources/{source_id}"' in case_page
    links = staff.get(f"/api/v1/incidents/{case.id}").get_json()["links"]
    assert [(link["kind"], link["source_id"], link["inspection_id"]) for link in links] == [
        ("inspection", source_id, inspection.id)
    ]


def test_no_violation_no_case_and_a_bad_category_writes_nothing(app, case_world, session):
    staff = As(app, case_world["staff"])
    source_id = registered(staff)
    assert inspect(staff, source_id, violation="0", findings="示例·正常").status_code == 302
    assert session.query(Inspection).one().incident_id is None and session.query(Incident).count() == 0
    resp = inspect(staff, source_id, violation="1", findings="示例·超标", category="no_such")
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("category:")
    session.expire_all()
    assert session.query(Inspection).count() == 1 and session.query(Incident).count() == 0
    assert session.get(PollutionSource, source_id).supervision_class == "B"  # the C move was rolled back too


def test_a_violation_without_a_named_category_is_other(app, case_world, session):
    staff = As(app, case_world["staff"])
    source_id = registered(staff)
    handler = As(app, case_world["zhujian"])  # departments inspect district-wide
    assert inspect(handler, source_id, violation="1", findings="示例·异味").status_code == 302
    case = session.get(Incident, session.query(Inspection).one().incident_id)
    assert case.category_code == "other" and case.reporter_user_id == case_world["zhujian"].id


def test_no_client_may_post_an_inspection_case(app, case_world, session):
    staff = As(app, case_world["staff"])
    lon, lat = wgs84(100, 100)
    body = {"channel": "inspection", "category": "other", "description": "示例·伪造", "lon": lon, "lat": lat}
    resp = staff.post("/api/v1/incidents", **body)
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("channel:")
    assert session.query(Incident).count() == 0
