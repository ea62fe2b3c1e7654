"""JSON API of the field app: the offline bundle."""

from __future__ import annotations

from flask_login import current_user

from gisgrid.auth.capabilities import capability_required
from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.field import schemas, service

bp = Blueprint("field_api", __name__, description="外业移动端 (field app)")


@bp.get("/api/v1/field/bundle")
@capability_required("staff_pages")
@bp.alt_response(200, schema=schemas.Bundle, success=True, description="what the phone keeps offline")
@bp.doc(security=[{"session": []}])
def bundle_api():
    """My grids (outlines, contacts), my sources (dossier summary, checklist), my 待办, the report categories."""
    return service.bundle(db.session(), current_user)
