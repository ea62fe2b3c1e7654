"""The jurisdiction pages render for the right people and carry what the scripts need."""

import json
import re

from tests.incident_support import As, _case, _ok
from tests.jurisdiction_world import line


def _event(app, session, jw):
    case = _case(app, session, 1600, 300, 0)
    staff = As(app, jw["staff_v121"])
    event = _ok(
        staff.put(f"/api/v1/incidents/{case.id}/jurisdiction", act=line((1400, 300), (1600, 300)), title="排污管跨镇"),
        201,
    )
    return case, event


def _embedded(html, element_id):
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_event_list_page_lists_events_of_the_users_grids(app, session, jw):
    _, event = _event(app, session, jw)
    html = As(app, jw["leader_c1"]).get("/jurisdiction").get_data(as_text=True)
    assert "排污管跨镇" in html and _embedded(html, "events-data")[0]["id"] == event["id"]
    assert "暂无跨界事件" in As(app, jw["staff_v221"]).get("/jurisdiction").get_data(as_text=True)


def test_event_page_embeds_the_event_with_its_map(app, session, jw):
    _, event = _event(app, session, jw)
    resp = As(app, jw["leader_c1"]).get(f"/jurisdiction/events/{event['id']}")
    data = _embedded(resp.get_data(as_text=True), "event-data")
    assert data["resolution"]["deciding"]["code"] == "C1"
    assert {f["properties"]["role"] for f in data["map"]["features"]} == {"act", "jurisdiction", "between", "deciding"}
    assert As(app, jw["staff_v221"]).get(f"/jurisdiction/events/{event['id']}").status_code == 403


def test_record_page_and_case_page(app, session, jw):
    case, _ = _event(app, session, jw)
    staff = As(app, jw["staff_v121"])
    html = staff.get(f"/incidents/{case.id}/jurisdiction").get_data(as_text=True)
    panel = _embedded(html, "panel-data")
    assert panel["event"]["title"] == "排污管跨镇" and panel["case_level"] == 4
    assert "leaflet-geoman.min.js" in html
    detail = staff.get(f"/incidents/{case.id}").get_data(as_text=True)
    assert 'id="jurisdiction"' in detail and "jurisdiction_view.js" in detail


def test_pages_refuse_people_who_have_no_business_there(app, session, jw, make_user):
    assert app.test_client().get("/jurisdiction", headers={"Accept": "text/html"}).status_code == 302  # login
    planner = As(app, make_user("planner", grids=("P",)))
    assert planner.get("/jurisdiction").status_code == 403
