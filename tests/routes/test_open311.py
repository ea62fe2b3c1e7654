"""Open311 GeoReport v2: services, a posted request read back in json and xml, jurisdiction and api_key."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from gisgrid.incidents import matrix
from tests.worlds import wgs84


@pytest.fixture()
def matrix_ab(session, world_ab):
    matrix.load_demo(session)


def _post(client, fmt="json", **extra):
    lon, lat = wgs84(1500, 500)
    data = {
        "service_code": "dust",
        "lat": lat,
        "long": lon,
        "description": "工地扬尘",
        "email": "a@example.org",
        **extra,
    }
    return client.post(f"/open311/v2/requests.{fmt}", data=data)


def test_services_json_and_xml(client, matrix_ab):
    services = client.get("/open311/v2/services.json").get_json()
    dust = next(s for s in services if s["service_code"] == "dust")
    assert dust["service_name"] == "施工扬尘" and dust["type"] == "realtime" and dust["metadata"] is False
    root = ET.fromstring(client.get("/open311/v2/services.xml").data)
    assert root.tag == "services" and "straw" in [s.findtext("service_code") for s in root]
    definition = client.get("/open311/v2/services/dust.json").get_json()
    assert definition == {"service_code": "dust", "attributes": []}
    definition = ET.fromstring(client.get("/open311/v2/services/dust.xml").data)
    assert definition.tag == "service_definition" and definition.findtext("service_code") == "dust"
    assert client.get("/open311/v2/services/nope.json").status_code == 404
    assert client.get("/open311/v2/services.csv").status_code == 404


def _register(session, make_user, sid, action="register", **params):
    from gisgrid.incidents import service

    service.act(session, make_user("dispatcher", grids=("A",)), int(sid), action, params)


def test_round_trip_json(client, matrix_ab, session, make_user):
    resp = _post(client)
    assert resp.status_code == 201, resp.data
    sid = resp.get_json()[0]["service_request_id"]
    got = client.get(f"/open311/v2/requests/{sid}.json").get_json()
    assert len(got) == 1 and got[0]["service_code"] == "dust" and got[0]["status"] == "open"
    assert got[0]["description"] is None  # unreviewed: the client sees its status only
    _register(session, make_user, sid)
    got = client.get(f"/open311/v2/requests/{sid}.json").get_json()
    assert got[0]["description"] == "工地扬尘" and abs(got[0]["long"] - wgs84(1500, 500)[0]) < 1e-9
    assert "email" not in got[0] and "a@example.org" not in resp.get_data(as_text=True)
    listed = client.get("/open311/v2/requests.json?service_code=dust&status=open").get_json()
    assert sid in [r["service_request_id"] for r in listed]
    assert client.get("/open311/v2/requests.json?status=closed").get_json() == []


def test_round_trip_xml(client, matrix_ab, session, make_user):
    resp = _post(client, "xml")
    assert resp.status_code == 201 and resp.mimetype == "text/xml"
    sid = ET.fromstring(resp.data).find("request/service_request_id").text
    _register(session, make_user, sid)
    root = ET.fromstring(client.get(f"/open311/v2/requests/{sid}.xml").data)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request.findtext("service_request_id") == sid and request.findtext("status") == "open"
    assert request.findtext("service_code") == "dust" and float(request.findtext("lat")) == pytest.approx(
        wgs84(1500, 500)[1]
    )
    assert request.findtext("description") == "工地扬尘"
    ids = [r.findtext("service_request_id") for r in ET.fromstring(client.get("/open311/v2/requests.xml").data)]
    assert sid in ids


def test_retry_with_the_same_request_id_returns_the_first(client, matrix_ab):
    first = _post(client, client_request_id="crm-77").get_json()[0]["service_request_id"]
    again = _post(client, client_request_id="crm-77")
    assert again.status_code == 200 and again.get_json()[0]["service_request_id"] == first


def test_request_ids_are_scoped_per_client(app, client, matrix_ab):
    app.config["OPEN311_API_KEYS"] = "k1,k2"
    first = _post(client, api_key="k1", client_request_id="7").get_json()[0]["service_request_id"]
    retry = _post(client, api_key="k1", client_request_id="7")
    assert retry.status_code == 200 and retry.get_json()[0]["service_request_id"] == first
    other = _post(client, api_key="k2", client_request_id="7")  # another client reusing the id
    assert other.status_code == 201 and other.get_json()[0]["service_request_id"] != first
    app.config["OPEN311_API_KEYS"] = ""
    phone_a = _post(client, device_id="phone-a", client_request_id="7").get_json()[0]["service_request_id"]
    phone_b = _post(client, device_id="phone-b", client_request_id="7")
    assert phone_b.status_code == 201 and phone_b.get_json()[0]["service_request_id"] not in (first, phone_a)
    assert _post(client, device_id="phone-a", client_request_id="7").get_json()[0]["service_request_id"] == phone_a


def test_errors_jurisdiction_and_api_key(app, client, matrix_ab):
    assert client.get("/open311/v2/services.json?jurisdiction_id=elsewhere").status_code == 404
    assert (
        client.get(f"/open311/v2/services.json?jurisdiction_id={app.config['OPEN311_JURISDICTION']}").status_code == 200
    )
    bad = client.post("/open311/v2/requests.json", data={"service_code": "dust", "description": "x"})
    assert bad.status_code == 400 and bad.get_json()[0]["code"] == 400
    err = ET.fromstring(client.post("/open311/v2/requests.xml", data={"service_code": "dust"}).data)
    assert err.tag == "errors" and err.find("error/code").text == "400"
    app.config["OPEN311_API_KEYS"] = "k1,k2"
    assert _post(client).status_code == 403
    assert _post(client, api_key="k2").status_code == 201
    assert client.get("/open311/v2/requests/999999.json").status_code == 404


def test_open311_posts_without_csrf_and_never_as_the_logged_in_user(app, client, matrix_ab, make_user, session):
    from gisgrid.incidents.models import Incident
    from tests.helpers import login

    staff = make_user("dispatcher", grids=("A",))
    login(client, staff.username)
    sid = _post(client).get_json()[0]["service_request_id"]
    case = session.get(Incident, int(sid))
    assert case.channel == "open311" and case.reporter_user_id is None
    assert [e.user_id for e in case.events] == [None]


def test_public_list_shows_only_registered_cases(client, matrix_ab, session, make_user):
    unreviewed = _post(client, description="未审核：含个人信息 13800000000").get_json()[0]["service_request_id"]
    rejected = _post(client, description="恶意举报").get_json()[0]["service_request_id"]
    _register(session, make_user, rejected, "reject", reason="无效举报")
    registered = _post(client, description="工地扬尘").get_json()[0]["service_request_id"]
    _register(session, make_user, registered)
    for query in ("", "?status=open", "?status=closed", f"?service_request_id={unreviewed},{rejected}"):
        body = client.get("/open311/v2/requests.json" + query).get_data(as_text=True)
        assert "13800000000" not in body and "恶意举报" not in body
    assert [r["service_request_id"] for r in client.get("/open311/v2/requests.json").get_json()] == [registered]
    xml_ids = [r.findtext("service_request_id") for r in ET.fromstring(client.get("/open311/v2/requests.xml").data)]
    assert xml_ids == [registered]
    own = client.get(f"/open311/v2/requests/{rejected}.json").get_json()[0]
    assert own["status"] == "closed" and own["description"] is None
