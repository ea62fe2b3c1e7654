"""Who sees and acts on a tracked item: its owner, its watcher chain and the leaders above, nobody else."""

from __future__ import annotations

from gisgrid.auth import capabilities, roles
from gisgrid.auth.service import in_scope, sees_all
from gisgrid.errors import Forbidden, NotFound, Unauthorized

GRID_ROLES = (roles.GRID_STAFF, roles.DISPATCHER, roles.GRID_LEADER)


def _logged_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def in_owner_department(user, item) -> bool:
    """A handler of the owning department."""
    return (
        bool(item.owner_department_code)
        and getattr(user, "role", None) == roles.HANDLER
        and (user.department_code == item.owner_department_code)
    )


def can_view(user, item) -> bool:
    """Owner (person, grid or department), anyone responsible above the owner grid, the watcher chain, the opener."""
    if not _logged_in(user):
        return False
    if sees_all(user) or user.id in (item.owner_user_id, item.created_by_id) or in_owner_department(user, item):
        return True
    # a grid role's scope: the owner grid or a grid above it; the watcher grid or a grid above it
    return user.role in GRID_ROLES and (in_scope(user, item.chain) or in_scope(user, item.watcher_chain))


def is_owner(user, item) -> bool:
    """May report progress and report the item done: the named person, the owner grid's staff, the department."""
    if sees_all(user) or user.id == item.owner_user_id or in_owner_department(user, item):
        return True
    return user.role in GRID_ROLES and item.owner_grid_code is not None and item.owner_grid_code in user.grid_codes


def is_watcher(user, item) -> bool:
    """May accept or send back: the opener, or whoever may open supervision at the watcher grid or above."""
    if sees_all(user) or user.id == item.created_by_id:
        return True
    return capabilities.can(user, "open_supervision") and in_scope(user, item.watcher_chain)


def require_view(user, item) -> None:
    """401 nobody logged in, 403 outside the item's scope."""
    if not _logged_in(user):
        raise Unauthorized()
    if not can_view(user, item):
        raise Forbidden("该督办事项不在您的网格或部门范围内 (item outside your grids or department)")


def not_found(item_id) -> NotFound:
    """The one message for a missing item."""
    return NotFound(f"督办事项 {item_id} 不存在 (no such tracked item)")
