"""Campaigns over HTTP: launch through the API and the page form (with a 行动方案 file), results, map GeoJSON,
the page; a foreign county sees and does nothing."""

from __future__ import annotations

import io
import json

import pytest

from gisgrid.incidents import matrix
from tests import worlds
from tests.incident_support import As, _ok
from tests.routes.test_openapi_casework import _check
from tests.tracking_support import PDF, people


@pytest.fixture()
def world(app, session, world_ab, make_user, tmp_path):
    matrix.load_demo(session)
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    return people(make_user)


BODY = {"title": "冬季扬尘专项行动", "starts_on": "2026-12-01", "ends_on": "2026-12-31", "departments": ["zhujian"],
        "area_codes": ["A1"]}  # fmt: skip


def test_launch_read_and_map_over_http(app, client, world):
    county, foreign = As(app, world.county), As(app, world.foreign)
    made = _ok(county.post("/api/v1/campaigns", **BODY), 201)
    _check(client, "/api/v1/campaigns", made, lambda b: b["results"].update(targets="2"), "post", "201")
    assert made["lead_grid_code"] == "A" and [t["owner_department_code"] for t in made["tasks"]] == ["zhujian"]
    detail = _ok(county.get(f"/api/v1/campaigns/{made['id']}"))
    _check(client, "/api/v1/campaigns/{campaign_id}", detail, lambda b: b.pop("tasks"))
    geo = county.get(f"/api/v1/campaigns/{made['id']}/map")
    assert geo.status_code == 200 and geo.get_json()["features"][0]["properties"] == {
        "kind": "area", "code": "A1", "name": "甲一镇"
    }  # fmt: skip
    page = county.client.get(f"/campaigns/{made['id']}").get_data(as_text=True)
    assert 'id="campaign-map"' in page and 'id="campaign-results"' in page
    assert "住房和城乡建设委员会" in page  # departments by name (the task's owner and the participants)
    for url in (f"/api/v1/campaigns/{made['id']}", f"/api/v1/campaigns/{made['id']}/map", f"/campaigns/{made['id']}"):
        assert foreign.client.get(url).status_code == 403, url
    assert _ok(foreign.get("/api/v1/campaigns"))["campaigns"] == []
    assert foreign.post("/api/v1/campaigns", **BODY).status_code == 403
    bad = county.post("/api/v1/campaigns", **{**BODY, "area": {"type": "Point", "coordinates": [1, 2]}})
    assert bad.status_code in (400, 422) and bad.get_json()["error"]["message"].startswith("area")


def test_the_page_form_launches_with_a_plan_document(app, world):
    county = As(app, world.county)
    data = {**{k: v for k, v in BODY.items() if k not in ("departments", "area_codes")}, "departments": "zhujian",
            "area_codes": "A1", "csrf_token": county.token, "plan": (io.BytesIO(PDF), "行动方案.pdf")}  # fmt: skip
    resp = county.client.post("/campaigns", data=data, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    campaign_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    detail = _ok(county.get(f"/api/v1/campaigns/{campaign_id}"))
    assert detail["plan_url"] == f"/campaigns/{campaign_id}/plan"
    assert county.client.get(detail["plan_url"]).data == PDF
    assert As(app, world.foreign).client.get(detail["plan_url"]).status_code == 403
    assert "冬季扬尘专项行动" in county.client.get("/campaigns").get_data(as_text=True)


def test_the_page_form_takes_an_area_drawn_on_its_map(app, world):
    # the hidden field "area" carries the polygon drawn with Leaflet-Geoman (GeoJSON text); no grid codes
    county = As(app, world.county)
    page = county.client.get("/campaigns").get_data(as_text=True)
    assert 'id="area-map"' in page and "campaign_form.js" in page and 'name="area"' in page
    ring = [list(worlds.wgs84(x, y)) for x, y in ((420, 420), (700, 420), (700, 700), (420, 700), (420, 420))]
    area = json.dumps({"type": "MultiPolygon", "coordinates": [[ring]]})
    data = {**{k: v for k, v in BODY.items() if k not in ("departments", "area_codes")}, "departments": "zhujian",
            "area": area, "csrf_token": county.token}  # fmt: skip
    resp = county.client.post("/campaigns", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    campaign_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    geo = _ok(county.get(f"/api/v1/campaigns/{campaign_id}/map"))
    assert any(f["geometry"]["type"] == "MultiPolygon" and f["properties"]["kind"] == "area" for f in geo["features"])
    bad = county.client.post("/campaigns", data={**data, "area": "{not json"})
    assert bad.status_code == 400 and "area" in bad.get_data(as_text=True)
