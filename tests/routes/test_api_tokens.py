"""Personal API tokens: created once on the account page, hashed at rest, revocable; ``Authorization: Bearer``
acts as the token's user without a session or a CSRF token, and ignores a cookie sent beside it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from gisgrid.tokens.models import ApiToken
from gisgrid.tokens.service import digest
from tests.helpers import csrf_from, login

_TOKEN = re.compile(r'<code id="new-token">(ggt_[A-Za-z0-9_-]+)</code>')


def _create(client, token, name="QGIS 编辑草稿", days="90"):
    resp = client.post("/account/tokens", data={"name": name, "days": days, "csrf_token": token})
    return resp, _TOKEN.search(resp.get_data(as_text=True))


@pytest.fixture()
def planner_token(app, client, make_user):
    """A planner logged in on ``client`` who created a token: (the token, the CSRF token of the session)."""
    make_user("planner", username="planner_t")
    csrf = login(client, "planner_t")
    resp, found = _create(client, csrf)
    assert resp.status_code == 201 and found, resp.get_data(as_text=True)
    return found.group(1), csrf


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_shown_once_and_stored_only_as_its_hash(client, session, planner_token):
    token, _ = planner_token
    row = session.scalar(select(ApiToken))
    assert row.token_hash == digest(token) and token not in (row.token_hash, row.prefix, row.name)
    assert row.prefix == token[:10] and row.expires_at is not None
    page = client.get("/account/tokens").get_data(as_text=True)
    assert token not in page and row.prefix in page and "QGIS 编辑草稿" in page
    audited = session.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'api_token'")).scalar_one()
    assert audited == 1


def test_bearer_acts_as_the_user_without_session_or_csrf(app, session, world_ab, planner_token):
    token, _ = planner_token
    fresh = app.test_client()  # no cookie at all
    assert fresh.get("/api/v1/me", headers=_bearer(token)).get_json()["user"]["username"] == "planner_t"
    resp = fresh.post("/editor/drafts", headers=_bearer(token))  # a CSRF-protected form post, no token
    assert resp.status_code == 302 and "/editor/drafts/" in resp.headers["Location"]
    assert "session=" not in resp.headers.get("Set-Cookie", "")  # no session is started for a token
    actor = session.execute(
        text("SELECT actor_name FROM audit_log WHERE entity = 'boundary_version' ORDER BY id DESC LIMIT 1")
    ).scalar_one()
    assert actor == "planner_t"  # the change is audited as the token's user


def test_a_cookie_without_csrf_is_still_refused(client, world_ab, planner_token):
    resp = client.post("/editor/drafts")  # the planner's session cookie, no CSRF token
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "csrf_failed"


def test_the_token_wins_over_a_cookie_sent_beside_it(app, client, make_user, planner_token):
    token, _ = planner_token
    make_user("public", username="citizen_t")
    other = app.test_client()
    login(other, "citizen_t")
    me = other.get("/api/v1/me", headers=_bearer(token)).get_json()["user"]
    assert me["username"] == "planner_t"


@pytest.mark.parametrize("case", ["revoked", "expired", "unknown", "inactive"])
def test_revoked_expired_unknown_or_inactive_is_401(app, client, session, planner_token, case):
    token, csrf = planner_token
    row = session.scalar(select(ApiToken))
    if case == "revoked":
        assert client.post(f"/account/tokens/{row.id}/revoke", data={"csrf_token": csrf}).status_code == 302
        assert "已吊销" in client.get("/account/tokens").get_data(as_text=True)
    elif case == "expired":
        row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        session.flush()
    elif case == "unknown":
        token = token[:-4] + "AAAA"
    else:
        row.user.active = False
        session.flush()
    resp = app.test_client().get("/api/v1/me", headers=_bearer(token))
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthorized"


def test_nobody_revokes_another_users_token(app, session, make_user, planner_token):
    row = session.scalar(select(ApiToken))
    make_user("planner", username="planner_other")
    other = app.test_client()
    csrf = login(other, "planner_other")
    assert other.post(f"/account/tokens/{row.id}/revoke", data={"csrf_token": csrf}).status_code == 404
    assert "还没有令牌" in other.get("/account/tokens").get_data(as_text=True)  # nor sees it
    session.refresh(row)
    assert row.revoked_at is None


@pytest.mark.parametrize(("name", "days", "field"), [("", "90", "name"), ("x" * 81, "90", "name"), ("a", "7", "days")])
def test_bad_input_is_400_naming_the_field(client, make_user, name, days, field):
    make_user("planner", username="planner_b")
    csrf = login(client, "planner_b")
    resp, found = _create(client, csrf, name=name, days=days)
    assert resp.status_code == 400 and found is None and f"{field}:" in resp.get_data(as_text=True)


def test_a_token_without_expiry_lasts_until_revoked(client, session, make_user):
    make_user("planner", username="planner_n")
    resp, found = _create(client, login(client, "planner_n"), days="")
    assert resp.status_code == 201 and found
    assert session.scalar(select(ApiToken.expires_at)) is None
    assert csrf_from(resp.get_data(as_text=True))
