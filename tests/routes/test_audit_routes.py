"""The audit API and page over HTTP (the audit administrator's): who did it, filters, pages, refusals."""

from __future__ import annotations

from tests.helpers import login
from tests.incident_support import As, _report


def test_a_case_reported_by_staff_is_attributed_to_them(app, client, case_world, make_user):
    staff = As(app, case_world["staff"])
    lon, lat = __import__("tests.worlds", fromlist=["wgs84"]).wgs84(100, 100)
    case = staff.post("/api/v1/incidents", category="dust", description="工地扬尘", lon=lon, lat=lat).get_json()
    anonymous = _report(client).get_json()
    admin = As(app, make_user("auditor"))
    body = admin.get(f"/api/v1/audit?entity=incident&entity_id={case['id']}").get_json()
    (entry,) = body["items"]
    assert entry["actor"] == {
        "id": case_world["staff"].id,
        "name": case_world["staff"].username,
        "source": "api",
        "ip": "127.0.0.1",
    }
    assert entry["action"] == "insert" and entry["changes"]["description"] == "工地扬尘"
    (anon,) = admin.get(f"/api/v1/audit?entity=incident&entity_id={anonymous['id']}").get_json()["items"]
    assert anon["actor"]["name"] == "anonymous" and anon["actor"]["id"] is None


def test_filters_and_pages(app, case_world, make_user):
    admin = As(app, make_user("auditor"))
    everything = admin.get("/api/v1/audit?per_page=200").get_json()
    assert everything["total"] >= 8 and everything["total"] == sum(d["count"] for d in everything["per_day"])
    grids = admin.get("/api/v1/audit?entity=grid&action=insert&per_page=3").get_json()
    assert grids["per_page"] == 3 and len(grids["items"]) == 3 and grids["total"] >= 8
    assert {i["entity"] for i in grids["items"]} == {"grid"}
    second = admin.get("/api/v1/audit?entity=grid&action=insert&per_page=3&page=2").get_json()
    assert not {i["id"] for i in second["items"]} & {i["id"] for i in grids["items"]}
    by_key = admin.get("/api/v1/audit?entity=grid&key=A1a").get_json()["items"]
    assert by_key and {i["key"] for i in by_key} == {"A1a"}
    users = admin.get(f"/api/v1/audit?entity=user&key={case_world['staff'].username}").get_json()["items"]
    assert users[0]["changes"]["role"] == "grid_staff"
    assert admin.get("/api/v1/audit?since=2000-01-01&until=2000-01-02").get_json()["total"] == 0


def test_bad_parameters_are_refused_clearly(app, make_user):
    admin = As(app, make_user("auditor"))
    for query, word in [
        ("entity=spaceship", "entity"),
        ("page=0", "page"),
        ("per_page=1000", "per_page"),
        ("since=yesterday", "since"),
        ("action=drop", "action"),
        ("txid=abc", "txid"),
        ("since=2026-12-02&until=2026-12-01", "since"),
        ("actor=" + "x" * 300, "actor"),
    ]:
        resp = admin.get(f"/api/v1/audit?{query}")
        assert resp.status_code == 400, query
        assert word in resp.get_json()["error"]["message"], query


def test_only_the_auditor_sees_the_audit_trail(app, client, case_world, make_user):
    assert client.get("/api/v1/audit").status_code == 401
    assert client.get("/admin/audit").status_code in (302, 401)
    others = [case_world[name] for name in ("dispatcher", "leader", "staff")]
    for user in [*others, make_user("admin"), make_user("secadmin")]:  # 三员分立: not the other two duties
        user = As(app, user)
        assert user.get("/api/v1/audit").status_code == 403
        assert user.get("/admin/audit").status_code == 403


def test_admin_page_shows_the_changes_and_a_chart(app, case_world, make_user):
    client = app.test_client()
    login(client, make_user("auditor").username)
    html = client.get("/admin/audit?entity=grid").get_data(as_text=True)
    assert "审计日志" in html and 'class="audit-chart"' in html and "A1a" in html
    assert 'class="bar"' in html
    assert client.get("/admin/audit?since=nonsense").status_code == 400
