"""JSON API of cross-boundary jurisdiction: record, resolve, link cases, dispute, designate, route, rivers.

The pages (/jurisdiction, events, the recording map) stay in jurisdiction.routes, so they never enter the
API document. Bodies are declared in jurisdiction.schemas; the services judge geometries and derivations.
"""

from __future__ import annotations

from flask_login import current_user

from gisgrid.auth.access import login_required
from gisgrid.auth.capabilities import capability_required
from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.jurisdiction import disputes, rivers, schemas, service

bp = Blueprint("jurisdiction_api", __name__, description="跨界管辖 (cross-boundary jurisdiction)")
_EVENT = "/api/v1/jurisdiction/events/<event_id>"
_SESSION = [{"session": []}]
_CSRF = [{"session": [], "csrf": []}]


def describe_event(event_id) -> dict:
    """The event as the API and the event page show it (for the current user)."""
    session = db.session()
    event, result = service.get_event(session, current_user, event_id)
    return service.describe(session, current_user, event, result)


@bp.get("/api/v1/incidents/<int:incident_id>/jurisdiction")
@login_required
@bp.alt_response(200, schema=schemas.CasePanel, success=True, description="the case's event or null")
@bp.doc(security=_SESSION)
def case_panel(incident_id: int):
    """The case's event with its resolution and map, or ``{"event": null}`` when none was recorded."""
    return service.for_case(db.session(), current_user, incident_id)


@bp.put("/api/v1/incidents/<int:incident_id>/jurisdiction")
@login_required
@bp.arguments(schemas.RecordBody, location="json")
@bp.alt_response(200, schema=schemas.PollutionEvent, success=True, description="the event, replaced")
@bp.alt_response(201, schema=schemas.PollutionEvent, description="the event, recorded")
@bp.doc(security=_CSRF)
def case_record(body: dict, incident_id: int):
    """Record (or replace) where the act occurs and where harm is observed or derived, for this case."""
    event = service.record(db.session(), current_user, incident_id, body)
    # a replaced event has been updated; a new one not yet
    return describe_event(event.id), 201 if event.updated_at is None else 200


@bp.post("/api/v1/jurisdiction/resolve")
@capability_required("view_jurisdiction")
@bp.arguments(schemas.ResolveBody, location="json")
@bp.alt_response(200, schema=schemas.Resolved, success=True, description="the resolution; nothing stored")
@bp.doc(security=_CSRF)
def resolve_adhoc(body: dict):
    """Resolve an act (and harm) against the published version, or the one in force ``at`` a date; stores nothing."""
    return service.resolve_adhoc(db.session(), current_user, body)


@bp.get("/api/v1/jurisdiction/events")
@login_required
@bp.alt_response(200, schema=schemas.Events, success=True, description="events of the user's grids")
@bp.doc(security=_SESSION)
def events_json():
    """Events that involve the user's grids."""
    return {"events": service.list_events(db.session(), current_user)}


@bp.get(_EVENT)
@login_required
@bp.alt_response(200, schema=schemas.PollutionEvent, success=True, description="the event")
@bp.doc(security=_SESSION)
def event_json(event_id):
    """One event: resolution, linked cases, disputes, map features and the actions allowed to the user."""
    return describe_event(event_id)


@bp.post(_EVENT + "/cases")
@login_required
@bp.arguments(schemas.LinkBody, location="json")
@bp.alt_response(201, schema=schemas.PollutionEvent, success=True, description="the event with the case linked")
@bp.doc(security=_CSRF)
def event_link(body: dict, event_id):
    """Link another case about the same act (``{"incident_id": n}``)."""
    event = service.link_case(db.session(), current_user, event_id, body.get("incident_id"))
    return describe_event(event.id), 201


@bp.delete(_EVENT + "/cases/<incident_id>")
@login_required
@bp.alt_response(200, schema=schemas.PollutionEvent, success=True, description="the event without the case")
@bp.doc(security=_CSRF)
def event_unlink(event_id, incident_id):
    """Take a wrongly linked case off the event."""
    event = service.unlink_case(db.session(), current_user, event_id, incident_id)
    return describe_event(event.id)


@bp.post(_EVENT + "/disputes")
@login_required
@bp.arguments(schemas.DisputeBody, location="json")
@bp.alt_response(201, schema=schemas.PollutionEvent, success=True, description="the event with the open dispute")
@bp.doc(security=_CSRF)
def event_dispute(body: dict, event_id):
    """Raise a dispute (``parties``, ``reason``); the common superior grid is named to designate."""
    session = db.session()
    event, result = service.get_event(session, current_user, event_id)
    disputes.raise_dispute(session, current_user, event, result, body)
    return describe_event(event.id), 201


@bp.post(_EVENT + "/disputes/<dispute_id>/decision")
@login_required
@bp.arguments(schemas.DecisionBody, location="json")
@bp.alt_response(200, schema=schemas.PollutionEvent, success=True, description="the event, designated")
@bp.doc(security=_CSRF)
def event_decide(body: dict, event_id, dispute_id):
    """Designate jurisdiction (``designated``, ``reason``) as the common superior grid; cases follow."""
    session = db.session()
    event, result = service.get_event(session, current_user, event_id)
    disputes.decide(session, current_user, event, result, dispute_id, body)
    return describe_event(event.id)


@bp.post(_EVENT + "/route")
@login_required
@bp.alt_response(200, schema=schemas.Routed, success=True, description="the event; routed: cases moved")
@bp.doc(security=_CSRF)
def event_route(event_id):
    """Send the event's open cases to the grid holding jurisdiction."""
    session = db.session()
    event, result = service.get_event(session, current_user, event_id)
    moved = disputes.route_cases(session, current_user, event, result)
    return {**describe_event(event.id), "routed": moved}


@bp.get("/api/v1/jurisdiction/rivers")
@login_required
@bp.arguments(schemas.RiverArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.Rivers, success=True, description="river reaches")
@bp.doc(security=_SESSION)
def rivers_json(bbox=None):
    """The loaded river network as GeoJSON (``bbox=minlon,minlat,maxlon,maxlat`` to limit it)."""
    return rivers.network_geojson(db.session(), bbox)
