"""JSON API of the boundary editor (planners only): version grids, edits, validation, publication, moved items,
reassignment, rollback, diff and the GeoPackage round trip.

The pages and downloads (editor, draft map, history, diff map, GeoPackage export, filing package) stay in
editor.routes.
"""

from __future__ import annotations

from flask import Response, current_app
from flask_login import current_user

from gisgrid import web
from gisgrid.auth import capabilities
from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.deployment import current_profile
from gisgrid.editor import drafts, edits, roundtrip, schemas, units, validate, versions
from gisgrid.editor import tasks as editor_tasks
from gisgrid.errors import InvalidInput
from gisgrid.grids import service as grid_service
from gisgrid.jobs import tracked
from gisgrid.jobs.schemas import JobRun as JobRunSchema

bp = Blueprint("editor_api", __name__, description="边界编辑 (boundary editor, planners)")
API = "/api/v1/editor"
_SESSION = [{"session": []}]
_CSRF = [{"session": [], "csrf": []}]
_GEOJSON = {
    "200": {
        "description": "the version's grids with lock counters",
        "content": {"application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}}},
    }
}


@bp.before_request
def _planners_only() -> None:
    # before the parameters are judged: anonymous 401, other roles 403
    capabilities.require(current_user, "edit_grids")


def _tolerance() -> float:
    return current_app.config["TOPOLOGY_TOLERANCE_M2"]


def _unit_depths() -> tuple[int, ...]:
    # the profile's rule for who may designate 重点监管单元网格 (盘锦: the 一级网格主体 only)
    return current_profile().unit_grid_depths


@bp.get(f"{API}/versions/<int:version_id>/grids")
@bp.doc(security=_SESSION, responses=_GEOJSON)
def version_grids(version_id: int):
    """A version's grids as GeoJSON (with lock counters)."""
    return Response(drafts.draft_geojson(db.session(), version_id), mimetype="application/geo+json")


@bp.get(f"{API}/versions/<int:version_id>/unit-grids")
@bp.doc(security=_SESSION, responses=_GEOJSON)
def version_unit_grids(version_id: int):
    """A version's 重点监管单元网格 as GeoJSON (every attribute, with lock counters)."""
    return Response(units.unit_geojson(db.session(), version_id), mimetype="application/geo+json")


@bp.put(f"{API}/drafts/<int:version_id>/unit-grids/<code>")
@bp.arguments(schemas.UnitGridBody, location="json")
@bp.alt_response(200, schema=schemas.UnitSaved, success=True, description="the unit grid saved")
@bp.doc(security=_CSRF)
def save_unit_grid(body: dict, version_id: int, code: str):
    """Create (no lock_version) or change a unit grid of a draft; 409 when someone changed it in between."""
    return units.save_unit(db.session(), version_id, code, current_user.username, body, _tolerance(), _unit_depths())


@bp.delete(f"{API}/drafts/<int:version_id>/unit-grids/<code>")
@bp.arguments(schemas.DeleteArgs, location="query", as_kwargs=True)
@bp.doc(security=_CSRF, responses={"204": {"description": "deleted"}})
def delete_unit_grid(version_id: int, code: str, lock_version: int):
    """Remove a unit grid from a draft: ?lock_version=."""
    units.delete_unit(db.session(), version_id, code, lock_version)
    return Response(status=204)


@bp.post(f"{API}/drafts/<int:version_id>/edits")
@bp.arguments(schemas.EditBody, location="json")
@bp.alt_response(200, schema=schemas.Edited, success=True, description="the grids changed")
@bp.doc(security=_CSRF)
def edit(body: dict, version_id: int):
    """One edit: {op, base: {code: lock}, ...}; 409 when a grid was changed by someone else."""
    return edits.apply_edit(db.session(), version_id, current_user.username, body)


@bp.get(f"{API}/drafts/<int:version_id>/validation")
@bp.alt_response(200, schema=schemas.Validation, success=True, description="the validation report")
@bp.doc(security=_SESSION)
def validation(version_id: int):
    """The validation report of a version (errors block publishing)."""
    return validate.validate_version(db.session(), version_id, _tolerance(), _unit_depths())


@bp.post(f"{API}/drafts/<int:version_id>/publish")
@bp.alt_response(200, schema=schemas.DraftPublished, success=True, description="published; the items that moved")
@bp.doc(security=_CSRF)
def publish(version_id: int):
    """Validate and publish a draft; returns the items that now fall in another grid."""
    return versions.publish_draft(db.session(), version_id, current_user.username, _tolerance(), _unit_depths())


@bp.get(f"{API}/versions/<int:version_id>/moved")
@bp.alt_response(200, schema=schemas.Moved, success=True, description="items whose grid differs")
@bp.doc(security=_SESSION)
def moved(version_id: int):
    """Items whose grid differs in this version (a draft: preview before publishing)."""
    return {"version_id": version_id, "items": versions.moved_for(db.session(), version_id)}


@bp.post(f"{API}/versions/<int:version_id>/reassign")
@bp.arguments(schemas.ReassignBody, location="json")
@bp.alt_response(200, schema=schemas.Reassigned, success=True, description="items reassigned, per kind")
@bp.doc(security=_CSRF)
def reassign(body: dict, version_id: int):
    """Reassign chosen items ({kind: [ids]}) to their grid in the published version."""
    return {"reassigned": versions.reassign(db.session(), version_id, body)}


@bp.post(f"{API}/versions/<int:version_id>/rollback")
@bp.alt_response(200, schema=schemas.RolledBack, success=True, description="the new version")
@bp.doc(security=_CSRF)
def rollback(version_id: int):
    """Publish a copy of an earlier version as a new version."""
    return {"version_id": versions.rollback_to(db.session(), version_id, current_user.username)}


@bp.get(f"{API}/diff")
@bp.arguments(schemas.DiffArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.Diff, success=True, description="the changed grids")
@bp.doc(security=_SESSION)
def diff(a: int, b: int):
    """Added, removed, reshaped and re-parented grids between versions a and b, as GeoJSON."""
    return versions.diff(db.session(), a, b, _tolerance())


@bp.post(f"{API}/drafts/<int:version_id>/import")
@bp.arguments(schemas.ImportForm, location="form", content_type="multipart/form-data")
@bp.alt_response(200, schema=schemas.Imported, success=True, description="the preview, or the applied import")
@bp.doc(security=_CSRF)
def import_gpkg(form: dict, version_id: int):
    """An edited GeoPackage: a change preview, or (apply=1 with the preview's stamp) the changes applied."""
    stamp = form.get("stamp") if form.get("apply") == "1" else None
    with web.upload_to_temp("file", current_app.config["IMPORT_MAX_BYTES"], "GeoPackage 文件", ".gpkg") as path:
        return roundtrip.import_upload(
            db.session(),
            version_id,
            path,
            current_user.username,
            stamp=stamp,
            tolerance_m2=_tolerance(),
            unit_depths=_unit_depths(),
            repair=_repair_limits(form),
        )


@bp.post(f"{API}/drafts/<int:version_id>/import-job")
@bp.arguments(schemas.ImportForm, location="form", content_type="multipart/form-data")
@bp.alt_response(202, schema=JobRunSchema, success=True, description="the import, queued: poll /api/v1/jobs/<id>")
@bp.doc(security=_CSRF)
def import_job(form: dict, version_id: int):
    """The same import as ``…/import``, run by the worker: repair and validation of a big file do not hold a request."""
    cfg = current_app.config
    drafts.get_draft(db.session(), version_id)  # a wrong draft is refused now, not in the worker
    limits = _repair_limits(form)
    with web.upload_to_temp("file", cfg["IMPORT_MAX_BYTES"], "GeoPackage 文件", ".gpkg") as path:
        kept = editor_tasks.keep_upload(cfg["CACHE_DIR"], path)
    args = {
        "version_id": version_id,
        "path": kept,
        "user": current_user.username,
        "stamp": form.get("stamp") if form.get("apply") == "1" else None,
        "tolerance_m2": _tolerance(),
        "unit_depths": list(_unit_depths()),
        "repair": None if limits is None else {"snap_m": limits.snap_m, "max_gap_width_m": limits.max_gap_width_m},
    }
    run = tracked.submit(db.session(), cfg, editor_tasks.IMPORT, args, current_user)
    return tracked.as_json(run), 202


def _repair_limits(form: dict):
    """The 修复 option of the import form: None unless repair=1; a missing limit takes its default."""
    if form.get("repair") != "1":
        for name in ("snap_m", "max_gap_width_m"):
            if name in form:
                raise InvalidInput(f"{name}: 仅在修复（repair=1）时有效 (needs repair=1)")
        return None
    defaults = grid_service.RepairLimits()
    return grid_service.RepairLimits(
        form.get("snap_m", defaults.snap_m), form.get("max_gap_width_m", defaults.max_gap_width_m)
    )
