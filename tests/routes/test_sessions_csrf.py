"""CSRF on every state-changing session endpoint, the CSRF-exempt blueprints, and the life of a session."""

from __future__ import annotations

import ast
import inspect
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, table

from gisgrid import create_app
from gisgrid.auth import roles, service
from gisgrid.auth.models import Login, User
from tests.helpers import PASSWORD, csrf_from, login
from tests.routes.test_access_matrix import RULES

COOKIE = "gisgrid_session"
# blueprints that never read the session (public lookup; Open311 clients authenticate by api_key)
EXEMPT = ("grids", "open311")
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


CSRF_RULES = [(e, method, url) for e, method, url in RULES if method in WRITES and e.split(".")[0] not in EXEMPT]


def _me(client):
    return client.get("/api/v1/me").get_json()["user"]


def _audit_rows(session):
    """Rows of the audit trail: every write to an audited table adds one."""
    return session.scalar(select(func.count()).select_from(table("audit_log")))


def test_every_state_changing_endpoint_refuses_a_missing_or_wrong_csrf_token(client, make_user, session):
    """Logged in as an admin (who passes every role guard), no write gets past CSRF without the token."""
    good = login(client, make_user(roles.ADMIN).username)
    before = _audit_rows(session)
    wrong = []
    for _endpoint, method, url in CSRF_RULES:
        for headers in ({}, {"X-CSRFToken": "forged"}, {"X-CSRFToken": good[:-4] + "AAAA"}):
            resp = client.open(
                url,
                method=method,
                headers={"Accept": "application/json", **headers},
                data={"csrf_token": headers.get("X-CSRFToken", "")},
            )
            if (
                resp.status_code != 400
                or (resp.get_json(silent=True) or {}).get("error", {}).get("code") != "csrf_failed"
            ):
                wrong.append(f"{method} {url} {headers} → {resp.status_code}")
    assert len(CSRF_RULES) >= 30 and wrong == []
    assert _audit_rows(session) == before and _me(client) is not None  # nothing written, still logged in


def test_a_token_of_another_session_is_refused(app, client, make_user):
    other = app.test_client()
    foreign_token = login(other, make_user(roles.ADMIN).username)
    login(client, make_user(roles.DISPATCHER, grids=("A",)).username)
    resp = client.post("/incidents/escalate", headers={"X-CSRFToken": foreign_token, "Accept": "application/json"})
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "csrf_failed"


@pytest.mark.parametrize("module", ["gisgrid.grids.routes", "gisgrid.incidents.open311"])
def test_csrf_exempt_blueprints_never_read_the_logged_in_user(module):
    """Exempt from CSRF is only safe if a cross-site request cannot act as the user: the code never asks who."""
    tree = ast.parse(inspect.getsource(__import__(module, fromlist=["bp"])))
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
    }
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert not {"current_user", "login_required", "roles_required", "require_role", "require_login"} & (
        names | imported
    )
    assert not {"flask_login", "session"} & imported


def test_a_logged_in_users_cookie_does_not_make_an_open311_post_theirs(app, client, make_user, session, case_world):
    from gisgrid.incidents.models import Incident
    from tests.worlds import wgs84

    login(client, case_world["dispatcher"].username)
    lon, lat = wgs84(100, 100)
    resp = client.post(
        "/open311/v2/requests.json", data={"service_code": "dust", "lat": lat, "long": lon, "description": "跨站提交"}
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    case = session.scalars(select(Incident).order_by(Incident.id.desc())).first()
    assert case.channel == "open311" and case.reporter_user_id is None


def test_cookie_flags(app, make_user):
    user = make_user(roles.GRID_STAFF)
    client = app.test_client()
    login(client, user.username)
    cookie = client.get_cookie(COOKIE)
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure  # plain-HTTP intranets work


def test_secure_flag_from_the_environment(monkeypatch):
    monkeypatch.setenv("GISGRID_SESSION_COOKIE_SECURE", "1")
    app = create_app({"RATELIMIT_ENABLED": False})
    with app.test_request_context("/", base_url="https://gisgrid.example"):
        resp = app.make_response("x")
        from flask import session as web_session

        web_session["k"] = "v"
        app.session_interface.save_session(app, web_session, resp)
    assert "Secure" in resp.headers["Set-Cookie"] and "HttpOnly" in resp.headers["Set-Cookie"]


def _copy(client, app):
    """Another browser holding a copy of this client's session cookie (a stolen or backed-up cookie)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def test_logout_ends_the_session_even_for_a_copied_cookie(app, client, make_user):
    token = login(client, make_user(roles.GRID_STAFF).username)
    thief = _copy(client, app)
    assert _me(thief) is not None
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert _me(client) is None and _me(thief) is None


def test_login_starts_a_new_session(app, client, make_user, session):
    user = make_user(roles.GRID_STAFF)
    with client.session_transaction() as planted:
        planted["planted"] = "by an attacker"
    before_token = csrf_from(client.get("/login").get_data(as_text=True))
    before_cookie = client.get_cookie(COOKIE).value
    after_token = login(client, user.username)
    with client.session_transaction() as now:
        assert "planted" not in now
    assert client.get_cookie(COOKIE).value != before_cookie
    resp = client.post("/incidents/escalate", headers={"X-CSRFToken": before_token, "Accept": "application/json"})
    assert resp.status_code == 400 and after_token != before_token
    second = app.test_client()
    login(second, user.username)
    assert session.scalar(select(func.count()).where(Login.user_id == user.id, Login.revoked_at.is_(None))) == 2


def _change(client, token, current, new, repeat=None):
    return client.post(
        "/account/password",
        data={"csrf_token": token, "current": current, "new": new, "repeat": new if repeat is None else repeat},
    )


def test_changing_the_password_ends_every_other_login(app, client, make_user, session):
    user = make_user(roles.GRID_STAFF)
    token = login(client, user.username)
    phone = app.test_client()
    login(phone, user.username)
    page = client.get("/account/password")
    assert page.status_code == 200 and "修改密码" in page.get_data(as_text=True)
    assert _change(client, token, "wrong-password", "new-password-2").status_code == 400
    assert _change(client, token, PASSWORD, "new-password-2", repeat="other-thing").status_code == 400
    assert _change(client, token, PASSWORD, "short").status_code == 400
    assert _me(phone) is not None  # refused changes end nothing
    resp = _change(client, token, PASSWORD, "new-password-2")
    assert resp.status_code == 302 and "changed=1" in resp.headers["Location"]
    assert _me(client)["username"] == user.username and _me(phone) is None
    session.expire_all()
    assert service.authenticate(session, user.username, PASSWORD) is None
    assert service.authenticate(session, user.username, "new-password-2").id == user.id


def test_an_administrator_reset_or_deactivation_ends_every_login(app, make_user, session):
    user = make_user(roles.GRID_STAFF)
    browsers = [app.test_client() for _ in range(2)]
    for b in browsers:
        login(b, user.username)
    assert service.set_password(session, user.username, "reset-password-3") == 2
    assert _me(browsers[0]) is None
    login(browsers[1], user.username, "reset-password-3")
    assert service.set_active(session, user.username, False) == 1
    assert _me(browsers[1]) is None
    token = csrf_from(browsers[1].get("/login").get_data(as_text=True))
    resp = browsers[1].post(
        "/login", data={"username": user.username, "password": "reset-password-3", "csrf_token": token}
    )
    assert resp.status_code == 401
    service.set_active(session, user.username, True)
    login(browsers[1], user.username, "reset-password-3")


def test_a_user_deactivated_in_the_database_is_logged_out(app, client, make_user, session):
    user = make_user(roles.GRID_STAFF)
    login(client, user.username)
    session.get(User, user.id).active = False  # e.g. by SQL, without ending the logins
    session.commit()
    assert _me(client) is None


def test_a_login_older_than_the_lifetime_no_longer_counts(app, client, make_user, session):
    user = make_user(roles.GRID_STAFF)
    login(client, user.username)
    row = session.scalars(select(Login).where(Login.user_id == user.id)).one()
    row.created_at = datetime.now(UTC) - timedelta(hours=app.config["SESSION_HOURS"] + 1)
    session.commit()
    assert _me(client) is None


def test_login_does_not_reveal_whether_an_account_exists(client, make_user, session, monkeypatch):
    user = make_user(roles.GRID_STAFF)
    inactive = make_user(roles.GRID_STAFF)
    service.set_active(session, inactive.username, False)
    hashed = []
    real = service.check_password_hash
    monkeypatch.setattr(service, "check_password_hash", lambda h, p: hashed.append(h) or real(h, p))
    answers = set()
    for name, pw in ((user.username, "wrong-password"), ("nobody-here", PASSWORD), (inactive.username, PASSWORD)):
        token = csrf_from(client.get("/login").get_data(as_text=True))
        resp = client.post("/login", data={"username": name, "password": pw, "csrf_token": token})
        page = resp.get_data(as_text=True).replace(token, "").replace(name, "")
        answers.add((resp.status_code, page.count("用户名或密码错误"), len(page)))
    # the same page for each mistake, and a password hash checked each time (so each takes as long)
    assert len(answers) == 1 and answers.pop()[:2] == (401, 1) and len(hashed) == 3
