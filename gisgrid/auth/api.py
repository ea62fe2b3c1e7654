"""JSON API of the login state (the login pages stay in auth.routes)."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields

from gisgrid.contract import Blueprint

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
