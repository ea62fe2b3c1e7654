"""The account page 我的 API 令牌: create (shown once), list and revoke one's own tokens."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from gisgrid.auth.access import login_required
from gisgrid.db import db, row_id
from gisgrid.errors import InvalidInput
from gisgrid.tokens import service

bp = Blueprint("tokens", __name__)


@bp.get("/account/tokens")
@login_required
def index():
    """One's own tokens (name, prefix, created, expires, last used, revoked)."""
    return _page()


@bp.post("/account/tokens")
@login_required
def create():
    """Create a token; the page shows it once."""
    raw_days = request.form.get("days", "")
    try:
        days = int(raw_days) if raw_days else None
    except ValueError:
        days = -1  # refused by the service, naming the field
    try:
        _row, token = service.create(db.session(), current_user, request.form.get("name", ""), days)
    except InvalidInput as err:
        return _page(error=err.message), 400
    return _page(new_token=token), 201


@bp.post("/account/tokens/<token_id>/revoke")
@login_required
def revoke(token_id: str):
    """Revoke one of one's own tokens."""
    service.revoke(db.session(), current_user, row_id(token_id))
    return redirect(url_for("tokens.index"))


def _page(new_token: str | None = None, error: str | None = None):
    tokens = service.list_for(db.session(), current_user)
    return render_template(
        "tokens/index.html",
        tokens=tokens,
        new_token=new_token,
        error=error,
        choices=service.EXPIRY_DAYS,
        now=datetime.now(UTC),
    )
