"""JSON API of 环境安全隐患: staff record, change and list hazards in their grids; anyone reads the public ones."""

from __future__ import annotations

from flask_login import current_user

from gisgrid.auth.capabilities import capability_required
from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.hazards import schemas, service

bp = Blueprint("hazards_api", __name__, description="环境安全隐患 (environmental safety hazards)")
_SESSION, _CSRF = [{"session": []}], [{"session": [], "csrf": []}]


@bp.get("/api/v1/hazards")
@capability_required("staff_pages")
@bp.alt_response(200, schema=schemas.StaffHazard(many=True), success=True, description="hazards in scope")
@bp.doc(security=_SESSION)
def list_api():
    """Hazards in the user's grids (all of them for department handlers and the admin), with internal notes."""
    return service.staff_list(db.session(), current_user)


@bp.post("/api/v1/hazards")
@capability_required("record_hazards")
@bp.arguments(schemas.HazardBody, location="json")
@bp.alt_response(201, schema=schemas.StaffHazard, success=True, description="the recorded hazard")
@bp.doc(security=_CSRF)
def record_api(body: dict):
    """Record a hazard; its grid is looked up from the point and must be one of the user's."""
    session = db.session()
    return service.view(session, service.record(session, current_user, body)), 201


@bp.patch("/api/v1/hazards/<int:hazard_id>")
@capability_required("record_hazards")
@bp.arguments(schemas.HazardPatch, location="json")
@bp.alt_response(200, schema=schemas.StaffHazard, success=True, description="the changed hazard")
@bp.doc(security=_CSRF)
def update_api(body: dict, hazard_id: int):
    """Change status (待整改/整改中/已整改), deadline, public flag, description or notes."""
    session = db.session()
    return service.view(session, service.update(session, current_user, hazard_id, body))


@bp.get("/api/v1/public/hazards")
@bp.alt_response(200, schema=schemas.PublicHazards, success=True, description="the public hazards")
def public_api():
    """The hazards marked public as GeoJSON (no login): kind, description, status, deadline, grid."""
    return service.public_geojson(db.session())
