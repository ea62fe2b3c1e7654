"""schemathesis fuzzes every documented operation against the real app and world A/B (rolled back after)."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from tests.helpers import login

MAX_EXAMPLES = 8  # per operation and identity: the whole fuzz run stays around two minutes on CI
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _fuzz(app, headers: dict) -> list[str]:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)
        try:
            run()
        except (Exception, BaseExceptionGroup) as err:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(err)[:1500]}")
    return failures


def _identity(app, username: str) -> dict:
    client = app.test_client()
    token = login(client, username)
    cookie = client.get_cookie("session")
    return {"Cookie": f"session={cookie.value}", "X-CSRFToken": token}


def test_fuzz_anonymous(app, case_world):
    failures = _fuzz(app, {})
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize("who", ["dispatcher", "staff"])
def test_fuzz_logged_in(app, case_world, who):
    failures = _fuzz(app, _identity(app, case_world[who].username))
    assert failures == [], "\n\n".join(failures)


def test_fuzz_planner(app, case_world, make_user):
    failures = _fuzz(app, _identity(app, make_user("planner").username))
    assert failures == [], "\n\n".join(failures)
