"""The case workflow over HTTP: the whole life of a case, transfer and return, a joint case,
idempotent retries, forbidden transitions and foreign-grid access."""

from __future__ import annotations

from datetime import UTC

from tests.helpers import anonymous_token, assert_login_required, csrf_from
from tests.incident_support import PNG, As, _ok, _report
from tests.worlds import wgs84


def test_whole_life_of_a_case(app, client, case_world):
    created = _ok(_report(client, photos=(__import__("io").BytesIO(PNG), "a.png")), 201)
    assert created["state"] == "reported" and created["grid_codes"] == ["A", "A1", "A1a"]
    case = created["id"]
    d, staff, h = As(app, case_world["dispatcher"]), As(app, case_world["staff"]), As(app, case_world["zhujian"])
    _ok(d.act(case, "register"))
    body = _ok(d.act(case, "dispatch"))
    assert body["state"] == "dispatched" and body["departments"] == ["zhujian"] and body["deadline"]
    _ok(h.act(case, "start"))
    _ok(h.act(case, "handle", result="已责令覆盖"))
    body = _ok(staff.act(case, "rework", reason="仍有裸土未覆盖"))
    assert body["state"] == "in_progress" and body["rework_count"] == 1
    _ok(h.act(case, "handle", result="已全部覆盖"))
    _ok(staff.act(case, "verify", reason="现场核实已整改"))
    _ok(d.act(case, "close", outcome="resolved"))
    body = _ok(As(app, case_world["leader"]).act(case, "evaluate", score=4))
    assert body["state"] == "evaluated" and body["score"] == 4
    trail = [(e["action"], e["from"], e["to"]) for e in body["events"]]
    assert trail == [
        ("report", "", "reported"),
        ("register", "reported", "registered"),
        ("dispatch", "registered", "dispatched"),
        ("start", "dispatched", "in_progress"),
        ("handle", "in_progress", "handled"),
        ("rework", "handled", "in_progress"),
        ("handle", "in_progress", "handled"),
        ("verify", "handled", "verified"),
        ("close", "verified", "closed"),
        ("evaluate", "closed", "evaluated"),
    ]
    assert all(e["actor"] for e in body["events"][1:])
    photo = body["photos"][0]["url"]
    assert h.get(photo).data == PNG
    assert client.get(photo, headers={"Accept": "application/json"}).status_code == 401


def test_forbidden_transitions_and_foreign_grid(app, client, case_world):
    case = _ok(_report(client), 201)["id"]
    d, h = As(app, case_world["dispatcher"]), As(app, case_world["zhujian"])
    assert h.act(case, "register").status_code == 403  # wrong role
    assert d.act(case, "close").status_code == 409  # wrong state
    assert As(app, case_world["foreign_dispatcher"]).act(case, "register").status_code == 403  # foreign grid
    assert As(app, case_world["foreign_staff"]).get(f"/api/v1/incidents/{case}").status_code == 403
    assert As(app, case_world["gongan"]).get(f"/api/v1/incidents/{case}").status_code == 403  # other department
    anonymous = {"X-CSRFToken": anonymous_token(client)}
    assert_login_required(client.post(f"/api/v1/incidents/{case}/actions/register", headers=anonymous))
    foreign = As(app, case_world["foreign_staff"]).get("/api/v1/incidents").get_json()["cases"]
    assert foreign == []
    _ok(d.act(case, "register"))
    _ok(d.act(case, "dispatch"))
    assert As(app, case_world["zhzf"]).act(case, "start").status_code == 403  # not this department
    detail = _ok(d.get(f"/api/v1/incidents/{case}"))
    assert [e["action"] for e in detail["events"]] == ["report", "register", "dispatch"]  # refusals not recorded
    assert d.act(case, "reject", reason="x").status_code == 409
    assert d.act(case, "fly").status_code == 400


def test_bad_dispatch_input_changes_nothing(app, client, case_world):
    case = _ok(_report(client), 201)["id"]
    d = As(app, case_world["dispatcher"])
    _ok(d.act(case, "register"))
    assert d.act(case, "dispatch", departments=["nobody"]).status_code == 400
    assert d.act(case, "dispatch", departments={"a": 1}).status_code == 400
    assert d.act(case, "dispatch", departments=[1]).status_code == 400
    detail = _ok(d.get(f"/api/v1/incidents/{case}"))
    assert detail["state"] == "registered" and detail["tasks"] == [] and len(detail["events"]) == 2


def test_reject_needs_a_reason(app, client, case_world):
    case = _ok(_report(client), 201)["id"]
    d = As(app, case_world["dispatcher"])
    assert d.act(case, "reject").status_code == 400
    assert _ok(d.act(case, "reject", reason="重复上报"))["state"] == "rejected"


def test_transfer_and_return_then_accept_and_feedback(app, client, case_world):
    case = _ok(_report(client), 201)["id"]
    d, h, police = As(app, case_world["dispatcher"]), As(app, case_world["zhujian"]), As(app, case_world["gongan"])
    _ok(d.act(case, "register"))
    _ok(d.act(case, "dispatch"))
    body = _ok(h.act(case, "transfer", to_department="gongan", reason="涉嫌需行政拘留"))
    first = body["transfers"][0]["id"]
    assert h.act(case, "transfer", to_department="jijian", reason="再次").status_code == 409  # one pending
    assert As(app, case_world["zhzf"]).act(case, "transfer_accept", transfer_id=first).status_code == 403
    assert police.act(case, "transfer_return", transfer_id=first).status_code == 400  # reason required
    body = _ok(police.act(case, "transfer_return", transfer_id=first, reason="不属于本单位管辖"))
    assert body["transfers"][0]["state"] == "returned" and body["departments"] == ["zhujian"]
    body = _ok(h.act(case, "transfer", to_department="gongan", reason="补充证据后再次移送"))
    second = body["transfers"][1]["id"]
    body = _ok(police.act(case, "transfer_accept", transfer_id=second))
    # 站前区 第四条: the 15 working days run from 查处完成, not from acceptance
    assert body["departments"] == ["gongan"] and body["transfers"][1]["feedback_due"] is None
    body = _ok(police.act(case, "transfer_complete", transfer_id=second))
    assert body["transfers"][1]["completed_on"] and body["transfers"][1]["feedback_due"]
    body = _ok(police.act(case, "transfer_feedback", transfer_id=second, feedback="已依法处理"))
    assert [t["state"] for t in body["transfers"]] == ["returned", "fed_back"]
    _ok(police.act(case, "start"))
    assert h.act(case, "handle", result="x").status_code == 403  # no longer the zhujian's case
    actions = [e["action"] for e in body["events"]]
    assert actions.count("transfer") == 2 and "transfer_return" in actions and "transfer_accept" in actions


def test_joint_case_has_one_task_per_department(app, client, case_world, session):
    case = _ok(_report(client, category="wastewater", description="河道旁废水直排"), 201)["id"]
    d = As(app, case_world["dispatcher"])
    _ok(d.act(case, "register"))
    body = _ok(d.act(case, "dispatch", departments=["zhujian", "zhzf"]))
    assert [t["department"] for t in body["tasks"]] == ["zhujian", "zhzf"]
    assert body["organiser"] == "甲县责任主体"
    h1, h2 = As(app, case_world["zhujian"]), As(app, case_world["zhzf"])
    _ok(h1.act(case, "start"))
    tasks = {t["department"]: t["id"] for t in body["tasks"]}
    assert h1.act(case, "task_done", task_id=tasks["zhzf"], result="x").status_code == 403
    _ok(h1.act(case, "task_done", task_id=tasks["zhujian"], result="工地排水已封堵"))
    assert h1.act(case, "handle", result="全部完成").status_code == 409  # zhzf still open
    _ok(h2.act(case, "task_done", task_id=tasks["zhzf"], result="已立案处罚"))
    assert _ok(h2.act(case, "handle", result="联合执法完成"))["state"] == "handled"


def test_retried_submission_returns_the_first_case(client, case_world, session):
    from gisgrid.incidents.models import Incident

    first = _ok(_report(client, client_request_id="phone-42-0001"), 201)
    again = _ok(_report(client, client_request_id="phone-42-0001", description="重发"), 200)
    assert again["id"] == first["id"] and again["created"] is False
    assert session.query(Incident).filter_by(client_request_id="phone-42-0001").count() == 1


def test_the_same_request_id_from_another_client_is_its_own_case(app, client, case_world, session):
    from gisgrid.incidents.models import Incident

    first = _ok(_report(client, client_request_id="r-1"), 201)
    stranger = app.test_client()  # another browser: another session
    theirs = _ok(_report(stranger, client_request_id="r-1", description="另一位群众的举报"), 201)
    assert theirs["id"] != first["id"] and theirs["created"] is True
    assert _ok(_report(stranger, client_request_id="r-1"), 200)["id"] == theirs["id"]
    operator = As(app, case_world["dispatcher"])  # a logged-in client: scoped by account
    lon, lat = wgs84(100, 100)
    mine = _ok(
        operator.post(
            "/api/v1/incidents",
            category="dust",
            description="热线来电",
            lon=lon,
            lat=lat,
            channel="hotline",
            client_request_id="r-1",
        ),
        201,
    )
    again = _ok(
        As(app, case_world["dispatcher"]).post(
            "/api/v1/incidents",
            category="dust",
            description="热线来电",
            lon=lon,
            lat=lat,
            channel="hotline",
            client_request_id="r-1",
        ),
        200,
    )
    assert again["id"] == mine["id"] not in (first["id"], theirs["id"])  # same operator, new login session
    assert session.query(Incident).filter_by(client_request_id="r-1").count() == 3


def test_bad_reports_are_refused_without_writing(client, case_world, session):
    from gisgrid.incidents.models import Incident

    assert _report(client, category="nope").status_code == 404
    assert _report(client, x=2500, y=500).status_code == 400  # outside every grid
    assert _report(client, lon="abc").status_code == 400
    token = csrf_from(client.get("/report").get_data(as_text=True))
    as_json = {"category": "dust", "description": "扬尘", "lon": True, "lat": 39.9}  # JSON true is not 1.0
    resp = client.post("/api/v1/incidents", json=as_json, headers={"X-CSRFToken": token})
    assert resp.status_code == 400 and "须为数字" in resp.get_json()["error"]["message"]
    fake = (__import__("io").BytesIO(b"GIF89a" + b"\x00" * 20), "x.png")  # extension lies
    assert _report(client, photos=fake).status_code == 400
    assert session.query(Incident).count() == 0


def test_hotline_channel_needs_a_staff_login(app, client, case_world):
    assert _report(client, channel="hotline").status_code == 403
    d = As(app, case_world["dispatcher"])
    lon, lat = wgs84(1500, 500)
    body = _ok(
        d.post("/api/v1/incidents", category="bbq", description="夜间露天烧烤", lon=lon, lat=lat, channel="hotline"),
        201,
    )
    assert body["grid_codes"] == ["A", "A2", "A2a"]


def test_overdue_cases_are_escalated_to_the_parent_grid(app, client, case_world, session):
    from datetime import date

    from gisgrid.incidents import transfer
    from gisgrid.incidents.models import Incident

    case = _ok(_report(client), 201)["id"]
    d = As(app, case_world["dispatcher"])
    _ok(d.act(case, "register"))
    deadline = date.fromisoformat(_ok(d.act(case, "dispatch"))["deadline"])
    assert transfer.escalate_overdue(session, deadline) == []
    escalated = transfer.escalate_overdue(session, date.fromordinal(deadline.toordinal() + 1))
    assert [c.id for c in escalated] == [case]
    assert session.get(Incident, case).escalated_to == "A1"
    listed = _ok(d.get("/api/v1/incidents"))["cases"][0]
    assert listed["escalated_to"] == "A1"
    assert [c["id"] for c in _ok(d.get("/api/v1/incidents?escalated=1"))["cases"]] == [case]
    other = _ok(_report(client), 201)["id"]
    assert other not in [c["id"] for c in _ok(d.get("/api/v1/incidents?escalated=1"))["cases"]]
    assert transfer.escalate_overdue(session, date.fromordinal(deadline.toordinal() + 2)) == []  # once


def test_photo_files_do_not_outlive_a_failed_intake(app, client, case_world, monkeypatch, tmp_path):
    from pathlib import Path

    from sqlalchemy.orm import Session

    real_commit = Session.commit

    def failing_commit(self):
        if any(type(o).__name__ == "IncidentPhoto" for o in self.new):
            raise RuntimeError("disk full")
        return real_commit(self)

    monkeypatch.setattr(Session, "commit", failing_commit)
    assert _report(client, photos=(__import__("io").BytesIO(PNG), "a.png")).status_code == 500
    media = Path(app.config["MEDIA_DIR"])
    assert not media.exists() or [p for p in media.rglob("*") if p.is_file()] == []


def _handled(app, case_world, case):
    d, h = As(app, case_world["dispatcher"]), As(app, case_world["zhujian"])
    _ok(d.act(case, "register"))
    _ok(d.act(case, "dispatch"))
    _ok(h.act(case, "start"))
    _ok(h.act(case, "handle", result="已整改"))


def _patrol(app, user, x=100, y=900):
    lon, lat = wgs84(x, y)
    return _ok(
        As(app, user).post(
            "/api/v1/incidents", category="dust", description="巡查发现工地扬尘", lon=lon, lat=lat, channel="patrol"
        ),
        201,
    )["id"]


def test_a_patrol_case_is_verified_by_its_reporting_supervisor(app, case_world, make_user):
    case = _patrol(app, case_world["staff"])
    _handled(app, case_world, case)
    colleague = As(app, make_user("grid_staff", grids=("A1a",)))  # same grid, did not report it
    assert colleague.act(case, "verify").status_code == 403
    assert As(app, case_world["leader"]).act(case, "verify").status_code == 403
    assert "verify" not in _ok(colleague.get(f"/api/v1/incidents/{case}"))["allowed_actions"]
    reporter = As(app, case_world["staff"])
    assert "verify" in _ok(reporter.get(f"/api/v1/incidents/{case}"))["allowed_actions"]
    assert _ok(reporter.act(case, "verify", reason="现场已覆盖"))["state"] == "verified"


def test_an_inactive_reporter_is_replaced_by_a_grid_leader(app, case_world, make_user, session):
    from gisgrid.auth.models import User

    reporter = make_user("grid_staff", grids=("A1a",))
    case = _patrol(app, reporter)
    _handled(app, case_world, case)
    session.get(User, reporter.id).active = False
    session.commit()
    assert As(app, case_world["staff"]).act(case, "verify").status_code == 403  # staff cannot stand in
    assert As(app, make_user("grid_leader", grids=("B",))).act(case, "verify").status_code == 403  # foreign leader
    assert _ok(As(app, case_world["leader"]).act(case, "verify"))["state"] == "verified"


def test_a_public_case_is_verified_by_grid_staff_of_its_grid(app, client, case_world):
    case = _ok(_report(client), 201)["id"]
    _handled(app, case_world, case)
    assert As(app, case_world["foreign_staff"]).act(case, "verify").status_code == 403
    assert As(app, case_world["leader"]).act(case, "verify").status_code == 403
    assert As(app, case_world["dispatcher"]).act(case, "verify").status_code == 403
    assert _ok(As(app, case_world["staff"]).act(case, "verify"))["state"] == "verified"


JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _files(client_as, case, action, data, **files):
    return client_as.client.post(
        f"/api/v1/incidents/{case}/actions/{action}",
        data={**data, **files},
        headers={"X-CSRFToken": client_as.token},
        content_type="multipart/form-data",
    )


def test_handlers_and_supervisors_attach_photos_to_feedback_and_verification(app, client, case_world):
    import io
    from pathlib import Path

    case = _ok(_report(client), 201)["id"]
    d, h, staff = As(app, case_world["dispatcher"]), As(app, case_world["zhujian"]), As(app, case_world["staff"])
    _ok(d.act(case, "register"))
    _ok(d.act(case, "dispatch"))
    _ok(h.act(case, "start"))
    # wrong type (extension lies), then another department's handler: refused, nothing stored or changed
    fake = (io.BytesIO(b"GIF89a" + b"\x00" * 20), "after.jpg")
    assert _files(h, case, "handle", {"result": "x"}, photos_after=fake).status_code == 400
    other = As(app, case_world["gongan"])
    assert _files(other, case, "handle", {"result": "x"}, photos_after=(io.BytesIO(JPEG), "a.jpg")).status_code == 403
    app.config["PHOTO_MAX_BYTES"] = 32
    assert _files(h, case, "handle", {"result": "x"}, photos_after=(io.BytesIO(JPEG), "a.jpg")).status_code == 413
    app.config["PHOTO_MAX_BYTES"] = 1024
    body = _ok(d.get(f"/api/v1/incidents/{case}"))
    assert body["state"] == "in_progress" and body["photos"] == []
    assert not [p for p in Path(app.config["MEDIA_DIR"]).rglob("*") if p.is_file()]
    body = _ok(
        _files(
            h,
            case,
            "handle",
            {"result": "已覆盖防尘网"},
            photos_before=(io.BytesIO(PNG), "b.png"),
            photos_after=(io.BytesIO(JPEG), "a.jpg"),
        )
    )
    assert body["state"] == "handled" and [p["stage"] for p in body["photos"]] == ["before", "after"]
    assert "附照片 2 张" in body["events"][-1]["reason"]
    body = _ok(_files(staff, case, "verify", {"reason": "现场已整改"}, photos=(io.BytesIO(PNG), "v.png")))
    assert body["state"] == "verified" and [p["stage"] for p in body["photos"]] == ["before", "after", "verify"]
    assert h.get(body["photos"][1]["url"]).data == JPEG
    assert _files(d, case, "close", {}, photos=(io.BytesIO(PNG), "x.png")).status_code == 400  # takes none
    assert _ok(d.get(f"/api/v1/incidents/{case}"))["state"] == "verified"
    assert As(app, case_world["foreign_staff"]).get(body["photos"][2]["url"]).status_code == 403
    detail = staff.get(f"/incidents/{case}").get_data(as_text=True)
    assert "处置前" in detail and "处置后" in detail and "现场核实" in detail


def test_photos_are_refused_on_actions_that_take_none(app, client, case_world):
    import io

    case = _ok(_report(client), 201)["id"]
    d = As(app, case_world["dispatcher"])
    assert _files(d, case, "register", {}, photos=(io.BytesIO(PNG), "x.png")).status_code == 400
    assert _ok(d.get(f"/api/v1/incidents/{case}"))["state"] == "reported"


def test_deadline_counts_from_the_day_in_china_not_utc(app, client, case_world, monkeypatch):
    """Dispatched at 07:30 on Monday 3 March 2025 in Beijing, which is still Sunday 23:30 in UTC."""
    from datetime import date, datetime

    from gisgrid.incidents import workflow
    from gisgrid.incidents.deadlines import add_working_days

    case = _ok(_report(client), 201)["id"]
    d = As(app, case_world["dispatcher"])
    _ok(d.act(case, "register"))
    monkeypatch.setattr(workflow, "now", lambda: datetime(2025, 3, 2, 23, 30, tzinfo=UTC))
    body = _ok(d.act(case, "dispatch"))
    # dust: 5 working days after Monday 3 March (counting from the UTC Sunday would give 7 March)
    assert body["deadline"] == add_working_days(date(2025, 3, 3), 5).isoformat() == "2025-03-10"
