"""The 待办 page and the header badge every page shows."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask_login import current_user

from gisgrid.auth.access import login_required
from gisgrid.db import db
from gisgrid.inbox import service

bp = Blueprint("inbox", __name__)


@bp.get("/inbox")
@login_required
def inbox_page():
    """待办: everything waiting for me, most urgent first, each linking to where it is done."""
    session = db.session()
    return render_template(
        "inbox/index.html", entries=service.entries(session, current_user), counts=service.counts(session, current_user)
    )


def badge_count() -> int:
    """The header's 待办 count: one count per source, computed once per request (every page's header asks)."""
    if "inbox_count" not in g:
        g.inbox_count = sum(service.counts(db.session(), current_user).values())
    return g.inbox_count
