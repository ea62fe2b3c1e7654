"""Pages: the notification list and the settings under the account."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from gisgrid.auth.access import login_required
from gisgrid.db import db
from gisgrid.notifications import service

bp = Blueprint("notifications", __name__)


@bp.get("/account/notifications")
@login_required
def list_page():
    """The user's notifications (newest first) with their settings form."""
    session = db.session()
    return render_template(
        "notifications/list.html",
        listing=service.listing(session, current_user, limit=100),
        prefs=service.preferences(session, current_user),
        saved=request.args.get("saved") == "1",
    )


@bp.post("/account/notifications/read")
@login_required
def read_page():
    """Mark one (``id``) or all notifications read, then show the list again."""
    service.mark_read(db.session(), current_user, request.form.get("id") or None)
    return redirect(url_for("notifications.list_page"))


@bp.post("/account/notifications/settings")
@login_required
def settings_page():
    """Save the settings form (checkboxes absent = off)."""
    form = request.form
    values = {key: form.get(key) == "on" for key in ("inapp", "email", "sms", "digest")}
    values.update({key: form.get(key) for key in ("email_address", "quiet_start", "quiet_end", "digest_hour")})
    service.save_preferences(db.session(), current_user, values)
    return redirect(url_for("notifications.list_page", saved=1))


def bell_count() -> int | None:
    """The header bell's number for the logged-in user (None when nobody is logged in or the database is away)."""
    if not current_user.is_authenticated:
        return None
    try:
        return service.unread_count(db.session(), current_user)
    except SQLAlchemyError:  # the error page must render even when the database is the error
        return None
