"""JSON endpoints: the in-app notifications, the bell's count, marking read, the user's preferences."""

from __future__ import annotations

from flask_login import current_user

from gisgrid.auth.access import login_required
from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.notifications import schemas as s
from gisgrid.notifications import service

bp = Blueprint("notifications_api", __name__, description="通知 (in-app notifications and preferences)")
_SESSION, _CSRF = [{"session": []}], [{"session": [], "csrf": []}]


@bp.get("/api/v1/notifications")
@login_required
@bp.arguments(s.ListArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=s.Listing, success=True, description="newest first, with the unread count")
@bp.doc(security=_SESSION)
def listing(limit: int, unread=None, before=None):
    """The logged-in user's in-app notifications, newest first."""
    return service.listing(db.session(), current_user, unread == "1", limit, before)


@bp.get("/api/v1/notifications/count")
@login_required
@bp.alt_response(200, schema=s.Count, success=True, description="the unread count")
@bp.doc(security=_SESSION)
def count():
    """The bell's number: unread in-app notifications."""
    return {"unread": service.unread_count(db.session(), current_user)}


@bp.post("/api/v1/notifications/<int:notification_id>/read")
@login_required
@bp.alt_response(200, schema=s.Marked, success=True, description="marked")
@bp.doc(security=_CSRF)
def read_one(notification_id: int):
    """Mark one notification read (404 for another user's)."""
    session = db.session()
    marked = service.mark_read(session, current_user, notification_id)
    return {"marked": marked, "unread": service.unread_count(session, current_user)}


@bp.post("/api/v1/notifications/read-all")
@login_required
@bp.alt_response(200, schema=s.Marked, success=True, description="marked")
@bp.doc(security=_CSRF)
def read_all():
    """Mark every notification of the user read."""
    session = db.session()
    marked = service.mark_read(session, current_user)
    return {"marked": marked, "unread": service.unread_count(session, current_user)}


@bp.get("/api/v1/notifications/preferences")
@login_required
@bp.alt_response(200, schema=s.StoredPreferences, success=True, description="the settings")
@bp.doc(security=_SESSION)
def get_preferences():
    """The user's channels, quiet hours and digest choice."""
    return service.preferences(db.session(), current_user)


@bp.put("/api/v1/notifications/preferences")
@login_required
@bp.arguments(s.Preferences, location="json")
@bp.alt_response(200, schema=s.StoredPreferences, success=True, description="the settings saved")
@bp.doc(security=_CSRF)
def put_preferences(values: dict):
    """Save the user's channels, address, quiet hours and digest choice."""
    return service.save_preferences(db.session(), current_user, values)
