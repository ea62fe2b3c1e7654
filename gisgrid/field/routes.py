"""The field app's shell, manifest and service worker, served under /app/ (the service worker's scope)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Blueprint, current_app, make_response, redirect, render_template, url_for
from flask_login import current_user

from gisgrid.auth.capabilities import capability_required

bp = Blueprint("field", __name__)
# what the service worker caches at install: the shell's scripts, styles and icons (package data)
STATIC = (
    "field/app.js",
    "field/app.css",
    "field/icon-192.png",
    "field/icon-512.png",
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/images/marker-icon.png",
    "vendor/leaflet/images/marker-icon-2x.png",
    "vendor/leaflet/images/marker-shadow.png",
    "js/api.js",
)


@cache
def _version(static_folder: str) -> str:
    # a new app.js (or any cached file) makes a new service worker, which replaces the old cache
    digest = hashlib.sha256()
    for name in STATIC:
        digest.update((Path(static_folder) / name).read_bytes())
    return digest.hexdigest()[:12]


@bp.get("/app/")
def shell():
    """The app shell (a phone's 外业 app); nobody logged in: the login form, kept for a working day."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=url_for("field.shell"), keep=1))
    return _app_page()


@capability_required("staff_pages")
def _app_page():
    return render_template("field/app.html")


@bp.get("/app/manifest.webmanifest")
def manifest():
    """The web app manifest: name, icons, start URL and scope (installable from the browser, no app store)."""
    body = render_template("field/manifest.json")
    return current_app.response_class(body, mimetype="application/manifest+json")


@bp.get("/app/sw.js")
def service_worker():
    """The service worker, served from /app/ so that its scope is the app; never cached by HTTP (updates)."""
    assets = [url_for("static", filename=name) for name in STATIC]
    assets.append(url_for("field.manifest"))
    version = _version(current_app.static_folder)
    resp = make_response(render_template("field/sw.js", version=version, assets=assets))
    resp.mimetype = "text/javascript"
    resp.headers["Cache-Control"] = "no-cache"
    return resp
