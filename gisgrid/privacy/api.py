"""JSON API of reporters' personal data: the audited "显示" of one case and the audited CSV export.

The masked values are part of the case detail (incidents.service.detail); these endpoints are the only
way to the real ones.
"""

from __future__ import annotations

from flask import Response
from flask_login import current_user

from gisgrid.auth.access import login_required
from gisgrid.auth.capabilities import capability_required
from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.privacy import schemas as s
from gisgrid.privacy import service

bp = Blueprint("privacy_api", __name__, description="个人信息 (reporters' personal data)")
_CSRF = [{"session": [], "csrf": []}]
_FORM = {"application/x-www-form-urlencoded": {"schema": s.ExportBody}, "application/json": {"schema": s.ExportBody}}
_CSV = {
    "200": {
        "description": "the cases with reporters' contacts (CSV, UTF-8 with BOM)",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


@bp.post("/api/v1/incidents/<int:incident_id>/reporter")
@login_required
@bp.arguments(s.RevealBody, location="json_or_form", required=False)
@bp.alt_response(200, schema=s.Reporter, success=True, description="the reporter's name and contact")
@bp.doc(security=_CSRF)
def reveal_reporter(body: dict, incident_id: int):
    """显示: the reporter's real name and contact, for the case's handler or dispatcher; audited."""
    return service.reveal(db.session(), current_user, incident_id, (body or {}).get("reason"))


@bp.post("/api/v1/incidents/export")
@capability_required("export_personal_data")
@bp.arguments(s.ExportBody, location="json_or_form")
@bp.doc(requestBody={"content": _FORM}, responses=_CSV, security=_CSRF)
def export_cases(body: dict):
    """The user's cases with reporters' contacts as CSV; the reason is required and audited."""
    text, _count = service.export_csv(db.session(), current_user, body.get("reason"), body.get("state"))
    return Response(
        text,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=cases-personal-data.csv", "Cache-Control": "no-store"},
    )
