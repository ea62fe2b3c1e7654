"""信息报告 over HTTP: generated from the data of the grid and period, edited, submitted with who and when;
the upper grid sees which lower grids have not reported; foreign grids see nothing; the inbox lists it due."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from gisgrid.audit.models import AuditLog
from gisgrid.evaluation import queries
from gisgrid.incidents.models import Incident
from tests.incident_support import As, _ok, _report

PERIOD = {"period": "month", "year": 2026, "number": 11}


def _cases_in_november(app, session, case_world):
    d = As(app, case_world["dispatcher"])
    ids = [_ok(_report(app.test_client()), 201)["id"] for _ in range(2)]  # both in A1a
    _ok(d.act(ids[0], "register"))
    for case_id in ids:
        session.get(Incident, case_id).reported_at = datetime(2026, 11, 3, 2, tzinfo=UTC)
    session.commit()


def test_a_report_is_generated_edited_submitted_and_seen_above(app, case_world, session, make_user):
    _cases_in_november(app, session, case_world)
    leader = As(app, case_world["leader"])  # A1
    body = _ok(leader.post("/api/v1/reports", grid="A1", **PERIOD), 201)
    assert body["label"] == "2026年11月月报" and body["state"] == "draft"
    assert (body["figures"]["cases_reported"], body["figures"]["cases_registered"]) == (2, 1)
    assert body["figures"]["supervision"] == {"opened": 0, "closed": 0, "overdue": 0}  # no 督办 in A1 this month
    assert body["figures"]["meetings"] == {"held": 0, "decisions": 0}
    assert "新开督办 0 件" in body["body"] and "召开联席会议 0 次" in body["body"]
    assert "受理上报 2 件，立案 1 件" in body["body"]
    again = _ok(leader.post("/api/v1/reports", grid="A1", **PERIOD), 201)
    assert again["id"] == body["id"]  # one report per grid and period
    top = As(app, make_user("grid_leader", grids=("A",)))
    status = _ok(top.get("/api/v1/reports/status?grid=A&period=month&year=2026&number=11"))
    assert [(r["code"], r["state"]) for r in status] == [("A1", "draft"), ("A2", "missing")]
    edited = _ok(leader.post(f"/api/v1/reports/{body['id']}", body="十一月工作总结（已修改）", submit=True))
    assert (edited["state"], edited["submitted_by"], edited["body"]) == (
        "submitted", case_world["leader"].username, "十一月工作总结（已修改）",
    )  # fmt: skip
    resp = leader.post(f"/api/v1/reports/{body['id']}", body="再改")
    assert resp.status_code == 409
    status = _ok(top.get("/api/v1/reports/status?grid=A&period=month&year=2026&number=11"))
    assert [(r["code"], r["state"], r["submitted_by"]) for r in status] == [
        ("A1", "submitted", case_world["leader"].username), ("A2", "missing", None),
    ]  # fmt: skip
    html = top.client.get("/reports?grid=A&period=month&year=2026&number=11").get_data(as_text=True)
    assert "未报送" in html and "已上报" in html
    assert top.post(f"/api/v1/reports/{body['id']}", body="上级不能改").status_code == 403
    entry = session.scalars(select(AuditLog).where(AuditLog.entity == "work_report")).one()
    assert entry.changes["state"] == "submitted"


def test_foreign_and_wrong_grids_are_refused(app, case_world, make_user):
    leader = As(app, case_world["leader"])
    body = _ok(leader.post("/api/v1/reports", grid="A1", **PERIOD), 201)
    foreign = As(app, make_user("grid_leader", grids=("B",)))
    assert foreign.get(f"/api/v1/reports/{body['id']}").status_code == 403
    assert foreign.client.get(f"/reports/{body['id']}").status_code == 403
    assert foreign.get("/api/v1/reports/status?grid=A&period=month&year=2026&number=11").status_code == 403
    assert foreign.post("/api/v1/reports", grid="A1", **PERIOD).status_code == 403
    assert leader.post("/api/v1/reports", grid="A2", **PERIOD).status_code == 403  # not its grid
    resp = leader.post("/api/v1/reports", grid="A1", period="week", year=2026)
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("period:")
    resp = leader.post("/api/v1/reports", grid="A1", period="quarter", year=2026, number=5)
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("number:")
    assert As(app, case_world["staff"]).get("/api/v1/reports/status?grid=A1&period=month&year=2026").status_code == 403


def test_the_page_generates_and_submits_and_the_inbox_lists_reports_due(app, case_world):
    leader = As(app, case_world["leader"])
    form = {"grid": "A1", **{k: str(v) for k, v in PERIOD.items()}, "csrf_token": leader.token}
    resp = leader.client.post("/reports", data=form)
    assert resp.status_code == 302
    url = resp.headers["Location"]
    assert 'id="report-form"' in leader.client.get(url).get_data(as_text=True)
    from gisgrid.db import db

    with app.test_request_context():
        due = [
            i
            for i in queries.waiting_for(db.session(), case_world["leader"], date(2026, 12, 10))
            if i["kind"] == "report_due"
        ]
        assert sorted(i["title"] for i in due) == [  # the last complete month, quarter and year
            "2025年度年报（A1）待上报", "2026年11月月报（A1）待上报", "2026年第3季度季报（A1）待上报",
        ]  # fmt: skip
        month = next(i for i in due if "月报" in i["title"])
        assert month["due"] == date(2026, 12, 7) and month["overdue"] is True and month["urgency"] == 0
    resp = leader.client.post(url, data={"body": "十一月工作总结", "submit": "", "csrf_token": leader.token})
    assert resp.status_code == 302 and "已上报" in leader.client.get(url).get_data(as_text=True)
    with app.test_request_context():
        due = [
            i
            for i in queries.waiting_for(db.session(), case_world["leader"], date(2026, 12, 10))
            if i["kind"] == "report_due"
        ]
        assert not any("月报" in i["title"] for i in due)
