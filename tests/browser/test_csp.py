"""Every HTML page under the CSP (no 'unsafe-inline'): Chromium reports no violation on any of them.

The pages are generated from the URL map: every GET rule without arguments that answers HTML, visited
as the administrator (who may open every staff page) and anonymously, plus pages with a demo object
(a grid's page and its printable 公示牌, an OGC collection, the field app).
"""

from __future__ import annotations

import pytest

from gisgrid import create_app
from gisgrid.auth.demo import DEMO_PASSWORD
from tests.browser.conftest import browser_login

pytestmark = pytest.mark.browser

# records each violation the page reports (an init script runs before the page's own, outside the CSP)
_LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
});
"""
EXTRA = ["/grids/110102001004", "/grids/110102001004/notice", "/ogc/collections", "/app/"]


def _page_urls() -> list[str]:
    app = create_app({"RATELIMIT_ENABLED": False})  # only the URL map is read
    return sorted(
        {
            rule.rule
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith(("/api/", "/static"))
        }
    )


def _violations(page, base: str, path: str) -> list[str]:
    answer = page.request.get(base + path)
    if "text/html" not in answer.headers.get("content-type", ""):
        return []  # a download (CSV, ZIP, PDF) or JSON: no page to render
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    found = page.evaluate("window.__csp || []")
    found += [m for m in page.watch.console_errors if "Content Security Policy" in m]
    page.watch.console_errors.clear()
    return [f"{path}: {v}" for v in found]


def _visit_all(page, base: str) -> tuple[int, list[str]]:
    page.context.add_init_script(_LISTEN)
    paths = _page_urls() + EXTRA
    wrong = []
    for path in paths:
        wrong += _violations(page, base, path)
    return len(paths), wrong


def test_no_page_violates_the_csp_as_admin(page, server_url):
    browser_login(page, server_url, "admin", DEMO_PASSWORD)
    visited, wrong = _visit_all(page, server_url)
    assert visited > 40 and wrong == []


def test_no_public_page_violates_the_csp(page, server_url):
    visited, wrong = _visit_all(page, server_url)
    assert visited > 40 and wrong == []


def test_an_inline_style_would_be_reported(page, server_url):
    # the listener works: a style attribute injected by script is refused and recorded
    page.context.add_init_script(_LISTEN)
    page.goto(server_url + "/login")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<b style=\"color:red\">x</b>')")
    page.wait_for_function("() => window.__csp.length > 0")
    assert "style-src" in page.evaluate("window.__csp[0]")


def test_data_style_is_applied_through_the_cssom(page, server_url):
    page.goto(server_url + "/login")
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<b id=\"probe\" data-style=\"color: rgb(255, 0, 0)\">x</b>')"
    )
    page.wait_for_function("() => getComputedStyle(document.getElementById('probe')).color === 'rgb(255, 0, 0)'")
