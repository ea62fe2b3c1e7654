"""Regression tests for the 500s schemathesis found (see docs/development.md, Request contract, OpenAPI and fuzzing)."""

from __future__ import annotations

from tests.helpers import login


def _error_code(resp) -> str:
    return resp.get_json()["error"]["code"]


def test_nul_character_in_query_is_refused_not_500(client, world_ab):
    resp = client.get("/api/v1/grids/search?q=%00A")
    assert resp.status_code == 400 and _error_code(resp) == "invalid_input"


def test_nul_character_in_json_body_is_refused(client, case_world):
    csrf = login(client, case_world["staff"].username)
    resp = client.post("/api/v1/incidents", json={"description": "a\u0000b"}, headers={"X-CSRFToken": csrf})
    assert resp.status_code == 400 and _error_code(resp) == "invalid_input"


def test_unparseable_multipart_field_name_is_refused_before_csrf(client, case_world):
    body = b'--b\r\nContent-Disposition: form-data; name="x\\"\r\n\r\nv\r\n--b--\r\n'
    resp = client.post("/api/v1/incidents", data=body, content_type="multipart/form-data; boundary=b")
    assert resp.status_code == 400 and _error_code(resp) == "invalid_input"


def test_kpi_period_before_year_one_is_refused(client, case_world):
    login(client, case_world["dispatcher"].username)
    resp = client.get("/api/v1/incidents/kpi?to=0001-01-01")
    assert resp.status_code == 400 and _error_code(resp) == "invalid_input"
