"""等保2.0 身份鉴别 over HTTP: complexity and reuse refused, expiry and initial passwords force a change,
lockout after N failures and its end after M minutes, idle timeout, TOTP, the last-login notice.

Time is moved with the project's clock (gisgrid.clock.utc_now), never slept.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest

from gisgrid import clock
from gisgrid.auth import roles, service
from gisgrid.auth.models import User
from gisgrid.tokens import service as tokens
from tests.helpers import PASSWORD, csrf_from, login

WRONG = "Wrong-pass-0"


@pytest.fixture()
def move_clock(monkeypatch):
    """move_clock(minutes=…): from now on the login rules see a later time."""
    start = clock.utc_now()

    def move(**delta):
        monkeypatch.setattr(clock, "utc_now", lambda: start + timedelta(**delta))

    return move


def _post_login(client, username, password, url="/login"):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(url, data={"username": username, "password": password, "csrf_token": token})


def _change(client, current, new, repeat=None):
    token = csrf_from(client.get("/account/password").get_data(as_text=True))
    data = {"current": current, "new": new, "repeat": repeat or new, "csrf_token": token}
    return client.post("/account/password", data=data)


def _me(client):
    return client.get("/api/v1/me").get_json()["user"]


# --- complexity and reuse ------------------------------------------------------------------------------


def test_a_weak_new_password_is_refused_with_the_rule_in_chinese(client, make_user):
    user = make_user(roles.GRID_STAFF)
    login(client, user.username)
    resp = _change(client, PASSWORD, "abcdefgh1")
    assert resp.status_code == 400
    assert "密码须包含小写字母、大写字母、数字、符号四类中的至少三类（当前只有：小写字母、数字）" in resp.get_data(
        as_text=True
    )
    resp = _change(client, PASSWORD, f"X-{user.username.upper()}-9")
    assert resp.status_code == 400 and "密码不能包含用户名" in resp.get_data(as_text=True)


def test_none_of_the_last_five_passwords_may_be_used_again(client, session, make_user):
    user = make_user(roles.GRID_STAFF)
    chain = [PASSWORD] + [f"Renewed-{i}x" for i in range(1, 6)]
    for old, new in zip(chain, chain[1:]):
        service.change_password(session, user, old, new)
    login(client, user.username, chain[-1])
    for reused in chain[1:]:  # the current one and the four before it
        resp = _change(client, chain[-1], reused)
        assert resp.status_code == 400, reused
        assert "新密码不能与最近 5 次使用过的密码相同" in resp.get_data(as_text=True)
    assert _change(client, chain[-1], PASSWORD).status_code == 302  # the sixth-last is allowed again


def test_every_path_that_sets_a_password_applies_the_policy(session, make_user):
    from gisgrid.errors import InvalidInput

    with pytest.raises(InvalidInput, match="密码不能包含用户名"):
        service.create_user(session, "wangwu", "Wangwu-2026", roles.GRID_STAFF)
    user = make_user(roles.GRID_STAFF)
    with pytest.raises(InvalidInput, match="至少三类"):
        service.set_password(session, user.username, "onlylowercase")


def test_the_cli_refuses_a_weak_password_and_forces_a_change_of_the_initial_one(app, client, session):
    from gisgrid.cli import main

    runner = app.test_cli_runner()
    args = ["users", "create", "zhaoliu", "--role", "grid_staff", "--password"]
    weak = runner.invoke(main, [*args, "zhaoliu-1"])
    assert weak.exit_code == 1 and "密码不能包含用户名" in weak.output
    made = runner.invoke(main, [*args, "Initial-pw-7"])
    assert made.exit_code == 0, made.output
    assert _post_login(client, "zhaoliu", "Initial-pw-7").headers["Location"] == "/account/password"


# --- forced change: initial, reset, expired, demo passwords ---------------------------------------------


def test_an_expired_password_forces_a_change_before_anything_else(client, session, make_user, move_clock):
    user = make_user(roles.DISPATCHER, grids=["A"])
    bearer, secret = tokens.create(session, user, "script", None)
    move_clock(days=91)
    resp = _post_login(client, user.username, PASSWORD)
    assert resp.status_code == 302 and resp.headers["Location"] == "/account/password"
    page = client.get("/account/password").get_data(as_text=True)
    assert "密码已超过 90 天未修改，请先修改密码。" in page
    assert client.get("/incidents", headers={"Accept": "text/html"}).headers["Location"] == "/account/password"
    refused = client.get("/api/v1/incidents", headers={"Accept": "application/json"})
    assert refused.status_code == 403 and "请先修改密码" in refused.get_json()["error"]["message"]
    # API tokens are not sessions: a script keeps working while the owner has to change the password
    assert (
        client.application.test_client()
        .get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
        .get_json()["user"]["username"]
        == user.username
    )
    assert _change(client, PASSWORD, "Fresh-pass-91").status_code == 302
    assert client.get("/incidents", headers={"Accept": "text/html"}).status_code == 200


def test_an_administrator_reset_forces_a_change_at_the_next_login(client, session, make_user):
    user = make_user(roles.GRID_STAFF)
    service.set_password(session, user.username, "Reset-by-admin-1")
    resp = _post_login(client, user.username, "Reset-by-admin-1")
    assert resp.headers["Location"] == "/account/password"
    assert "这是初始密码或管理员重置的密码" in client.get("/account/password").get_data(as_text=True)
    assert _change(client, "Reset-by-admin-1", "Mine-now-2026").status_code == 302
    session.expire_all()
    assert session.get(User, user.id).must_change_password is False


def test_the_demo_password_must_be_changed_outside_demo_mode(app, client, session):
    from gisgrid.auth.demo import DEMO_PASSWORD

    service.create_user(session, "demo_staff", DEMO_PASSWORD, roles.GRID_STAFF)
    app.config["DEMO_MODE"] = True
    assert _post_login(client, "demo_staff", DEMO_PASSWORD).headers["Location"] == "/"
    other = app.test_client()
    app.config["DEMO_MODE"] = False
    assert _post_login(other, "demo_staff", DEMO_PASSWORD).headers["Location"] == "/account/password"
    assert "演示密码" in other.get("/account/password").get_data(as_text=True)


# --- lockout -------------------------------------------------------------------------------------------


def test_five_failures_lock_the_account_for_thirty_minutes(client, session, make_user, move_clock):
    user = make_user(roles.GRID_STAFF)
    for _ in range(4):
        resp = _post_login(client, user.username, WRONG)
        assert resp.status_code == 401 and "用户名或密码错误" in resp.get_data(as_text=True)
    fifth = _post_login(client, user.username, WRONG)
    assert fifth.status_code == 401 and "账户因连续 5 次登录失败已被锁定" in fifth.get_data(as_text=True)
    locked = _post_login(client, user.username, PASSWORD)  # the right password waits for the lock too
    assert locked.status_code == 401 and "已被锁定" in locked.get_data(as_text=True)
    move_clock(minutes=29)
    assert _post_login(client, user.username, PASSWORD).status_code == 401
    move_clock(minutes=31)
    assert _post_login(client, user.username, PASSWORD).status_code == 302
    session.expire_all()
    assert session.get(User, user.id).failed_count == 0


def test_the_threshold_and_duration_are_settings(app, client, make_user, move_clock):
    app.config.update(LOCKOUT_THRESHOLD=2, LOCKOUT_MINUTES=5)
    user = make_user(roles.GRID_STAFF)
    _post_login(client, user.username, WRONG)
    assert "连续 2 次" in _post_login(client, user.username, WRONG).get_data(as_text=True)
    move_clock(minutes=6)
    assert _post_login(client, user.username, PASSWORD).status_code == 302


def test_the_security_page_lists_locked_accounts_and_unlocks_them(app, client, make_user):
    user = make_user(roles.GRID_STAFF, grids=["A"])
    for _ in range(5):
        _post_login(app.test_client(), user.username, WRONG)
    token = login(client, make_user(roles.SECADMIN).username)
    page = client.get("/security/lockouts").get_data(as_text=True)
    assert user.username in page and f"/security/lockouts/{user.id}/unlock" in page
    resp = client.post(f"/security/lockouts/{user.id}/unlock", data={"csrf_token": token})
    assert resp.status_code == 302
    assert user.username not in client.get("/security/lockouts").get_data(as_text=True)
    assert _post_login(app.test_client(), user.username, PASSWORD).status_code == 302


def test_the_lockout_api_lists_and_unlocks_for_the_administrator_only(app, client, make_user):
    user = make_user(roles.GRID_STAFF, grids=["A"])
    for _ in range(5):
        _post_login(app.test_client(), user.username, WRONG)
    leader = app.test_client()
    leader_token = login(leader, make_user(roles.GRID_LEADER, grids=["A"]).username)
    assert leader.get("/api/v1/security/lockouts").status_code == 403
    assert (
        leader.post(f"/api/v1/security/lockouts/{user.id}/unlock", headers={"X-CSRFToken": leader_token}).status_code
        == 403
    )
    token = login(client, make_user(roles.SECADMIN).username)
    (listed,) = client.get("/api/v1/security/lockouts").get_json()
    assert listed["username"] == user.username and listed["locked_until"].endswith("+08:00")
    resp = client.post(f"/api/v1/security/lockouts/{user.id}/unlock", headers={"X-CSRFToken": token})
    assert resp.status_code == 200 and resp.get_json()["locked_until"] is None
    assert client.get("/api/v1/security/lockouts").get_json() == []
    missing = client.post("/api/v1/security/lockouts/999999999999999999999/unlock", headers={"X-CSRFToken": token})
    assert missing.status_code == 404


def test_a_leader_even_of_the_locked_users_grid_may_not_see_or_unlock(app, client, make_user):
    user = make_user(roles.GRID_STAFF, grids=["A"])
    for _ in range(5):
        _post_login(app.test_client(), user.username, WRONG)
    for grids in (["A"], ["B"]):  # own grid and a foreign grid: the page is the security administrator's
        leader = app.test_client()
        token = login(leader, make_user(roles.GRID_LEADER, grids=grids).username)
        assert leader.get("/security/lockouts", headers={"Accept": "application/json"}).status_code == 403
        resp = leader.post(
            f"/security/lockouts/{user.id}/unlock", data={"csrf_token": token}, headers={"Accept": "application/json"}
        )
        assert resp.status_code == 403
    assert _post_login(app.test_client(), user.username, PASSWORD).status_code == 401  # still locked


# --- idle timeout --------------------------------------------------------------------------------------


def test_an_idle_session_is_logged_out_and_sent_to_login_with_a_message(client, make_user, move_clock):
    user = make_user(roles.DISPATCHER, grids=["A"])
    login(client, user.username)
    move_clock(minutes=29)
    assert client.get("/incidents", headers={"Accept": "text/html"}).status_code == 200  # activity: the clock restarts
    move_clock(minutes=58)
    assert client.get("/incidents", headers={"Accept": "text/html"}).status_code == 200
    move_clock(minutes=89)
    resp = client.get("/incidents", headers={"Accept": "text/html"})
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?next=/incidents")
    assert "由于长时间未操作，您已自动退出登录" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert _me(client) is None


def test_an_idle_api_call_is_refused_as_not_logged_in(client, make_user, move_clock):
    user = make_user(roles.DISPATCHER, grids=["A"])
    login(client, user.username)
    move_clock(minutes=31)
    resp = client.get("/api/v1/incidents", headers={"Accept": "application/json"})
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthorized"


# --- last login ----------------------------------------------------------------------------------------


def test_after_login_the_last_success_and_the_failures_since_are_shown(app, client, make_user, move_clock):
    user = make_user(roles.GRID_STAFF)
    login(app.test_client(), user.username)
    move_clock(hours=2)
    for _ in range(2):
        _post_login(app.test_client(), user.username, WRONG)
    assert _post_login(client, user.username, PASSWORD).status_code == 302
    page = client.get("/account/password").get_data(as_text=True)
    assert re.search(r"上次成功登录：\d{4}-\d\d-\d\d \d\d:\d\d；此后登录失败 2 次。", page)
    again = app.test_client()
    _post_login(again, user.username, PASSWORD)
    assert "此后登录失败 0 次。" in again.get("/account/password").get_data(as_text=True)


# --- TOTP ----------------------------------------------------------------------------------------------


def _enrol(client) -> str:
    page = client.get("/account/totp").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert "<svg" in page and "otpauth://totp/" in page
    token = csrf_from(page)
    wrong = client.post("/account/totp", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.get_data(as_text=True)
    resp = client.post("/account/totp", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    assert resp.status_code == 302
    return secret


def _next_code(secret: str) -> str:
    # the next 30-second step: later than the step just spent, within the accepted window
    return pyotp.TOTP(secret).at(clock.utc_now() + timedelta(seconds=30))


def test_a_user_with_totp_logs_in_with_the_code_and_a_code_works_once(app, client, make_user):
    user = make_user(roles.GRID_LEADER, grids=["A"])
    login(client, user.username)
    secret = _enrol(client)
    browser = app.test_client()
    resp = _post_login(browser, user.username, PASSWORD)
    assert resp.headers["Location"] == "/login/totp" and _me(browser) is None
    token = csrf_from(browser.get("/login/totp").get_data(as_text=True))
    bad = browser.post("/login/totp", data={"code": "123456", "csrf_token": token})
    assert bad.status_code == 401 and "动态验证码不正确" in bad.get_data(as_text=True)
    code = _next_code(secret)
    assert browser.post("/login/totp", data={"code": code, "csrf_token": token}).status_code == 302
    assert _me(browser)["username"] == user.username
    replay = app.test_client()
    _post_login(replay, user.username, PASSWORD)
    token = csrf_from(replay.get("/login/totp").get_data(as_text=True))
    assert replay.post("/login/totp", data={"code": code, "csrf_token": token}).status_code == 401
    assert _me(replay) is None


def test_a_role_that_requires_totp_is_sent_to_enrol_after_the_password(app, client, make_user):
    app.config["TOTP_REQUIRED_ROLES"] = (roles.SECADMIN,)
    admin = make_user(roles.SECADMIN)
    resp = _post_login(client, admin.username, PASSWORD)
    assert resp.headers["Location"] == "/account/totp"
    assert client.get("/security/lockouts", headers={"Accept": "text/html"}).headers["Location"] == "/account/totp"
    assert "您的角色必须使用动态验证码" in client.get("/account/totp").get_data(as_text=True)
    _enrol(client)
    assert client.get("/security/lockouts").status_code == 200
    page = client.get("/account/totp").get_data(as_text=True)
    assert "动态验证码已启用" in page and "关闭动态验证码" not in page  # required: it cannot be switched off
    staff = make_user(roles.GRID_STAFF)
    assert _post_login(app.test_client(), staff.username, PASSWORD).headers["Location"] == "/"


def test_the_cli_unlocks_an_account_and_removes_a_lost_second_factor(app, session, make_user):
    import pyotp

    from gisgrid.auth import totp
    from gisgrid.cli import main

    user = make_user(roles.GRID_STAFF)
    for _ in range(5):
        _post_login(app.test_client(), user.username, WRONG)
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["users", "unlock", user.username]).exit_code == 0
    secret = totp.new_secret()
    totp.enrol(session, session.get(User, user.id), secret, pyotp.TOTP(secret).now())
    assert _post_login(app.test_client(), user.username, PASSWORD).headers["Location"] == "/login/totp"
    assert runner.invoke(main, ["users", "reset-totp", user.username]).exit_code == 0
    assert _post_login(app.test_client(), user.username, PASSWORD).headers["Location"] == "/"
    assert runner.invoke(main, ["users", "unlock", "nobody-such"]).exit_code == 1
