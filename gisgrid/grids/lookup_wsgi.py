"""The common single lookup answered before Flask's pipeline: a WSGI middleware for ``GET /api/v1/lookup``.

A lookup's answer comes from memory (``grids.resident``) in ~100 µs; Flask's request context, routing,
flask-smorest's wrappers and the request hooks cost more than that. This middleware answers only the
exact common case and hands every other request, unchanged, to the Flask app:

- ``GET``/``HEAD`` of exactly ``/api/v1/lookup``, with no ``Cookie`` and no ``Authorization`` header
  (staff keep the Flask path) and no read replicas configured (a replica answers from its own version);
- a query string whose keys each appear once, accepted by ``PointArgs.lean_load``, without ``at``;
- the point lies inside a grid (outside every grid, Flask gives the 404 document); the resident version
  answers it, or lookup.sql when the point is near another grid or a new version is being built — the
  same ``service.lookup`` the Flask route calls;
- the shared rate limit (``ratelimit.hit_outside_flask``) is not exceeded and its storage answered.

The body is ``service.lookup_document``'s, the headers are the Flask path's (security headers from
``security.headers.security_headers``, the ``X-RateLimit-*`` headers): both paths give the same bytes.
docs/operations.md ("The common lookup before Flask's pipeline") lists every Flask hook and header and why each is or is not needed here.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from flask import Flask

from gisgrid import ratelimit
from gisgrid.db import db
from gisgrid.errors import DomainError
from gisgrid.grids import resident, schemas, service
from gisgrid.security.headers import security_headers

PATH = "/api/v1/lookup"
ENDPOINT = "grids.lookup"  # the Flask view it stands in for: its rate-limit counter
_log = logging.getLogger(__name__)


class FastLookup:
    """WSGI middleware: answers an anonymous, plain lookup from the resident version; the rest goes to ``inner``."""

    def __init__(self, app: Flask, inner) -> None:
        self.app = app
        self.inner = inner
        # computed once, as security.headers.install does for the Flask path; then the Vary of Flask's
        # session save (session_cookie.py): the Flask path reads the session, so its answer varies by cookie
        self.tail = [*security_headers(app.config), ("Vary", "Cookie")]

    def __call__(self, environ, start_response):
        if not self._candidate(environ):
            return self.inner(environ, start_response)
        try:
            reply = self._reply(environ)
        except DomainError:
            reply = None  # bad input, a CRS it cannot use, no grid, no database: the Flask path gives its error
        except Exception:  # noqa: BLE001 - never a 500 the Flask path would not give: it answers instead
            _log.exception("lookup fast path failed; the request goes to Flask")
            reply = None
        if reply is None:
            return self.inner(environ, start_response)
        headers, body = reply
        start_response("200 OK", headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def _candidate(self, environ) -> bool:
        return (
            environ.get("PATH_INFO") == PATH
            and environ.get("REQUEST_METHOD") in ("GET", "HEAD")
            and "HTTP_COOKIE" not in environ  # a session may be logged in: flask-login decides
            and "HTTP_AUTHORIZATION" not in environ  # a bearer token acts as its user
            and not db.has_replicas(self.app)  # public reads go to a standby, whose version may lag
        )

    def _reply(self, environ) -> tuple[list, bytes] | None:
        args = query_args(environ.get("QUERY_STRING", ""))
        data = None if args is None else schemas.PointArgs.lean_load(args, self.app.config["MAX_NEAR_BOUNDARY_M"])
        if data is None or "at" in data:
            return None  # the schema's 400 naming the field, or a lookup in history (SQL)
        q = service.LookupQuery.from_args(data, self.app.config["NEAR_BOUNDARY_M"])
        body = self._document(q.x, q.y, q.crs, q.radius_m)
        limit_headers = ratelimit.hit_outside_flask(self.app, ENDPOINT, "RATELIMIT_LOOKUP", environ.get("REMOTE_ADDR"))
        if limit_headers is None:
            return None  # over the limit (Flask answers 429) or the counter's storage failed (Flask's fallback)
        head = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        return head + limit_headers + self.tail, body

    def _document(self, x: float, y: float, crs: str | None, radius: float) -> bytes:
        """The Flask path's body, by the same ``service.lookup``; NotFound (a DomainError) outside every grid."""
        memory = resident.current(self.app)  # no app context: resident.current pushes one when it must
        return service.lookup(self._read, x, y, crs, radius, None, memory).encode("utf-8")

    def _read(self, work):
        """``db.read`` in an app context: lookup.sql answers a point near another grid (PostGIS measures the
        distance on the spheroid) and every point while a new version is being built."""
        with self.app.app_context():
            return db.read(work)


def query_args(raw: str) -> dict | None:
    """The query string as werkzeug's ``request.args`` decodes it; None when a key repeats or a NUL is in it."""
    if "%00" in raw or "\x00" in raw:
        return None  # web.refuse_hostile_fields' 400 is the Flask path's to give
    try:
        text = raw.encode("latin1").decode()  # werkzeug's request.query_string, then .decode()
    except UnicodeError:
        return None
    pairs = parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")
    args = dict(pairs)
    return args if len(args) == len(pairs) else None
