"""Planner pages and APIs: drafts, edits, validation, publication, history, diff, round trip, filing."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from gisgrid import web
from gisgrid.auth import capabilities
from gisgrid.clock import today_in_china
from gisgrid.db import db
from gisgrid.editor import drafts, edits, filing, roundtrip, validate, versions
from gisgrid.errors import InvalidInput
from gisgrid.grids import fields
from gisgrid.web import at_day

bp = Blueprint("editor", __name__)
API = "/api/v1/editor"


@bp.before_request
def _planners_only() -> None:
    capabilities.require(current_user, "edit_grids")


def _tolerance() -> float:
    return current_app.config["TOPOLOGY_TOLERANCE_M2"]


def _int_arg(name: str) -> int:
    try:
        return int(request.args[name])
    except (KeyError, ValueError):
        raise InvalidInput(f"参数 {name} 应为版本号 (parameter {name} must be a version id)") from None


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("请求体应为 JSON 对象 (body must be a JSON object)")
    return body


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
    return render_template("editor/diff.html", a=_int_arg("a"), b=_int_arg("b"))


@bp.get("/editor/history")
def history_page():
    """Map of the boundaries in force at the end of ?at=YYYY-MM-DD (default today)."""
    day = at_day() or today_in_china()
    return render_template("editor/history.html", day=day, version=versions.version_on(db.session(), day))


@bp.get("/editor/versions/<int:version_id>/moved")
def moved_page(version_id: int):
    """Cases and sources that fall in another grid in this version, with reassignment."""
    return render_template("editor/moved.html", version_id=version_id)


@bp.get(f"{API}/versions/<int:version_id>/grids")
def version_grids(version_id: int):
    """A version's grids as GeoJSON (with lock counters)."""
    return Response(drafts.draft_geojson(db.session(), version_id), mimetype="application/geo+json")


@bp.post(f"{API}/drafts/<int:version_id>/edits")
def edit(version_id: int):
    """One edit: {op, base: {code: lock}, ...}; 409 when a grid was changed by someone else."""
    return edits.apply_edit(db.session(), version_id, current_user.username, _json_body())


@bp.get(f"{API}/drafts/<int:version_id>/validation")
def validation(version_id: int):
    """The validation report of a version (errors block publishing)."""
    return validate.validate_version(db.session(), version_id, _tolerance())


@bp.post(f"{API}/drafts/<int:version_id>/publish")
def publish(version_id: int):
    """Validate and publish a draft; returns the items that now fall in another grid."""
    return versions.publish_draft(db.session(), version_id, current_user.username, _tolerance())


@bp.get(f"{API}/versions/<int:version_id>/moved")
def moved(version_id: int):
    """Items whose grid differs in this version (a draft: preview before publishing)."""
    return {"version_id": version_id, "items": versions.moved_for(db.session(), version_id)}


@bp.post(f"{API}/versions/<int:version_id>/reassign")
def reassign(version_id: int):
    """Reassign chosen items ({kind: [ids]}) to their grid in the published version."""
    return {"reassigned": versions.reassign(db.session(), version_id, _json_body())}


@bp.post(f"{API}/versions/<int:version_id>/rollback")
def rollback(version_id: int):
    """Publish a copy of an earlier version as a new version."""
    return {"version_id": versions.rollback_to(db.session(), version_id, current_user.username)}


@bp.get(f"{API}/diff")
def diff():
    """Added, removed, reshaped and re-parented grids between versions a and b, as GeoJSON."""
    return versions.diff(db.session(), _int_arg("a"), _int_arg("b"), _tolerance())


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


@bp.post(f"{API}/drafts/<int:version_id>/import")
def import_gpkg(version_id: int):
    """An edited GeoPackage: a change preview, or (apply=1 with the preview's stamp) the changes applied."""
    apply = request.form.get("apply") == "1"
    with web.upload_to_temp("file", current_app.config["IMPORT_MAX_BYTES"], "GeoPackage 文件", ".gpkg") as path:
        return roundtrip.import_upload(
            db.session(),
            version_id,
            path,
            current_user.username,
            stamp=request.form.get("stamp") if apply else None,
            tolerance_m2=_tolerance(),
        )


@bp.get("/editor/versions/<int:version_id>/filing.zip")
def filing_zip(version_id: int):
    """The filing package (备案): responsibility table CSV/XLSX/PDF, boundaries GeoPackage, overview map PNG."""
    data = filing.build_package(db.session(), version_id)
    return send_file(
        io.BytesIO(data),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"filing-version-{version_id}.zip",
    )
