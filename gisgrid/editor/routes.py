"""Planner pages: drafts, history, diff map, GeoPackage export, filing (JSON API: editor.api)."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_login import current_user

from gisgrid.auth import capabilities
from gisgrid.clock import today_in_china
from gisgrid.contract.blueprint import Parser
from gisgrid.db import db
from gisgrid.deployment import current_profile
from gisgrid.editor import drafts, filing, roundtrip, schemas, versions
from gisgrid.grids import fields
from gisgrid.web import at_day

bp = Blueprint("editor", __name__)
_ARGS = Parser()


@bp.before_request
def _planners_only() -> None:
    capabilities.require(current_user, "edit_grids")


@bp.get("/editor")
def index():
    """Versions, drafts and what a planner can do with them."""
    return render_template("editor/index.html", versions=versions.history(db.session()))


@bp.post("/editor/drafts")
def open_draft():
    """Open (or create) the draft of the published boundaries and go to its map."""
    draft_id = drafts.open_draft(db.session(), current_user.username)
    return redirect(url_for("editor.draft_page", version_id=draft_id))


@bp.get("/editor/drafts/<int:version_id>")
def draft_page(version_id: int):
    """The map editor of one draft."""
    draft = drafts.get_draft(db.session(), version_id)
    return render_template("editor/draft.html", draft=draft, attributes=fields.EDITABLE_FIELDS)


@bp.get("/editor/diff")
def diff_page():
    """Map of what changed between two versions."""
    args = _ARGS.parse(schemas.DiffArgs(), location="query")  # the API's declaration, for the page too
    return render_template("editor/diff.html", a=args["a"], b=args["b"])


@bp.get("/editor/history")
def history_page():
    """Map of the boundaries in force at the end of ?at=YYYY-MM-DD (default today)."""
    day = at_day() or today_in_china()
    return render_template("editor/history.html", day=day, version=versions.version_on(db.session(), day))


@bp.get("/editor/versions/<int:version_id>/moved")
def moved_page(version_id: int):
    """Cases and sources that fall in another grid in this version, with reassignment."""
    return render_template("editor/moved.html", version_id=version_id)


@bp.get("/editor/drafts/<int:version_id>/export.gpkg")
def export_gpkg(version_id: int):
    """The draft as a GeoPackage for QGIS."""
    data = roundtrip.export_draft(db.session(), version_id)
    return send_file(
        io.BytesIO(data),
        mimetype="application/geopackage+sqlite3",
        as_attachment=True,
        download_name=f"draft-{version_id}.gpkg",
    )


@bp.get("/editor/versions/<int:version_id>/filing.zip")
def filing_zip(version_id: int):
    """The filing package (备案): responsibility table CSV/XLSX/PDF, boundaries GeoPackage, overview map PNG."""
    data = filing.build_package(db.session(), version_id, profile=current_profile())
    return send_file(
        io.BytesIO(data),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"filing-version-{version_id}.zip",
    )
