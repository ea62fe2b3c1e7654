"""Rate limits on public report intake, lookup and login (Flask-Limiter, keyed by client IP)."""

from __future__ import annotations

from flask import Flask, current_app
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from gisgrid.auth import capabilities
from gisgrid.extensions import limiter


def _setting(key: str):
    # read per request, so a test or an operator can change a limit without rebuilding the app
    return lambda: current_app.config[key]


def _staff() -> bool:
    # staff report from the field all day; only anonymous and public reporters are limited
    return capabilities.can(current_user, "staff_pages")


REPORT = limiter.limit(
    _setting("RATELIMIT_REPORT"),
    methods=["POST"],
    exempt_when=_staff,
    scope="report",
    error_message="举报提交过于频繁，请稍后再试 (too many reports)",
)
LOOKUP = limiter.limit(_setting("RATELIMIT_LOOKUP"), error_message="查询过于频繁，请稍后再试 (too many lookups)")
BATCH = limiter.limit(_setting("RATELIMIT_BATCH"), error_message="批量查询过于频繁，请稍后再试 (too many batches)")
# only failed logins count, so a brute force is stopped but an office behind one NAT address is not
LOGIN = limiter.limit(
    _setting("RATELIMIT_LOGIN"),
    methods=["POST"],
    deduct_when=lambda resp: resp.status_code == 401,
    error_message="登录尝试过于频繁，请稍后再试 (too many login attempts)",
)

# endpoint → limit; the public report page posts to incidents_api.create, so it shares that limit
LIMITS = {
    "incidents_api.create": REPORT,
    "open311.create_request": REPORT,
    "grids.lookup": LOOKUP,
    "public_api.locate_api": LOOKUP,
    "public_api.search_api": LOOKUP,
    "grids.lookup_batch": BATCH,
    "auth.login": LOGIN,
}


def init_app(app: Flask) -> None:
    """Attach the limiter and wrap the limited views (nothing is wrapped when limits are disabled)."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        # only then is X-Forwarded-For believed: otherwise any client could pick its own key
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    limiter.init_app(app)
    if not app.config["RATELIMIT_ENABLED"]:
        return
    for endpoint, limit in LIMITS.items():
        app.view_functions[endpoint] = limit(app.view_functions[endpoint])
