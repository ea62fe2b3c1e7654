"""三员分立 over HTTP: each of the three administrators is refused outside their duty; one account, one duty;
logins, logouts, failures and privileged actions land in the audit trail with actor, IP, object and result."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from gisgrid.audit.models import AuditLog
from gisgrid.auth import roles
from gisgrid.auth import service as auth_service
from gisgrid.auth.models import User
from gisgrid.errors import Conflict
from tests.helpers import PASSWORD, csrf_from, login


def _client(app, user):
    client = app.test_client()
    return client, login(client, user.username)


def _post(client, token, url, **form):
    return client.post(url, data={**form, "csrf_token": token}, headers={"Accept": "application/json"})


def _events(session, kind, key=None):
    stmt = select(AuditLog).where(AuditLog.entity == "security", AuditLog.action == kind).order_by(AuditLog.id)
    if key is not None:
        stmt = stmt.where(AuditLog.entity_key == key)
    return session.scalars(stmt).all()


@pytest.fixture()
def three(make_user):
    """One account per duty, and a business account to act on."""
    return {
        "admin": make_user(roles.ADMIN),
        "secadmin": make_user(roles.SECADMIN),
        "auditor": make_user(roles.AUDITOR),
        "staff": make_user(roles.GRID_STAFF, grids=("A",)),
    }


def test_system_administrator_manages_accounts_but_not_roles_or_audit(app, session, three):
    client, token = _client(app, three["admin"])
    assert (
        _post(client, token, "/admin/users", username="new_staff", password=PASSWORD, role="grid_staff").status_code
        == 302
    )
    assert _post(client, token, f"/admin/users/{three['staff'].username}/active", active="0").status_code == 302
    assert session.scalar(select(User.active).where(User.username == three["staff"].username)) is False
    # outside the duty: roles, the audit trail (page, export, API)
    assert _post(client, token, f"/admin/users/{three['staff'].username}/role", role="dispatcher").status_code == 403
    for url in ("/admin/audit", "/admin/audit.csv", "/api/v1/audit"):
        assert client.get(url, headers={"Accept": "application/json"}).status_code == 403, url
    # nor may the web create one of the three duties' accounts
    resp = _post(client, token, "/admin/users", username="x_auditor", password=PASSWORD, role="auditor")
    assert resp.status_code == 400 and "role" in resp.get_json()["error"]["message"]
    created = _events(session, "permission", "new_staff")
    assert created and created[-1].actor_name == three["admin"].username and created[-1].actor_ip == "127.0.0.1"
    assert created[-1].changes == {"created": "grid_staff", "result": "success"}


def test_security_administrator_assigns_roles_but_no_accounts_audit_or_business_data(app, session, three):
    client, token = _client(app, three["secadmin"])
    staff = three["staff"].username
    assert _post(client, token, f"/admin/users/{staff}/role", role="dispatcher").status_code == 302
    assert session.scalar(select(User.role).where(User.username == staff)) == "dispatcher"
    (event,) = _events(session, "permission", staff)
    assert (event.actor_name, event.actor_ip) == (three["secadmin"].username, "127.0.0.1")
    assert event.changes == {"from": "grid_staff", "to": "dispatcher", "result": "success"}
    changed = session.scalars(select(AuditLog).where(AuditLog.entity == "app_user", AuditLog.entity_key == staff)).all()
    # the row trigger logs it too (here folded into the account's insert entry: a test is one transaction)
    assert changed[-1].changes["role"] in ("dispatcher", ["grid_staff", "dispatcher"])
    refused = [
        ("POST", "/admin/users"),
        ("POST", f"/admin/users/{staff}/active"),
        ("GET", "/admin/audit"),
        ("GET", "/api/v1/audit"),
        ("GET", "/sources/dashboard"),  # business pages and data
        ("POST", "/api/v1/sources"),
        ("GET", "/editor"),
        ("POST", "/incidents/escalate"),
    ]
    for method, url in refused:
        resp = client.open(url, method=method, data={"csrf_token": token}, headers={"Accept": "application/json"})
        assert resp.status_code == 403, f"{method} {url} → {resp.status_code}"
    own = _post(client, token, f"/admin/users/{three['secadmin'].username}/role", role="admin")
    assert own.status_code == 403


def test_audit_administrator_reads_and_exports_only(app, session, three):
    client, token = _client(app, three["auditor"])
    page = client.get("/admin/audit?entity=security")
    assert page.status_code == 200 and 'id="audit-export"' in page.get_data(as_text=True)
    export = client.get("/admin/audit.csv?entity=security&action=login")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["id", "时间", "事务"] and len(rows) >= 2  # at least the auditor's own login
    assert {r[4] for r in rows[1:]} >= {three["auditor"].username} and {r[10] for r in rows[1:]} == {"login"}
    (exported,) = _events(session, "export", "audit_log")
    assert exported.actor_name == three["auditor"].username and exported.actor_ip == "127.0.0.1"
    assert exported.changes["rows"] == len(rows) - 1 and exported.changes["filters"]["action"] == "login"
    for method, url in [
        ("GET", "/admin/users"),
        ("POST", "/admin/users"),
        ("POST", f"/admin/users/{three['staff'].username}/role"),
        ("POST", f"/admin/users/{three['staff'].username}/active"),
        ("GET", "/sources/dashboard"),
        ("GET", "/incidents/kpi"),
    ]:
        resp = client.open(url, method=method, data={"csrf_token": token}, headers={"Accept": "application/json"})
        assert resp.status_code == 403, f"{method} {url} → {resp.status_code}"


def test_one_account_never_holds_two_duties(app, session, three):
    client, token = _client(app, three["secadmin"])
    admin = three["admin"].username
    resp = _post(client, token, f"/admin/users/{admin}/role", role="auditor")
    assert resp.status_code == 409 and "三员分立" in resp.get_json()["error"]["message"]
    # also not one after the other: through a business role and back to another duty
    assert _post(client, token, f"/admin/users/{admin}/role", role="planner").status_code == 302
    assert _post(client, token, f"/admin/users/{admin}/role", role="secadmin").status_code == 409
    assert _post(client, token, f"/admin/users/{admin}/role", role="admin").status_code == 302  # its own duty again
    with pytest.raises(Conflict):
        auth_service.assign_role(session, three["secadmin"], three["auditor"].username, "admin")


def test_the_database_refuses_a_second_duty_too(session, three):
    duties = session.execute(select(User.username, User.duty).where(User.id.in_([u.id for u in three.values()])))
    assert dict(duties.all()) == {three[k].username: (None if k == "staff" else k) for k in three}
    session.execute(text("SAVEPOINT duty"))
    with pytest.raises(DBAPIError, match="already held the duty"):
        session.execute(text("UPDATE app_user SET role = 'auditor' WHERE id = :id"), {"id": three["admin"].id})
    session.execute(text("ROLLBACK TO SAVEPOINT duty"))
    session.execute(text("UPDATE app_user SET role = 'public' WHERE id = :id"), {"id": three["secadmin"].id})
    with pytest.raises(DBAPIError, match="already held the duty"):
        session.execute(text("UPDATE app_user SET role = 'admin' WHERE id = :id"), {"id": three["secadmin"].id})


def test_login_logout_and_failures_are_recorded_with_ip(app, session, three):
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    tried = "no_such_user_zhang"
    refused = client.post("/login", data={"username": tried, "password": "wrong-one", "csrf_token": token})
    assert refused.status_code == 401
    wrong_password = three["staff"].username
    client.post("/login", data={"username": wrong_password, "password": "wrong-one", "csrf_token": token})
    token = login(client, three["staff"].username)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    (failed,) = _events(session, "login_failed", tried)
    assert (failed.actor_name, failed.actor_id, failed.actor_ip) == (tried, None, "127.0.0.1")
    assert failed.changes == {"result": "failure"} and failed.at is not None
    assert len(_events(session, "login_failed", wrong_password)) == 1
    (ok,) = _events(session, "login", three["staff"].username)
    assert (ok.actor_id, ok.actor_ip, ok.changes["result"]) == (three["staff"].id, "127.0.0.1", "success")
    (out,) = _events(session, "logout", three["staff"].username)
    assert (out.actor_id, out.actor_ip) == (three["staff"].id, "127.0.0.1")


def test_a_refused_api_token_is_recorded_without_the_token(client, session):
    resp = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-real-token-123"})
    assert resp.status_code == 401
    (event,) = _events(session, "login_failed", "API 令牌")
    assert (event.actor_name, event.actor_ip, event.changes) == ("anonymous", "127.0.0.1", {"result": "failure"})
    assert "not-a-real-token" not in str(event.changes) + event.actor_name + event.entity_key


def test_a_download_of_sources_with_their_contacts_is_recorded(app, session, make_user):
    client, _token = _client(app, make_user(roles.DISPATCHER, grids=("A",)))
    resp = client.get("/sources/export.csv")
    assert resp.status_code == 200
    (event,) = _events(session, "export", "污染源")
    assert (event.actor_ip, event.changes) == ("127.0.0.1", {"rows": 0, "format": "csv", "result": "success"})
