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


def install(app: Flask) -> None:
    """Add the headers to every response of ``app``."""
    csp = content_security_policy(app.config.get("TILE_URL") or "")
    hsts = bool(app.config.get("SESSION_COOKIE_SECURE"))

    @app.after_request
    def _secure(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = csp
        for name, value in STATIC_HEADERS.items():
            response.headers.setdefault(name, value)
        if hsts:  # only behind HTTPS (the same switch as the secure cookie)
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
