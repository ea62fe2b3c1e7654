"""schemathesis fuzzes every documented operation against the real app and world A/B (rolled back after)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.helpers import login

MAX_EXAMPLES = 25  # per operation and identity: the whole fuzz run stays around two minutes on CI
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _shadowed(operation, case, static: set) -> bool:
    """True when a generated path equals a sibling static route (``/api/v1/grids/levels`` for
    ``/api/v1/grids/{code}``): Werkzeug prefers the static rule, so that answer is another operation's."""
    path = operation.path
    for name, value in (case.path_parameters or {}).items():
        path = path.replace("{" + name + "}", str(value))
    return path != operation.path and path in static


def _fuzz(app, identity: dict, seen: dict) -> list[str]:
    """Every operation's failures; ``seen`` collects (method path) → set of status codes answered.

    ``identity`` is {"cookies": ..., "headers": ...}; they replace whatever values schemathesis generated for the
    security schemes, so a logged-in run really is logged in.
    """
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    static = {path for path in schema.raw_schema["paths"] if "{" not in path}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            assume(not _shadowed(operation, case, static))
            case.cookies = {**(case.cookies or {}), **identity.get("cookies", {})}
            case.headers = {**(case.headers or {}), **identity.get("headers", {})}
            response = case.call_and_validate(checks=CHECKS)
            seen.setdefault(operation.label, set()).add(response.status_code)
            if operation.label == "GET /api/v1/me":
                seen.setdefault("logged in", set()).add(response.json()["user"] is not None)

        try:
            run()
        except (Exception, BaseExceptionGroup) as err:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(err)[:1500]}")
    return failures


def _identity(app, username: str) -> dict:
    client = app.test_client()
    token = login(client, username)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return {"cookies": {app.config["SESSION_COOKIE_NAME"]: cookie.value}, "headers": {"X-CSRFToken": token}}


def test_fuzz_anonymous(app, case_world):
    seen: dict = {}
    failures = _fuzz(app, {}, seen)
    assert failures == [], "\n\n".join(failures)
    assert 200 in seen["GET /api/v1/grids/levels"]  # public data answered
    assert seen["logged in"] == {False}


@pytest.mark.parametrize(
    "who, reached",
    [
        ("dispatcher", "GET /api/v1/incidents/kpi"),
        ("staff", "GET /api/v1/incidents"),
        ("planner", "GET /api/v1/editor/diff"),
        ("auditor", "GET /api/v1/audit"),
    ],
)
def test_fuzz_logged_in(app, case_world, make_user, who, reached):
    user = case_world[who] if who in case_world else make_user(who)
    seen: dict = {}
    failures = _fuzz(app, _identity(app, user.username), seen)
    assert failures == [], "\n\n".join(failures)
    assert seen["logged in"] == {True}  # the session cookie really was sent
    assert seen[reached] - {401, 403}, seen[reached]  # so role-gated operations were fuzzed, not just refused
