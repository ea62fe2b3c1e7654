"""Account administration: who may see the list, create, (de)activate, change roles; each step audited."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gisgrid.audit import security
from gisgrid.auth import roles
from gisgrid.auth import service as accounts
from gisgrid.auth.capabilities import can, require
from gisgrid.auth.models import User
from gisgrid.db import unit_of_work
from gisgrid.errors import Forbidden, InvalidInput

# the system administrator creates business accounts; the three duties' accounts come from the command line
WEB_ROLES = tuple(r for r in roles.ALL if r not in roles.DUTIES)


def require_admin_pages(user) -> None:
    """The account list is for the system and the security administrator (401/403 otherwise)."""
    if can(user, "manage_accounts") or can(user, "assign_roles"):
        return
    require(user, "manage_accounts")


def listing(session: Session, user) -> list[User]:
    """Every account, for the system or security administrator."""
    require_admin_pages(user)
    return accounts.list_users(session)


def create(session: Session, by: User, form: dict, ip: str | None) -> User:
    """The system administrator creates a business account (role, grids, department); audited; commits."""
    require(by, "manage_accounts")
    role = form.get("role") or ""
    if role not in WEB_ROLES:
        raise InvalidInput(f"role：只能创建业务角色的账号 (role must be one of {', '.join(WEB_ROLES)})")
    grids = [c.strip() for c in (form.get("grids") or "").split(",") if c.strip()]
    with unit_of_work(session):
        user = accounts.create_user(
            session, form.get("username") or "", form.get("password") or "", role,
            display_name=form.get("display_name") or None, grid_codes=grids,
            department_code=form.get("department") or None,
        )  # fmt: skip
        security.record("permission", by, ip, user.username, "success", detail={"created": role}, session=session)
    return user


def set_active(session: Session, by: User, username: str, active: bool, ip: str | None) -> None:
    """The system administrator (de)activates an account, never their own; audited; commits."""
    require(by, "manage_accounts")
    if username == by.username:
        raise Forbidden("不能停用或启用自己的账号 (not one's own account)")
    with unit_of_work(session):
        accounts.set_active(session, username, active)
        detail = {"active": active}
        security.record("permission", by, ip, username, "success", detail=detail, session=session)


def assign_role(session: Session, by: User, username: str, role: str, ip: str | None) -> User:
    """The security administrator changes a role (see auth.service.assign_role); commits."""
    require(by, "assign_roles")
    return accounts.assign_role(session, by, username, role, ip)
