"""OGC API – Features Part 4 writes into a draft: a GeoJSON feature becomes the web editor's own edits.

Nothing here writes a draft table: every write is ``editor.edits.apply_steps`` (one transaction, the
editor's topology rules, parent recomputation, lock counters, audit as the user). POST is ``create`` (then
``attributes``), PUT is ``reparent`` (when the parent changes), ``reshape`` and ``attributes`` with every
field (an absent one is cleared), PATCH (JSON merge patch) only the steps its members ask for, DELETE is
``delete`` (the area stays uncovered, a gap the validation report shows until it is given to a neighbour).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from shapely.geometry import mapping
from sqlalchemy.orm import Session

from gisgrid.auth import capabilities
from gisgrid.editor import edits, shapes
from gisgrid.editor.workset import DuplicateCode, StaleLock
from gisgrid.errors import InvalidInput, NotFound, PreconditionFailed
from gisgrid.grids import fields
from gisgrid.ogc import collections as colls
from gisgrid.ogc import crs, drafts, preconditions, queries, service
from gisgrid.ogc.collections import Collection

EDITABLE = (*fields.EDITABLE, "staff")
# every property a feature is read with; the computed ones (area_m2, label_*, sample_data) and the identity
# (code, level) come back from GIS clients as read and are never written from the body
KNOWN = (*fields.GRID_COLUMNS, "staff", "area_m2", "label_lon", "label_lat")


@dataclass(frozen=True)
class Write:
    """One write request, parsed by the route: who, into which collection, the body and its headers."""

    user: object
    collection_id: str
    body: object = None
    if_match: str | None = None
    content_crs: str | None = None
    if_unmodified_since: str | None = None
    tolerance_m2: float = 1.0  # unit grids: the topology tolerance and the profile's designating levels
    unit_depths: tuple[int, ...] = ()


def target(session: Session, w: Write) -> Collection:
    """The draft collection written to: 405 for a published one, then 401/403 by role, 404 for no such draft."""
    drafts.refuse_published(w.collection_id)
    capabilities.require(w.user, "edit_grids")  # before any lookup: anonymous is 401 whatever the id
    return drafts.resolve(session, w.collection_id, w.user)


def allow(session: Session, user, collection_id: str, code: str | None = None) -> tuple[str, ...]:
    """The methods ``user`` may use on a collection's items URL (``code`` None) or on one item (OPTIONS, Allow)."""
    if colls.draft_id(collection_id) is None:
        colls.resolve(collection_id)  # 404 for an unknown collection
        return drafts.READ_ONLY
    coll = drafts.resolve(session, collection_id, user)
    if code is None:
        return drafts.ITEMS_WRITABLE if drafts.may_create(user) else drafts.READ_ONLY
    current(session, coll, code)
    return drafts.ITEM_WRITABLE if drafts.may_edit(session, coll, user, code) else drafts.READ_ONLY


def written(session: Session, base: str, w: Write, code: str) -> tuple[dict, str]:
    """The feature as stored after a write, and its new ETag."""
    doc, _, tag = service.item(session, base, w.collection_id, code, None, None, w.user)
    return doc, tag


def current(session: Session, coll: Collection, code: str) -> dict:
    """The stored feature row of ``code`` (every field, staff, lock counter), else 404."""
    rows, _ = queries.features(session, coll, coll.draft_id, [coll.view.c.code == code], crs.by_uri(None), 1, 0)
    if not rows:
        raise NotFound(f"草稿中没有网格 {code[:64]} (no feature {code[:64]} in this draft)")
    return rows[0]


def create(session: Session, base: str, w: Write) -> tuple[dict, str]:
    """A new grid from a POSTed feature (code, name, a polygon, and parent_code unless it is a top-level grid);
    the grid as stored and its ETag."""
    coll = target(session, w)
    feature = as_feature(w.body)
    props = properties(feature.get("properties"))
    code, parent = required_text(props, "code"), optional_text(props, "parent_code")
    drafts.require_create(session, coll, w.user, code, parent)
    step = {"op": "create", "code": code, "name": required_text(props, "name"), "parent_code": parent}
    if props.get("level") is not None:  # checked by the editor: the top level without a parent, else parent's + 1
        step["level"] = props["level"]
    step["geometry"] = geometry(feature.get("geometry"), w.content_crs)
    rest = {k: v for k, v in props.items() if k in EDITABLE and k != "name"}
    steps = [step] + ([{"op": "attributes", "code": code, "values": _values(rest)}] if rest else [])
    _apply(session, w, coll, steps, {})
    return written(session, base, w, code)


def replace(session: Session, base: str, w: Write, code: str) -> str:
    """PUT: the grid becomes the feature sent (outline, parent, every editable field; absent fields cleared);
    returns the new ETag."""
    coll = target(session, w)
    feature = as_feature(w.body)
    old = stored(session, w, coll, code)
    props = properties(feature.get("properties"))
    same_identity(props, old, code, feature.get("id"))
    values = {k: props.get(k, fields.BOOL_DEFAULTS.get(k)) for k in EDITABLE}
    steps = _reparent(session, w, coll, props, old, code)
    steps += [
        {"op": "reshape", "code": code, "geometry": geometry(feature.get("geometry"), w.content_crs)},
        {"op": "attributes", "code": code, "values": _values(values)},
    ]
    _apply(session, w, coll, steps, {code: _base(session, w, coll, code)})
    return written(session, base, w, code)[1]


def update(session: Session, base: str, w: Write, code: str) -> str:
    """PATCH (JSON merge patch): the members sent change, null clears a field; a geometry reshapes the grid;
    returns the new ETag."""
    coll = target(session, w)
    check_patch(w.body)
    old = stored(session, w, coll, code)
    props = properties(w.body.get("properties") or {})
    same_identity(props, old, code, w.body.get("id"))
    steps = _reparent(session, w, coll, props, old, code)
    if "geometry" in w.body:
        steps.append({"op": "reshape", "code": code, "geometry": geometry(w.body["geometry"], w.content_crs)})
    values = {k: v for k, v in props.items() if k in EDITABLE}
    if values:
        steps.append({"op": "attributes", "code": code, "values": _values(values)})
    if steps:
        _apply(session, w, coll, steps, {code: _base(session, w, coll, code)})
    return written(session, base, w, code)[1]


def delete(session: Session, w: Write, code: str) -> None:
    """DELETE: the leaf grid leaves the draft; its area stays uncovered (the validation report shows the gap)."""
    coll = target(session, w)
    stored(session, w, coll, code)
    _apply(session, w, coll, [{"op": "delete", "code": code}], {code: _base(session, w, coll, code)})


def check_patch(body) -> None:
    """400 unless ``body`` is a JSON merge patch of a feature (type, id, properties, geometry, links)."""
    if not isinstance(body, dict) or not body:
        raise InvalidInput("请求体应为 JSON 合并补丁对象 (body must be a JSON merge patch object)")
    unknown = set(body) - {"type", "id", "properties", "geometry", "links"}
    if unknown:
        raise InvalidInput(f"未知的成员：{', '.join(sorted(unknown))[:200]} (unknown members)")


def stored(session: Session, w: Write, coll: Collection, code: str) -> dict:
    """The stored feature ``code`` the write changes: 404 when absent, then 403 unless the user may edit it."""
    row = current(session, coll, code)  # 404 before 403: the planner sees the draft's grids anyway
    drafts.require_edit(session, coll, w.user, code)
    return row


def _apply(session: Session, w: Write, coll: Collection, steps: list[dict], base: dict) -> None:
    """The editor's edits in one transaction; a stale lock is 412, a code already used is 400."""
    try:
        edits.apply_steps(session, coll.draft_id, w.user.username, steps, base)
    except StaleLock as err:
        raise PreconditionFailed(
            f"If-Match 已过期：{err.message} (the feature changed since it was read; GET it again)", err.details
        ) from None
    except DuplicateCode as err:
        raise InvalidInput(f"code: {err.message}") from None


def _base(session: Session, w: Write, coll: Collection, code: str):
    """The lock counters the write's preconditions accept for ``code`` (412 when If-Unmodified-Since fails)."""
    return preconditions.base(session, coll, code, w.if_match, w.if_unmodified_since)


def _reparent(session: Session, w: Write, coll: Collection, props: dict, old: dict, code: str) -> list[dict]:
    parent = props.get("parent_code", old["parent_code"])
    if parent == old["parent_code"]:
        return []
    if not isinstance(parent, str) or not parent.strip():
        raise InvalidInput("parent_code: 不能清空上级网格 (parent_code cannot be removed)")
    drafts.require_edit(session, coll, w.user, parent)
    return [{"op": "reparent", "code": code, "parent_code": parent}]


def as_feature(body) -> dict:
    """The body as a GeoJSON Feature, or 400."""
    if not isinstance(body, dict) or body.get("type") != "Feature":
        raise InvalidInput('请求体应为 GeoJSON Feature（"type": "Feature"）(body must be a GeoJSON Feature)')
    return body


def properties(props, known: tuple = KNOWN) -> dict:
    """The properties object of a feature; 400 naming any property the collection does not have."""
    if not isinstance(props, dict):
        raise InvalidInput("properties 应为对象 (properties must be an object)")
    unknown = set(props) - set(known)
    if unknown:
        raise InvalidInput(
            f"properties: 未知的字段 {', '.join(sorted(unknown))[:200]} (unknown properties; see the queryables)"
        )
    return props


def same_identity(props: dict, old: dict, code: str, fid) -> None:
    """code and level are the grid's identity: sent back unchanged or not at all."""
    if fid is not None and str(fid) != code:
        raise InvalidInput(f"id: 应为 {code[:64]} (the id cannot change)")
    for key in ("code", "level"):  # null: not sent (a GIS client sends every field, empty ones as null)
        if props.get(key) is not None and str(props[key]) != str(old[key]):
            raise InvalidInput(f"{key}: 不能修改（当前为 {old[key]}）({key} cannot change)")


def required_text(props: dict, key: str) -> str:
    """A text property that must be given (400 naming it otherwise), stripped."""
    value = props.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"properties.{key}: 必填 ({key} is required)")
    return value.strip()


def optional_text(props: dict, key: str) -> str | None:
    """A text property that may be absent, null or empty (a GIS client sends every field, empty ones as null)."""
    value = props.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"properties.{key}: 应为文本 ({key} must be text)")
    return value.strip() or None


def _values(values: dict) -> dict:
    """The attributes step's values: staff as sent by a GIS client (the JSON text it read) or a list."""
    if isinstance(values.get("staff"), str):
        try:
            values = {**values, "staff": json.loads(values["staff"])}
        except ValueError:
            raise InvalidInput("staff: 应为人员列表的 JSON 文本 (staff must be a JSON list)") from None
    if "staff" in values and values["staff"] is None:
        values = {**values, "staff": []}
    return values


def geometry(value, content_crs: str | None) -> dict:
    """The feature's outline in CRS84 GeoJSON (the editor's coordinates), from the ``Content-Crs`` it was sent in."""
    if value is None:
        raise InvalidInput("geometry: 必填，应为 Polygon 或 MultiPolygon (geometry is required)")
    given = crs.by_uri(content_crs.strip().strip("<>") if content_crs else None, "Content-Crs")
    if given.uri == crs.CRS84:
        return value
    return mapping(crs.to_storage(shapes.read_geojson(value), given))
