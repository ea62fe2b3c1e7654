"""JSON API of the login state and of the locked accounts (the login pages stay in auth.routes)."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields

from gisgrid.auth import lockout
from gisgrid.auth.capabilities import capability_required
from gisgrid.auth.schemas import LockedAccount
from gisgrid.clock import china_iso
from gisgrid.contract import Blueprint
from gisgrid.db import db, row_id

bp = Blueprint("auth_api", __name__, description="登录状态 (who am I)")


class User(Schema):
    """The logged-in user as pages need it to adapt to the role."""

    username = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True)
    role_label = fields.String(required=True)
    department = fields.String(required=True, allow_none=True)
    grid_codes = fields.List(fields.String(), required=True)


class Me(Schema):
    """``{"user": null}`` when nobody is logged in."""

    user = fields.Nested(User, required=True, allow_none=True)


@bp.get("/api/v1/me")
@bp.alt_response(200, schema=Me, success=True, description="the user, or null")
@bp.doc(security=[{}, {"session": []}])
def me():
    """The logged-in user (or ``{"user": null}``), for pages that adapt to the role."""
    if not current_user.is_authenticated:
        return {"user": None}
    u = current_user
    return {
        "user": {
            "username": u.username,
            "display_name": u.display_name,
            "role": u.role,
            "role_label": u.role_label,
            "department": u.department_code,
            "grid_codes": sorted(u.grid_codes),
        }
    }


def _locked_json(user) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "last_failed_at": china_iso(user.last_failed_at),
        "locked_until": china_iso(user.locked_until),
    }


@bp.get("/api/v1/security/lockouts")
@capability_required("security.lockouts")
@bp.alt_response(200, schema=LockedAccount(many=True), success=True, description="the accounts locked now")
@bp.doc(security=[{"session": []}])
def lockouts_api():
    """The accounts locked now after repeated failed logins (the security administrator's list)."""
    return [_locked_json(u) for u in lockout.locked_users(db.session())]


@bp.post("/api/v1/security/lockouts/<user_id>/unlock")
@capability_required("security.lockouts")
@bp.alt_response(200, schema=LockedAccount, success=True, description="the account, no longer locked")
@bp.doc(security=[{"session": [], "csrf": []}])
def unlock_api(user_id: str):
    """End an account's lock before its time."""
    return _locked_json(lockout.unlock(db.session(), row_id(user_id)))
