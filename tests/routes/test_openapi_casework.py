"""Generated response schemas of jurisdiction, patrols, sources/lottery and the editor: real answers validate,
and a wrong field type (or a missing required field) fails them, so schemathesis would catch such a change."""

from __future__ import annotations

import copy

import jsonschema_rs

from gisgrid.jurisdiction import rivers as river_network
from tests import worlds
from tests.helpers import login
from tests.incident_support import As, _case, _ok
from tests.jurisdiction_world import line, river_frame
from tests.routes.test_editor_routes import open_draft, planner, world  # noqa: F401 — fixtures
from tests.routes.test_patrol_routes import walk_points
from tests.routes.test_sources_routes import GOOD, csv_bytes, upload


def _schema(client, path: str, method: str = "get", status: str = "200") -> dict:
    doc = client.get("/api/openapi.json").get_json()
    content = doc["paths"][path][method]["responses"][status]["content"]
    return {**next(iter(content.values()))["schema"], "components": doc["components"]}


def _check(client, path: str, body, wrong, method: str = "get", status: str = "200") -> None:
    """``body`` validates against the operation's response schema; ``wrong(copy)`` makes it invalid."""
    validator = jsonschema_rs.Draft202012Validator(_schema(client, path, method, status))
    assert [str(e) for e in validator.iter_errors(body)] == [], path
    broken = copy.deepcopy(body)
    wrong(broken)
    assert not validator.is_valid(broken), path


def test_jurisdiction_answers_match_their_schemas(app, client, session, jw, tmp_path):
    river_network.import_rivers(session, worlds.write(river_frame(), tmp_path / "river.geojson"))
    case = _case(app, session, 1600, 300, 0)
    staff = As(app, jw["staff_v121"])
    panel = _ok(staff.client.get(f"/api/v1/incidents/{case.id}/jurisdiction"))
    _check(client, "/api/v1/incidents/{incident_id}/jurisdiction", panel, lambda b: b.update(incident_id=str(case.id)))
    act = line((1400, 300), (1600, 300))
    event = _ok(
        staff.put(f"/api/v1/incidents/{case.id}/jurisdiction", act=act, derive={"buffer": {"radius_m": 50}}), 201
    )
    path = "/api/v1/incidents/{incident_id}/jurisdiction"
    _check(client, path, event, lambda b: b["resolution"].update(outside_share="0"), method="put", status="201")
    _check(client, path, event, lambda b: b["allowed"].pop("route"), method="put", status="201")
    listed = _ok(staff.client.get("/api/v1/jurisdiction/events"))
    assert [e["id"] for e in listed["events"]] == [event["id"]]
    _check(client, "/api/v1/jurisdiction/events", listed, lambda b: b["events"][0].update(disputed="no"))
    resolved = _ok(staff.post("/api/v1/jurisdiction/resolve", act=act))
    _check(client, "/api/v1/jurisdiction/resolve", resolved, lambda b: b.update(rule="whoever"), method="post")
    rivers = _ok(staff.client.get("/api/v1/jurisdiction/rivers", query_string={"bbox": "-180,-90,180,90"}))
    assert rivers["features"], "the jurisdiction world loads a river network"
    _check(client, "/api/v1/jurisdiction/rivers", rivers, lambda b: b["features"][0]["properties"].update(id="1"))


def test_a_refused_body_or_bbox_names_the_field(app, session, jw):
    staff = As(app, jw["staff_v121"])
    resp = staff.post("/api/v1/jurisdiction/resolve", act=[1, 2])
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("act:")
    resp = staff.client.get("/api/v1/jurisdiction/rivers", query_string={"bbox": "0,0,200,1"})
    assert resp.status_code == 400 and set(resp.get_json()["error"]["details"]) == {"bbox"}


def test_patrol_answers_match_their_schemas(client, world_ab, make_user):
    make_user("grid_staff", grids=["B"], username="walker")
    token = login(client, "walker")
    body = {"points": [{"lon": lon, "lat": lat, "t": t.isoformat()} for lon, lat, t in walk_points(3000, 4000)]}
    track = _ok(client.post("/api/v1/patrols/tracks", json=body, headers={"X-CSRFToken": token}), 201)
    _check(client, "/api/v1/patrols/tracks", track, lambda b: b["cleaning"].update(kept=None), "post", "201")
    coverage = _ok(client.get("/api/v1/patrols/coverage"))
    assert coverage["layers"]["tracks"]["features"]
    _check(client, "/api/v1/patrols/coverage", coverage, lambda b: b["grids"][0].update(patrolled="yes"))
    bad = client.get("/api/v1/patrols/coverage", query_string={"distance": "inf", "since": "20260101"})
    assert bad.status_code == 400 and set(bad.get_json()["error"]["details"]) == {"distance", "since"}


def test_source_and_lottery_answers_match_their_schemas(client, world_ab, make_user):
    make_user("admin", username="boss")
    token = login(client, "boss")
    upload(client, token, csv_bytes(GOOD))
    sources = _ok(client.get("/api/v1/sources.geojson"))
    assert len(sources["features"]) == 2
    _check(client, "/api/v1/sources.geojson", sources, lambda b: b["features"][0]["properties"].update({"class": "Z"}))
    due = _ok(client.get("/api/v1/inspections/due"))
    _check(client, "/api/v1/inspections/due", due, lambda b: b["by_grid"][0].update(depth="1"))
    form = {
        "csrf_token": token,
        "quarter": "2026Q4",
        "override_reason": "补抽",
        "seed": "s",
        "p_A": "1",
        "p_B": "1",
        "p_C": "1",
    }
    assert client.post("/lottery", data=form).status_code == 302
    draws = _ok(client.get("/api/v1/lottery"))
    _check(client, "/api/v1/lottery", draws, lambda b: b[0].update(picks="2"))
    draw = _ok(client.get(draws[0]["url"]))
    assert draw["rerun_matches"] is True
    _check(client, "/api/v1/lottery/{draw_id}", draw, lambda b: b["results"]["picks"][0].update(source_id="x"))
    refused = client.post("/lottery", data={**form, "quarter": "2027Q1", "p_A": "nan"})
    assert refused.status_code == 400 and "p_A" in refused.get_json()["error"]["message"]


def test_editor_answers_match_their_schemas(client, planner, world):  # noqa: F811 — fixtures
    draft = open_draft(client, planner)
    report = _ok(client.get(f"/api/v1/editor/drafts/{draft}/validation"))
    path = "/api/v1/editor/drafts/{version_id}/validation"
    _check(client, path, report, lambda b: b.update(ok="true"))
    diff = _ok(client.get("/api/v1/editor/diff", query_string={"a": world, "b": draft}))
    _check(client, "/api/v1/editor/diff", diff, lambda b: b["counts"].update(added=None))
    moved = _ok(client.get(f"/api/v1/editor/versions/{draft}/moved"))
    _check(client, "/api/v1/editor/versions/{version_id}/moved", moved, lambda b: b.update(items={}))
    bad = client.get("/api/v1/editor/diff", query_string={"a": "x", "b": "1"})
    assert bad.status_code == 400 and set(bad.get_json()["error"]["details"]) == {"a"}
