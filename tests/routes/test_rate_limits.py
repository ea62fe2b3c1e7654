"""Rate limits: public report intake, lookup/batch/search and login answer 429 once the limit is used up."""

from __future__ import annotations

import pytest

from gisgrid.auth import roles
from tests import worlds
from tests.helpers import PASSWORD, csrf_from, limited_app, login

LIMITS = {
    "RATELIMIT_REPORT": "2 per minute",
    "RATELIMIT_LOOKUP": "3 per minute",
    "RATELIMIT_BATCH": "2 per minute",
    "RATELIMIT_LOGIN": "2 per minute",
}


@pytest.fixture()
def limited(database_url, connection):
    """An app with rate limits on (the shared ``app`` fixture turns them off) and tiny limits."""
    application = limited_app(database_url, connection, "memory://", **LIMITS)
    return application


def _assert_limited(resp, html=False):
    assert resp.status_code == 429
    assert int(resp.headers["Retry-After"]) >= 0
    if html:
        assert resp.mimetype == "text/html" and "请稍后再试" in resp.get_data(as_text=True)
    else:
        err = resp.get_json()["error"]
        assert err["code"] == "rate_limited" and "请稍后再试" in err["message"]


def test_lookup_is_limited_per_client_address(limited, world_ab):
    client = limited.test_client()
    url = "/api/v1/lookup?lon={}&lat={}".format(*worlds.wgs84(1500, 500))
    for _ in range(3):
        assert client.get(url).json["grid"]["code"] == "A2a"
    _assert_limited(client.get(url))
    other = limited.test_client()
    resp = other.get(url, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert resp.status_code == 200 and resp.json["grid"]["code"] == "A2a"


def test_forwarded_for_is_ignored_without_trusted_proxies(limited):
    client = limited.test_client()
    for n in range(4):
        resp = client.get("/api/v1/grids/search?q=x", headers={"X-Forwarded-For": f"10.9.9.{n}"})
    _assert_limited(resp)


def test_forwarded_for_is_believed_behind_a_trusted_proxy(database_url, connection, world_ab):
    from gisgrid import create_app
    from gisgrid.db import db

    application = create_app(
        {"DATABASE_URL": database_url, "TESTING": True, "RATELIMIT_ENABLED": True, "TRUSTED_PROXIES": 1, **LIMITS}
    )
    db.bind_to(connection, app=application, join_transaction_mode="create_savepoint")
    client = application.test_client()
    for _ in range(3):
        client.get("/api/v1/grids/search?q=x", headers={"X-Forwarded-For": "10.9.9.1"})
    _assert_limited(client.get("/api/v1/grids/search?q=x", headers={"X-Forwarded-For": "10.9.9.1"}))
    other = client.get("/api/v1/grids/search?q=甲一镇", headers={"X-Forwarded-For": "10.9.9.2"})
    assert other.status_code == 200 and other.json["results"]


def test_batch_lookup_is_limited(limited, world_ab):
    client = limited.test_client()
    body = "lon,lat\n{!r},{!r}\n".format(*worlds.wgs84(1500, 500))
    for _ in range(2):
        resp = client.post("/api/v1/lookup/batch", data=body, content_type="text/csv")
        assert resp.status_code == 200 and ",A2a," in resp.get_data(as_text=True)
    _assert_limited(client.post("/api/v1/lookup/batch", data=body, content_type="text/csv"))


def test_anonymous_reports_are_limited_but_staff_reports_are_not(limited, make_user):
    anon = limited.test_client()
    form = {"csrf_token": csrf_from(anon.get("/report").get_data(as_text=True))}  # the public report page
    for _ in range(2):
        resp = anon.post("/api/v1/incidents", data=form)  # refused for its missing fields, counted all the same
        assert resp.status_code == 400 and {"lon", "category"} <= set(resp.json["error"]["details"]), resp.json
    _assert_limited(anon.post("/api/v1/incidents", data=form))
    staff = limited.test_client()
    token = login(staff, make_user(roles.GRID_STAFF, grids=("A1a",)).username)
    for _ in range(4):
        resp = staff.post("/api/v1/incidents", data={}, headers={"X-CSRFToken": token})
        assert resp.status_code == 400 and {"lon", "category"} <= set(resp.json["error"]["details"])  # judged, not 429


def test_public_role_reports_are_limited(limited, make_user):
    client = limited.test_client()
    token = login(client, make_user(roles.PUBLIC).username)
    for _ in range(2):
        client.post("/api/v1/incidents", data={}, headers={"X-CSRFToken": token})
    _assert_limited(client.post("/api/v1/incidents", data={}, headers={"X-CSRFToken": token}))


def test_open311_post_shares_the_report_limit_per_endpoint(limited):
    client = limited.test_client()
    for _ in range(2):
        resp = client.post("/open311/v2/requests.json", data={})
        assert resp.status_code == 400 and resp.json[0]["code"] == 400  # an Open311 error, not a limit
    _assert_limited(client.post("/open311/v2/requests.json", data={}))
    assert client.get("/open311/v2/services.json").status_code == 200  # reading is not limited


def test_failed_logins_are_limited_and_the_form_gets_a_page(limited, make_user):
    user = make_user(roles.GRID_STAFF)
    client = limited.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for _ in range(2):
        resp = client.post("/login", data={"username": user.username, "password": "wrong", "csrf_token": token})
        assert resp.status_code == 401
    resp = client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD, "csrf_token": token},
        headers={"Accept": "text/html"},
    )
    _assert_limited(resp, html=True)
    assert client.get("/api/v1/me").get_json() == {"user": None}


def test_successful_logins_do_not_use_up_the_limit(limited, make_user):
    user = make_user(roles.GRID_STAFF)
    for _ in range(4):  # twice the limit of 2
        session = limited.test_client()
        login(session, user.username)
        assert session.get("/api/v1/me").get_json()["user"]["username"] == user.username
    client = limited.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    wrong = {"username": user.username, "password": "wrong", "csrf_token": token}
    for _ in range(2):  # the whole limit is still there for failed logins …
        assert client.post("/login", data=wrong).status_code == 401
    _assert_limited(client.post("/login", data=wrong))  # … and it is on


def test_limits_are_off_in_the_shared_test_app(app, client, make_user):
    assert app.config["RATELIMIT_ENABLED"] is False
    app.config["LOCKOUT_THRESHOLD"] = 0  # the account lockout (tests/routes/test_auth_security.py) is another rule
    user = make_user(roles.GRID_STAFF)
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for _ in range(12):  # more than the default 10 failed logins per minute
        resp = client.post("/login", data={"username": user.username, "password": "wrong", "csrf_token": token})
        assert resp.status_code == 401 and "Retry-After" not in resp.headers
    login(client, user.username)
    assert client.get("/api/v1/me").get_json()["user"]["username"] == user.username
