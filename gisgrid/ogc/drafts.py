"""Draft collections of /ogc (OGC API – Features Part 4): who sees them, who may write which feature, ETags.

A planner (capability ``edit_grids``) sees every open draft as ``draft-{id}-grids`` (and, when it has some,
its 重点监管单元网格 as ``draft-{id}-unit-grids``), as the web editor lists them; anonymous callers and other
roles see the published collections only, and asking for a draft is 401 / 403. Writing a feature also needs
the grid in the planner's scope: the feature (or, for a new grid, its parent; for a unit grid, the grid
designating it) or one of its ancestors is one of the planner's grids (an admin's scope is everything).
The ETag of a draft feature is the editor's lock counter of that grid, so ``If-Match`` is the editor's
optimistic lock (the web editor's ``base``), and a stale one is 412 (ogc/preconditions.py reads the header).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth import capabilities
from gisgrid.auth.service import in_scope, sees_all
from gisgrid.editor import queries as editor_queries
from gisgrid.errors import Forbidden, MethodNotAllowed, NotFound
from gisgrid.grids import queries as grid_queries
from gisgrid.grids.models import UnitGrid
from gisgrid.ogc import collections as colls
from gisgrid.ogc import queries

READ_ONLY = ("GET", "HEAD", "OPTIONS")
ITEMS_WRITABLE = ("GET", "HEAD", "POST", "OPTIONS")
ITEM_WRITABLE = ("GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS")


def visible(user) -> bool:
    """Whether ``user`` sees draft collections at all (a planner or the admin)."""
    return capabilities.can(user, "edit_grids")


def listed(session: Session, user) -> list[colls.Collection]:
    """The draft collections ``user`` sees in /collections, newest draft first (none for anonymous callers)."""
    if not visible(user):
        return []
    drafts = editor_queries.drafts(session)
    with_units = set(
        session.scalars(select(UnitGrid.version_id).distinct().where(UnitGrid.version_id.in_([d.id for d in drafts])))
    )
    # a draft's unit grids are listed when it has some (as the published unit-grids); a client may still POST
    # the first one to draft-{id}-unit-grids, which resolves for every open draft
    return [
        c for d in drafts for c in (colls.draft(d.id), colls.draft(d.id, unit=True)) if not c.unit or d.id in with_units
    ]


def resolve(session: Session, collection_id: str, user) -> colls.Collection:
    """A published collection, or a draft's for a planner (401 anonymous, 403 other roles, 404 no such draft)."""
    draft_id = colls.draft_id(collection_id)
    if draft_id is None:
        return colls.resolve(collection_id)
    capabilities.require(user, "edit_grids")
    version = grid_queries.get_version(session, draft_id)
    if version is None or version.status != "draft":
        raise NotFound(f"没有草稿集合 {collection_id[:60]}（草稿不存在或已发布）(no such draft collection)")
    return colls.draft(draft_id, unit=colls.is_draft_unit(collection_id))


def refuse_published(collection_id: str) -> None:
    """405 (with Allow) for a write to a published collection: it is never writable, whoever asks."""
    if colls.draft_id(collection_id) is None and any(c.id == collection_id for c in colls.PUBLISHED):
        raise MethodNotAllowed(
            f"集合 {collection_id} 为已发布数据，只读；请编辑草稿集合 draft-{{id}}-grids "
            "(published collections are read-only; edit a draft collection)",
            READ_ONLY,
        )


def may_edit(session: Session, coll: colls.Collection, user, code: str) -> bool:
    """Whether ``user`` may change feature ``code`` of the draft: a grid when it or an ancestor is in their scope,
    a unit grid when its designating grid (``parent_code``) is."""
    grid = _unit_parent(session, coll.draft_id, code) if coll.unit else code
    return grid is not None and _may_edit_grid(session, coll.draft_id, user, grid)


def _may_edit_grid(session: Session, draft_id: int, user, code: str) -> bool:
    if not capabilities.can(user, "edit_grids"):
        return False
    return sees_all(user) or in_scope(user, queries.chain_codes(session, draft_id, code))


def _unit_parent(session: Session, draft_id: int, code: str) -> str | None:
    """The grid that designates unit grid ``code`` of the draft (None: no such unit grid)."""
    return session.scalar(select(UnitGrid.parent_code).where(UnitGrid.version_id == draft_id, UnitGrid.code == code))


def require_edit(session: Session, coll: colls.Collection, user, code: str) -> None:
    """403 unless ``user`` may change feature ``code`` of the draft (a grid, or a unit grid by its designating grid)."""
    if not may_edit(session, coll, user, code):
        raise _outside(code)


def _outside(code: str) -> Forbidden:
    return Forbidden(
        f"网格 {code[:64]} 不在您的管辖范围内，不能编辑 (grid {code[:64]} is outside your grids)", {"code": code[:64]}
    )


def require_create(session: Session, coll: colls.Collection, user, code: str, parent: str | None) -> None:
    """403 unless ``user`` may add grid ``code`` under ``parent``: the parent is theirs to edit, or, for a
    top-level grid (no parent), the new code itself is one of their grids (an admin may add anywhere)."""
    if parent is not None:  # a grid's parent, or the grid designating a unit grid
        if not _may_edit_grid(session, coll.draft_id, user, parent):
            raise _outside(parent)
    elif not (capabilities.can(user, "edit_grids") and in_scope(user, [code])):
        raise Forbidden(
            f"未给出 parent_code：只有管理员或负责网格 {code[:64]} 的规划人员可以新建最上层网格 "
            f"(no parent_code: a top-level grid is added by the admin or by the planner of {code[:64]})",
            {"code": code[:64]},
        )


def may_create(user) -> bool:
    """Whether ``user`` could add a grid anywhere (a planner with grids, or the admin): POST in Allow."""
    return capabilities.can(user, "edit_grids") and (sees_all(user) or bool(user.grid_codes))


def etag(coll: colls.Collection, lock: int) -> str:
    """The strong ETag of a draft feature: the draft and the editor's lock counter of the grid."""
    return f'"v{coll.draft_id}-{lock}"'
