"""年度日常监管工作计划 over HTTP: a grid's plan saved and filed upward with its document; a top grid's plan
sets the next year's 双随机 number the draw page shows; execution against plan from inspections and patrols;
foreign grids see nothing; bad rows are a 400 naming the field; audit."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from gisgrid.audit.models import AuditLog
from gisgrid.patrols import service as patrols
from gisgrid.sources import inspections
from gisgrid.sources.models import PollutionSource
from tests.incident_support import As, _ok
from tests.worlds import wgs84

ITEMS = [
    {"object_class": "A类污染源", "content": "排污许可执行", "frequency": "每年1次", "planned_checks": 2},
    {"object_class": "施工工地", "content": "扬尘防治", "frequency": "每季度1次", "planned_checks": 4},
]


def _source_in_a1a(app, admin) -> int:
    lon, lat = wgs84(100, 100)
    csv = f"code,name,kind,lon,lat,class\nP1,示例·计划测试企业,enterprise,{lon!r},{lat!r},A".encode()
    resp = admin.client.post(
        "/sources/import", data={"file": (io.BytesIO(csv), "s.csv")},
        headers={"X-CSRFToken": admin.token, "Accept": "application/json"}, content_type="multipart/form-data",
    )  # fmt: skip
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return _ok(admin.get("/api/v1/sources.geojson"))["features"][0]["properties"]["id"]


def test_a_plan_is_saved_filed_and_executed(app, case_world, make_user, session):
    admin = As(app, make_user("admin"))
    source_id = _source_in_a1a(app, admin)
    source = session.get(PollutionSource, source_id)
    for day in (date(2026, 3, 5), date(2026, 9, 1)):
        inspections.record_inspection(session, source.id, case_world["staff"], inspected_on=day, violation=False,
                                      findings="正常", today=date(2026, 10, 1))  # fmt: skip
    start = datetime(2026, 5, 4, 1, tzinfo=UTC)
    patrols.save_track(
        session,
        case_world["staff"],
        [(*wgs84(50 + 40 * i, 500), start + timedelta(minutes=i)) for i in range(5)],
        "api",
    )
    leader = As(app, case_world["leader"])  # A1
    body = _ok(leader.post("/api/v1/plans", grid="A1", year=2026, items=ITEMS, patrols_planned=12))
    assert body["state"] == "draft" and body["execution"]["inspections"] == {
        "planned": 6, "done": 2, "monthly": [0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    }  # fmt: skip
    assert body["execution"]["patrols"]["done"] == 1 and body["execution"]["patrols"]["monthly"][4] == 1
    html = leader.client.get(f"/plans/{body['id']}").get_data(as_text=True)
    assert "33.3%" in html and 'id="chart-inspections"' in html and 'id="file-plan"' in html
    form = {"filed_on": "2025-12-20", "filed_to": "甲县人民政府", "csrf_token": leader.token,
            "document": (io.BytesIO(b"%PDF-1.4 plan"), "计划.pdf")}  # fmt: skip
    resp = leader.client.post(f"/plans/{body['id']}/filing", data=form, content_type="multipart/form-data")
    assert resp.status_code == 302
    filed = _ok(leader.get("/api/v1/plans?year=2026"))[0]
    assert (filed["state"], filed["filed_to"], filed["filed_on"], filed["filed_by"]) == (
        "filed", "甲县人民政府", "2025-12-20", case_world["leader"].username,
    )  # fmt: skip
    assert leader.client.get(f"/plans/{body['id']}/document").data == b"%PDF-1.4 plan"
    assert leader.post("/api/v1/plans", grid="A1", year=2026, items=[]).status_code == 409  # filed: fixed
    entry = session.scalars(select(AuditLog).where(AuditLog.entity == "supervision_plan")).one()
    assert entry.changes["state"] == "filed"


def test_a_top_grid_plan_sets_the_draw_pages_planned_number(app, case_world, make_user):
    top = As(app, make_user("grid_leader", grids=("A",)))
    plan = _ok(top.post("/api/v1/plans", grid="A", year=2026, items=ITEMS, random_checks_next_year=37))
    _ok(top.post(f"/api/v1/plans/{plan['id']}/filing", filed_on="2026-12-20", filed_to="市人民政府"))
    html = app.test_client().get("/lottery").get_data(as_text=True)
    row = html.split(">2027<", 1)[1].split("</tr>", 1)[0]
    assert "37" in row  # the public draw page's planned count for 2027 is the filed plan's


def test_foreign_grids_and_bad_rows(app, case_world, make_user):
    leader = As(app, case_world["leader"])
    plan = _ok(leader.post("/api/v1/plans", grid="A1", year=2026, items=ITEMS))
    foreign = As(app, make_user("grid_leader", grids=("B",)))
    assert foreign.get("/api/v1/plans").get_json() == []
    assert foreign.client.get(f"/plans/{plan['id']}").status_code == 403
    assert foreign.post(f"/api/v1/plans/{plan['id']}/filing", filed_on="2026-12-01", filed_to="x").status_code == 403
    assert leader.post("/api/v1/plans", grid="A2", year=2026).status_code == 403  # not its grid
    bad = [{**ITEMS[0], "planned_checks": -1}]
    resp = leader.post("/api/v1/plans", grid="A1", year=2027, items=bad)
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("items.0.planned_checks:")
    form = {"grid": "A1", "year": "2027", "object_class.0": "工地", "content.0": "扬尘", "frequency.0": "每月",
            "planned_checks.0": "x", "csrf_token": leader.token}  # fmt: skip
    resp = leader.client.post("/plans", data=form, headers={"Accept": "application/json"})
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("items.0.planned_checks:")
    form["planned_checks.0"] = "12"
    resp = leader.client.post("/plans", data=form)
    assert resp.status_code == 302 and "扬尘" in leader.client.get(resp.headers["Location"]).get_data(as_text=True)
    assert As(app, case_world["staff"]).post("/api/v1/plans", grid="A1a", year=2026).status_code == 403
