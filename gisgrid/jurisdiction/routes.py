"""Pages of cross-boundary jurisdiction: events, one event, recording a case's event (JSON API: jurisdiction.api)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from gisgrid.auth.access import login_required
from gisgrid.auth.capabilities import capability_required
from gisgrid.db import db
from gisgrid.jurisdiction import rules, service
from gisgrid.jurisdiction.api import describe_event

bp = Blueprint("jurisdiction", __name__)


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
    return render_template("jurisdiction/event.html", event=describe_event(event_id))


@bp.get("/incidents/<int:incident_id>/jurisdiction")
@login_required
def record_page(incident_id: int):
    """Draw where the act occurs and where harm is observed, choose derivations, and see who has jurisdiction."""
    panel = service.for_case(db.session(), current_user, incident_id)
    return render_template("jurisdiction/record.html", panel=panel, incident_id=incident_id)
