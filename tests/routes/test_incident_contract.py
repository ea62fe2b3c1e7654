"""The declared contract of the case and Open311 APIs: real answers fit the generated schemas, a wrong field type
does not, refused parameters name their field, and the guards answer before the fields are judged."""

from __future__ import annotations

import copy
import io
import xml.etree.ElementTree as ET

import jsonschema_rs

from tests.incident_support import PNG, As, _ok, _report
from tests.worlds import wgs84


def _validator(doc: dict, schema: dict):
    return jsonschema_rs.Draft202012Validator({**schema, "components": doc["components"]})


def _schema(doc: dict, path: str, method: str = "get", status: str = "200", media: str = "application/json"):
    return doc["paths"][path][method]["responses"][status]["content"][media]["schema"]


def _fits(doc, path, body, method="get", status="200") -> bool:
    return _validator(doc, _schema(doc, path, method, status)).is_valid(body)


def _case_answers(app, client, case_world):
    """A case reported with a photo, registered and dispatched; the answers of every case API on the way."""
    created = _ok(_report(client, photos=(io.BytesIO(PNG), "a.png")), 201)
    d = As(app, case_world["dispatcher"])
    _ok(d.act(created["id"], "register"))
    detail = _ok(d.act(created["id"], "dispatch"))
    return {
        ("/api/v1/incidents", "post", "201"): created,
        ("/api/v1/incidents/{incident_id}/actions/{action}", "post", "200"): detail,
        ("/api/v1/incidents/{incident_id}", "get", "200"): _ok(d.get(f"/api/v1/incidents/{created['id']}")),
        ("/api/v1/incidents", "get", "200"): _ok(d.get("/api/v1/incidents")),
        ("/api/v1/incidents/categories", "get", "200"): _ok(client.get("/api/v1/incidents/categories")),
        ("/api/v1/incidents/grids", "get", "200"): _ok(client.get("/api/v1/incidents/grids?level=2")),
        ("/api/v1/incidents/kpi", "get", "200"): _ok(d.get("/api/v1/incidents/kpi")),
        ("/api/v1/incidents/kpi/map", "get", "200"): _ok(d.get("/api/v1/incidents/kpi/map")),
        ("/api/v1/incidents/photos/{photo_id}/publish", "post", "200"): _ok(
            d.post(f"/api/v1/incidents/photos/{detail['photos'][0]['id']}/publish", published=False)
        ),
    }


def test_case_answers_fit_their_schemas_and_a_wrong_type_does_not(app, client, case_world):
    doc = client.get("/api/openapi.json").get_json()
    answers = _case_answers(app, client, case_world)
    for (path, method, status), body in answers.items():
        assert _fits(doc, path, body, method, status), (path, body)
    detail = answers[("/api/v1/incidents/{incident_id}", "get", "200")]
    assert detail["state"] == "dispatched" and detail["events"] and detail["photos"]
    for change in (
        lambda b: b.update(id=str(b["id"])),  # "12" where an integer is declared
        lambda b: b.update(state="lost"),  # not one of the states
        lambda b: b.update(channel="fax"),  # not one of the channels
        lambda b: b["events"][0].update(to=None),  # a required state that is null
        lambda b: b["photos"][0].update(published="yes"),
        lambda b: b.pop("allowed_actions"),
    ):
        wrong = copy.deepcopy(detail)
        change(wrong)
        assert not _fits(doc, "/api/v1/incidents/{incident_id}", wrong)
    kpi = copy.deepcopy(answers[("/api/v1/incidents/kpi", "get", "200")])
    kpi["rows"][0]["reported"] = float(kpi["rows"][0]["reported"]) + 0.5
    assert not _fits(doc, "/api/v1/incidents/kpi", kpi)


def test_open311_answers_fit_their_schemas_in_both_media_types(client, case_world):
    doc = client.get("/api/openapi.json").get_json()
    lon, lat = wgs84(1500, 500)
    form = {"service_code": "dust", "lat": lat, "long": lon, "description": "工地扬尘"}
    receipt = client.post("/open311/v2/requests.json", data=form)
    assert receipt.status_code == 201 and _fits(doc, "/open311/v2/requests.{fmt}", receipt.get_json(), "post", "201")
    sid = receipt.get_json()[0]["service_request_id"]
    for path, url in (
        ("/open311/v2/services.{fmt}", "/open311/v2/services.json"),
        ("/open311/v2/services/{code}.{fmt}", "/open311/v2/services/dust.json"),
        ("/open311/v2/requests/{request_id}.{fmt}", f"/open311/v2/requests/{sid}.json"),
        ("/open311/v2/requests.{fmt}", "/open311/v2/requests.json?status=open"),
    ):
        body = _ok(client.get(url))
        assert _fits(doc, path, body), (url, body)
    one = client.get(f"/open311/v2/requests/{sid}.json").get_json()
    one[0]["lat"] = str(one[0]["lat"])
    assert not _fits(doc, "/open311/v2/requests/{request_id}.{fmt}", one)
    operation = doc["paths"]["/open311/v2/requests.{fmt}"]
    assert set(operation["get"]["responses"]["200"]["content"]) == {"application/json", "text/xml"}
    assert [p["schema"]["enum"] for p in operation["parameters"] if p["name"] == "fmt"] == [["json", "xml"]]
    refused = client.get("/open311/v2/requests.json?status=maybe").get_json()
    assert _validator(doc, _schema(doc, "/open311/v2/requests.{fmt}", status="400")).is_valid(refused)


def test_report_bodies_are_documented_as_json_and_both_form_encodings(client):
    doc = client.get("/api/openapi.json").get_json()
    content = doc["paths"]["/api/v1/incidents"]["post"]["requestBody"]["content"]
    assert set(content) == {"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}
    form = doc["components"]["schemas"]["ReportForm"]
    assert form["properties"]["photos"]["items"]["format"] == "binary"
    assert set(form["required"]) >= {"category", "description", "lon", "lat"}


def test_refused_parameters_name_their_fields(app, client, case_world):
    login_as = As(app, case_world["dispatcher"])
    resp = login_as.get("/api/v1/incidents/kpi?level=x&by=township&format=xls")
    error = resp.get_json()["error"]
    assert resp.status_code == 400 and error["code"] == "invalid_input"
    assert set(error["details"]) == {"level", "by", "format"} and error["message"].split(":")[0] in error["details"]
    resp = login_as.get("/api/v1/incidents?state=lost")
    assert resp.status_code == 400 and set(resp.get_json()["error"]["details"]) == {"state"}
    resp = login_as.get("/api/v1/incidents/kpi/map?from=2025-13-01")
    assert resp.status_code == 400 and set(resp.get_json()["error"]["details"]) == {"from"}
    resp = client.get("/api/v1/incidents/grids?level=0")
    assert resp.status_code == 400 and set(resp.get_json()["error"]["details"]) == {"level"}
    resp = login_as.act(1, "evaluate", score=9)
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("score:")


def test_open311_refusals_name_the_field_in_the_format_asked(client, case_world):
    listed = client.get("/open311/v2/requests.json?status=maybe&start_date=yesterday")
    assert listed.status_code == 400
    assert listed.get_json()[0]["code"] == 400 and listed.get_json()[0]["description"].split(":")[0] in (
        "status",
        "start_date",
    )
    as_xml = ET.fromstring(client.get("/open311/v2/requests.xml?end_date=soon").data)
    assert as_xml.tag == "errors" and as_xml.findtext("error/description").startswith("end_date:")


def test_guards_answer_before_the_fields_are_judged(app, client, case_world):
    # a hotline report by an anonymous client is refused for the channel, not for its bad coordinates
    assert _report(client, channel="hotline", lon="abc").status_code == 403
    app.config["OPEN311_API_KEYS"] = "k1"
    refused = client.post("/open311/v2/requests.json", data={"service_code": "dust"})  # no key, no lat/long
    assert refused.status_code == 403 and refused.get_json()[0]["code"] == 403
    elsewhere = client.get("/open311/v2/requests.json?jurisdiction_id=elsewhere&status=maybe")
    assert elsewhere.status_code == 404 and elsewhere.get_json()[0]["code"] == 404
    assert client.get("/api/v1/incidents/kpi?level=x").status_code == 401


def test_a_body_that_is_not_json_is_bad_input(app, case_world):
    staff = As(app, case_world["staff"])
    resp = staff.client.post(
        "/api/v1/incidents", data=b"{not json", content_type="application/json", headers={"X-CSRFToken": staff.token}
    )
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("json:")


def test_open311_dates_with_any_offset_are_answered_not_500(client, case_world):
    # Python takes offsets to ±23:59, PostgreSQL to ±15:59: found by schemathesis once date-time was declared
    for query in ("end_date=0103-09-13T11:21:48-18:26", "start_date=2026-01-01T00:00:00%2B23:00"):
        resp = client.get(f"/open311/v2/requests.json?{query}")
        assert resp.status_code == 200 and resp.get_json() == [], query
    resp = client.get("/open311/v2/requests.json?start_date=0001-01-01T00:00:00%2B05:00")
    assert resp.status_code == 400 and resp.get_json()[0]["description"].startswith("start_date:")
