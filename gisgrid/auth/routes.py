"""Login (password, then the TOTP code when enrolled), logout, the change-password page and the session rules.

Before every request of a cookie login (a bearer-token request is no session and is not affected) the
session rules apply: a login idle longer than IDLE_MINUTES ends, and a forced step (a password change,
a TOTP enrolment) allows only the page that completes it.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from gisgrid import clock
from gisgrid.auth import lockout, logins, passwords, service, totp
from gisgrid.auth.access import login_required
from gisgrid.auth.events import security_event
from gisgrid.auth.forms import LoginForm, PasswordForm, TotpForm
from gisgrid.db import db
from gisgrid.errors import Forbidden, InvalidInput, wants_html
from gisgrid.extensions import login_manager
from gisgrid.tokens import bearer

bp = Blueprint("auth", __name__)
_LOGIN_KEY = "login"
_SEEN = "seen"  # time of the login's last request (epoch seconds): the idle timeout
_STEP = "forced_step"  # "password" or "totp": what must be done before anything else
_REASON = "forced_reason"
_PENDING = "pending_totp"  # the password was right; the TOTP code is still to come
_IDLE_OUT = "idle_out"
PENDING_SECONDS = 300
# the page that completes each forced step; these endpoints stay open during any step
STEP_PAGES = {"password": "auth.password", "totp": "auth.totp_page"}
ALWAYS_OPEN = {"static", "auth.logout", "auth.login", "auth.login_totp", "auth_api.me"}


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
    session[_SEEN] = clock.utc_now().timestamp()
    # kept: a persistent cookie (PERMANENT_SESSION_LIFETIME = SESSION_HOURS), so a phone that closes the
    # browser between patrols stays logged in for the working day; the login row still ends it on time
    session.permanent = keep


def _demo_password() -> str | None:
    # outside demo mode the published demo password is a known password: it must be changed
    from gisgrid.auth.demo import DEMO_PASSWORD

    return None if current_app.config.get("DEMO_MODE") else DEMO_PASSWORD


@bp.before_app_request
def _session_rules():
    """The idle timeout and the forced steps of a cookie login (bearer requests are not sessions)."""
    if _LOGIN_KEY not in session or request.endpoint == "static" or bearer.presented() is not None:
        return None
    now = clock.utc_now().timestamp()
    idle = float(current_app.config.get("IDLE_MINUTES", 30)) * 60
    seen = session.get(_SEEN)
    if idle > 0 and seen is not None and now - float(seen) > idle:
        return _idle_logout()
    session[_SEEN] = now
    return _forced_step()


def _idle_logout():
    logins.revoke(db.session(), session.get(_LOGIN_KEY))
    logout_user()
    session.clear()
    session[_IDLE_OUT] = 1
    if wants_html():  # back to the page after the new login (a form post cannot be replayed by a redirect)
        back = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=back))
    return None  # the request goes on without a user: a guarded API answers 401


def _forced_step():
    step = session.get(_STEP)
    if not step or request.endpoint in ALWAYS_OPEN or request.endpoint == STEP_PAGES[step]:
        return None
    if wants_html():
        return redirect(url_for(STEP_PAGES[step]))
    what = "修改密码" if step == "password" else "绑定动态验证码"
    raise Forbidden(f"请先{what}后再继续 (forced step: {step})")


def _finish(user, keep: bool, reason: str | None, next_url: str | None):
    """Complete a login whose factors all passed: record it, start the session, tell the last login."""
    last = lockout.record_success(db.session(), user)
    _begin(user, keep)
    security_event("login", user, request.remote_addr, user.username, "success", session=db.session())
    flash(last.message())
    return _after_login_steps(user, reason) or redirect(_safe_next(next_url))


def _failed(tried, err) -> None:
    """Record a refused login (wrong credentials or code, or a locked account) in the audit trail."""
    name = tried if isinstance(tried, str) or tried is None else tried.username
    name = (name or "").strip()
    result = "refused" if isinstance(err, service.AccountLocked) else "failure"
    security_event("login_failed", name, request.remote_addr, name, result, session=db.session())


def _after_login_steps(user, reason: str | None):
    if reason:
        session[_STEP], session[_REASON] = "password", reason
        return redirect(url_for("auth.password"))
    if totp.required(user) and not totp.enrolled(user):
        session[_STEP] = "totp"
        return redirect(url_for("auth.totp_page"))
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; on valid credentials log in (or ask for the TOTP code) and go to ``next``."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = service.check_login(db.session(), form.username.data, form.password.data)
        except service.LoginRefused as err:
            error = err.message
            _failed(form.username.data, err)
        else:
            reason = passwords.change_reason(user, form.password.data, _demo_password())
            keep, next_url = bool(form.keep.data), request.args.get("next")
            if not totp.enrolled(user):
                return _finish(user, keep, reason, next_url)
            session.clear()
            session[_PENDING] = {"user": user.id, "at": clock.utc_now().timestamp(), "keep": keep}
            session[_PENDING].update(reason=reason, next=next_url)
            return redirect(url_for("auth.login_totp"))
    idle_out = bool(session.pop(_IDLE_OUT, None))
    status = 401 if error else 200
    return render_template("auth/login.html", form=form, error=error, idle_out=idle_out), status


@bp.route("/login/totp", methods=["GET", "POST"])
def login_totp():
    """The second step of a login with TOTP: the 6-digit code of the authenticator app."""
    pending = session.get(_PENDING)
    if not pending or clock.utc_now().timestamp() - pending["at"] > PENDING_SECONDS:
        session.pop(_PENDING, None)
        return redirect(url_for("auth.login"))
    form, error = TotpForm(), None
    if form.validate_on_submit():
        try:
            user = service.check_second_factor(db.session(), pending["user"], form.code.data)
        except service.LoginRefused as err:
            error = err.message
            _failed(service.get_user(db.session(), pending["user"]), err)
        else:
            return _finish(user, pending["keep"], pending["reason"], pending["next"])
    return render_template("auth/totp_login.html", form=form, error=error), 401 if error else 200


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
            return _after_login_steps(user, None) or redirect(url_for("auth.password", changed=1))
    status = 400 if error or form.errors else 200
    changed = request.args.get("changed") == "1"
    reason = session.get(_REASON) if session.get(_STEP) == "password" else None
    return render_template("auth/password.html", form=form, error=error, changed=changed, reason=reason), status


def end_forced_step(step: str) -> None:
    """The forced ``step`` is done (called by the page that completes it)."""
    if session.get(_STEP) == step:
        session.pop(_STEP, None)
        session.pop(_REASON, None)


from gisgrid.auth import security_routes as _security_routes  # noqa: E402, F401  (its pages join this blueprint)
