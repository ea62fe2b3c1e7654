"""Optional second factor: TOTP (RFC 6238, 30-second steps, 6 digits) with pyotp; QR code with segno.

A code is accepted within one step either side (phone clocks drift) and only once: the step of the last
accepted code is stored, so a code seen over a shoulder cannot be replayed in the same half minute.
"""

from __future__ import annotations

import pyotp
import segno
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from gisgrid import clock
from gisgrid.auth.models import User
from gisgrid.db import unit_of_work
from gisgrid.errors import InvalidInput

STEP_SECONDS = 30


def new_secret() -> str:
    """A fresh base32 secret (160 bits)."""
    return pyotp.random_base32(32)


def uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app reads (from the QR code or typed in)."""
    issuer = current_app.config.get("TOTP_ISSUER", "gisgrid") if has_app_context() else "gisgrid"
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def qr_svg(secret: str, username: str) -> str:
    """The enrolment QR code as inline SVG markup (no script, no external image)."""
    return segno.make(uri(secret, username), error="m").svg_inline(scale=4, dark="#000", light="#fff")


def required(user: User) -> bool:
    """True when the deployment requires a second factor of ``user``'s role (GISGRID_TOTP_REQUIRED_ROLES)."""
    roles = current_app.config.get("TOTP_REQUIRED_ROLES", ()) if has_app_context() else ()
    return user.role in set(roles)


def enrolled(user: User) -> bool:
    """True when ``user`` has a second factor."""
    return bool(user.totp_secret)


def _matching_step(secret: str, code: str) -> int | None:
    code = (code or "").strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp, now = pyotp.TOTP(secret), clock.utc_now()
    step = int(now.timestamp()) // STEP_SECONDS
    for candidate in (step, step - 1, step + 1):
        if totp.at(candidate * STEP_SECONDS) == code:
            return candidate
    return None


def verify(session: Session, user: User, code: str) -> bool:
    """True (and the step recorded, so the code is spent) when ``code`` is ``user``'s current code; commits."""
    step = _matching_step(user.totp_secret or "", code) if user.totp_secret else None
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    with unit_of_work(session):
        user.totp_last_step = step
    return True


def enrol(session: Session, user: User, secret: str, code: str) -> None:
    """Turn on the second factor with ``secret`` once ``code`` proves the app has it; commits."""
    step = _matching_step(secret, code)
    if step is None:
        raise InvalidInput("验证码不正确，请核对手机时间后重试 (code: does not match the secret)", {"field": "code"})
    with unit_of_work(session):
        user.totp_secret = secret
        user.totp_last_step = step


def disable(session: Session, user: User) -> None:
    """Turn off the second factor (refused when the user's role requires it); commits."""
    if required(user):
        raise InvalidInput("您的角色必须使用动态验证码，不能关闭 (totp: required for this role)", {"field": "totp"})
    with unit_of_work(session):
        user.totp_secret = None
        user.totp_last_step = None
