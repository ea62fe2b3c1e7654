"""Login and logout pages."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from gisgrid.auth import service
from gisgrid.auth.forms import LoginForm
from gisgrid.db import db
from gisgrid.extensions import login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def _load_user(user_id: str):
    return service.get_user(db.session(), int(user_id))


def _safe_next(target: str | None) -> str:
    # only same-site paths: an open redirect would let a phishing link borrow our login page
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("public_map.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; on valid credentials log in and go to ``next``."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = service.authenticate(db.session(), form.username.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        error = "用户名或密码错误"
    status = 401 if error else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
def logout():
    """Log out (POST with CSRF token, so a link on another site cannot log users out)."""
    logout_user()
    return redirect(url_for("public_map.index"))


@bp.get("/api/v1/me")
def me():
    """The logged-in user (or ``{"user": null}``), for pages that adapt to the role."""
    if not current_user.is_authenticated:
        return {"user": None}
    u = current_user
    return {"user": {"username": u.username, "display_name": u.display_name, "role": u.role,
                     "role_label": u.role_label, "department": u.department_code,
                     "grid_codes": sorted(u.grid_codes)}}
