"""Patrol pages and APIs: track upload (GPX/GeoJSON), the phone JSON API, coverage map and tables."""

from __future__ import annotations

import math
from datetime import date, timedelta

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from gisgrid.auth.access import login_required
from gisgrid.auth.capabilities import capability_required
from gisgrid.clock import today_in_china
from gisgrid.db import db
from gisgrid.errors import InvalidInput
from gisgrid.patrols import service, tracks
from gisgrid.web import read_upload

bp = Blueprint("patrols", __name__)


def _period() -> tuple[date, date, float]:
    today = today_in_china()
    try:
        until = date.fromisoformat(request.args.get("until") or today.isoformat())
        since = date.fromisoformat(request.args.get("since") or (until - timedelta(days=29)).isoformat())
        distance = float(request.args.get("distance") or service.DEFAULT_DISTANCE_M)
    except ValueError:
        raise InvalidInput("since/until 应为 YYYY-MM-DD，distance 应为米数") from None
    if not math.isfinite(distance):
        raise InvalidInput("distance 应为有限的米数")
    return since, until, distance


@bp.get("/patrols")
@capability_required("upload_tracks")
def upload_page():
    """Upload a GPX/GeoJSON track; the user's recent tracks."""
    return render_template("patrols/upload.html", mine=service.my_tracks(db.session(), current_user))


@bp.post("/patrols/upload")
@capability_required("upload_tracks")
def upload():
    """A GPX or GeoJSON file from the form → a cleaned, stored track."""
    filename, data = read_upload("file", tracks.MAX_FILE_BYTES, "轨迹文件（GPX 或 GeoJSON）")
    service.upload_track(db.session(), current_user, filename, data)
    return redirect(url_for("patrols.upload_page"))


@bp.get("/api/v1/patrols/csrf")
@login_required
def csrf_token():
    """A CSRF token for phone apps that logged in with the session cookie."""
    return jsonify({"csrf_token": generate_csrf()})


@bp.post("/api/v1/patrols/tracks")
@capability_required("upload_tracks")
def create_track():
    """Phones: ``{"points": [{"lon", "lat", "t"}], "crs": "wgs84|gcj02|bd09"}`` → the stored track and its cleaning."""
    body = request.get_json(silent=True)
    points = tracks.from_json_points(body, (body or {}).get("crs") if isinstance(body, dict) else None)
    track = service.save_track(db.session(), current_user, points, "api")
    return jsonify(service.track_summary(track)), 201


@bp.get("/patrols/coverage")
@capability_required("staff_pages")
def coverage_page():
    """Coverage map (per grid), tracks, unvisited sources, and tables."""
    since, until, distance = _period()
    result = service.coverage(db.session(), current_user, since, until, distance)
    return render_template("patrols/coverage.html", r=result, geo=service.coverage_geojson(result))


@bp.get("/api/v1/patrols/coverage")
@capability_required("staff_pages")
def coverage_api():
    """Coverage as JSON: grids (share of area), sources (visited), never-patrolled grids, GeoJSON layers."""
    since, until, distance = _period()
    return jsonify(service.coverage_json(service.coverage(db.session(), current_user, since, until, distance)))
