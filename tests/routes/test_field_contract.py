"""Generated response schemas of the inbox, the field bundle, on-site inspections and retried tracks: real
answers validate, and a wrong type (or a missing required key) fails them."""

from __future__ import annotations

from tests import worlds
from tests.incident_support import As, _ok, _report
from tests.routes.test_field_app import _inspect, walk
from tests.routes.test_openapi_casework import _check


def test_inbox_bundle_inspection_and_track_answers_match_their_schemas(app, client, session, case_world):
    from gisgrid.sources import service as sources

    lon, lat = worlds.wgs84(100, 100)
    source = sources.create_source(
        session, {"code": "FC1", "name": "示例·工地", "kind": "construction_site", "lon": lon, "lat": lat}, by="t"
    )
    _ok(_report(client), 201)
    dispatcher, staff = As(app, case_world["dispatcher"]), As(app, case_world["staff"])
    inbox = _ok(dispatcher.get("/api/v1/inbox"))
    assert inbox["entries"] and inbox["total"] >= 1
    _check(client, "/api/v1/inbox", inbox, lambda b: b["entries"][0].update(urgency="1"))
    _check(client, "/api/v1/inbox", inbox, lambda b: b["entries"][0].pop("overdue"))
    bundle = _ok(staff.get("/api/v1/field/bundle"))
    assert bundle["sources"] and bundle["grids"]["features"]
    _check(client, "/api/v1/field/bundle", bundle, lambda b: b["sources"][0].update(checklist="围挡完整"))
    _check(client, "/api/v1/field/bundle", bundle, lambda b: b["can"].pop("inspect"))
    path = "/api/v1/sources/{source_id}/inspections"
    body = _ok(_inspect(staff, source.id, checklist="{}", violation="false"), 201)
    _check(client, path, body, lambda b: b.update(violation="no"), method="post", status="201")
    again = _ok(_inspect(staff, source.id, checklist="{}", violation="false"), 200)
    _check(client, path, again, lambda b: b.pop("checklist"), method="post", status="200")
    first = _ok(staff.post("/api/v1/patrols/tracks", client_id="c-1", points=walk()), 201)
    retry = _ok(staff.post("/api/v1/patrols/tracks", client_id="c-1", points=walk()), 200)
    assert retry == first
    _check(client, "/api/v1/patrols/tracks", retry, lambda b: b.update(id="1"), method="post", status="200")
