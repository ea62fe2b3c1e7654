"""The published OpenAPI document: served, valid OpenAPI 3.1, and covering every API route."""

from __future__ import annotations

import copy

import jsonschema_rs
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from gisgrid.contract import api_rules
from tests import worlds

_IGNORED_METHODS = {"HEAD", "OPTIONS"}


def test_document_is_served_and_valid_openapi(client):
    resp = client.get("/api/openapi.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    doc = resp.get_json()
    errors = [str(e) for e in OPENAPI_31_VALIDATOR.iter_errors(doc)]
    assert errors == []
    assert doc["openapi"].startswith("3.1")


def test_every_api_route_is_documented(app, client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    missing = []
    for rule in api_rules(app):
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", f"{{{name}}}").replace(f"<{name}>", f"{{{name}}}")
        for method in rule.methods - _IGNORED_METHODS:
            if method.lower() not in paths.get(path, {}):
                missing.append(f"{method} {rule.rule}")
    assert missing == [], f"routes missing from the OpenAPI document: {missing}"
    assert len(paths) >= 50


def test_invalid_document_is_caught_by_the_validator(client):
    doc = client.get("/api/openapi.json").get_json()
    doc["paths"]["/api/v1/lookup"]["get"]["responses"] = "not a mapping"
    assert not OPENAPI_31_VALIDATOR.is_valid(doc)


def _validator(doc: dict, name: str):
    return jsonschema_rs.Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": doc["components"]})


def test_response_schemas_accept_real_answers_and_refuse_a_wrong_field_type(client, world_ab):
    doc = client.get("/api/openapi.json").get_json()
    lon, lat = worlds.wgs84(100, 100)
    lookup = client.get("/api/v1/lookup", query_string={"lon": lon, "lat": lat}).get_json()
    detail = client.get("/api/v1/grids/A1a").get_json()
    for name, body in (("Lookup", lookup), ("GridDetail", detail)):
        assert list(_validator(doc, name).iter_errors(body)) == [], name
        wrong = copy.deepcopy(body)
        wrong["chain"][0]["level"] = str(wrong["chain"][0]["level"])  # "1" where an integer is declared
        assert not _validator(doc, name).is_valid(wrong), name


def test_session_cookie_is_named_from_the_config(app, client):
    schemes = client.get("/api/openapi.json").get_json()["components"]["securitySchemes"]
    assert schemes["session"]["name"] == app.config["SESSION_COOKIE_NAME"] == "gisgrid_session"


def test_bad_parameter_gets_the_json_error_naming_the_field(client):
    resp = client.get("/api/v1/grids/labels", query_string={"bbox": "0,0,200,1", "level": "x"})
    error = resp.get_json()["error"]
    assert resp.status_code == 400 and error["code"] == "invalid_input"
    assert set(error["details"]) == {"bbox", "level"}
    assert error["message"].split(":")[0] in {"bbox", "level"}
