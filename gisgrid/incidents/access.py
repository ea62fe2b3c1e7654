"""Who may see and act on a case: grid scope by code chain, department for handlers."""

from __future__ import annotations

from gisgrid.auth import roles
from gisgrid.auth.service import in_scope, sees_all
from gisgrid.errors import Forbidden, NotFound, Unauthorized

GRID_ROLES = (roles.GRID_STAFF, roles.DISPATCHER, roles.GRID_LEADER)


def scope_codes(incident) -> list[str]:
    """The codes that put a case in a user's grid scope: its chain and its 重点监管单元网格.

    A unit grid lies inside its designating grid (checked at import and publication), so that
    supervising grid is already in the chain; a user assigned to the unit grid itself sees the
    unit grid's cases across the village lines it crosses.
    """
    return [*incident.grid_codes, *(incident.unit_grid_codes or ())]


def case_departments(incident) -> set[str]:
    """Departments involved in a case: responsible ones, joint sub-tasks and pending/accepted transfers."""
    depts = set(incident.department_codes or ())
    depts.update(t.department_code for t in incident.tasks)
    depts.update(t.to_department for t in incident.transfers if t.state in ("pending", "accepted"))
    return depts


def in_department(user, incident, departments=None) -> bool:
    """A handler of one of ``departments`` (default: the case's), within their grids if they have any."""
    if sees_all(user):
        return True
    if user.role != roles.HANDLER or user.department_code is None:
        return False
    wanted = case_departments(incident) if departments is None else set(departments)
    return user.department_code in wanted and (not user.grid_codes or in_scope(user, scope_codes(incident)))


def sent_it(user, incident) -> bool:
    """A handler of a department that transferred this case (not returned): it waits for the feedback."""
    if user.role != roles.HANDLER or user.department_code is None:
        return False
    sent = any(t.from_department == user.department_code and t.state != "returned" for t in incident.transfers)
    return sent and (not user.grid_codes or in_scope(user, incident.grid_codes))


def can_view(user, incident) -> bool:
    """Staff see the cases of their grids and departments; a public user sees their own reports."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if sees_all(user):
        return True
    if user.role in GRID_ROLES:
        return in_scope(user, scope_codes(incident))
    if user.role == roles.HANDLER:
        # the sending unit keeps reading the case (feedback, overdue) but no longer acts on it
        return in_department(user, incident) or sent_it(user, incident)
    return incident.reporter_user_id == user.id


def may_reveal(user, incident) -> bool:
    """May unmask the reporter (个人信息): the dispatcher of the case's grids or a handler of its departments.

    Nobody else, administrators neither: the others see 138****5678 (gisgrid/masking.py).
    """
    role = getattr(user, "role", None)
    if role == roles.DISPATCHER:
        return in_scope(user, scope_codes(incident))
    return role == roles.HANDLER and in_department(user, incident)


def require_view(user, incident) -> None:
    """Raise 401 (nobody logged in) or 403 unless the user may see the case."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise Unauthorized()
    if not can_view(user, incident):
        raise Forbidden("该案件不在您的网格或部门范围内 (case outside your grids or department)")


def require_grid_role(user, incident, allowed: tuple[str, ...]) -> None:
    """Raise Forbidden unless the user has one of ``allowed`` roles and the case is in their grids."""
    if sees_all(user):
        return
    if user.role not in allowed:
        raise Forbidden(f"当前角色（{user.role_label}）不能执行此操作 (role not allowed)")
    if not in_scope(user, scope_codes(incident)):
        raise Forbidden("该案件不在您的网格范围内 (case outside your grids)")


def require_handler(user, incident, departments=None) -> None:
    """Raise Forbidden unless the user is a handler of the given (default: the case's) departments."""
    if not in_department(user, incident, departments):
        raise Forbidden("该案件不属于您所在部门 (case not assigned to your department)")


def require_verifier(user, incident) -> None:
    """Raise Forbidden unless the user may verify the handled case on site (现场核实).

    A patrol case is verified by the supervisor who reported it; if that account was deactivated
    or deleted, a grid leader of the case's grids stands in. Public, hotline and Open311 cases are
    verified by grid staff of the case's grids.
    """
    if sees_all(user):
        return
    if incident.channel == "patrol":
        reporter = incident.reporter
        if reporter is not None and reporter.active:
            if user.id != reporter.id:
                raise Forbidden(
                    f"只有上报该案件的监督员（{reporter.display_name}）可以现场核实 (only the reporter verifies)"
                )
            return
        require_grid_role(user, incident, (roles.GRID_LEADER,))
        return
    require_grid_role(user, incident, (roles.GRID_STAFF,))


def not_found(incident_id) -> NotFound:
    """The one message for a missing case."""
    return NotFound(f"案件 {incident_id} 不存在 (no such case)")
