"""Pages and JSON API of cross-boundary jurisdiction: record, resolve, link cases, dispute, designate, route."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user

from gisgrid import web
from gisgrid.auth.access import login_required
from gisgrid.auth.capabilities import capability_required
from gisgrid.db import db
from gisgrid.errors import InvalidInput
from gisgrid.jurisdiction import disputes, rivers, rules, service

bp = Blueprint("jurisdiction", __name__)


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("请求体须为 JSON 对象 (body must be a JSON object)")
    return data


def _event_json(event_id) -> dict:
    session = db.session()
    event, result = service.get_event(session, current_user, event_id)
    return service.describe(session, current_user, event, result)


@bp.get("/api/v1/incidents/<int:incident_id>/jurisdiction")
@login_required
def case_panel(incident_id: int):
    """The case's event with its resolution and map, or ``{"event": null}`` when none was recorded."""
    return jsonify(service.for_case(db.session(), current_user, incident_id))


@bp.put("/api/v1/incidents/<int:incident_id>/jurisdiction")
@login_required
def case_record(incident_id: int):
    """Record (or replace) where the act occurs and where harm is observed or derived, for this case."""
    event = service.record(db.session(), current_user, incident_id, _body())
    # a replaced event has been updated; a new one not yet
    return jsonify(_event_json(event.id)), 201 if event.updated_at is None else 200


@bp.post("/api/v1/jurisdiction/resolve")
@capability_required("view_jurisdiction")
def resolve_adhoc():
    """Resolve an act (and harm) against the published version, or the one in force ``at`` a date; stores nothing."""
    return jsonify(service.resolve_adhoc(db.session(), current_user, _body()))


@bp.get("/api/v1/jurisdiction/events")
@login_required
def events_json():
    """Events that involve the user's grids."""
    return jsonify({"events": service.list_events(db.session(), current_user)})


@bp.get("/api/v1/jurisdiction/events/<event_id>")
@login_required
def event_json(event_id):
    """One event: resolution, linked cases, disputes, map features and the actions allowed to the user."""
    return jsonify(_event_json(event_id))


@bp.post("/api/v1/jurisdiction/events/<event_id>/cases")
@login_required
def event_link(event_id):
    """Link another case about the same act (``{"incident_id": n}``)."""
    event = service.link_case(db.session(), current_user, event_id, _body().get("incident_id"))
    return jsonify(_event_json(event.id)), 201


@bp.delete("/api/v1/jurisdiction/events/<event_id>/cases/<incident_id>")
@login_required
def event_unlink(event_id, incident_id):
    """Take a wrongly linked case off the event."""
    event = service.unlink_case(db.session(), current_user, event_id, incident_id)
    return jsonify(_event_json(event.id))


@bp.post("/api/v1/jurisdiction/events/<event_id>/disputes")
@login_required
def event_dispute(event_id):
    """Raise a dispute (``parties``, ``reason``); the common superior grid is named to designate."""
    session = db.session()
    event, result = service.get_event(session, current_user, event_id)
    disputes.raise_dispute(session, current_user, event, result, _body())
    return jsonify(_event_json(event.id)), 201


@bp.post("/api/v1/jurisdiction/events/<event_id>/disputes/<dispute_id>/decision")
@login_required
def event_decide(event_id, dispute_id):
    """Designate jurisdiction (``designated``, ``reason``) as the common superior grid; cases follow."""
    session = db.session()
    event, result = service.get_event(session, current_user, event_id)
    disputes.decide(session, current_user, event, result, dispute_id, _body())
    return jsonify(_event_json(event.id))


@bp.post("/api/v1/jurisdiction/events/<event_id>/route")
@login_required
def event_route(event_id):
    """Send the event's open cases to the grid holding jurisdiction."""
    session = db.session()
    event, result = service.get_event(session, current_user, event_id)
    moved = disputes.route_cases(session, current_user, event, result)
    return jsonify({**_event_json(event.id), "routed": moved})


@bp.get("/api/v1/jurisdiction/rivers")
@login_required
def rivers_json():
    """The loaded river network as GeoJSON (``bbox=minlon,minlat,maxlon,maxlat`` to limit it)."""
    raw = request.args.get("bbox")
    return jsonify(rivers.network_geojson(db.session(), web.bbox(raw) if raw else None))


@bp.get("/jurisdiction")
@capability_required("view_jurisdiction")
def events_page():
    """Cross-boundary events of the user's grids, on a map and in a table."""
    return render_template(
        "jurisdiction/index.html", events=service.list_events(db.session(), current_user), rule_labels=rules.RULE_LABELS
    )


@bp.get("/jurisdiction/events/<int:event_id>")
@login_required
def event_page(event_id: int):
    """One event: jurisdiction panel, map, linked cases, disputes and the forms the user may use."""
    return render_template("jurisdiction/event.html", event=_event_json(event_id))


@bp.get("/incidents/<int:incident_id>/jurisdiction")
@login_required
def record_page(incident_id: int):
    """Draw where the act occurs and where harm is observed, choose derivations, and see who has jurisdiction."""
    panel = service.for_case(db.session(), current_user, incident_id)
    return render_template("jurisdiction/record.html", panel=panel, incident_id=incident_id)
