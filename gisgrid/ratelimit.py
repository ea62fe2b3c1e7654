"""Rate limits on public report intake, lookup and login (Flask-Limiter, keyed by client IP)."""

from __future__ import annotations

import functools
import time

from flask import Flask, current_app
from flask_limiter.constants import HeaderNames
from flask_login import current_user
from limits import parse_many
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


def hit_outside_flask(app: Flask, endpoint: str, setting: str, address: str | None) -> list[tuple[str, str]] | None:
    """Count one request against ``endpoint``'s limit as its wrapped view would, outside Flask's pipeline.

    The lookup's WSGI fast path (``grids.lookup_wsgi``) calls it: the same strategy and storage
    (``limiter.limiter``: Redis when configured, flask-limiter's in-memory fallback while Redis is away)
    and the same counter, so both paths share one limit. Returns the ``X-RateLimit-*`` headers
    flask-limiter would add, ``[]`` when limits are off, None when over the limit or the storage failed:
    then the Flask path answers (its 429, or its own fallback).
    """
    if not (app.config["RATELIMIT_ENABLED"] and limiter.enabled):
        return []
    items, args = _sorted_limits(app.config[setting]), counter_args(endpoint, address)
    strategy = limiter.limiter
    try:
        for item in items:  # flask-limiter's order (shortest window first), stopping at the first breach
            if not strategy.hit(item, *args):
                return None
        reset, remaining = strategy.get_window_stats(items[0], *args)
    except Exception:  # noqa: BLE001 - any storage failure: flask-limiter decides what happens (fallback)
        return None
    if not app.config.get("RATELIMIT_HEADERS_ENABLED"):
        return []
    reset_at = int(reset + 1)
    return [
        (HeaderNames.LIMIT.value, str(items[0].amount)),
        (HeaderNames.REMAINING.value, str(remaining)),
        (HeaderNames.RESET.value, str(reset_at)),
        (HeaderNames.RETRY_AFTER.value, str(int(reset_at - time.time()))),
    ]


def counter_args(endpoint: str, address: str | None) -> list[str]:
    """The identifiers flask-limiter counts a view's limit under, for a client address.

    Coupled to flask-limiter 4.1.1 (the one place that is): ``_extension.py`` ``__evaluate_limits`` counts
    a route limit under ``[key_prefix (when set), key_func(), lim.scope_for(endpoint, method)]``; our
    key_func is ``get_remote_address`` (``request.remote_addr or "127.0.0.1"``), and ``_limits.py``
    ``scope_for`` gives the endpoint itself for a limit without ``scope``, not shared, not per method
    (LOOKUP, BATCH). tests/routes/test_lookup_fast_path.py proves both paths count on one counter.
    """
    args = [address or "127.0.0.1", endpoint]
    prefix = limiter._key_prefix  # set once by the first init_app, from RATELIMIT_KEY_PREFIX
    return [prefix, *args] if prefix else args


@functools.lru_cache(maxsize=16)
def _sorted_limits(value: str) -> tuple:
    # flask-limiter parses the setting per request and evaluates its limits sorted (by window length)
    return tuple(sorted(parse_many(value)))
