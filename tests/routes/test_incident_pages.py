"""Staff pages: list and map, detail with only the allowed actions, HTML form actions, KPI page and CSV."""

from __future__ import annotations

import re

from tests.helpers import csrf_from
from tests.incident_support import As, _ok, _report


def test_report_form_lists_categories_and_staff_channels_need_login(client, case_world):
    html = client.get("/report").get_data(as_text=True)
    assert 'value="dust"' in html and "施工扬尘" in html and 'id="report-map"' in html
    assert client.get("/report?channel=hotline").status_code == 302


def test_list_detail_and_form_actions(app, client, case_world):
    case = _ok(_report(client), 201)["id"]
    d = As(app, case_world["dispatcher"])
    page = d.get("/incidents").get_data(as_text=True)
    assert f'href="/incidents/{case}"' in page and "cases-map" in page
    detail = d.get(f"/incidents/{case}").get_data(as_text=True)
    assert 'data-action="register"' in detail and 'data-action="close"' not in detail
    token = csrf_from(detail)
    resp = d.client.post(f"/incidents/{case}/actions/register", data={"csrf_token": token})
    assert resp.status_code == 302
    detail = d.get(f"/incidents/{case}").get_data(as_text=True)
    assert "已立案" in detail and 'data-action="dispatch"' in detail and "立案" in detail
    # without the CSRF token a browser form post is refused
    assert d.client.post(f"/incidents/{case}/actions/dispatch", data={}).status_code == 400
    # the form's blank departments field means "as the duty matrix says"
    resp = d.client.post(f"/incidents/{case}/actions/dispatch", data={"csrf_token": token, "departments": ""})
    assert resp.status_code == 302 and _ok(d.get(f"/api/v1/incidents/{case}"))["departments"] == ["zhujian"]
    staff = As(app, case_world["foreign_staff"])
    assert staff.client.get(f"/incidents/{case}", headers={"Accept": "text/html"}).status_code == 403
    assert f'/incidents/{case}"' not in staff.get("/incidents").get_data(as_text=True)


def test_kpi_page_csv_and_map_need_a_supervising_role(app, client, case_world):
    case = _ok(_report(client), 201)["id"]
    d = As(app, case_world["dispatcher"])
    _ok(d.act(case, "register"))
    page = d.get("/incidents/kpi").get_data(as_text=True)
    assert "kpi-map" in page and re.search(
        r"<td>甲一镇 <small class=\"muted\">A1</small></td><td>1</td><td>1</td>", page
    )
    csv_resp = d.get("/api/v1/incidents/kpi?by=department&format=csv")
    assert csv_resp.mimetype == "text/csv" and csv_resp.get_data(as_text=True).startswith("\ufeffkey,")
    fc = _ok(d.get("/api/v1/incidents/kpi/map?level=2"))
    assert {f["properties"]["code"] for f in fc["features"]} == {"A1", "A2"}
    assert As(app, case_world["zhujian"]).get("/api/v1/incidents/kpi").status_code == 403
    assert client.get("/api/v1/incidents/kpi").status_code == 401


def test_admin_edits_and_imports_the_duty_matrix(app, case_world, make_user):
    import io

    admin = As(app, make_user("admin"))
    page = admin.get("/incidents/matrix").get_data(as_text=True)
    assert "施工扬尘" in page and 'name="deadline_days"' in page
    token = csrf_from(page)
    resp = admin.client.post(
        "/incidents/matrix",
        data={
            "csrf_token": token,
            "code": "dust",
            "name": "施工扬尘",
            "departments": ["zhujian", "sthj"],
            "deadline_days": "7",
            "active": "on",
        },
    )
    assert resp.status_code == 302
    cats = {c["code"]: c for c in _ok(admin.get("/api/v1/incidents/categories"))["categories"]}
    assert cats["dust"]["departments"] == ["zhujian", "sthj"] and cats["dust"]["deadline_days"] == 7
    upload = (io.BytesIO("code,name,departments,deadline_days\nodour,异味,sthj,4\n".encode()), "m.csv")
    assert admin.client.post("/incidents/matrix", data={"csrf_token": token, "file": upload}).status_code == 302
    assert "odour" in {c["code"] for c in _ok(admin.get("/api/v1/incidents/categories"))["categories"]}
    bad = (io.BytesIO(b"code,name,departments,deadline_days\nx,y,nobody,4\n"), "m.csv")
    assert admin.client.post("/incidents/matrix", data={"csrf_token": token, "file": bad}).status_code == 400
    assert As(app, case_world["dispatcher"]).get("/incidents/matrix").status_code == 403


def test_photo_is_private_until_a_dispatcher_publishes_it(app, client, case_world):
    import io

    png = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32
    case = _ok(_report(client, photos=(io.BytesIO(png), "p.png")), 201)["id"]
    d = As(app, case_world["dispatcher"])
    photo = _ok(d.get(f"/api/v1/incidents/{case}"))["photos"][0]
    anon = app.test_client()
    assert anon.get(photo["url"], headers={"Accept": "application/json"}).status_code == 401
    assert As(app, case_world["foreign_staff"]).get(photo["url"]).status_code == 403
    assert As(app, case_world["staff"]).post(f"/api/v1/incidents/photos/{photo['id']}/publish").status_code == 403
    assert _ok(d.post(f"/api/v1/incidents/photos/{photo['id']}/publish", published=True))["published"] is True
    resp = anon.get(photo["url"])
    assert resp.status_code == 200 and resp.data == png and resp.mimetype == "image/png"


def test_patrol_report_by_grid_staff(app, case_world):
    from tests.worlds import wgs84

    staff = As(app, case_world["staff"])
    lon, lat = wgs84(100, 900)
    body = _ok(
        staff.post(
            "/api/v1/incidents", category="black_smoke", description="小煤炉冒黑烟", lon=lon, lat=lat, channel="patrol"
        ),
        201,
    )
    assert body["grid_codes"] == ["A", "A1", "A1a"]
    listed = _ok(staff.get("/api/v1/incidents"))["cases"]
    assert [c["id"] for c in listed] == [body["id"]] and listed[0]["channel"] == "patrol"


def test_a_public_account_follows_only_its_own_reports(app, client, case_world, make_user):
    citizen = As(app, make_user("public"))
    from tests.worlds import wgs84

    lon, lat = wgs84(100, 100)
    mine = _ok(
        citizen.post("/api/v1/incidents", category="dust", description="我家楼下工地扬尘", lon=lon, lat=lat), 201
    )
    other = _ok(_report(client), 201)["id"]
    assert [c["id"] for c in _ok(citizen.get("/api/v1/incidents"))["cases"]] == [mine["id"]]
    assert _ok(citizen.get(f"/api/v1/incidents/{mine['id']}"))["allowed_actions"] == []
    assert citizen.get(f"/api/v1/incidents/{other}").status_code == 403
    assert citizen.act(mine["id"], "register").status_code == 403
    assert "我的举报" in citizen.get("/report").get_data(as_text=True)


def test_anyone_can_follow_progress_by_case_number_without_names(app, client, case_world):
    case = _ok(_report(client, name="张三", contact="13800000000"), 201)["id"]
    _ok(As(app, case_world["dispatcher"]).act(case, "register"))
    page = client.get(f"/report/status?id={case}").get_data(as_text=True)
    assert "已立案" in page and "立案" in page
    assert "张三" not in page and "13800000000" not in page and case_world["dispatcher"].display_name not in page
    missing = client.get("/report/status?id=999999", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    assert client.get("/report/status?id=99999999999999999999999").status_code == 404
    assert client.get("/report/status?id=abc").status_code == 404
    assert client.get("/open311/v2/requests/99999999999999999999999.json").status_code == 404


def test_dispatcher_runs_the_escalation_from_the_case_list(app, client, case_world, session):
    from datetime import timedelta

    from gisgrid.incidents.models import Incident

    ours, theirs = _ok(_report(client), 201)["id"], _ok(_report(client, x=3500, y=500), 201)["id"]
    for case in (ours, theirs):
        row = session.get(Incident, case)
        row.state, row.deadline = "dispatched", row.reported_at.date() - timedelta(days=3)
    session.commit()
    assert As(app, case_world["zhujian"]).post("/incidents/escalate").status_code == 403
    assert "escalate-form" not in As(app, case_world["staff"]).get("/incidents").get_data(as_text=True)
    d = As(app, case_world["dispatcher"])
    assert d.client.post("/incidents/escalate", data={}).status_code == 400  # no CSRF token
    page = d.get("/incidents").get_data(as_text=True)
    assert 'id="escalate-form"' in page
    resp = d.client.post("/incidents/escalate", data={"csrf_token": csrf_from(page)})
    assert resp.status_code == 302 and "ran=1" in resp.headers["Location"]
    listed = d.client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "本次督办 1 件" in listed and f'href="/incidents/{ours}"' in listed and "已督办 A1" in listed
    session.expire_all()
    assert session.get(Incident, ours).escalated_to == "A1"
    assert session.get(Incident, theirs).escalated_at is None  # outside the dispatcher's grids
    event = session.get(Incident, ours).events[-1]
    assert event.action == "escalate" and event.user_id == case_world["dispatcher"].id
    leader = As(app, case_world["leader"])
    resp = leader.client.post(
        "/incidents/escalate", data={"csrf_token": csrf_from(leader.get("/incidents").get_data(as_text=True))}
    )
    assert "ran=0" in resp.headers["Location"]  # each case escalated once
