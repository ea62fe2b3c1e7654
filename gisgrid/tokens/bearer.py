"""``Authorization: Bearer <token>``: the request acts as the token's user, with no session and no CSRF token.

CSRF protects ambient credentials (the session cookie a browser sends by itself); a bearer token is
never sent by a browser on its own, and another site cannot add the header without a CORS preflight,
which gisgrid never grants. So a bearer request skips Flask-WTF's check, and it is authenticated by
the token alone: a session cookie sent beside it is ignored, and the session is never written.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request

from gisgrid.auth.events import security_event
from gisgrid.db import db
from gisgrid.errors import Unauthorized
from gisgrid.tokens import service


def presented() -> str | None:
    """The bearer token of this request, if it carries one."""
    # read from the WSGI environ: the same header as request.headers gives, without building that view
    scheme, _, token = request.environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def install(app: Flask) -> None:
    """Authenticate bearer requests first, and let them past the CSRF check (call after csrf.init_app)."""
    funcs = app.before_request_funcs.setdefault(None, [])
    for i, func in enumerate(funcs):
        if func.__name__ == "csrf_protect":  # Flask-WTF's default check, with its exemptions
            funcs[i] = _unless_bearer(func)
    funcs.insert(0, _authenticate)


def _authenticate() -> None:
    token = presented()
    if token is None:
        return
    user = service.user_for(db.session(), token)
    if user is None:
        # a failed authentication like a refused password (never the token itself: it may be a real one mistyped)
        security_event("login_failed", None, request.remote_addr, "API 令牌", "failure", session=db.session())
        raise Unauthorized("API 令牌无效、已吊销或已过期 (invalid, revoked or expired API token)")
    g._login_user = user  # Flask-Login's per-request user: current_user is the token's user, the cookie unread


def _without_ambient_credentials() -> bool:
    """An /ogc request with no session cookie carries nothing a forged request could borrow, so CSRF is moot;
    its view answers 401 itself (OGC API clients without a token expect 401, not a CSRF 400). /ogc has no
    login form, so login CSRF does not arise there."""
    return request.path.startswith("/ogc/") and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies


def _unless_bearer(csrf_protect):
    def csrf_protect_unless_bearer():
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return None  # Flask-WTF checks nothing for these methods either (GET, HEAD, …): skip its hook
        return None if presented() is not None or _without_ambient_credentials() else csrf_protect()

    csrf_protect_unless_bearer.__name__ = "csrf_protect_unless_bearer"
    return csrf_protect_unless_bearer
