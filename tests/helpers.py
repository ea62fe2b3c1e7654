"""Helpers shared by HTTP tests: log in through the real form, read CSRF tokens."""

from __future__ import annotations

import re

PASSWORD = "test-password-1"
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
_CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token in a rendered page (meta tag or hidden form field)."""
    match = _CSRF_META.search(html) or _CSRF_INPUT.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD) -> str:
    """Log in through GET+POST /login with its CSRF token; returns a token valid for this session."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert resp.status_code == 302, f"login of {username} failed: {resp.status_code}"
    return csrf_from(client.get("/login").get_data(as_text=True))


def anonymous_token(client) -> str:
    """A valid CSRF token of a client that is not logged in, so a refusal comes from the login check, not CSRF."""
    return csrf_from(client.get("/login").get_data(as_text=True))


def bearer_header(session, user) -> dict:
    """An ``Authorization`` header with a new personal API token of ``user`` (as QGIS sends it)."""
    from gisgrid.tokens import service as tokens

    return {"Authorization": f"Bearer {tokens.create(session, user, 'QGIS', 90)[1]}"}


def assert_login_required(resp) -> None:
    """The request was refused because nobody is logged in (401 unauthorized), not for another reason."""
    assert resp.status_code == 401, resp.get_data(as_text=True)
    assert resp.get_json()["error"]["code"] == "unauthorized"


def limited_app(database_url: str, connection, storage: str, **limits):
    """An app with rate limits on (the shared ``app`` fixture turns them off), counted in ``storage``."""
    from gisgrid import create_app
    from gisgrid.db import db

    config = {"DATABASE_URL": database_url, "TESTING": True, "RATELIMIT_ENABLED": True}
    application = create_app({**config, "RATELIMIT_STORAGE_URI": storage, **limits})
    db.bind_to(connection, app=application, join_transaction_mode="create_savepoint")
    return application


def statement_counter(connection, needle: str):
    """Count the statements containing ``needle`` run on ``connection``: returns (count function, stop function)."""
    from sqlalchemy import event

    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if needle in statement:
            seen.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    return (lambda: len(seen)), (lambda: event.remove(connection, "before_cursor_execute", count))
