"""The security headers of every response (pages, JSON, files, errors, redirects).

The CSP allows no inline script or style: scripts and styles come from static/ only, JSON data blocks
(``<script type="application/json">``) are not executed, and a computed style (a bar's height) is set by
static/js/api.js from a ``data-style`` attribute through the CSSOM, which the CSP permits.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response

# Leaflet and uPlot set element.style from script (CSSOM, allowed); photo previews and exports use blob:
_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "worker-src": "'self'",
    "manifest-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(self), camera=(self), microphone=(), payment=()",
}


def tile_origin(tile_url: str) -> str | None:
    """The origin of an XYZ base-layer URL (``{s}`` subdomains → ``*``), None when it is ours or unset."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url.replace("{s}", "*"))
    if not parts.scheme or not parts.netloc:
        return None  # a path on this server: 'self' covers it
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(tile_url: str = "") -> str:
    """The CSP header value; the configured base-layer tile server is the one foreign image origin."""
    policy = dict(_CSP)
    origin = tile_origin(tile_url)
    if origin:
        policy["img-src"] += f" {origin}"
    return "; ".join(f"{name} {value}" for name, value in policy.items())


def security_headers(config) -> list[tuple[str, str]]:
    """Every security header of a response under ``config``, CSP first: the one list both users add.

    ``install`` adds them to Flask's responses; the lookup's WSGI fast path (``grids.lookup_wsgi``)
    sends them as they are, so both paths' responses carry the same headers.
    """
    headers = [("Content-Security-Policy", content_security_policy(config.get("TILE_URL") or ""))]
    headers += STATIC_HEADERS.items()
    if config.get("SESSION_COOKIE_SECURE"):  # only behind HTTPS (the same switch as the secure cookie)
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return headers


def install(app: Flask) -> None:
    """Add the headers to every response of ``app``."""
    (_, csp), *defaults = security_headers(app.config)
    lowered = [(name.lower(), name, value) for name, value in defaults]

    @app.after_request
    def _secure(response: Response) -> Response:
        headers = response.headers
        # one pass over the headers, then one extend: setdefault per header searched them six times
        present = {name.lower() for name in headers.keys()}
        if "content-security-policy" in present:
            headers["Content-Security-Policy"] = csp  # ours replaces a view's
            headers.extend([(name, value) for low, name, value in lowered if low not in present])
        else:
            headers.extend([("Content-Security-Policy", csp)] + [(n, v) for low, n, v in lowered if low not in present])
        return response
