"""The field app over HTTP: shell, manifest and service worker; the offline bundle scoped by grid;
idempotent track and on-site inspection uploads (client ids); the kept login of a working day."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta

from PIL import Image
from sqlalchemy import func, select

from gisgrid.incidents.models import Incident
from gisgrid.patrols.models import PatrolTrack
from gisgrid.sources import service as sources
from gisgrid.sources.models import Inspection, SourceDocument
from tests import worlds
from tests.helpers import PASSWORD, csrf_from, login
from tests.incident_support import PNG, As, _ok

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)


def walk(n=30):
    return [
        {"lon": lon, "lat": lat, "t": (T0 + timedelta(seconds=10 * i)).isoformat()}
        for i in range(n)
        for lon, lat in [worlds.wgs84(100 + 5 * i, 100)]
    ]


def test_shell_sends_nobody_to_the_kept_login_and_shows_each_role_its_tools(app, client, case_world, make_user):
    resp = client.get("/app/")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?next=/app/")
    assert "keep=1" in resp.headers["Location"]
    assert '<input checked id="keep" name="keep" type="checkbox"' in client.get(resp.headers["Location"]).get_data(True)
    staff = As(app, case_world["staff"]).get("/app/").get_data(as_text=True)
    assert 'id="patrol-start"' in staff and 'id="inspect-form"' in staff and 'data-channel="patrol"' in staff
    handler = As(app, case_world["zhujian"]).get("/app/").get_data(as_text=True)
    assert 'id="patrol-start"' not in handler and 'id="inspect-form"' in handler and 'data-channel="web"' in handler
    public = app.test_client()
    login(public, make_user("public").username)
    assert public.get("/app/", headers={"Accept": "application/json"}).status_code == 403


def test_manifest_icons_and_service_worker_assets_are_served(client):
    manifest = json.loads(client.get("/app/manifest.webmanifest").get_data(as_text=True))
    assert manifest["start_url"] == manifest["scope"] == "/app/" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        data = client.get(icon["src"]).data
        size = Image.open(io.BytesIO(data)).size
        assert f"{size[0]}x{size[1]}" == icon["sizes"]
    sw = client.get("/app/sw.js")
    assert sw.mimetype == "text/javascript" and sw.headers["Cache-Control"] == "no-cache"
    assets = json.loads(re.search(r"const ASSETS = (\[.*?\]);", sw.get_data(as_text=True)).group(1))
    assert "/static/field/app.js" in assets and "/app/manifest.webmanifest" in assets
    for url in assets:
        assert client.get(url).status_code == 200, url
    assert not re.search(r"https?://", client.get("/static/field/app.js").get_data(as_text=True))  # no CDN


def test_bundle_holds_my_grid_my_sources_and_my_inbox_only(app, session, case_world):
    for code, (x, y) in (("FA1", (100, 100)), ("FB1", (3500, 500))):
        lon, lat = worlds.wgs84(x, y)
        sources.create_source(
            session, {"code": code, "name": f"示例·{code}", "kind": "catering", "lon": lon, "lat": lat}, by="t"
        )
    mine = _ok(As(app, case_world["staff"]).get("/api/v1/field/bundle"))
    assert [f["properties"]["code"] for f in mine["grids"]["features"]] == ["A1a"]
    assert [s["code"] for s in mine["sources"]] == ["FA1"]
    assert mine["sources"][0]["checklist"][0] == "油烟净化设施正常使用"
    assert mine["can"] == {"patrol": True, "report_patrol": True, "inspect": True}
    assert [e["kind"] for e in mine["inbox"]] == ["inspection"]
    theirs = _ok(As(app, case_world["foreign_staff"]).get("/api/v1/field/bundle"))
    assert [f["properties"]["code"] for f in theirs["grids"]["features"]] == ["B"]
    assert [s["code"] for s in theirs["sources"]] == ["FB1"]


def test_a_retried_track_is_stored_once(app, session, case_world):
    staff, other = As(app, case_world["staff"]), As(app, case_world["leader"])
    first = staff.post("/api/v1/patrols/tracks", client_id="phone-1", points=walk())
    again = staff.post("/api/v1/patrols/tracks", client_id="phone-1", points=walk()[:5])
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"] and again.get_json()["points"] == 30
    theirs = other.post("/api/v1/patrols/tracks", client_id="phone-1", points=walk())  # another user's id space
    assert theirs.status_code == 201 and theirs.get_json()["id"] != first.get_json()["id"]
    assert session.scalar(select(func.count()).select_from(PatrolTrack)) == 2
    assert session.scalar(select(PatrolTrack.origin).where(PatrolTrack.client_id == "phone-1").limit(1)) == "api"


def _inspect(user, source_id, **extra):
    data = {
        "client_id": "insp-1",
        "violation": "true",
        "findings": "油烟直排",
        "category": "dust",
        "arrived_at": T0.isoformat(),
        "arrival_lon": 116.1,
        "arrival_lat": 39.1,
        "arrival_accuracy_m": 8,
        "checklist": json.dumps({"油烟净化设施正常使用": False}),
        "photos": (io.BytesIO(PNG), "p.png"),
        **extra,
    }
    return user.client.post(
        f"/api/v1/sources/{source_id}/inspections",
        data=data,
        headers={"X-CSRFToken": user.token},
        content_type="multipart/form-data",
    )


def test_an_onsite_inspection_retried_opens_one_case(app, session, case_world):
    lon, lat = worlds.wgs84(100, 100)
    source = sources.create_source(
        session, {"code": "FI1", "name": "示例·餐馆", "kind": "catering", "lon": lon, "lat": lat}, by="t"
    )
    staff = As(app, case_world["staff"])
    first = _inspect(staff, source.id)
    assert first.status_code == 201, first.get_data(as_text=True)
    body = first.get_json()
    assert body["incident_id"] and body["checklist"] == {"油烟净化设施正常使用": False} and body["arrived_at"]
    again = _inspect(staff, source.id)
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    assert session.scalar(select(func.count()).select_from(Inspection)) == 1
    assert session.scalar(select(func.count()).select_from(Incident)) == 1
    assert session.get(Incident, body["incident_id"]).grid_codes == ["A", "A1", "A1a"]
    assert session.scalar(select(func.count()).select_from(SourceDocument)) == 1  # the photo, in the dossier
    stored = session.get(Inspection, body["id"])
    assert (stored.arrival_lon, stored.arrival_lat, stored.arrival_accuracy_m) == (116.1, 39.1, 8)
    bad = _inspect(staff, source.id, client_id="insp-2", checklist=json.dumps({"乱写": True}))
    assert bad.status_code == 400 and "checklist" in bad.get_json()["error"]["message"]
    foreign = _inspect(As(app, case_world["foreign_staff"]), source.id, client_id="insp-3")
    assert foreign.status_code == 403


def test_a_kept_login_outlives_the_browser_for_the_session_hours(app, case_world):
    def cookie_of(keep: bool) -> str:
        client = app.test_client()
        token = csrf_from(client.get("/login").get_data(as_text=True))
        data = {"username": case_world["staff"].username, "password": PASSWORD, "csrf_token": token}
        resp = client.post("/login", data={**data, **({"keep": "y"} if keep else {})})
        assert resp.status_code == 302
        return next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("gisgrid_session="))

    kept, plain = cookie_of(True), cookie_of(False)
    expires = datetime.strptime(re.search(r"Expires=([^;]+)", kept).group(1), "%a, %d %b %Y %H:%M:%S GMT")
    hours = (expires.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds() / 3600
    assert abs(hours - app.config["SESSION_HOURS"]) < 0.1
    assert "Expires=" not in plain and "HttpOnly" in kept and "SameSite=Lax" in kept
