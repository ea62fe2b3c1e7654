"""Account administration pages: /admin/users and its three form actions (thin: parse, call one service)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from gisgrid.accounts import service
from gisgrid.auth import roles
from gisgrid.auth.capabilities import capability_required
from gisgrid.db import db

bp = Blueprint("accounts", __name__)


@bp.get("/admin/users")
def users_page():
    """Accounts with role and state; the controls each administrator may use."""
    users = service.listing(db.session(), current_user)
    return render_template(
        "accounts/index.html", users=users, labels=roles.LABELS, web_roles=service.WEB_ROLES, all_roles=roles.ALL
    )


@bp.post("/admin/users")
@capability_required("manage_accounts")
def create_user():
    """Create an account (system administrator)."""
    service.create(db.session(), current_user, request.form.to_dict(), request.remote_addr)
    return redirect(url_for("accounts.users_page"))


@bp.post("/admin/users/<username>/active")
@capability_required("manage_accounts")
def set_active(username: str):
    """Activate or deactivate an account (system administrator); form field ``active`` = 1 or 0."""
    active = request.form.get("active", "0") == "1"
    service.set_active(db.session(), current_user, username, active, request.remote_addr)
    return redirect(url_for("accounts.users_page"))


@bp.post("/admin/users/<username>/role")
@capability_required("assign_roles")
def set_role(username: str):
    """Change an account's role (security administrator)."""
    service.assign_role(db.session(), current_user, username, request.form.get("role", ""), request.remote_addr)
    return redirect(url_for("accounts.users_page"))
