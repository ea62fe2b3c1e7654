"""Patrol pages: track upload (GPX/GeoJSON form), coverage map and tables (JSON API: patrols.api)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from gisgrid.auth.capabilities import capability_required
from gisgrid.contract.blueprint import Parser
from gisgrid.db import db
from gisgrid.patrols import schemas, service, tracks
from gisgrid.web import read_upload

bp = Blueprint("patrols", __name__)
_ARGS = Parser()


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


@bp.get("/patrols/coverage")
@capability_required("staff_pages")
def coverage_page():
    """Coverage map (per grid), tracks, unvisited sources, and tables."""
    args = _ARGS.parse(schemas.CoverageArgs(), location="query")  # the API's declaration, for the page too
    result = service.coverage(db.session(), current_user, args.get("since"), args.get("until"), args["distance"])
    return render_template("patrols/coverage.html", r=result, geo=service.coverage_geojson(result))
