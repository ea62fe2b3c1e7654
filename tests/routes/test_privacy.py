"""Reporters' personal data: masked in the case detail, unmasked only by the case's handler or dispatcher
through the audited 显示, exported only with a reason (audited), never in public outputs."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import text

from gisgrid.incidents.models import Incident
from tests.helpers import csrf_from as _token
from tests.helpers import login
from tests.incident_support import As, _ok, _report

NAME, PHONE = "张三丰", "13812345678"


@pytest.fixture()
def case(app, session, client, case_world):
    """A public report in grid A1a with a name and a phone, registered and dispatched to 住建 (zhujian)."""
    body = _ok(_report(client, name=NAME, contact=PHONE), 201)
    d = As(app, case_world["dispatcher"])
    _ok(d.act(body["id"], "register"))
    _ok(d.act(body["id"], "dispatch"))
    return body["id"]


def _audit(session, action: str) -> list[dict]:
    rows = session.execute(
        text("SELECT actor_name, actor_ip, entity, entity_id, entity_key, changes FROM audit_log WHERE action = :a"),
        {"a": action},
    )
    return [dict(r._mapping) for r in rows]


def test_staff_see_the_reporter_masked(app, case, case_world):
    for who in ("staff", "leader", "dispatcher", "zhujian"):
        body = _ok(As(app, case_world[who]).get(f"/api/v1/incidents/{case}"))
        assert body["reporter"]["name"] == "张**" and body["reporter"]["contact"] == "138****5678", who
        page = As(app, case_world[who]).get(f"/incidents/{case}").get_data(as_text=True)
        assert "138****5678" in page and PHONE not in page and NAME not in page, who


def test_only_the_handler_and_the_dispatcher_may_reveal(app, case, case_world, make_user):
    seeing = ("dispatcher", "staff", "leader", "zhujian")  # everyone in case_world who sees the case
    may = {w: _ok(As(app, case_world[w]).get(f"/api/v1/incidents/{case}"))["reporter"]["may_reveal"] for w in seeing}
    assert may == {"dispatcher": True, "staff": False, "leader": False, "zhujian": True}
    admin = As(app, make_user("admin"))
    assert _ok(admin.get(f"/api/v1/incidents/{case}"))["reporter"]["may_reveal"] is False
    for who in ("staff", "leader", "gongan"):
        assert As(app, case_world[who]).post(f"/api/v1/incidents/{case}/reporter").status_code == 403, who
    assert admin.post(f"/api/v1/incidents/{case}/reporter").status_code == 403


def test_a_foreign_grid_dispatcher_neither_sees_nor_reveals(app, case, case_world):
    foreign = As(app, case_world["foreign_dispatcher"])
    assert foreign.get(f"/api/v1/incidents/{case}").status_code == 403
    assert foreign.post(f"/api/v1/incidents/{case}/reporter").status_code == 403


def test_reveal_answers_the_values_and_writes_an_audit_row(app, session, case, case_world):
    d = As(app, case_world["dispatcher"])
    body = _ok(d.post(f"/api/v1/incidents/{case}/reporter", reason="回访举报人"))
    assert body == {"id": case, "name": NAME, "contact": PHONE}
    (row,) = _audit(session, "reveal")
    assert row["actor_name"] == case_world["dispatcher"].username and row["actor_ip"] == "127.0.0.1"
    assert (row["entity"], row["entity_id"], row["entity_key"]) == ("incident", str(case), "回访举报人")
    assert row["changes"]["fields"] == ["reporter_name", "reporter_contact"]
    assert PHONE not in str(row["changes"])  # the audit says who looked, not what they saw
    _ok(As(app, case_world["zhujian"]).post(f"/api/v1/incidents/{case}/reporter"))
    assert len(_audit(session, "reveal")) == 2


def test_a_refused_reveal_writes_nothing(app, session, case, case_world):
    As(app, case_world["staff"]).post(f"/api/v1/incidents/{case}/reporter")
    assert _audit(session, "reveal") == []


def test_the_reporter_data_is_not_in_the_business_audit_trail(session, case):
    # the incident row trigger ignores reporter_name / reporter_contact (migration 0016_sec_web)
    logged = session.execute(text("SELECT changes::text FROM audit_log WHERE entity = 'incident'")).scalars().all()
    assert logged and not any(PHONE in c or NAME in c for c in logged)


def test_export_needs_a_reason_naming_the_field(app, session, case, case_world):
    d = As(app, case_world["dispatcher"])
    resp = d.post("/api/v1/incidents/export")
    assert resp.status_code == 400 and "reason" in resp.get_json()["error"]["message"]
    resp = d.post("/api/v1/incidents/export", reason="   ")
    assert resp.status_code == 400 and "reason" in resp.get_json()["error"]["message"]
    assert _audit(session, "export") == []


def test_export_with_a_reason_is_audited_and_holds_only_revealable_cases(app, session, case, case_world, client):
    other = _ok(_report(client, x=3500, y=500, name="李四", contact="lisi@example.com"), 201)  # grid B
    d = As(app, case_world["dispatcher"])
    resp = d.client.post(
        "/api/v1/incidents/export", data={"reason": "季度回访", "csrf_token": d.token}, headers={"X-CSRFToken": d.token}
    )
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][-2:] == ["举报人", "联系方式"] and [r[0] for r in rows[1:]] == [str(case)]
    assert rows[1][-2:] == [NAME, PHONE] and "lisi@example.com" not in resp.get_data(as_text=True)
    (row,) = _audit(session, "export")
    assert (
        row["entity_key"] == "季度回访" and row["changes"]["ids"] == [case] and other["id"] not in row["changes"]["ids"]
    )


@pytest.mark.parametrize("who", ["staff", "leader"])
def test_roles_that_may_not_unmask_may_not_export(app, case, case_world, who):
    resp = As(app, case_world[who]).post("/api/v1/incidents/export", reason="想看看")
    assert resp.status_code == 403


def test_the_list_page_offers_export_with_a_reason_only_to_those_who_may(app, case, case_world):
    page = As(app, case_world["dispatcher"]).get("/incidents").get_data(as_text=True)
    assert 'id="export-form"' in page and 'name="reason" required' in page
    assert 'id="export-form"' not in As(app, case_world["staff"]).get("/incidents").get_data(as_text=True)


def test_public_outputs_never_hold_the_reporter(app, session, case, client):
    number = str(case)
    outputs = [
        client.get(f"/report/status?id={number}").get_data(as_text=True),
        client.get("/open311/v2/requests.json").get_data(as_text=True),
        client.get(f"/open311/v2/requests/{number}.json").get_data(as_text=True),
    ]
    assert session.get(Incident, case).reporter_contact == PHONE
    for out in outputs:
        assert PHONE not in out and NAME not in out and "138****5678" not in out


def test_a_citizen_sees_no_reporter_row_on_their_own_case(app, case_world, make_user):
    citizen = app.test_client()
    login(citizen, make_user("public").username)
    own = _ok(_report(citizen, name=NAME, contact=PHONE), 201)["id"]
    page = citizen.get(f"/incidents/{own}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="reporter"' not in html and "reveal-reporter" not in html and PHONE not in html
    assert citizen.post(f"/api/v1/incidents/{own}/reporter", headers={"X-CSRFToken": _token(html)}).status_code == 403
