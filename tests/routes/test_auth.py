"""Login, logout, CSRF, password hashing, role guards and grid scope."""

from __future__ import annotations

import pytest
from flask import Blueprint

from gisgrid.auth import roles, service
from gisgrid.auth.access import roles_required
from tests.helpers import PASSWORD, csrf_from, login


def test_password_is_hashed_not_stored(session, make_user):
    user = make_user(roles.GRID_STAFF)
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert service.authenticate(session, user.username, PASSWORD) is user
    assert service.authenticate(session, user.username, "wrong-password") is None
    assert service.authenticate(session, "nobody", PASSWORD) is None


def test_login_and_logout_through_the_form(client, make_user):
    user = make_user(roles.DISPATCHER, grids=["110102000000"])
    token = login(client, user.username)
    me = client.get("/api/v1/me").get_json()["user"]
    assert me["username"] == user.username and me["role"] == "dispatcher"
    assert me["grid_codes"] == ["110102000000"]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/api/v1/me").get_json() == {"user": None}


def test_wrong_password_is_refused_with_the_same_message(client, make_user):
    user = make_user(roles.GRID_STAFF)
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for name, pw in ((user.username, "wrong-password"), ("nobody", PASSWORD)):
        resp = client.post("/login", data={"username": name, "password": pw, "csrf_token": token})
        assert resp.status_code == 401
        assert "用户名或密码错误" in resp.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, make_user):
    user = make_user(roles.GRID_STAFF)
    resp = client.post(
        "/login", data={"username": user.username, "password": PASSWORD}, headers={"Accept": "application/json"}
    )
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "csrf_failed"
    assert client.get("/api/v1/me").get_json() == {"user": None}


def test_inactive_user_cannot_log_in(session, make_user):
    user = make_user(roles.GRID_STAFF)
    user.active = False
    session.commit()
    assert service.authenticate(session, user.username, PASSWORD) is None


def test_login_redirect_stays_on_site(client, make_user):
    user = make_user(roles.ADMIN)
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post(
        "/login?next=//evil.example/x", data={"username": user.username, "password": PASSWORD, "csrf_token": token}
    )
    assert resp.headers["Location"] == "/"


@pytest.mark.parametrize(
    "bad", [("", "pw-long-enough", "admin"), ("x", "short", "admin"), ("x", "long-enough", "king")]
)
def test_create_user_refuses_bad_input(session, bad):
    from gisgrid.errors import InvalidInput

    with pytest.raises(InvalidInput):
        service.create_user(session, *bad)


def test_duplicate_username_is_a_conflict(session, make_user):
    from gisgrid.errors import Conflict

    user = make_user(roles.GRID_STAFF)
    with pytest.raises(Conflict):
        service.create_user(session, user.username, PASSWORD, roles.GRID_STAFF)


def test_scope_covers_descendants_by_chain(make_user):
    street = make_user(roles.GRID_LEADER, grids=["110102001000"])
    admin = make_user(roles.ADMIN)
    community_chain = ["110102000000", "110102001000", "110102001004"]
    other_chain = ["110102000000", "110102003000", "110102003001"]
    assert service.in_scope(street, community_chain)
    assert not service.in_scope(street, other_chain)
    assert service.in_scope(admin, other_chain)


@pytest.fixture()
def guarded_client(app):
    bp = Blueprint("guard_test", __name__)

    @bp.get("/api/v1/_guard_test")
    @roles_required(roles.DISPATCHER)
    def guarded():
        return {"ok": True}

    @bp.get("/_guard_page")
    @roles_required(roles.DISPATCHER)
    def guarded_page():
        return "ok"

    app.register_blueprint(bp)
    return app.test_client()


def test_role_guard_answers_401_403_200(guarded_client, make_user):
    assert guarded_client.get("/api/v1/_guard_test").status_code == 401
    login(guarded_client, make_user(roles.GRID_STAFF).username)
    resp = guarded_client.get("/api/v1/_guard_test")
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"
    login(guarded_client, make_user(roles.DISPATCHER).username)
    assert guarded_client.get("/api/v1/_guard_test").get_json() == {"ok": True}


def test_browser_gets_login_redirect_and_error_pages(guarded_client):
    resp = guarded_client.get("/_guard_page", headers={"Accept": "text/html"})
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?next=/_guard_page")
    resp = guarded_client.get("/no-such-page", headers={"Accept": "text/html,application/xhtml+xml"})
    assert resp.status_code == 404 and "出错了" in resp.get_data(as_text=True)
    assert guarded_client.get("/no-such-page").get_json()["error"]["code"] == "not_found"


def test_demo_accounts_load_once(session):
    from gisgrid.auth.demo import DEMO_USERS, load_demo_users

    assert sorted(load_demo_users(session)) == sorted(u[0] for u in DEMO_USERS)
    assert load_demo_users(session) == []
