"""OGC API – Features Part 4 writes of a draft's 重点监管单元网格 (``draft-{id}-unit-grids``).

Each write is one call of the web editor's unit-grid service (``editor.units.save_unit`` / ``delete_unit``: its
transaction, row lock, inside-the-designating-grid check, the profile's designation rule, audit as the user),
behind the same token auth, scope, ETag/``If-Match``/``If-Unmodified-Since`` and body checks as the grid writes
of ogc/writes.py. A unit grid is an overlay: it never changes the tiling, and its ``level`` is that of the grid
designating it (``parent_code``), so it is never written from the body.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from gisgrid.editor import units
from gisgrid.editor.edits import ATTRIBUTES
from gisgrid.errors import Conflict, InvalidInput, PreconditionFailed
from gisgrid.grids import fields
from gisgrid.ogc import drafts, preconditions
from gisgrid.ogc.collections import Collection
from gisgrid.ogc.writes import (
    Write,
    as_feature,
    check_patch,
    geometry,
    properties,
    required_text,
    same_identity,
    stored,
    target,
    written,
)

# every property a unit grid is read with (no staff); the computed ones come back from clients and are ignored
KNOWN = (*fields.GRID_COLUMNS, "area_m2", "label_lon", "label_lat")


def create(session: Session, base: str, w: Write) -> tuple[dict, str]:
    """A new unit grid from a POSTed feature (code, name, parent_code, a polygon); as stored, and its ETag."""
    coll = target(session, w)
    feature = as_feature(w.body)
    props = properties(feature.get("properties"), KNOWN)
    code, parent = required_text(props, "code"), required_text(props, "parent_code")
    drafts.require_create(session, coll, w.user, code, parent)
    body = {k: v for k, v in props.items() if k in ATTRIBUTES}
    body.update(parent_code=parent, geometry=geometry(feature.get("geometry"), w.content_crs))
    _save(session, w, coll, code, body, None)
    return written(session, base, w, code)


def replace(session: Session, base: str, w: Write, code: str) -> str:
    """PUT: the unit grid becomes the feature sent (outline, designating grid, every field; absent ones cleared)."""
    coll = target(session, w)
    feature = as_feature(w.body)
    old = stored(session, w, coll, code)
    props = properties(feature.get("properties"), KNOWN)
    same_identity(props, old, code, feature.get("id"))
    body = {k: props.get(k, fields.BOOL_DEFAULTS.get(k)) for k in ATTRIBUTES}
    body.update(
        parent_code=_parent(session, w, coll, props, old), geometry=geometry(feature.get("geometry"), w.content_crs)
    )
    _save(session, w, coll, code, body, _lock(session, w, coll, old, code))
    return written(session, base, w, code)[1]


def update(session: Session, base: str, w: Write, code: str) -> str:
    """PATCH (JSON merge patch): the members sent change, null clears a field; a geometry replaces the outline."""
    coll = target(session, w)
    check_patch(w.body)
    old = stored(session, w, coll, code)
    props = properties(w.body.get("properties") or {}, KNOWN)
    same_identity(props, old, code, w.body.get("id"))
    body = {k: v for k, v in props.items() if k in ATTRIBUTES}
    if "parent_code" in props:
        body["parent_code"] = _parent(session, w, coll, props, old)
    if "geometry" in w.body:
        body["geometry"] = geometry(w.body["geometry"], w.content_crs)
    if body:
        _save(session, w, coll, code, body, _lock(session, w, coll, old, code))
    return written(session, base, w, code)[1]


def delete(session: Session, w: Write, code: str) -> None:
    """DELETE: the unit grid leaves the draft (the tiling is unchanged)."""
    coll = target(session, w)
    old = stored(session, w, coll, code)
    lock = _lock(session, w, coll, old, code)
    try:
        units.delete_unit(session, coll.draft_id, code, lock)
    except Conflict as err:
        raise _stale(err) from None


def _lock(session: Session, w: Write, coll: Collection, old: dict, code: str) -> int:
    """The unit grid's counter to quote, when the write's preconditions accept its current one (else 412)."""
    accepted = preconditions.base(session, coll, code, w.if_match, w.if_unmodified_since)
    return preconditions.current_lock(accepted, old["lock_version"], code)


def _parent(session: Session, w: Write, coll: Collection, props: dict, old: dict) -> str:
    """The designating grid after the write: required, and a new one must be in the user's scope too."""
    parent = props.get("parent_code", old["parent_code"])
    if not isinstance(parent, str) or not parent.strip():
        raise InvalidInput("parent_code: 单元网格必须由一个网格划定 (parent_code is required)")
    if parent.strip() != old["parent_code"]:
        drafts.require_create(session, coll, w.user, old["code"], parent.strip())
    return parent.strip()


def _save(session: Session, w: Write, coll: Collection, code: str, body: dict, lock: int | None) -> None:
    """The editor's save of one unit grid; its conflicts become 400 (a code taken) or 412 (changed meanwhile)."""
    if lock is not None:
        body = {**body, "lock_version": lock}
    try:
        units.save_unit(session, coll.draft_id, code, w.user.username, body, w.tolerance_m2, w.unit_depths)
    except Conflict as err:
        raise (InvalidInput(f"code: {err.message}") if lock is None else _stale(err)) from None


def _stale(err: Conflict) -> PreconditionFailed:
    return PreconditionFailed(f"If-Match 已过期：{err.message} (the feature changed since it was read; GET it again)")
