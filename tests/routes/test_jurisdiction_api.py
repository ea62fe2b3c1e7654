"""The jurisdiction API over HTTP: record an act for a case, the rules, disputes, designation, routing, access."""

from datetime import UTC, datetime

from gisgrid.incidents import matrix
from gisgrid.jurisdiction.models import JurisdictionDispute
from tests.helpers import anonymous_token, assert_login_required
from tests.incident_support import As, _case, _ok
from tests.jurisdiction_world import box_geojson, line, point
from tests.worlds import wgs84

ACROSS_TOWNSHIPS = line((1400, 300), (1600, 300))  # V112 (T11) → V121 (T12), both in county C1
ACROSS_COUNTIES = line((2800, 500), (3300, 500))  # V122 (C1) → T21 (C2): they share only P


def _record(user_client, case_id, act, status=201, **extra):
    return _ok(user_client.put(f"/api/v1/incidents/{case_id}/jurisdiction", act=act, **extra), status)


def test_a_case_without_an_event_says_so_and_who_may_record(app, session, jw):
    case = _case(app, session, 1600, 300, 0)
    body = _ok(As(app, jw["staff_v121"]).get(f"/api/v1/incidents/{case.id}/jurisdiction"))
    assert body["event"] is None and body["may_record"] is True


def test_first_report_decides_between_two_villages_and_the_county_would_designate(app, session, jw):
    first = _case(app, session, 1600, 300, 0)  # received by V121
    later = _case(app, session, 1300, 300, 45)  # received by V112
    staff = As(app, jw["staff_v121"])
    event = _record(staff, first.id, ACROSS_TOWNSHIPS, harm=[box_geojson(4600, 1100, 4700, 1200)])
    linker = As(app, jw["staff_v112"])  # V121's staff cannot see V112's case; V112's staff can
    assert staff.post(f"/api/v1/jurisdiction/events/{event['id']}/cases", incident_id=later.id).status_code == 403
    event = _ok(linker.post(f"/api/v1/jurisdiction/events/{event['id']}/cases", incident_id=later.id), 201)
    res = event["resolution"]
    assert sorted(h["code"] for h in res["jurisdiction"]) == ["V112", "V121"]
    assert res["holder"]["code"] == "V121" and res["rule"] == "first_received"
    assert res["deciding"] == {"code": "C1", "name": "甲县", "level": 2}
    assert res["notified"] == ["V222"]
    claims = {h["code"]: h["first_claim"]["incident_id"] for h in res["jurisdiction"]}
    assert claims == {"V121": first.id, "V112": later.id}


def test_a_patrol_that_discovered_it_first_holds_it(app, session, jw):
    reported = _case(app, session, 1600, 300, 10)
    found = _case(app, session, 1300, 300, 5, channel="patrol")
    staff = As(app, jw["staff_v121"])
    event = _record(staff, reported.id, ACROSS_TOWNSHIPS)
    event = _ok(
        As(app, jw["staff_v112"]).post(f"/api/v1/jurisdiction/events/{event['id']}/cases", incident_id=found.id), 201
    )
    holder = event["resolution"]["holder"]["code"]
    assert holder == "V112"
    assert {h["code"]: h["first_claim"]["how"] for h in event["resolution"]["jurisdiction"]}["V112"] == "discovered"


def test_routing_sends_every_open_case_to_the_holder_with_an_audit_row(app, session, jw):
    first, later = _case(app, session, 1600, 300, 0), _case(app, session, 1300, 300, 45)
    staff = As(app, jw["staff_v121"])
    event = _record(staff, first.id, ACROSS_TOWNSHIPS)
    _ok(
        As(app, jw["dispatcher_c1"]).post(f"/api/v1/jurisdiction/events/{event['id']}/cases", incident_id=later.id), 201
    )
    assert staff.post(f"/api/v1/jurisdiction/events/{event['id']}/route").status_code == 403  # staff may not
    body = _ok(As(app, jw["dispatcher_c1"]).post(f"/api/v1/jurisdiction/events/{event['id']}/route"))
    assert body["routed"] == 1
    session.refresh(later)
    assert later.grid_codes == ["P", "C1", "T12", "V121"]
    assert later.events[-1].action == "jurisdiction" and "V112 → V121" in later.events[-1].reason


def test_a_new_boundary_version_does_not_offer_to_move_a_routed_case_back(app, session, jw, tmp_path):
    from gisgrid.grids import assignments
    from gisgrid.grids import service as grid_service
    from tests import worlds
    from tests.jurisdiction_world import world_j_frame

    first, later = _case(app, session, 1600, 300, 0), _case(app, session, 1300, 300, 45)
    lone = _case(app, session, 1300, 900, 50)  # an ordinary case in V112, not on the event
    event = _record(As(app, jw["staff_v121"]), first.id, ACROSS_TOWNSHIPS)
    county = As(app, jw["dispatcher_c1"])
    _ok(county.post(f"/api/v1/jurisdiction/events/{event['id']}/cases", incident_id=later.id), 201)
    _ok(county.post(f"/api/v1/jurisdiction/events/{event['id']}/route"))
    lone.grid_codes = ["P", "C1", "T12", "V121"]  # misfiled by hand: a republication corrects it
    session.commit()
    version = grid_service.import_file(
        session, worlds.write(world_j_frame(), tmp_path / "j2.gpkg"), publish=True
    ).version_id
    session.expire_all()  # the routing was done by the app's own session
    moved = {item.item_id for item in assignments.moved(session, version) if item.kind == "case"}
    assert lone.id in moved and later.id not in moved  # the decision, not the point, placed it


def test_a_dispute_climbs_two_levels_to_the_county_which_designates(app, session, jw):
    first, later = _case(app, session, 1600, 300, 0), _case(app, session, 1300, 300, 45)
    event = _record(As(app, jw["staff_v121"]), first.id, ACROSS_TOWNSHIPS)
    url = f"/api/v1/jurisdiction/events/{event['id']}"
    _ok(As(app, jw["staff_v112"]).post(f"{url}/cases", incident_id=later.id), 201)
    disputed = _ok(As(app, jw["leader_t12"]).post(f"{url}/disputes", reason="排污口位于甲一镇西村一侧"), 201)
    assert disputed["status"] == "disputed"
    dispute = disputed["disputes"][0]
    assert dispute["parties"] == ["V112", "V121"] or sorted(dispute["parties"]) == ["V112", "V121"]
    assert dispute["deciding"] == "C1"  # village → township → county: two levels up
    decision = {"designated": "V112", "reason": "排污口设在西村，由西村管辖"}
    for refused in ("leader_t11", "leader_t12", "staff_v112", "dispatcher_c1"):
        assert As(app, jw[refused]).post(f"{url}/disputes/{dispute['id']}/decision", **decision).status_code == 403
    body = _ok(As(app, jw["leader_c1"]).post(f"{url}/disputes/{dispute['id']}/decision", **decision))
    assert body["resolution"]["holder"]["code"] == "V112" and body["resolution"]["rule"] == "designated"
    assert body["disputes"][0]["decided_by"] and body["disputes"][0]["decision_reason"] == decision["reason"]
    for case in (first, later):
        session.refresh(case)
        assert case.grid_codes == ["P", "C1", "T11", "V112"]
    # V121's staff no longer see the case; the county still may, but the designation closes the question
    assert As(app, jw["staff_v121"]).get(f"/api/v1/incidents/{first.id}").status_code == 403
    again = As(app, jw["leader_c1"]).put(f"/api/v1/incidents/{first.id}/jurisdiction", act=point(1600, 300))
    assert again.status_code == 409
    second = As(app, jw["leader_c1"]).post(f"{url}/disputes/{dispute['id']}/decision", **decision)
    assert second.status_code == 409


def test_townships_of_two_counties_go_to_the_province(app, session, jw):
    case = _case(app, session, 2900, 500, 0)
    event = _record(As(app, jw["leader_c1"]), case.id, ACROSS_COUNTIES)
    url = f"/api/v1/jurisdiction/events/{event['id']}"
    levels = {h["code"]: h["level"] for h in event["resolution"]["jurisdiction"]}
    assert levels == {"V122": 4, "T21": 3}
    assert event["resolution"]["holder"]["code"] == "V122"  # only V122 received a report
    dispute = _ok(As(app, jw["leader_c2"]).post(f"{url}/disputes", reason="倾倒行为主要在乙一镇"), 201)["disputes"][0]
    assert dispute["deciding"] == "P"
    decision = {"designated": "T21", "reason": "倾倒车辆自乙一镇驶入"}
    assert As(app, jw["leader_c1"]).post(f"{url}/disputes/{dispute['id']}/decision", **decision).status_code == 403
    body = _ok(As(app, jw["leader_p"]).post(f"{url}/disputes/{dispute['id']}/decision", **decision))
    assert body["resolution"]["holder"] == {"code": "T21", "name": "乙一镇", "level": 3}
    session.refresh(case)
    assert case.grid_codes == ["P", "C2", "T21"]


def test_parties_must_have_jurisdiction_and_one_must_be_the_raisers(app, session, jw):
    case = _case(app, session, 1600, 300, 0)
    event = _record(As(app, jw["staff_v121"]), case.id, ACROSS_TOWNSHIPS, harm=[point(4600, 1500)])
    url = f"/api/v1/jurisdiction/events/{event['id']}/disputes"
    leader = As(app, jw["leader_t12"])
    assert leader.post(url, parties=["V121", "V222"], reason="下游受影响").status_code == 422
    assert leader.post(url, parties=["V121"], reason="只有一方").status_code == 422
    assert leader.post(url, reason="").status_code == 400
    assert As(app, jw["leader_c2"]).post(url, reason="与我县无关却争议").status_code == 403
    assert leader.post(url, parties="V121", reason="格式错误").status_code == 400


def test_who_may_see_an_event(app, session, jw):
    case = _case(app, session, 1600, 300, 0)
    event = _record(As(app, jw["staff_v121"]), case.id, ACROSS_TOWNSHIPS, harm=[point(4600, 1500)])
    url = f"/api/v1/jurisdiction/events/{event['id']}"
    assert app.test_client().get(url).status_code == 401
    assert As(app, jw["staff_v221"]).get(url).status_code == 403  # not involved
    notified = _ok(As(app, jw["staff_v222"]).get(url))  # affected: told, may not dispute
    assert notified["allowed"] == {"record": False, "link": True, "dispute": False, "decide": False, "route": False}
    downstream_report = _case(app, session, 4600, 1500, 30)  # received in V222, where harm shows
    linked = _ok(As(app, jw["staff_v222"]).post(f"{url}/cases", incident_id=downstream_report.id), 201)
    assert linked["resolution"]["holder"]["code"] == "V121"  # a notified grid's report claims nothing
    assert _ok(As(app, jw["leader_p"]).get(url))["allowed"]["route"] is True
    listed = _ok(As(app, jw["staff_v222"]).get("/api/v1/jurisdiction/events"))["events"]
    assert [e["id"] for e in listed] == [event["id"]]
    assert _ok(As(app, jw["staff_v221"]).get("/api/v1/jurisdiction/events"))["events"] == []
    assert As(app, jw["staff_v221"]).get("/api/v1/jurisdiction/events/99999999").status_code == 404
    assert As(app, jw["staff_v221"]).get("/api/v1/jurisdiction/events/abc").status_code == 404
    for odd in ("²", "-1", "1e3", "9" * 30):  # int("²") raised: 500
        assert As(app, jw["staff_v221"]).get(f"/api/v1/jurisdiction/events/{odd}").status_code == 404


def test_bad_input_is_refused_whole_and_keeps_the_stored_event(app, session, jw):
    case = _case(app, session, 1600, 300, 0)
    staff = As(app, jw["staff_v121"])
    event = _record(staff, case.id, ACROSS_TOWNSHIPS)
    bowtie = {"type": "Polygon", "coordinates": [[[116, 39], [116.01, 39.01], [116.01, 39], [116, 39.01], [116, 39]]]}
    for body, status in [
        ({"act": bowtie}, 422),
        ({"act": point(9000, 9000)}, 422),
        ({"act": "x"}, 400),
        ({"act": point(1600, 300), "harm": [line((0, 0), (10, 10))]}, 400),
        ({"act": point(1600, 300), "derive": {"teleport": {}}}, 400),
        ({"act": point(1600, 300), "crs": "EPSG:999999"}, 400),
        ({"act": point(1600, 300), "crs": 4326}, 400),
        ({"act": point(1600, 300), "crs": ["x"]}, 400),
        ({"act": point(1600, 300), "derive": {"buffer": {"radius_m": True}}}, 400),
    ]:
        resp = staff.put(f"/api/v1/incidents/{case.id}/jurisdiction", **body)
        assert resp.status_code == status, (body, resp.get_data(as_text=True))
        assert resp.get_json()["error"]["message"]
    kept = _ok(staff.get(f"/api/v1/incidents/{case.id}/jurisdiction"))["event"]
    assert kept["act"] == event["act"] and kept["resolution"] == event["resolution"]
    replaced = _record(staff, case.id, point(1600, 300), status=200)  # a valid replacement is 200, not 201
    assert replaced["id"] == event["id"] and replaced["resolution"]["holder"]["code"] == "V121"


def test_only_grid_staff_of_the_case_record_its_event(app, session, jw):
    case = _case(app, session, 1600, 300, 0)
    assert (
        As(app, jw["staff_v112"]).put(f"/api/v1/incidents/{case.id}/jurisdiction", act=ACROSS_TOWNSHIPS).status_code
        == 403
    )
    anonymous = app.test_client()
    headers = {"X-CSRFToken": anonymous_token(anonymous)}
    assert_login_required(anonymous.put(f"/api/v1/incidents/{case.id}/jurisdiction", json={}, headers=headers))


def test_the_adhoc_resolver_stores_nothing(app, session, jw):
    staff = As(app, jw["staff_v121"])
    body = _ok(staff.post("/api/v1/jurisdiction/resolve", act=ACROSS_COUNTIES))
    assert body["deciding"]["code"] == "P" and body["holder"] is None and body["rule"] == "undetermined"
    assert {f["properties"]["role"] for f in body["map"]["features"]} >= {"act", "jurisdiction", "deciding"}
    # a day before the first publication: the version resolver's one 404 (was a 400 here only)
    assert staff.post("/api/v1/jurisdiction/resolve", act=point(300, 300), at="1999-01-01").status_code == 404
    anonymous = app.test_client()
    headers = {"X-CSRFToken": anonymous_token(anonymous)}
    assert_login_required(
        anonymous.post("/api/v1/jurisdiction/resolve", json={"act": point(300, 300)}, headers=headers)
    )


def test_an_open_dispute_locks_the_event_and_links_are_unique(app, session, jw):
    first, later, other = (
        _case(app, session, 1600, 300, 0),
        _case(app, session, 1300, 300, 45),
        _case(app, session, 1300, 400, 50),
    )
    county = As(app, jw["dispatcher_c1"])
    event = _record(As(app, jw["staff_v121"]), first.id, ACROSS_TOWNSHIPS)
    url = f"/api/v1/jurisdiction/events/{event['id']}"
    _ok(county.post(f"{url}/cases", incident_id=later.id), 201)
    assert county.post(f"{url}/cases", incident_id=later.id).status_code == 409  # already linked
    assert county.post(f"{url}/cases").status_code == 400
    assert county.post(f"{url}/cases", incident_id="x").status_code == 404
    assert county.post(f"{url}/cases", incident_id=True).status_code == 404  # not case 1
    second = _record(As(app, jw["staff_v112"]), other.id, point(1300, 400))
    assert county.post(f"/api/v1/jurisdiction/events/{second['id']}/cases", incident_id=later.id).status_code == 409
    unlinked = _ok(county.delete(f"{url}/cases/{later.id}"))
    assert [c["incident_id"] for c in unlinked["cases"]] == [first.id]
    assert county.delete(f"{url}/cases/{first.id}").status_code == 409  # the last case stays
    missing = county.delete(f"{url}/cases/{other.id}")  # not linked to it
    assert missing.status_code == 404 and "no such linked case" in missing.get_json()["error"]["message"]
    _ok(county.post(f"{url}/cases", incident_id=later.id), 201)
    _ok(As(app, jw["leader_t11"]).post(f"{url}/disputes", reason="西村认为应由东侧管辖"), 201)
    assert As(app, jw["leader_t11"]).post(f"{url}/disputes", reason="再次争议").status_code == 409
    assert county.put(f"/api/v1/incidents/{first.id}/jurisdiction", act=point(1600, 300)).status_code == 409
    assert county.delete(f"{url}/cases/{later.id}").status_code == 409


def test_parties_without_a_common_superior_are_designated_by_an_admin(app, session, world_ab, make_user, tmp_path):
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    matrix.load_demo(session)
    leader_a, leader_b, admin = (
        make_user("grid_leader", grids=("A",)),
        make_user("grid_leader", grids=("B",)),
        make_user("admin"),
    )
    case = _case(app, session, 1900, 500, 0)
    # world A/B: counties A and B are both top-level grids, 1 km apart; a pipe from A2a into B
    event = _record(As(app, leader_a), case.id, line((1900, 500), (3100, 500)))
    assert event["resolution"]["deciding"] is None
    url = f"/api/v1/jurisdiction/events/{event['id']}"
    dispute = _ok(As(app, leader_b).post(f"{url}/disputes", reason="管道出口在乙县"), 201)["disputes"][0]
    assert dispute["deciding"] is None
    decision = {"designated": "B", "reason": "市政府指定乙县管辖"}
    resp = As(app, leader_a).post(f"{url}/disputes/{dispute['id']}/decision", **decision)
    assert resp.status_code == 403 and "共同的上级" in resp.get_json()["error"]["message"]
    body = _ok(As(app, admin).post(f"{url}/disputes/{dispute['id']}/decision", **decision))
    assert body["resolution"]["holder"]["code"] == "B" and body["disputes"][0]["deciding"] is None


def test_a_reporting_citizen_does_not_see_the_jurisdiction_panel(app, session, jw, make_user):
    citizen = make_user("public")
    client = As(app, citizen)
    lon_lat = wgs84(1600, 300)
    body = _ok(
        client.post("/api/v1/incidents", category="dust", description="工地扬尘", lon=lon_lat[0], lat=lon_lat[1]), 201
    )
    assert client.get(f"/api/v1/incidents/{body['id']}").status_code == 200  # their own case
    assert client.get(f"/api/v1/incidents/{body['id']}/jurisdiction").status_code == 403


def test_a_citizen_who_reported_a_linked_case_does_not_see_the_event(app, session, jw, make_user):
    citizen = As(app, make_user("public"))
    lon_lat = wgs84(1600, 300)
    case = _ok(
        citizen.post("/api/v1/incidents", category="dust", description="工地扬尘", lon=lon_lat[0], lat=lon_lat[1]), 201
    )
    event = _record(As(app, jw["staff_v121"]), case["id"], ACROSS_TOWNSHIPS)
    assert citizen.get(f"/api/v1/jurisdiction/events/{event['id']}").status_code == 403
    assert citizen.get(f"/jurisdiction/events/{event['id']}").status_code == 403
    assert _ok(citizen.get("/api/v1/jurisdiction/events"))["events"] == []


def test_a_second_designation_names_the_day_of_the_first_in_china_time(app, session, jw):
    first, later = _case(app, session, 1600, 300, 0), _case(app, session, 1300, 300, 45)
    event = _record(As(app, jw["staff_v121"]), first.id, ACROSS_TOWNSHIPS)
    url = f"/api/v1/jurisdiction/events/{event['id']}"
    _ok(As(app, jw["staff_v112"]).post(f"{url}/cases", incident_id=later.id), 201)
    dispute = _ok(As(app, jw["leader_t12"]).post(f"{url}/disputes", reason="排污口位于甲一镇西村一侧"), 201)[
        "disputes"
    ][0]
    decision = {"designated": "V112", "reason": "排污口设在西村，由西村管辖"}
    _ok(As(app, jw["leader_c1"]).post(f"{url}/disputes/{dispute['id']}/decision", **decision))
    stored = session.get(JurisdictionDispute, dispute["id"])
    stored.decided_at = datetime(2026, 11, 2, 17, 30, tzinfo=UTC)  # 01:30 on 3 November in Beijing
    session.commit()
    again = As(app, jw["leader_c1"]).post(f"{url}/disputes/{dispute['id']}/decision", **decision)
    assert again.status_code == 409 and "2026-11-03" in again.get_json()["error"]["message"]


def test_cases_are_not_routed_to_the_first_report_while_a_dispute_awaits_designation(app, session, jw):
    first, later = _case(app, session, 1600, 300, 0), _case(app, session, 1300, 300, 45)
    event = _record(As(app, jw["staff_v121"]), first.id, ACROSS_TOWNSHIPS)
    url = f"/api/v1/jurisdiction/events/{event['id']}"
    _ok(As(app, jw["staff_v112"]).post(f"{url}/cases", incident_id=later.id), 201)
    county = As(app, jw["dispatcher_c1"])
    disputed = _ok(As(app, jw["leader_t11"]).post(f"{url}/disputes", reason="排污口位于甲一镇西村一侧"), 201)
    assert disputed["resolution"]["holder"]["code"] == "V121" and disputed["status"] == "disputed"
    assert _ok(county.get(url))["allowed"]["route"] is False
    assert county.post(f"{url}/route").status_code == 409
    session.refresh(later)
    assert later.grid_codes == ["P", "C1", "T11", "V112"]  # stays until the county designates


def test_a_township_cannot_take_the_case_from_a_holder_outside_it_by_disputing_between_its_own_villages(
    app, session, jw
):
    first = _case(app, session, 1600, 300, 0)  # received by V121 (T12): it holds the case
    across_three = line((500, 300), (1600, 300))  # V111 and V112 (T11), then V121 (T12)
    event = _record(As(app, jw["staff_v121"]), first.id, across_three)
    assert event["resolution"]["holder"]["code"] == "V121"
    url = f"/api/v1/jurisdiction/events/{event['id']}/disputes"
    t11 = As(app, jw["leader_t11"])
    # T11 would be the common superior of its own two villages, and designate over V121's case
    assert t11.post(url, parties=["V111", "V112"], reason="两村之间的争议").status_code == 422
    assert t11.post(url, parties=["V112", "V121"], reason="排污口在西村").status_code == 201


def test_with_no_holder_every_grid_with_jurisdiction_is_a_party(app, session, jw):
    downstream = _case(app, session, 5000, 500, 0)  # received by V221: no grid with jurisdiction
    event = _record(As(app, jw["admin"]), downstream.id, line((500, 300), (1600, 300)))
    assert event["resolution"]["holder"] is None and event["resolution"]["deciding"]["code"] == "C1"
    url = f"/api/v1/jurisdiction/events/{event['id']}/disputes"
    t11 = As(app, jw["leader_t11"])
    assert t11.post(url, parties=["V111", "V112"], reason="两村之间的争议").status_code == 422
    body = _ok(t11.post(url, reason="三村都有管辖权"), 201)
    assert body["disputes"][0]["deciding"] == "C1"
