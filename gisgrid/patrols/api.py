"""JSON API of patrols: the CSRF token for app clients, track upload from phones, coverage.

The pages (upload form, coverage map) stay in patrols.routes; the form's GPX/GeoJSON file upload is read there
by ``gisgrid.web.read_upload``.
"""

from __future__ import annotations

from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from gisgrid.auth.access import login_required
from gisgrid.auth.capabilities import capability_required
from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.patrols import schemas, service, tracks

bp = Blueprint("patrols_api", __name__, description="巡查 (patrols)")


@bp.get("/api/v1/patrols/csrf")
@login_required
@bp.alt_response(200, schema=schemas.Csrf, success=True, description="the session's CSRF token")
@bp.doc(security=[{"session": []}])
def csrf_token():
    """A CSRF token for phone apps that logged in with the session cookie."""
    return {"csrf_token": generate_csrf()}


@bp.post("/api/v1/patrols/tracks")
@capability_required("upload_tracks")
@bp.arguments(schemas.TrackBody, location="json")
@bp.alt_response(201, schema=schemas.Track, success=True, description="the stored track and its cleaning")
@bp.alt_response(200, schema=schemas.Track, description="a retry: the track stored first with this client_id")
@bp.doc(security=[{"session": [], "csrf": []}])
def create_track(body: dict):
    """Phones: ``{"points": [{"lon", "lat", "t"}], "crs": …, "client_id": …}`` → the stored track and its cleaning.

    ``client_id`` (the phone's id of the patrol) makes the upload idempotent: a retry answers 200 with the first track.
    """
    points = tracks.from_json_points(body, body.get("crs"))
    track, created = service.save_client_track(db.session(), current_user, points, body.get("client_id"))
    return service.track_summary(track), 201 if created else 200


@bp.get("/api/v1/patrols/coverage")
@capability_required("staff_pages")
@bp.arguments(schemas.CoverageArgs, location="query")
@bp.alt_response(200, schema=schemas.Coverage, success=True, description="coverage in the period")
@bp.doc(security=[{"session": []}])
def coverage_api(args: dict):
    """Coverage as JSON: grids (share of area), sources (visited), never-patrolled grids, GeoJSON layers."""
    result = service.coverage(db.session(), current_user, args.get("since"), args.get("until"), args["distance"])
    return service.coverage_json(result)
