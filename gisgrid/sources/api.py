"""JSON API of the source registry: the sources map, due inspections, and the public 双随机 draws.

The pages (map, dossier, dashboards, import/export, the lottery pages) stay in sources.routes.
"""

from __future__ import annotations

from flask import current_app, url_for
from flask_login import current_user

from gisgrid.auth.capabilities import capability_required
from gisgrid.clock import today_in_china
from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.deployment import current_profile
from gisgrid.sources import dossier, draws, onsite, registration, schemas, service
from gisgrid.web import read_uploads

bp = Blueprint("sources_api", __name__, description="污染源与双随机 (pollution sources, inspections, draws)")
_SESSION, _CSRF = [{"session": []}], [{"session": [], "csrf": []}]


@bp.get("/api/v1/sources.geojson")
@capability_required("staff_pages")
@bp.arguments(schemas.MapArgs, location="query")
@bp.alt_response(200, schema=schemas.SourceMap, success=True, description="sources and grid outlines")
@bp.doc(security=_SESSION)
def sources_geojson(args: dict):
    """Sources in scope with class and inspection status; ``?levels=all``: outlines of every grid level."""
    return dossier.map_features(db.session(), current_user, all_levels=args.get("levels") == "all")


@bp.put("/api/v1/sources/<int:source_id>/public")
@capability_required("disclose_sources")
@bp.arguments(schemas.PublicFlagBody, location="json")
@bp.alt_response(200, schema=schemas.PublicFlag, success=True, description="the source's flag")
@bp.doc(security=_CSRF)
def public_flag_api(body: dict, source_id: int):
    """Put a source of one's grids into the public register (信息公开) or take it out."""
    source = service.set_public(db.session(), current_user, source_id, body["public"])
    return {"id": source.id, "code": source.code, "public": source.public}


@bp.post("/api/v1/sources")
@capability_required("register_sources")
@bp.arguments(schemas.RegisterBody, location="json")
@bp.alt_response(201, schema=schemas.Registered, success=True, description="the registered source")
@bp.doc(security=_CSRF)
def register_api(body: dict):
    """登记污染源: register one source in a grid of the user's scope (optionally from a 新增污染源 case)."""
    source = registration.register(db.session(), current_user, body)
    return registered(source), 201


def registered(source) -> dict:
    """The JSON answer of a registration."""
    return {
        "id": source.id,
        "code": source.code,
        "name": source.name,
        "class": source.supervision_class,
        "class_reason": source.class_reason,
        "grid_codes": list(source.grid_codes),
        "reported_incident_id": source.reported_incident_id,
        "url": url_for("sources.detail", source_id=source.id),
    }


_ONSITE_BODY = {
    "content": {
        "application/json": {"schema": schemas.OnsiteBody},
        "multipart/form-data": {"schema": schemas.OnsiteForm},
    }
}


@bp.post("/api/v1/sources/<int:source_id>/inspections")
@capability_required("inspect_sources")
@bp.arguments(schemas.OnsiteBody, location="json_or_form")
@bp.alt_response(201, schema=schemas.Onsite, success=True, description="the inspection (and its case)")
@bp.alt_response(200, schema=schemas.Onsite, description="a retry: the inspection stored first with this client_id")
@bp.doc(requestBody=_ONSITE_BODY, security=_CSRF)
def onsite_api(body: dict, source_id: int):
    """现场检查 from the phone: checklist, GPS-stamped arrival, photos, findings; a violation opens a case."""
    config = current_app.config
    entry = onsite.Onsite(
        client_id=body["client_id"],
        inspected_on=body.get("inspected_on") or today_in_china(),
        violation=body["violation"],
        findings=body.get("findings"),
        category=body.get("category"),
        arrival=_arrival(body),
        checklist=body.get("checklist"),
        photos=tuple(read_uploads("photos", config["PHOTO_MAX_BYTES"], "照片")),
    )
    found, created = onsite.record(db.session(), current_user, source_id, entry, config["MEDIA_DIR"])
    return onsite.as_json(found), 201 if created else 200


def _arrival(body: dict) -> onsite.Arrival | None:
    if body.get("arrival_lon") is None or body.get("arrival_lat") is None or body.get("arrived_at") is None:
        return None
    return onsite.Arrival(body["arrived_at"], body["arrival_lon"], body["arrival_lat"], body.get("arrival_accuracy_m"))


@bp.get("/api/v1/inspections/due")
@capability_required("staff_pages")
@bp.alt_response(200, schema=schemas.Due, success=True, description="due and overdue inspections")
@bp.doc(security=_SESSION)
def due_api():
    """Due and overdue inspections in scope."""
    return dossier.due_json(db.session(), current_user)


@bp.get("/api/v1/lottery")
@bp.alt_response(200, schema=schemas.DrawSummary(many=True), success=True, description="every draw")
def lottery_list_api():
    """Public: every draw (quarter, seed, number of picks)."""
    return [{**d, "url": url_for("sources_api.lottery_api", draw_id=d["id"])} for d in draws.summaries(db.session())]


@bp.post("/api/v1/lottery")
@capability_required("run_lottery")
@bp.arguments(schemas.DrawRequest)
@bp.alt_response(201, schema=schemas.Draw, success=True, description="the draw, as published")
@bp.doc(security=_CSRF)
def lottery_run_api(body: dict):
    """Run a 双随机 draw (default: the next quarter); outside the draw window with ``override_reason``."""
    draw = draws.run_draw(
        db.session(),
        body.get("quarter"),
        by=current_user.username,
        seed=body.get("seed"),
        proportions={**current_profile().draw_proportions, **body.get("proportions", {})},
        per_source=body["per_source"],
        pool_roles=body["pool_roles"],
        departments=body["departments"],
        override_reason=body.get("override_reason"),
    )
    return draws.public_view(draw), 201


@bp.get("/api/v1/lottery/<int:draw_id>")
@bp.alt_response(200, schema=schemas.Draw, success=True, description="one draw")
def lottery_api(draw_id: int):
    """Public: one draw with its inputs and results, enough to re-run it."""
    return draws.published(db.session(), draw_id)
