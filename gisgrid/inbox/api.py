"""JSON API of the 待办 list (for the phone app and other clients)."""

from __future__ import annotations

from flask_login import current_user

from gisgrid.auth.access import login_required
from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.inbox import schemas, service

bp = Blueprint("inbox_api", __name__, description="待办 (work inbox)")


@bp.get("/api/v1/inbox")
@login_required
@bp.alt_response(200, schema=schemas.Inbox, success=True, description="what waits for the user")
@bp.doc(security=[{"session": []}])
def inbox_api():
    """Everything waiting for the logged-in user across domains, most urgent first."""
    return service.inbox_json(db.session(), current_user)
