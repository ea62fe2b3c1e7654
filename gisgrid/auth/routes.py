"""Login, logout and the change-password page."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from gisgrid.auth import logins, service
from gisgrid.auth.access import login_required
from gisgrid.auth.events import security_event
from gisgrid.auth.forms import LoginForm, PasswordForm
from gisgrid.db import db
from gisgrid.errors import InvalidInput
from gisgrid.extensions import login_manager

bp = Blueprint("auth", __name__)
_LOGIN_KEY = "login"


@login_manager.user_loader
def _load_user(user_id: str):
    max_age = timedelta(hours=current_app.config["SESSION_HOURS"])
    return logins.user_for(db.session(), int(user_id), session.get(_LOGIN_KEY), max_age)


def _safe_next(target: str | None) -> str:
    # only same-site paths: an open redirect would let a phishing link borrow our login page
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("public_map.index")


def _begin(user, keep: bool = False) -> None:
    # a fresh cookie: nothing planted in the session before login (fixation) survives it
    session.clear()
    login_user(user)
    session[_LOGIN_KEY] = logins.start(db.session(), user)
    # kept: a persistent cookie (PERMANENT_SESSION_LIFETIME = SESSION_HOURS), so a phone that closes the
    # browser between patrols stays logged in for the working day; the login row still ends it on time
    session.permanent = keep


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; on valid credentials log in and go to ``next``."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = service.authenticate(db.session(), form.username.data, form.password.data)
        tried = (form.username.data or "").strip()
        if user is not None:
            _begin(user, keep=bool(form.keep.data))
            security_event("login", user, request.remote_addr, tried, "success", session=db.session())
            return redirect(_safe_next(request.args.get("next")))
        security_event("login_failed", tried, request.remote_addr, tried, "failure", session=db.session())
        error = "用户名或密码错误"
    status = 401 if error else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
def logout():
    """Log out (POST with CSRF token, so a link on another site cannot log users out); the login ends for good."""
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        security_event("logout", user, request.remote_addr, user.username, "success", session=db.session())
    logins.revoke(db.session(), session.get(_LOGIN_KEY))
    logout_user()
    session.clear()
    return redirect(url_for("public_map.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password; every other login of the user ends, this browser gets a new one."""
    form = PasswordForm()
    error = None
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            service.change_password(db.session(), user, form.current.data, form.new.data)
        except InvalidInput as err:
            error = err.message
        else:
            _begin(user, keep=session.permanent)
            return redirect(url_for("auth.password", changed=1))
    status = 400 if error or form.errors else 200
    return render_template(
        "auth/password.html", form=form, error=error, changed=request.args.get("changed") == "1"
    ), status
