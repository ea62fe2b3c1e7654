"""The published OpenAPI document: served, valid OpenAPI 3.1, and covering every API route."""

from __future__ import annotations

from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from gisgrid.contract import api_rules

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
