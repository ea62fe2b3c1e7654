"""JSON API of 督办, 督查 (with 通报) and 联席会议 (with decisions) at /api/v1/supervision/*."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from gisgrid.auth.capabilities import capability_required
from gisgrid.clock import today_in_china
from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.deployment import current_profile
from gisgrid.supervision import present, queries, service
from gisgrid.supervision import schemas as s
from gisgrid.tracking import present as item_present
from gisgrid.tracking import rules as tracking_rules
from gisgrid.tracking.schemas import ItemDetail

bp = Blueprint("supervision_api", __name__, description="督查督办与联席会议 (supervision: 督办, 督查, 联席会议)")
_SESSION, _CSRF = [{"session": []}], [{"session": [], "csrf": []}]


def rules() -> tracking_rules.Rules:
    """The engine's rules of the running app (deadlines per priority, escalation step)."""
    return tracking_rules.from_config(current_app.config)


@bp.post("/api/v1/supervision/duban")
@capability_required("open_supervision")
@bp.arguments(s.DubanBody, location="json_or_form")
@bp.alt_response(201, schema=ItemDetail, success=True, description="the new 督办 item")
@bp.doc(security=_CSRF)
def open_duban_api(body: dict):
    """Open a 督办 on a case, source, grid, department or transfer (leaders and the 领导小组办公室)."""
    today = today_in_china()
    item = service.open_duban(db.session(), current_user, body, current_profile(), rules(), today)
    return item_present.detail(item, current_user, today), 201


@bp.get("/api/v1/supervision/checks")
@capability_required("staff_pages")
@bp.alt_response(200, schema=s.CheckList, success=True, description="checks of the user's grids and below")
@bp.doc(security=_SESSION)
def checks_api():
    """督查 records the user may see."""
    session, today = db.session(), today_in_china()
    rows = queries.list_checks(session, current_user)
    return {"checks": [present.check(session, current_user, r, today) for r in rows]}


@bp.post("/api/v1/supervision/checks")
@capability_required("run_checks")
@bp.arguments(s.CheckBody, location="json")
@bp.alt_response(201, schema=s.CheckOut, success=True, description="the recorded check")
@bp.doc(security=_CSRF)
def create_check_api(body: dict):
    """Record a 督查 of a lower grid; its template items are computed from the data first."""
    session, today = db.session(), today_in_china()
    row = service.create_check(session, current_user, body, rules(), today)
    return present.check(session, current_user, row, today), 201


@bp.get("/api/v1/supervision/checks/<int:check_id>")
@capability_required("staff_pages")
@bp.alt_response(200, schema=s.CheckOut, success=True, description="one check")
@bp.doc(security=_SESSION)
def check_api(check_id: int):
    """One 督查 record with its rectification items."""
    session = db.session()
    row = service.get_check(session, current_user, check_id)
    return present.check(session, current_user, row, today_in_china())


@bp.post("/api/v1/supervision/checks/<int:check_id>/publish")
@capability_required("run_checks")
@bp.arguments(s.BulletinPublishBody, location="json_or_form", required=False)
@bp.alt_response(200, schema=s.CheckOut, success=True, description="the check")
@bp.doc(security=_CSRF)
def publish_check_api(body: dict, check_id: int):
    """Publish (``public=true``) or withdraw the check's 通报 on the public site."""
    session = db.session()
    row = service.set_public(session, current_user, check_id, body.get("public", True))
    return present.check(session, current_user, row, today_in_china())


@bp.get("/api/v1/supervision/meetings")
@capability_required("staff_pages")
@bp.alt_response(200, schema=s.MeetingList, success=True, description="meetings and the next one due")
@bp.doc(security=_SESSION)
def meetings_api():
    """联席会议 of the user's grids, and when the next is due by the profile's period."""
    session, today = db.session(), today_in_china()
    rows = queries.list_meetings(session, current_user)
    period = current_profile().joint_meeting_period
    next_due = queries.next_meeting_due(rows[0].held_on if rows else None, period, today)
    return {
        "period": period,
        "next_due": next_due.isoformat() if next_due else None,
        "meetings": [present.meeting(session, current_user, r, today) for r in rows],
    }


@bp.post("/api/v1/supervision/meetings")
@capability_required("run_meetings")
@bp.arguments(s.MeetingBody, location="json")
@bp.alt_response(201, schema=s.MeetingOut, success=True, description="the recorded meeting")
@bp.doc(security=_CSRF)
def create_meeting_api(body: dict):
    """Record a 联席会议; each decision becomes a tracked item."""
    session, today = db.session(), today_in_china()
    row = service.create_meeting(session, current_user, body, current_profile(), rules(), today)
    return present.meeting(session, current_user, row, today), 201


@bp.get("/api/v1/supervision/meetings/<int:meeting_id>")
@capability_required("staff_pages")
@bp.alt_response(200, schema=s.MeetingOut, success=True, description="one meeting")
@bp.doc(security=_SESSION)
def meeting_api(meeting_id: int):
    """One meeting with its decisions and their state."""
    session = db.session()
    row = queries.get_meeting(session, current_user, meeting_id)
    return present.meeting(session, current_user, row, today_in_china())


@bp.post("/api/v1/supervision/meetings/<int:meeting_id>/decisions")
@capability_required("run_meetings")
@bp.arguments(s.MeetingDecisionBody, location="json")
@bp.alt_response(201, schema=ItemDetail, success=True, description="the decision item")
@bp.doc(security=_CSRF)
def add_decision_api(body: dict, meeting_id: int):
    """Add a 决定事项 to a recorded meeting."""
    session, today = db.session(), today_in_china()
    row = queries.get_meeting(session, current_user, meeting_id)
    item = service.add_decision(session, current_user, row, body, current_profile(), rules(), today)
    return item_present.detail(item, current_user, today), 201
