"""Topology-safe edits of a draft: one edit = one request = one transaction.

Every edit states the lock counters (``base``: code → counter) of the grids it was based on;
a grid changed by someone else since then makes the whole edit fail with 409 and nothing saved.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPoint, Polygon
from shapely.ops import split as split_geom
from sqlalchemy.orm import Session

from gisgrid.coords import finite_number
from gisgrid.db import unit_of_work
from gisgrid.editor import drafts, queries, shapes
from gisgrid.editor.workset import SLIVER_M2, Workset, area_m2, polygonal
from gisgrid.errors import InvalidInput, ValidationFailed
from gisgrid.grids import fields

ATTRIBUTES = fields.EDITABLE  # the attributes an editor may change, from the field registry
_METRES_PER_DEGREE = 111_320.0
# a line or outline drawn by hand has tens of points; a whole redrawn boundary goes through the GeoPackage import
MAX_EDIT_POINTS = 10_000
MAX_TEXT = {field.name: field.max_chars for field in fields.GRID_FIELDS}  # characters, from the field registry
MAX_TEXT_DEFAULT = 200  # staff names, roles and phones
MAX_STAFF = 200
_ECHO_DEGREES = 1e-7  # the 7 decimals (~1 cm) outlines are sent with: a difference below it is no change


def _degrees(metres: float, lat: float) -> tuple[float, float]:
    """(lon, lat) degree spans of ``metres`` at latitude ``lat``."""
    return metres / (_METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 1e-6)), metres / _METRES_PER_DEGREE


def _point(value, name: str) -> tuple[float, float]:
    try:
        lon, lat = (finite_number(v) for v in value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} 应为 [经度, 纬度] (must be [lon, lat])") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(f"{name} 坐标超出范围 (out of range)")
    return lon, lat


def _metres(p: dict, default: float, limit: float = 10.0) -> float:
    """The optional ``snap_m`` of an edit: a distance from 0 to ``limit`` metres."""
    raw = p.get("snap_m", default)
    try:
        value = finite_number(raw)
    except ValueError:
        raise InvalidInput(f"snap_m 应为米数，收到 {raw!r} (snap_m must be a number of metres)") from None
    if not 0 <= value <= limit:
        raise InvalidInput(f"snap_m 应在 0 到 {limit:g} 米之间 (snap_m must be 0..{limit:g} m)")
    return value


def _points(value, name: str, minimum: int) -> list[tuple[float, float]]:
    if not isinstance(value, list) or len(value) < minimum:
        raise InvalidInput(f"{name} 至少需要 {minimum} 个点 (needs at least {minimum} points)")
    if len(value) > MAX_EDIT_POINTS:
        raise InvalidInput(
            f"{name} 最多 {MAX_EDIT_POINTS} 个点，整条边界请用 GeoPackage 导入 "
            f"(at most {MAX_EDIT_POINTS} points; import a GeoPackage for whole boundaries)"
        )
    return [_point(v, name) for v in value]


def _text(value, name: str) -> str | None:
    """A stripped text value (None when empty), refused when longer than its field allows."""
    text = str(value).strip() if value is not None else ""
    limit = MAX_TEXT.get(name, MAX_TEXT_DEFAULT)
    if len(text) > limit:
        raise InvalidInput(f"{name} 最多 {limit} 个字符 (at most {limit} characters)")
    return text or None


def _flag(value, name: str) -> bool:
    """A yes/no attribute: JSON true/false, or the import spellings (是/否, 1/0, ...)."""
    try:
        return fields.to_bool(value, False)
    except ValueError as exc:
        raise InvalidInput(f"{name} {exc} ({name} must be true or false)") from None


def move_vertex(ws: Workset, p: dict) -> None:
    """Move a vertex and every vertex coincident with it (within ``snap_m``) in every leaf grid."""
    (ox, oy), (nx, ny) = _point(p.get("old"), "old"), _point(p.get("new"), "new")
    dx, dy = _degrees(_metres(p, 0.5), oy)

    def shift(xy: np.ndarray) -> np.ndarray:
        hit = (np.abs(xy[:, 0] - ox) <= dx) & (np.abs(xy[:, 1] - oy) <= dy)
        xy[hit] = (nx, ny)
        return xy

    probe = shapely.box(ox - dx, oy - dy, ox + dx, oy + dy)
    vertex = shapely.Point(ox, oy)
    moved = []
    for item in [i for i in ws.near(probe) if i.geom.intersects(probe) and ws.is_leaf(i)]:
        # a neighbour whose edge passes through the vertex (a T-junction) gets the vertex first,
        # so that it moves too instead of opening a gap or an overlap
        geom = shapely.transform(shapely.snap(item.geom, vertex, min(dx, dy)), shift)
        if geom.equals_exact(item.geom, 0):
            continue
        if not shapely.is_valid(geom):
            raise ValidationFailed(
                f"移动此顶点会使网格 {item.code}（{item.name}）自相交，未保存 "
                f"(the move would make the grid invalid; nothing was saved)"
            )
        ws.set_geom(item, geom)
        moved.append(item.code)
    if not moved:
        raise InvalidInput("该位置没有网格顶点 (no vertex at the given position)")
    ws.recompute_parents(set(moved))
    ws.check_no_overlap()
    ws.check_outline(allowed_at=vertex)


def _neighbour_leaves(ws: Workset, item):
    return [o for o in ws.near(item.geom) if o is not item and o.geom.touches(item.geom) and ws.is_leaf(o)]


def split(ws: Workset, p: dict) -> None:
    """Cut a leaf grid along a drawn line into two; the cut points are added to the neighbours' edges too."""
    item = ws.leaf(str(p.get("code")))
    line = _extended(_points(p.get("line"), "line", 2), _metres(p, 1.0))
    pieces = sorted(shapely.get_parts(split_geom(item.geom, line)), key=area_m2, reverse=True)
    if len(pieces) != 2 or area_m2(pieces[1]) <= SLIVER_M2:
        raise InvalidInput(
            f"分割线应从网格边界外一侧穿过网格到另一侧，恰好分成两块（现在为 {len(pieces)} 块） "
            "(the line must cross the grid once, from outside to outside)"
        )
    code = str(p.get("new_code") or "").strip() or _free_code(ws, item.code)
    name = str(p.get("new_name") or "").strip() or f"{item.name}（分）"
    cuts = MultiPoint(list(shapely.get_parts(shapely.intersection(line, item.geom.boundary))))
    for other in [o for o in _neighbour_leaves(ws, item) if o.geom.distance(cuts) < 1e-9]:
        snapped = shapely.snap(other.geom, cuts, 1e-9)  # shared edge gets the cut vertex too
        if not snapped.equals_exact(other.geom, 0):
            ws.set_geom(other, snapped, direct=False)
    ws.set_geom(item, pieces[0])
    ws.add(code, name, item.level, item.parent_code, pieces[1])
    ws.check_no_overlap()
    ws.check_outline()


def _extended(points: list[tuple[float, float]], metres: float) -> LineString:
    """The line with both ends pushed ``metres`` further: an end drawn (or snapped) onto the boundary still crosses it."""

    def push(end, before):
        dx, dy = end[0] - before[0], end[1] - before[1]
        length = math.hypot(dx, dy)
        if length == 0:
            return end
        step_lon, step_lat = _degrees(metres, end[1])
        return end[0] + dx / length * step_lon, end[1] + dy / length * step_lat

    return LineString([push(points[0], points[1]), *points[1:-1], push(points[-1], points[-2])])


def _free_code(ws: Workset, code: str) -> str:
    n = 1
    while ws.find(f"{code}-{n}") is not None:
        n += 1
    return f"{code}-{n}"


def merge(ws: Workset, p: dict) -> None:
    """Union sibling leaf grids into the first one; the others are removed."""
    codes = [str(c) for c in p.get("codes") or []]
    if len(codes) < 2 or len(set(codes)) != len(codes):
        raise InvalidInput("合并需要至少两个不同的网格 (merge needs two or more distinct grids)")
    items = [ws.leaf(c) for c in codes]
    if len({i.parent_code for i in items}) != 1:
        raise InvalidInput("只能合并同一上级网格下的网格 (only siblings can be merged)")
    ws.set_geom(items[0], shapely.union_all([i.geom for i in items]))
    for other in items[1:]:
        ws.remove(other)
    ws.recompute_parents({items[0].code})
    ws.check_outline()


def reparent(ws: Workset, p: dict) -> None:
    """Move a grid (e.g. a village) under another parent; both parents are recomputed."""
    item, parent = ws.get(str(p.get("code"))), ws.get(str(p.get("parent_code")))
    old = ws.find(item.parent_code)
    if parent.level != item.level - 1 or (old is not None and old.level != parent.level):
        raise InvalidInput(f"新的上级网格 {parent.code} 应比本网格高一级 (the new parent must be one level up)")
    if parent.code == item.parent_code:
        raise InvalidInput(f"网格 {item.code} 已属于 {parent.code} (already there)")
    item.parent_code, item.direct = parent.code, True
    item.attrs["parent_code"] = parent.code
    ws.recompute_parents({item.code})
    ws.check_no_overlap()
    ws.check_outline()


def create(ws: Workset, p: dict) -> None:
    """A new grid from a drawn polygon, snapped to existing edges, clipped to its parent, minus its siblings;
    without ``parent_code`` a new top-level grid (e.g. a county of a draft with no province), see ``_create_top``."""
    code, name = str(p.get("code") or "").strip(), str(p.get("name") or "").strip()
    if not code or not name:
        raise InvalidInput("新网格需要编码和名称 (code and name are required)")
    drawn = shapes.outline(p["geometry"]) if "geometry" in p else Polygon(_points(p.get("polygon"), "polygon", 3))
    parent_code = str(p.get("parent_code") or "").strip()
    if not parent_code:
        _create_top(ws, p, code, name, drawn)
        return
    parent = ws.get(parent_code)
    _check_level(p, parent.level + 1, "level")
    siblings = shapely.union_all([c.geom for c in ws.children(parent.code)])
    dx, _ = _degrees(_metres(p, 2.0), drawn.centroid.y)
    drawn = shapely.snap(shapely.snap(drawn.buffer(0), parent.geom, dx), siblings, dx)
    geom = polygonal(shapely.difference(shapely.intersection(drawn, parent.geom), siblings))
    if area_m2(geom) <= SLIVER_M2:
        raise InvalidInput("所画区域已被同级网格覆盖或不在上级网格内 (the area is already covered)")
    ws.add(code, name, parent.level + 1, parent.code, geom)


def _create_top(ws: Workset, p: dict, code: str, name: str, drawn) -> None:
    """A grid with no parent: only at the draft's top level, snapped to the top-level grids near it and refused
    (422, nothing saved) when it overlaps one; nothing clips it, so an overlap is a drawing mistake to see."""
    level = ws.top_level()
    _check_level(p, level, "parent_code")
    geom = drawn.buffer(0)
    if area_m2(geom) <= SLIVER_M2:
        raise InvalidInput("所画区域面积为零 (the drawn area is empty)")
    others = [o for o in ws.near(geom, None) if o.parent_code is None]
    if others:  # shared edges with a neighbouring county stay shared exactly
        dx, _ = _degrees(_metres(p, 2.0), geom.centroid.y)
        geom = shapely.snap(geom, shapely.union_all([o.geom for o in others]), dx)
    ws.add(code, name, level, None, geom)
    ws.check_no_overlap()


def _check_level(p: dict, level: int, name: str) -> None:
    """A ``level`` sent with a new grid must be the one its place gives it (400 naming ``name`` otherwise):
    one level below its parent, or the top level for a grid without parent (below it a parent is needed)."""
    sent = p.get("level")
    if sent is None or str(sent).strip() == str(level):
        return
    if name == "parent_code":
        raise InvalidInput(
            f"parent_code: 必填——第 {str(sent)[:10]} 层的网格需要上级网格，只有最上层（第 {level} 层）可以没有上级 "
            f"(parent_code is required below the top level {level})"
        )
    raise InvalidInput(f"level: 应为 {level}（上级网格下一层），收到 {str(sent)[:10]} (level must be {level})")


def reshape(ws: Workset, p: dict) -> None:
    """A leaf grid's whole new outline (GeoJSON, from a GIS client): area it takes from sibling leaves leaves them,
    area it gives up stays uncovered in its parent (a reported gap); the outer outline may not change."""
    item = ws.leaf(str(p.get("code")))
    geom = shapes.outline(p.get("geometry"))
    if shapely.equals_exact(geom, item.geom, tolerance=_ECHO_DEGREES):
        return  # the outline sent back as it was read (GIS clients send it with every attribute change)
    siblings = [o for o in ws.near(geom, item.parent_code) if o is not item and o.parent_code == item.parent_code]
    if siblings:
        # vertices within snap_m of a neighbour's become the neighbour's: shared edges stay shared exactly
        geom = shapely.snap(
            geom, shapely.union_all([o.geom for o in siblings]), _degrees(_metres(p, 0.1), geom.centroid.y)[1]
        )
    ws.set_geom(item, geom)
    for other in [o for o in siblings if ws.is_leaf(o) and o.geom.intersects(item.geom)]:
        if area_m2(polygonal(shapely.intersection(other.geom, item.geom))) > SLIVER_M2:
            ws.set_geom(other, shapely.difference(other.geom, item.geom), direct=False)
    _grow_ancestors(ws, item)
    ws.check_no_overlap()
    ws.check_outline()


def _grow_ancestors(ws: Workset, item) -> None:
    """Parents grow by what a reshaped grid now covers outside them; area it gave up stays theirs (a gap, as
    after ``delete``), so a shrinking grid never silently shrinks its town or county."""
    child = item
    while child.parent_code is not None:
        parent = ws.get(child.parent_code)
        if area_m2(polygonal(shapely.difference(child.geom, parent.geom))) <= SLIVER_M2:
            return
        ws.set_geom(parent, shapely.union_all([parent.geom, child.geom]), direct=False)
        child = parent


def delete(ws: Workset, p: dict) -> None:
    """Remove a leaf grid: its area goes to the sibling ``into``, or stays uncovered (a reported gap)."""
    item = ws.leaf(str(p.get("code")))
    into = p.get("into")
    if into:
        target = ws.leaf(str(into))
        if target is item or target.parent_code != item.parent_code:
            raise InvalidInput("只能并入同一上级网格下的相邻网格 (merge into a sibling)")
        ws.set_geom(target, shapely.union_all([target.geom, item.geom]))
    item.direct = True
    ws.remove(item)
    if into:
        ws.recompute_parents({item.code})
        ws.check_outline()


def attributes(ws: Workset, p: dict) -> None:
    """Edit name, 五定 fields and staff of one grid."""
    item = ws.get(str(p.get("code")))
    values = p.get("values") or {}
    if not isinstance(values, dict):
        raise InvalidInput("values 应为 {字段: 值} (values must be an object)")
    unknown = set(values) - set(ATTRIBUTES) - {"staff"}
    if unknown:
        raise InvalidInput(f"不能修改的字段：{', '.join(sorted(unknown))} (unknown fields)")
    for key in ATTRIBUTES:
        if key in values:
            value = values[key]
            item.attrs[key] = _flag(value, key) if fields.BY_NAME[key].kind == "flag" else _text(value, key)
    if "name" in item.attrs:
        if not item.attrs["name"]:
            raise InvalidInput("名称不能为空 (name is required)")
        item.name = item.attrs.pop("name")
    if "staff" in values:
        ws.staff[item.code] = _staff(values["staff"])
    item.direct = True
    item.attrs.setdefault("name", item.name)


def _staff(people) -> list[dict]:
    if not isinstance(people, list) or len(people) > MAX_STAFF:
        raise InvalidInput(f"staff 应为至多 {MAX_STAFF} 人的人员列表 (staff must be a list of at most {MAX_STAFF})")
    rows = []
    for person in people:
        if not isinstance(person, dict) or not _text(person.get("name"), "staff.name"):
            raise InvalidInput("每位网格人员都需要姓名 (every staff member needs a name)")
        rows.append(
            {
                "name": _text(person["name"], "staff.name"),
                "role": _text(person.get("role"), "staff.role") or "网格员",
                "phone": _text(person.get("phone"), "staff.phone"),
                "phone_public": bool(person.get("phone_public", False)),
            }
        )
    return rows


OPERATIONS = {
    "move_vertex": move_vertex,
    "split": split,
    "merge": merge,
    "reparent": reparent,
    "create": create,
    "delete": delete,
    "attributes": attributes,
    "reshape": reshape,
}


def apply_edit(session: Session, version_id: int, user: str, payload: dict) -> dict:
    """Apply one edit to a draft, all or nothing; returns the changed grid codes."""
    base = payload.get("base") or {}
    result = apply_steps(session, version_id, user, [payload], base)
    return {"op": payload.get("op"), "changed": result["changed"]}


def apply_steps(session: Session, version_id: int, user: str, steps: list[dict], base: dict) -> dict:
    """Apply edits (e.g. create then attributes) to a draft as one, all or nothing; returns the changed codes.

    ``base`` maps each directly edited grid's code to the lock counter it was read at (``*``: any).
    """
    for step in steps:
        op = step.get("op")
        if not isinstance(op, str) or op not in OPERATIONS:
            raise InvalidInput(f"未知的编辑操作 {op!r} (unknown op; one of {', '.join(OPERATIONS)})")
    if not isinstance(base, dict):
        raise InvalidInput("base 应为 {网格编码: 版本号} (base must map codes to lock counters)")
    with unit_of_work(session):
        queries.lock_version_row(session, version_id)
        drafts.get_draft(session, version_id)  # checked under the lock: a publication may have just happened
        ws = Workset(session, version_id, user)
        for step in steps:
            OPERATIONS[step["op"]](ws, step)
        ws.check_locks(base)
        changed = ws.save()
    return {"changed": changed}
