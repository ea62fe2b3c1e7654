"""Who may see an event, record it, dispute it, designate, and route its cases."""

from __future__ import annotations

from gisgrid.auth import roles
from gisgrid.auth.service import in_scope, sees_all
from gisgrid.errors import DomainError, Forbidden, NotFound, Unauthorized
from gisgrid.incidents import access as case_access
from gisgrid.jurisdiction.resolve import Resolution

# staff of a grid record where the act occurs; its leaders and dispatchers dispute and route
RECORDERS = (roles.GRID_STAFF, roles.DISPATCHER, roles.GRID_LEADER)
ROUTERS = (roles.DISPATCHER, roles.GRID_LEADER)
DESIGNATORS = (roles.GRID_LEADER,)


def _logged_in(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise Unauthorized()


def chains(result: Resolution) -> list[tuple[str, ...]]:
    """Grid chains of every grid with jurisdiction or affected."""
    return [hit.chain for hit in result.jurisdiction + result.affected]


def can_view(user, event, result: Resolution) -> bool:
    """Staff of any grid involved (or above it) and any staff who may see one of its cases; never the public."""
    if user is None or not getattr(user, "is_authenticated", False) or user.role == roles.PUBLIC:
        return False
    if sees_all(user):
        return True
    if user.role in case_access.GRID_ROLES and any(in_scope(user, chain) for chain in chains(result)):
        return True
    return any(case_access.can_view(user, link.incident) for link in event.cases)


def require_view(user, event, result: Resolution) -> None:
    """401 for nobody, 403 unless the user may see the event."""
    _logged_in(user)
    if not can_view(user, event, result):
        raise Forbidden("该跨界事件不涉及您的网格 (event does not involve your grids)")


def _require_role(user, allowed: tuple[str, ...]) -> None:
    if not sees_all(user) and user.role not in allowed:
        raise Forbidden(f"当前角色（{user.role_label}）不能执行此操作 (role not allowed)")


def require_party(user, result: Resolution, codes, allowed: tuple[str, ...] = ROUTERS) -> None:
    """The user's role is allowed and one of the grids ``codes`` with jurisdiction (or a grid above it) is theirs."""
    _require_role(user, allowed)
    by_code = {hit.code: hit.chain for hit in result.jurisdiction}
    if not sees_all(user) and not any(in_scope(user, by_code.get(code, (code,))) for code in codes):
        raise Forbidden("只有有管辖权的网格（或其上级）可以执行此操作 (only a grid with jurisdiction may do this)")


def require_designator(user, deciding_chain: tuple[str, ...] | None) -> None:
    """A grid leader of the common superior grid (or above it); an admin when the parties share none."""
    _require_role(user, DESIGNATORS)
    if sees_all(user):
        return
    if not deciding_chain:
        raise Forbidden("争议双方没有共同的上级网格，须由系统管理员按上级政府的指定录入 (no common superior grid)")
    if not in_scope(user, deciding_chain):
        raise Forbidden(
            f"只有共同的上一级网格（{deciding_chain[-1]}）可以指定管辖 (only the common superior designates)"
        )


_KINDS = {"跨界事件": "event", "争议": "dispute", "关联案件": "linked case"}


def may(check) -> bool:
    """True when ``check()`` raises no domain error: what the pages offer is what the services allow."""
    try:
        check()
    except DomainError:
        return False
    return True


def not_found(kind: str, number) -> NotFound:
    """The one message for a missing event, dispute or linked case."""
    return NotFound(f"{kind} {number} 不存在 (no such {_KINDS[kind]})")
