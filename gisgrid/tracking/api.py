"""JSON API of tracked items: list with filters, detail, actions, overdue by level, what waits for me."""

from __future__ import annotations

import json

from flask import Response, current_app
from flask_login import current_user

from gisgrid.auth.capabilities import capability_required
from gisgrid.clock import today_in_china
from gisgrid.contract import Blueprint
from gisgrid.contract.schemas import FeatureCollection
from gisgrid.db import db
from gisgrid.deployment import current_profile
from gisgrid.tracking import places, present, queries, service
from gisgrid.tracking import schemas as s
from gisgrid.web import read_uploads

bp = Blueprint("tracking_api", __name__, description="督办事项 (tracked items: 督办, decisions, rectifications)")
_SESSION, _CSRF = [{"session": []}], [{"session": [], "csrf": []}]


def files() -> tuple:
    """The attachments of a form post (``files``), read with the one upload reader (413 over the cap)."""
    return tuple(read_uploads("files", service.MAX_ATTACHMENT_BYTES, "附件"))


def level_rows(session, user, today) -> list[dict]:
    """Overdue by owner level, labelled with the profile's level names."""
    profile = current_profile()
    rows = queries.overdue_by_level(session, user, today)
    return [{**r, "level_label": profile.level_label(r["depth"])} for r in rows]


@bp.get("/api/v1/tracking/items")
@capability_required("staff_pages")
@bp.arguments(s.ListArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=s.ItemList, success=True, description="items in the user's scope")
@bp.doc(security=_SESSION)
def list_api(**filters):
    """Tracked items the user may see: ``view=mine`` (to do), ``raised`` (I watch), filters."""
    today = today_in_china()
    items = queries.list_items(db.session(), current_user, filters, today)
    return {"items": [present.summary(i, today) for i in items]}


@bp.get("/api/v1/tracking/map")
@capability_required("staff_pages")
@bp.arguments(s.ListArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=FeatureCollection, success=True, description="the listed items as points",
                 content_type="application/geo+json")  # fmt: skip
@bp.doc(security=_SESSION)
def map_api(**filters):
    """The items of the list (same filters) placed by their case, source or grid, else the owner's grid."""
    body = places.features(db.session(), current_user, filters, today_in_china())
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/geo+json")  # as documented


@bp.get("/api/v1/tracking/items/<int:item_id>")
@capability_required("staff_pages")
@bp.alt_response(200, schema=s.ItemDetail, success=True, description="the item with notes and escalations")
@bp.doc(security=_SESSION)
def detail_api(item_id: int):
    """One item: notes, attachments, escalations and the actions the user may take."""
    item = service.get_item(db.session(), current_user, item_id)
    return present.detail(item, current_user, today_in_china())


@bp.route(
    "/api/v1/tracking/items/<int:item_id>/actions/<action>",
    methods=["POST"],
    parameters=[{"in": "path", "name": "action", "schema": {"type": "string", "enum": list(service.MOVES)}}],
)
@capability_required("staff_pages")
@bp.arguments(s.TrackingActionBody, location="json_or_form", required=False)
@bp.alt_response(200, schema=s.ItemDetail, success=True, description="the item after the action")
@bp.doc(security=_CSRF)
def act_api(body: dict, item_id: int, action: str):
    """start, note, report_done (owner); accept, send_back (watcher); multipart ``files`` attach documents."""
    step = service.Step(action, body.get("text"), files(), body.get("due"))
    item = service.act(db.session(), current_user, item_id, step, current_app.config["MEDIA_DIR"])
    return present.detail(item, current_user, today_in_china())


@bp.get("/api/v1/tracking/overdue")
@capability_required("staff_pages")
@bp.alt_response(200, schema=s.OverdueByLevel, success=True, description="per owner grid level")
@bp.doc(security=_SESSION)
def overdue_api():
    """Active, overdue and escalated items per owner grid level (the user's scope)."""
    today = today_in_china()
    return {"today": today.isoformat(), "levels": level_rows(db.session(), current_user, today)}


@bp.get("/api/v1/tracking/waiting")
@capability_required("staff_pages")
@bp.alt_response(200, schema=s.WaitingList, success=True, description="the inbox rows of tracked items")
@bp.doc(security=_SESSION)
def waiting_api():
    """Items waiting for the user (owner to handle, watcher to accept), most urgent first."""
    rows = queries.waiting_for(db.session(), current_user)
    # the hook gives dates (for the inbox to sort); JSON carries them as ISO text, as the schema says
    return {"items": [{**r, "due": r["due"].isoformat() if r["due"] else None} for r in rows]}
