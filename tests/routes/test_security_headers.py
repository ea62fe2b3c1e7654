"""Security headers on every GET rule, generated from app.url_map like the access matrix.

Each GET rule is requested anonymously and as an administrator (placeholder ids: most answers are 401,
403 or 404, which must carry the headers as much as a 200 page does).
"""

from __future__ import annotations

import pytest

from gisgrid.security import headers
from tests.helpers import login
from tests.routes.test_access_matrix import RULES

GET_RULES = [(endpoint, url) for endpoint, method, url in RULES if method == "GET"]
# directives an assessor looks for; each must be present exactly as written
REQUIRED_CSP = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
)


def _problems(resp) -> list[str]:
    """What is missing or wrong in one response's security headers."""
    csp = resp.headers.get("Content-Security-Policy", "")
    found = [f"CSP lacks {d!r}" for d in REQUIRED_CSP if d not in csp.split("; ")]
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        found.append("CSP allows unsafe-inline/unsafe-eval")
    expected = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
    }
    found += [f"{k}={resp.headers.get(k)!r}" for k, v in expected.items() if resp.headers.get(k) != v]
    return found


def test_there_are_many_get_rules():
    assert len(GET_RULES) > 100


@pytest.mark.parametrize("endpoint,url", GET_RULES, ids=[u for _e, u in GET_RULES])
def test_anonymous_get_carries_the_headers(client, endpoint, url):
    resp = client.get(url, headers={"Accept": "text/html"})
    assert _problems(resp) == [], f"{endpoint} {url} → {resp.status_code}"


def test_every_get_rule_as_admin_carries_the_headers(client, make_user):
    # one login for all rules (a login per rule is slow); every failing rule is listed
    login(client, make_user("admin").username)
    wrong = []
    for endpoint, url in GET_RULES:
        resp = client.get(url, headers={"Accept": "text/html"})
        if _problems(resp):
            wrong.append(f"{endpoint} {url} → {resp.status_code}: {_problems(resp)}")
    assert wrong == []


def test_real_pages_carry_the_headers(client, world_ab):
    # a 200 page, a JSON answer, a static file and a redirect, not only refusals
    for url in ("/", "/api/openapi.json", "/static/js/api.js", "/incidents"):
        resp = client.get(url, headers={"Accept": "text/html"})
        assert resp.status_code in (200, 302), url
        assert _problems(resp) == [], url


def test_the_tile_server_is_the_one_foreign_image_origin():
    csp = headers.content_security_policy("https://{s}.tiles.example.gov.cn:8443/{z}/{x}/{y}.png")
    assert "img-src 'self' data: blob: https://*.tiles.example.gov.cn:8443;" in csp
    assert headers.tile_origin("/tiles/{z}/{x}/{y}.png") is None
    assert headers.content_security_policy("") == headers.content_security_policy("/local/{z}/{x}/{y}.png")


def test_hsts_only_behind_https(database_url):
    from gisgrid import create_app

    plain = create_app({"DATABASE_URL": database_url, "TESTING": True}).test_client().get("/static/js/api.js")
    secure = create_app({"DATABASE_URL": database_url, "TESTING": True, "SESSION_COOKIE_SECURE": True})
    assert "Strict-Transport-Security" not in plain.headers
    assert secure.test_client().get("/static/js/api.js").headers["Strict-Transport-Security"].startswith("max-age=")
