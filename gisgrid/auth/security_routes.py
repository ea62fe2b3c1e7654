"""Pages of the auth blueprint for the second factor (one's own TOTP) and the locked accounts (security admin)."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask_login import current_user

from gisgrid.auth import lockout, service, totp
from gisgrid.auth.access import login_required
from gisgrid.auth.capabilities import capability_required
from gisgrid.auth.forms import TotpForm
from gisgrid.auth.routes import bp, end_forced_step
from gisgrid.db import db, row_id
from gisgrid.errors import InvalidInput

_NEW_SECRET = "totp_new"  # the secret shown for enrolment, until a code proves the app has it


@bp.route("/account/totp", methods=["GET", "POST"])
@login_required
def totp_page():
    """One's second factor: enrol (QR code, secret, then a code) or see that it is on."""
    user = current_user._get_current_object()
    form, error = TotpForm(), None
    if not totp.enrolled(user) and form.validate_on_submit():
        try:
            totp.enrol(db.session(), user, session.get(_NEW_SECRET, ""), form.code.data)
        except InvalidInput as err:
            error = err.message
        else:
            session.pop(_NEW_SECRET, None)
            end_forced_step("totp")
            return redirect(url_for("auth.totp_page", enrolled=1))
    secret = None if totp.enrolled(user) else session.setdefault(_NEW_SECRET, totp.new_secret())
    return render_template(
        "auth/totp.html",
        form=form,
        error=error,
        secret=secret,
        uri=totp.uri(secret, user.username) if secret else None,
        qr=totp.qr_svg(secret, user.username) if secret else None,
        required=totp.required(user),
        enrolled_now=request.args.get("enrolled") == "1",
    ), (400 if error or form.errors else 200)


@bp.post("/account/totp/disable")
@login_required
def totp_disable():
    """Switch one's TOTP off with a current code (refused when the role requires it)."""
    form = TotpForm()
    if not form.validate_on_submit():
        raise InvalidInput("请输入 6 位动态验证码 (code is required)", {"field": "code"})
    service.disable_second_factor(db.session(), current_user._get_current_object(), form.code.data)
    return redirect(url_for("auth.totp_page"))


@bp.get("/security/lockouts")
@capability_required("security.lockouts")
def lockouts_page():
    """The accounts locked now after repeated failed logins, each with an unlock button."""
    return render_template(
        "auth/lockouts.html", users=lockout.locked_users(db.session()), china_time=lockout.china_time
    )


@bp.post("/security/lockouts/<user_id>/unlock")
@capability_required("security.lockouts")
def unlock(user_id: str):
    """End a lock before its time (the user called the security administrator)."""
    lockout.unlock(db.session(), row_id(user_id))
    return redirect(url_for("auth.lockouts_page", unlocked=1))
