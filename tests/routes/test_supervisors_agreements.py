"""监督员绩效考核 (reports, accepted, verified on time, patrol coverage; shown to the levels the profile names)
and 责任状 (recorded by an upper grid, listed on both parties, scoped, audited) over HTTP."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from gisgrid.audit.models import AuditLog
from gisgrid.clock import today_in_china
from gisgrid.patrols import service as patrols
from tests.incident_support import As, _ok
from tests.worlds import wgs84


def _patrol_case(app, staff, x=100, y=900):
    lon, lat = wgs84(x, y)
    body = dict(category="dust", description="巡查发现工地扬尘", lon=lon, lat=lat, channel="patrol")
    return _ok(As(app, staff).post("/api/v1/incidents", **body), 201)["id"]


def test_supervisor_figures_come_from_their_cases_and_tracks(app, case_world, make_user, session):
    staff, d, h = case_world["staff"], As(app, case_world["dispatcher"]), As(app, case_world["zhujian"])
    verified, ignored = _patrol_case(app, staff), _patrol_case(app, staff, x=300, y=900)
    _patrol_case(app, staff, x=150, y=800)  # filed, never registered
    for case in (verified, ignored):
        _ok(d.act(case, "register"))
    _ok(d.act(verified, "dispatch"))
    _ok(h.act(verified, "start"))
    _ok(h.act(verified, "handle", result="已覆盖"))
    _ok(As(app, staff).act(verified, "verify", reason="现场已整改"))
    start = datetime.now(UTC) - timedelta(hours=1)
    points = [(*wgs84(50 + 40 * i, 500), start + timedelta(minutes=i)) for i in range(11)]
    patrols.save_track(session, staff, points, "api")  # a walk across the middle of A1a
    top = As(app, make_user("grid_leader", grids=("A",)))
    body = _ok(top.get("/api/v1/evaluation/supervisors"))
    row = next(r for r in body["rows"] if r["username"] == staff.username)
    assert (row["reports"], row["accepted"], row["verified"], row["verified_on_time"]) == (3, 2, 1, 1)
    assert row["acceptance_rate"] == round(2 / 3, 4) and row["verify_on_time_rate"] == 1.0
    assert 0 < row["coverage"] < 1 and row["grids"] == ["A1a"]
    assert body["until"] == today_in_china().isoformat() and body["verify_working_days"] == 2
    html = top.client.get("/evaluation/supervisors").get_data(as_text=True)
    assert staff.display_name in html and "66.7%" in html


def test_supervisor_results_go_to_the_named_levels_in_their_scope(app, case_world, make_user):
    _patrol_case(app, case_world["staff"])
    village = As(app, make_user("grid_leader", grids=("A1a",)))  # 三级: the seed sends results to 一、二级
    resp = village.get("/api/v1/evaluation/supervisors")
    assert resp.status_code == 403 and "一级网格、二级网格" in resp.get_json()["error"]["message"]
    foreign = _ok(As(app, make_user("grid_leader", grids=("B",))).get("/api/v1/evaluation/supervisors"))
    # B's leader sees B's own supervisor, none of county A
    assert [r["username"] for r in foreign["rows"]] == [case_world["foreign_staff"].username]
    town = _ok(As(app, case_world["leader"]).get("/api/v1/evaluation/supervisors"))  # A1, 二级
    assert [r["username"] for r in town["rows"]] == [case_world["staff"].username]
    assert As(app, case_world["staff"]).get("/api/v1/evaluation/supervisors").status_code == 403
    resp = As(app, case_world["leader"]).get("/api/v1/evaluation/supervisors?since=2026-02-01&until=2026-01-01")
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("until:")


AGREEMENT = {
    "year": 2026,
    "title": "2026年度网格化环境监管目标责任书",
    "upper_code": "A",
    "party_code": "A1",
    "tasks": "落实网格巡查；按时报送工作总结",
    "rewards_penalties": "年终考核优秀的通报表扬；未完成的约谈",
    "signed_on": "2026-02-10",
}


def test_an_agreement_is_listed_on_both_grids_and_hidden_from_foreign_ones(app, case_world, make_user, session):
    top = As(app, make_user("grid_leader", grids=("A",)))
    body = _ok(top.post("/api/v1/agreements", **AGREEMENT), 201)
    assert (body["upper_name"], body["party_name"], body["signed"], body["signed_on"]) == (
        "甲县", "甲一镇", False, "2026-02-10",
    )  # fmt: skip
    town = As(app, case_world["leader"])  # A1: the responsible party
    assert [a["id"] for a in _ok(town.get("/api/v1/agreements?grid=A1"))] == [body["id"]]
    assert [a["id"] for a in _ok(top.get("/api/v1/agreements?grid=A&year=2026"))] == [body["id"]]
    assert _ok(top.get("/api/v1/agreements?year=2025")) == []
    other = As(app, make_user("grid_leader", grids=("A2",)))
    assert _ok(other.get("/api/v1/agreements")) == []
    assert other.client.get(f"/agreements/{body['id']}").status_code == 403
    foreign = As(app, make_user("grid_leader", grids=("B",)))
    assert _ok(foreign.get("/api/v1/agreements")) == []
    assert "甲一镇" in town.client.get(f"/agreements/{body['id']}").get_data(as_text=True)
    entry = session.scalars(select(AuditLog).where(AuditLog.entity == "responsibility_agreement")).one()
    assert entry.action == "insert" and entry.changes["party_code"] == "A1"


def test_agreement_rules_and_the_signed_scan(app, case_world, make_user):
    top = As(app, make_user("grid_leader", grids=("A",)))
    resp = top.post("/api/v1/agreements", **{**AGREEMENT, "party_code": "B"})
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("party_code:")
    resp = top.post("/api/v1/agreements", **{**AGREEMENT, "party_code": "A"})  # not below itself
    assert resp.status_code == 400
    resp = As(app, case_world["leader"]).post("/api/v1/agreements", **AGREEMENT)  # A1 cannot issue for A
    assert resp.status_code == 403
    resp = top.post("/api/v1/agreements", **{**AGREEMENT, "tasks": ""})
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("tasks:")
    dept = _ok(
        top.post("/api/v1/agreements", **{**AGREEMENT, "party_kind": "department", "party_code": "zhujian"}), 201
    )
    assert dept["party_name"] == "测试部门 zhujian"
    assert [a["id"] for a in _ok(As(app, case_world["zhujian"]).get("/api/v1/agreements"))] == [dept["id"]]
    form = {**AGREEMENT, "csrf_token": top.token, "scan": (io.BytesIO(b"%PDF-1.4 signed"), "责任书.pdf")}
    resp = top.client.post("/agreements", data=form, content_type="multipart/form-data")
    assert resp.status_code == 302
    url = resp.headers["Location"]
    html = top.client.get(url).get_data(as_text=True)
    assert "责任书.pdf" in html and "2026-02-10" in html
    assert top.client.get(url + "/scan").data == b"%PDF-1.4 signed"
    bad = {**form, "scan": (io.BytesIO(b"<script>alert(1)</script>"), "x.html")}
    resp = top.client.post(
        "/agreements", data=bad, content_type="multipart/form-data", headers={"Accept": "application/json"}
    )
    assert resp.status_code == 400
