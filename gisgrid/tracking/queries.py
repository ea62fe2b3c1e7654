"""Reads of tracked items: scope filter, lists, overdue by level, the inbox hook ``waiting_for``."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session

from gisgrid import sqlfiles
from gisgrid.auth import capabilities, roles
from gisgrid.auth.service import sees_all
from gisgrid.clock import today_in_china
from gisgrid.grids import versions as grid_versions
from gisgrid.tracking.access import GRID_ROLES, is_owner, is_watcher
from gisgrid.tracking.models import ACTIVE_STATES, TrackedItem
from gisgrid.tracking.rules import PRIORITY_LABELS

VIEWS = ("all", "mine", "raised")
URGENCY = {"rapid": 1, "full": 2, "regular": 3}  # 0 is an overdue item, whatever its priority


def grid_chain(session: Session, code: str) -> list[str]:
    """The codes from the top grid down to ``code`` in the published version ([] for an unknown code)."""
    version = grid_versions.find_published(session)
    if version is None:
        return []
    row = session.execute(sqlfiles.statement("gisgrid.tracking", "grid_chain.sql"), {"v": version.id, "code": code})
    return list(row.scalar() or [])


def grid_names(session: Session, codes) -> dict[str, str]:
    """code → name of the published version's grids among ``codes``."""
    from gisgrid.grids.models import Grid

    version = grid_versions.find_published(session)
    if version is None or not codes:
        return {}
    stmt = select(Grid.code, Grid.name).where(Grid.version_id == version.id, Grid.code.in_(list(set(codes))))
    return dict(session.execute(stmt).all())


def scope_filter(user):
    """The SQL condition of ``access.can_view``: what this user may see."""
    if sees_all(user):
        return True
    mine = [TrackedItem.owner_user_id == user.id, TrackedItem.created_by_id == user.id]
    if user.role == roles.HANDLER and user.department_code:
        mine.append(TrackedItem.owner_department_code == user.department_code)
    if user.role in GRID_ROLES and user.grid_codes:
        codes = list(user.grid_codes)
        mine += [TrackedItem.chain.overlap(codes), TrackedItem.watcher_chain.overlap(codes)]
    return or_(*mine)


def _owned_by(user):
    if sees_all(user):
        return True
    owned = [TrackedItem.owner_user_id == user.id]
    if user.role == roles.HANDLER and user.department_code:
        owned.append(TrackedItem.owner_department_code == user.department_code)
    if user.role in GRID_ROLES and user.grid_codes:
        owned.append(TrackedItem.owner_grid_code.in_(list(user.grid_codes)))
    return or_(*owned)


def _raised_by(user):
    if sees_all(user):
        return true_if_any()
    grids = list(user.grid_codes) if user.role in GRID_ROLES else []
    return or_(TrackedItem.created_by_id == user.id, TrackedItem.watcher_grid_code.in_(grids) if grids else false())


def _watched_by(user):
    if sees_all(user):
        return true_if_any()
    watched = [TrackedItem.created_by_id == user.id]
    if capabilities.can(user, "open_supervision") and user.grid_codes:
        watched.append(TrackedItem.watcher_chain.overlap(list(user.grid_codes)))
    return or_(*watched)


def true_if_any():
    """A condition every row meets (the administrator raised nothing in particular but sees everything)."""
    return TrackedItem.id.is_not(None)


def list_items(session: Session, user, filters: dict, today: date, limit: int = 500) -> list[TrackedItem]:
    """Items the user may see, filtered by view (all/mine/raised), state, kind, priority, about, overdue, level."""
    stmt = select(TrackedItem).where(scope_filter(user))
    view = filters.get("view") or "all"
    if view == "mine":
        stmt = stmt.where(_owned_by(user))
    elif view == "raised":
        stmt = stmt.where(_raised_by(user))
    for key in ("state", "kind", "priority", "about_kind", "about_id"):
        if filters.get(key):
            stmt = stmt.where(getattr(TrackedItem, key) == filters[key])
    if filters.get("overdue"):
        stmt = stmt.where(TrackedItem.state.in_(ACTIVE_STATES), TrackedItem.due < today)
    if filters.get("level") is not None:
        stmt = stmt.where(TrackedItem.escalation_level == filters["level"])
    return list(session.scalars(stmt.order_by(TrackedItem.due, TrackedItem.id).limit(limit)))


def for_about(session: Session, user, about_kind: str, about_id) -> list[TrackedItem]:
    """The items about one thing (a case's 督办 chain), oldest first, as far as the user may see them."""
    stmt = select(TrackedItem).where(
        TrackedItem.about_kind == about_kind, TrackedItem.about_id == str(about_id), scope_filter(user)
    )
    return list(session.scalars(stmt.order_by(TrackedItem.id)))


def overdue_by_level(session: Session, user, today: date) -> list[dict]:
    """Per owner grid depth: active items, overdue ones and how far they escalated (the user's scope)."""
    depth = func.cardinality(TrackedItem.chain)
    late = and_(TrackedItem.state.in_(ACTIVE_STATES), TrackedItem.due < today)
    stmt = (
        select(
            depth.label("depth"),
            func.count().filter(TrackedItem.state.in_(ACTIVE_STATES)).label("active"),
            func.count().filter(late).label("overdue"),
            func.count().filter(late, TrackedItem.escalation_level >= 1).label("escalated"),
            func.coalesce(func.max(TrackedItem.escalation_level).filter(late), 0).label("max_level"),
        )
        .where(scope_filter(user))
        .group_by(depth)
        .order_by(depth)
    )
    return [dict(row._mapping) for row in session.execute(stmt)]


def _row(item: TrackedItem, user, today: date) -> dict | None:
    overdue = item.state in ACTIVE_STATES and item.due < today
    if item.state in ACTIVE_STATES and is_owner(user, item):
        what = "办理"
    elif item.state == "reported_done" and is_watcher(user, item):
        what = "验收"
    else:
        return None
    return {
        "kind": f"tracking.{item.kind}",
        "title": f"{PRIORITY_LABELS[item.priority]}·{what}：{item.title}",
        "url": f"/tracking/{item.id}",
        "due": item.due,
        "overdue": overdue,
        "urgency": 0 if overdue else URGENCY[item.priority],
    }


def waiting_for(session: Session, user, today: date | None = None) -> list[dict]:
    """The inbox hook: items waiting for ``user`` (to handle as owner, or to accept as watcher), most urgent first.

    Each row: kind (``tracking.<item kind>``), title, url, due (date), overdue (bool), urgency (0 overdue,
    1 迅速, 2 全程, 3 定期)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    today = today or today_in_china()
    # the SQL picks the candidates (mine to handle, or reported done and watched by me); access confirms each row
    mine = and_(TrackedItem.state.in_(ACTIVE_STATES), _owned_by(user))
    watched = and_(TrackedItem.state == "reported_done", _watched_by(user))
    stmt = select(TrackedItem).where(scope_filter(user), or_(mine, watched))
    rows = [_row(item, user, today) for item in session.scalars(stmt.order_by(TrackedItem.due))]
    return sorted((r for r in rows if r), key=lambda r: (r["urgency"], r["due"]))
