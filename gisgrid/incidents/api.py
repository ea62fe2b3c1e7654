"""JSON API of the case workflow at /api/v1/incidents: report, list, detail, actions, photos, base map, KPIs.

The pages (report form, case list/detail, KPI page, duty matrix) stay in incidents.routes, so they never enter
the API document. ``/api/v1/incidents/<id>/jurisdiction`` belongs to the jurisdiction domain.
"""

from __future__ import annotations

import secrets
from functools import wraps

from flask import Response, current_app, request
from flask import session as web_session
from flask_login import current_user

from gisgrid.auth.access import login_required
from gisgrid.auth.capabilities import capability_required
from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.deployment import current_profile
from gisgrid.incidents import intake, kpi, matrix, photos, public_reply, service
from gisgrid.incidents import schemas as s
from gisgrid.incidents.report import from_form
from gisgrid.web import read_uploads

bp = Blueprint("incidents_api", __name__, description="案件 (case workflow)")
_SESSION, _CSRF = [{"session": []}], [{"session": [], "csrf": []}]
_KPI_RESPONSES = {
    "200": {
        "description": "KPI rows (format=json) or the table as CSV (format=csv, UTF-8 with BOM)",
        "content": {"application/json": {"schema": s.KpiTable}, "text/csv": {"schema": {"type": "string"}}},
    }
}


def _forms(fields: type, with_files: type) -> dict:
    # the same body as a page's form: urlencoded without files, multipart with them (read by web.read_uploads)
    return {
        "content": {
            "application/x-www-form-urlencoded": {"schema": fields},
            "multipart/form-data": {"schema": with_files},
        }
    }


def _channel_checked(view):
    """403 for a staff channel (hotline, patrol) without a staff login, before any field of the report is judged."""

    @wraps(view)
    def guarded(*args, **kwargs):
        sent = request.get_json(silent=True) if request.is_json else request.form  # a form is a dict too
        channel = sent.get("channel") if isinstance(sent, dict) else None
        intake.require_channel(current_user, str(channel or "web"))
        return view(*args, **kwargs)

    return guarded


def _photos(name: str) -> list[tuple[str, bytes]]:
    return read_uploads(name, current_app.config["PHOTO_MAX_BYTES"], "照片")


def _client_scope() -> str:
    # who chose the client_request_id: the account, else this browser session (its signed cookie)
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return "session:" + web_session.setdefault("report_client", secrets.token_hex(16))


def upload() -> photos.Upload:
    """The photos sent with a workflow action (every file field), read by the one upload reader."""
    return photos.Upload(
        {name: _photos(name) for name in request.files},
        current_app.config["MEDIA_DIR"],
        current_app.config["PHOTO_MAX_BYTES"],
    )


@bp.post("/api/v1/incidents")
@_channel_checked
@bp.arguments(s.ReportBody, location="json_or_form")
@bp.alt_response(201, schema=s.Created, success=True, description="the case made")
@bp.alt_response(200, schema=s.Created, description="a retry: the first case with this client_request_id")
@bp.doc(requestBody=_forms(s.ReportBody, s.ReportForm), security=_CSRF)
def create(body: dict):
    """Create a case (form or JSON, optional photos); a repeated client_request_id returns the first case."""
    config = current_app.config
    incident, created = intake.report(
        db.session(),
        from_form(body, _photos("photos")),
        current_user,
        config["MEDIA_DIR"],
        config["PHOTO_MAX_BYTES"],
        _client_scope(),
    )
    answer = {
        "id": incident.id,
        "state": incident.state,
        "created": created,
        "grid_codes": incident.grid_codes,
        "unit_grid_codes": list(incident.unit_grid_codes or ()),
        "client_request_id": incident.client_request_id,
    }
    return answer, 201 if created else 200


@bp.get("/api/v1/incidents")
@login_required
@bp.arguments(s.ListArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=s.Cases, success=True, description="the cases")
@bp.doc(security=_SESSION)
def list_json(state=None, escalated=None):
    """Cases in the user's scope (for the list and the map): [?state=][&escalated=1]."""
    return {"cases": service.summaries(service.list_cases(db.session(), current_user, state, escalated == "1"))}


@bp.get("/api/v1/incidents/<int:incident_id>")
@login_required
@bp.alt_response(200, schema=s.Detail, success=True, description="the case")
@bp.doc(security=_SESSION)
def detail_json(incident_id: int):
    """One case with its audit timeline, transfers, sub-tasks and photos."""
    return service.detail(service.get_case(db.session(), current_user, incident_id), current_user)


@bp.route(
    "/api/v1/incidents/<int:incident_id>/actions/<action>",
    methods=["POST"],
    parameters=[{"in": "path", "name": "action", "schema": {"type": "string", "enum": list(s.ACTIONS)}}],
)
@login_required
@bp.arguments(s.ActionBody, location="json_or_form", required=False)
@bp.alt_response(200, schema=s.Detail, success=True, description="the case after the action")
@bp.doc(requestBody=_forms(s.ActionBody, s.ActionForm), security=_CSRF)
def act_json(body: dict, incident_id: int, action: str):
    """Perform a workflow action; JSON (or a form, with photos) in, the case out."""
    incident = service.act(db.session(), current_user, incident_id, action, body, upload(), current_profile())
    return service.detail(incident, current_user)


@bp.put("/api/v1/incidents/<int:incident_id>/public-reply")
@capability_required("reply_public")
@bp.arguments(s.PublicReplyBody, location="json")
@bp.alt_response(200, schema=s.PublicReply, success=True, description="the public reply as the public sees it")
@bp.doc(security=_CSRF)
def public_reply_json(body: dict, incident_id: int):
    """Write or replace the case's public reply (never personal data; internal notes stay apart)."""
    session = db.session()
    public_reply.write(session, current_user, incident_id, body["body"])
    return public_reply.for_case(session, incident_id)


@bp.post("/api/v1/incidents/photos/<int:photo_id>/publish")
@login_required
@bp.arguments(s.PublishBody, location="json_or_form", required=False)
@bp.alt_response(200, schema=s.PhotoPublished, success=True, description="the photo")
@bp.doc(security=_CSRF)
def publish_photo(body: dict, photo_id: int):
    """Publish (``published=true``, the default) or withdraw a photo."""
    return service.publish_photo(db.session(), current_user, photo_id, body["published"])


@bp.get("/api/v1/incidents/grids")
@bp.arguments(s.LevelArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=s.GridShapes, success=True, description="grid boundaries")
def grids_geojson(level: int):
    """Simplified boundaries of one level of the published version (public base layer of the maps)."""
    return kpi.shapes(db.session(), level)


@bp.get("/api/v1/incidents/categories")
@bp.alt_response(200, schema=s.Categories, success=True, description="the categories")
def categories_json():
    """The active duty matrix."""
    rows = matrix.categories(db.session())
    return {
        "categories": [
            {"code": c.code, "name": c.name, "departments": c.department_codes, "deadline_days": c.deadline_days}
            for c in rows
        ]
    }


@bp.get("/api/v1/incidents/kpi")
@capability_required("view_kpi")
@bp.arguments(s.KpiArgs, location="query", as_kwargs=True)
@bp.doc(responses=_KPI_RESPONSES, security=_SESSION)
def kpi_json(level: int, by: str, format_: str, from_=None, to=None):
    """KPI rows per grid (``by=grid&level=2``) or department for ``from``..``to``; ``format=csv`` for CSV."""
    start, end = kpi.span(from_, to)
    rows = kpi.compute(db.session(), start, end, by, level)
    if format_ == "csv":
        return Response(
            kpi.to_csv(rows),
            mimetype="text/csv; charset=utf-8",
            headers={"Content-Disposition": f"attachment; filename=kpi-{start}-{end}.csv"},
        )
    return {"from": start.isoformat(), "to": end.isoformat(), "rows": rows}


@bp.get("/api/v1/incidents/kpi/map")
@capability_required("view_kpi")
@bp.arguments(s.PeriodArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=s.KpiMap, success=True, description="the grids with their KPIs")
@bp.doc(security=_SESSION)
def kpi_map(level: int, from_=None, to=None):
    """The grids of a level with their KPIs, as GeoJSON for the choropleth: [?from=][&to=][&level=2]."""
    start, end = kpi.span(from_, to)
    return kpi.choropleth(db.session(), start, end, level)
