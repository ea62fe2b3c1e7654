"""Notifications over HTTP: who hears of each case step (in their grids and departments only), the outbox
commits or rolls back with the step, the bell and the list, preferences, and the closing outcome."""

from __future__ import annotations

from sqlalchemy import func, select

from gisgrid.incidents.models import Incident
from gisgrid.notifications.models import Notification
from tests.incident_support import As, _ok, _report


def _inbox(session, user) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id, Notification.channel == "inapp")
    return list(session.scalars(stmt.order_by(Notification.id)))


def _kinds(session, user) -> list[tuple[str, int]]:
    return [(n.kind, n.incident_id) for n in _inbox(session, user)]


def _dispatched(app, client, case_world) -> int:
    case = _ok(_report(client), 201)["id"]
    d = As(app, case_world["dispatcher"])
    _ok(d.act(case, "register"))
    _ok(d.act(case, "dispatch"))
    return case


def test_dispatch_tells_the_departments_handlers_in_scope_only(app, client, session, case_world, make_user):
    foreign_zhujian = make_user("handler", department="zhujian", grids=("B",))
    case = _dispatched(app, client, case_world)
    assert _kinds(session, case_world["zhujian"]) == [("dispatched", case)]
    assert _kinds(session, foreign_zhujian) == []  # same department, other grid
    assert _kinds(session, case_world["gongan"]) == []  # other department
    assert _kinds(session, case_world["dispatcher"]) == []  # the actor is not told what they did
    row = _inbox(session, case_world["zhujian"])[0]
    assert row.state == "sent" and f"案件 {case}" in row.subject and f"/incidents/{case}" in row.body


def test_the_outbox_rolls_back_with_a_refused_step(app, client, session, case_world):
    case = _ok(_report(client), 201)["id"]
    d = As(app, case_world["dispatcher"])
    _ok(d.act(case, "register"))
    before = session.scalar(select(func.count()).select_from(Notification))
    resp = d.act(case, "dispatch", departments=["zhujian", "nope"])  # zhujian valid, nope unknown: refused
    assert resp.status_code == 400 and "nope" in resp.get_json()["error"]["message"]
    assert session.scalar(select(func.count()).select_from(Notification)) == before
    assert _kinds(session, case_world["zhujian"]) == []


def test_each_step_reaches_its_recipient(app, client, session, case_world):
    case = _dispatched(app, client, case_world)
    h, d = As(app, case_world["zhujian"]), As(app, case_world["dispatcher"])
    _ok(h.act(case, "transfer", to_department="gongan", reason="涉嫌刑事"))
    assert ("transfer_received", case) in _kinds(session, case_world["gongan"])
    _ok(As(app, case_world["gongan"]).act(case, "transfer_return", transfer_id=_transfer(d, case), reason="不属于"))
    _ok(h.act(case, "start"))
    _ok(h.act(case, "handle", result="已覆盖"))
    assert ("verify_requested", case) in _kinds(session, case_world["staff"])
    assert _kinds(session, case_world["foreign_staff"]) == []
    _ok(As(app, case_world["staff"]).act(case, "verify"))
    _ok(d.act(case, "close", outcome="resolved"))
    assert ("closed", case) in _kinds(session, case_world["zhujian"])


def _transfer(client: As, case: int) -> int:
    return _ok(client.get(f"/api/v1/incidents/{case}"))["transfers"][0]["id"]


def test_escalation_tells_the_parent_grids_leader(app, client, session, case_world):
    from datetime import date

    from gisgrid.incidents import transfer

    case = _dispatched(app, client, case_world)
    incident = session.get(Incident, case)
    incident.deadline = date(2026, 1, 5)
    session.commit()
    transfer.escalate_overdue(session, date(2026, 1, 20))
    assert incident.escalated_to == "A1"
    assert ("escalated", case) in _kinds(session, case_world["leader"])  # leader of A1
    assert _kinds(session, case_world["foreign_dispatcher"]) == []


def test_bell_list_and_mark_read(app, client, session, case_world):
    case = _dispatched(app, client, case_world)
    _dispatched(app, client, case_world)
    h = As(app, case_world["zhujian"])
    assert _ok(h.get("/api/v1/notifications/count")) == {"unread": 2}
    page = h.get("/incidents").get_data(as_text=True)
    assert 'id="notification-count">2<' in page  # the bell on every page
    listing = _ok(h.get("/api/v1/notifications"))
    assert listing["unread"] == 2 and [i["kind"] for i in listing["items"]] == ["dispatched", "dispatched"]
    assert listing["items"][1]["incident_id"] == case  # newest first
    mine = listing["items"][0]["id"]
    other = As(app, case_world["gongan"])
    assert other.post(f"/api/v1/notifications/{mine}/read").status_code == 404  # not theirs
    assert _ok(h.post(f"/api/v1/notifications/{mine}/read")) == {"marked": 1, "unread": 1}
    assert _ok(h.post("/api/v1/notifications/read-all")) == {"marked": 1, "unread": 0}
    assert 'id="notification-count"' not in h.get("/incidents").get_data(as_text=True)
    assert "查看案件" in h.get("/account/notifications").get_data(as_text=True)


def test_preferences_choose_channels_and_are_checked(app, client, session, case_world):
    h = As(app, case_world["zhujian"])
    bad = h.put("/api/v1/notifications/preferences", email=True)
    assert bad.status_code == 400 and "email_address" in bad.get_json()["error"]["message"]
    bad = h.put("/api/v1/notifications/preferences", sms=True)  # the account has no phone
    assert bad.status_code == 400 and "sms" in bad.get_json()["error"]["message"]
    bad = h.put("/api/v1/notifications/preferences", quiet_start="22:00")
    assert bad.status_code == 400 and "quiet_start" in bad.get_json()["error"]["message"]
    saved = _ok(
        h.put(
            "/api/v1/notifications/preferences",
            inapp=False,
            email=True,
            email_address="zhujian@example.org",
            quiet_start="22:00",
            quiet_end="07:00",
            digest=True,
            digest_hour=9,
        )
    )
    assert saved["email"] and not saved["inapp"] and saved["quiet_start"] == "22:00" and saved["digest_hour"] == 9
    case = _dispatched(app, client, case_world)
    rows = session.scalars(select(Notification).where(Notification.user_id == case_world["zhujian"].id)).all()
    # no in-app row; the e-mail waits for the daily digest
    assert [(r.channel, r.state, r.address, r.incident_id) for r in rows] == [
        ("email", "digest", "zhujian@example.org", case)
    ]


def test_close_needs_an_outcome_and_kpi_counts_fixes(app, client, session, case_world):
    d, h, staff = As(app, case_world["dispatcher"]), As(app, case_world["zhujian"]), As(app, case_world["staff"])
    cases = []
    for _ in range(2):
        case = _dispatched(app, client, case_world)
        _ok(h.act(case, "start"))
        _ok(h.act(case, "handle", result="已处理"))
        _ok(staff.act(case, "verify"))
        cases.append(case)
    refused = d.act(cases[0], "close")
    assert refused.status_code == 400 and "outcome" in refused.get_json()["error"]["message"]
    refused = d.act(cases[0], "close", outcome="unresolved")
    assert refused.status_code == 400 and "outcome_reason" in refused.get_json()["error"]["message"]
    body = _ok(d.act(cases[0], "close", outcome="unresolved", outcome_reason="企业已停产，无法整改"))
    assert body["outcome"] == "unresolved" and body["outcome_reason"] == "企业已停产，无法整改"
    _ok(d.act(cases[1], "close", outcome="resolved"))
    rows = _ok(d.get("/api/v1/incidents/kpi?by=department"))["rows"]
    zhujian = next(r for r in rows if r["key"] == "zhujian")
    assert (zhujian["closed"], zhujian["resolved"], zhujian["unresolved"], zhujian["fix_rate"]) == (2, 1, 1, 0.5)
    assert "企业已停产" in d.get(f"/incidents/{cases[0]}").get_data(as_text=True)
    page = d.get("/incidents/kpi").get_data(as_text=True)
    assert "解决率" in page and 'title="已解决 1 · 部分解决 0 · 未解决 1"' in page


def test_a_preference_change_is_audited_with_its_actor(app, session, case_world):
    from sqlalchemy import text

    user = case_world["zhujian"]
    _ok(As(app, user).put("/api/v1/notifications/preferences", inapp=True, digest=True, digest_hour=7))
    rows = session.execute(
        text("SELECT actor_name, entity_id, action FROM audit_log WHERE entity = 'notification_preference'")
    ).all()
    assert [(r.entity_id, r.action) for r in rows] == [(str(user.id), "insert")]
    assert rows[0].actor_name == user.display_name
