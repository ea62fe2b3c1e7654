"""Validation of a normalised grid dataset (the output of ``read_grids``).

Every problem is reported against its feature, with the reason and where it is,
so a whole file can be fixed in one pass. Cells the reader could not convert are
still raw in the frame and are reported here: ``bad_level``, ``bad_staff`` and
``bad_value`` (a yes/no flag that is neither). Topology checks skip features whose
geometry is already reported as unusable (empty, wrong type, invalid), and the
gap check skips a parent when any of its children is unusable, because a gap
computed without that child would be a false alarm. How regions are computed
and measured is explained in ``gisgrid.grids.topology``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, replace
from itertools import groupby

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from gisgrid import coords
from gisgrid.grids import fields, topology

ERROR, WARNING = "error", "warning"
KINDS = (
    "empty_geometry",
    "wrong_geometry_type",
    "invalid_geometry",
    "missing_value",
    "bad_level",
    "bad_staff",
    "bad_value",
    "bad_kind",
    "duplicate_code",
    "unknown_parent",
    "parent_level",
    "unit_designator",
    "cycle",
    "outside_parent",
    "overlap",
    "gap",
)
_POLYGONAL = (3, 6)  # shapely type ids of Polygon and MultiPolygon
_REASON_POINT = re.compile(r"\[\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)")


@dataclass(frozen=True)
class Problem:
    """One problem of one feature (or of the dataset when ``source_index`` is None)."""

    severity: str
    kind: str
    message: str
    code: str | None
    source_index: int | None
    area_m2: float | None = None
    location: tuple[float, float] | None = None

    def to_dict(self) -> dict:
        """JSON-ready form (location as [lon, lat])."""
        data = asdict(self)
        data["location"] = list(self.location) if self.location is not None else None
        return data


@dataclass
class _Grids:
    """The columns validation reads, as plain per-feature sequences."""

    codes: list
    parents: list
    levels: list  # parsed level, None when missing or not an integer
    sources: list
    geoms: np.ndarray
    usable: np.ndarray  # non-empty, valid (Multi)Polygon: fit for topology checks
    points: list  # a representative (lon, lat) per feature, None without geometry

    def problem(self, i: int, kind: str, message: str, **extra) -> Problem:
        extra.setdefault("location", self.points[i])
        return Problem(ERROR, kind, message, self.codes[i], self.sources[i], **extra)


def validate_grids(gdf, tolerance_m2: float = 1.0, unit_depths: tuple[int, ...] = ()) -> list[Problem]:
    """Check geometry, attributes, hierarchy and topology; return every problem in file order.

    ``unit_depths``: the levels whose grids may designate unit grids (the profile's rule; empty: any).
    """
    source_crs = _source_crs(gdf)
    if gdf.crs is not None and not gdf.crs.equals(topology.WGS84, ignore_axis_order=True):
        gdf = gdf.to_crs(topology.WGS84)
    if "source_index" not in gdf.columns:
        gdf = gdf.assign(source_index=range(len(gdf)))
    # unit grids (kind "unit") overlay the tiling: checked on their own, never for gaps or overlaps
    is_unit = np.array([_kind_or_none(v) == fields.KIND_UNIT for v in _values(gdf, fields.KIND)], dtype=bool)
    tiling, units = gdf[~is_unit], gdf[is_unit]
    grids = _collect(tiling)
    problems = [
        *_geometry_problems(grids),
        *_attribute_problems(tiling, grids),
        *_kind_problems(gdf),
        *_hierarchy_problems(grids),
        *_topology_problems(grids, source_crs, tolerance_m2),
        *(_unit_problems(tiling, units, source_crs, tolerance_m2, unit_depths) if len(units) else ()),
    ]
    rank = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(problems, key=lambda p: (p.source_index is None, p.source_index or 0, rank[p.kind]))


def _kind_or_none(value):
    try:
        return fields.to_kind(value)
    except ValueError:
        return None


def _kind_problems(gdf) -> list[Problem]:
    """A ``kind`` that is neither grid nor unit (the row is then checked as a grid)."""
    bad = [i for i, v in enumerate(_values(gdf, fields.KIND)) if _kind_or_none(v) is None]
    if not bad:
        return []
    grids = _collect(gdf.iloc[bad])
    kinds = [gdf[fields.KIND].iloc[i] for i in bad]
    return [grids.problem(j, "bad_kind", f"网格类型 kind 应为 grid 或 unit，实际为 {v!r}") for j, v in enumerate(kinds)]


def _unit_problems(tiling, units, source_crs, tolerance_m2, unit_depths=()) -> list[Problem]:
    """A unit grid names a grid of the tiling (parent_code) at its own level and lies inside it."""
    grids = _collect(units)
    problems = [*_geometry_problems(grids), *_attribute_problems(units, grids)]
    level_of = dict(zip(_values(tiling, "code"), (_level_or_none(v) for v in _values(tiling, "level"))))
    taken = set(level_of) | set(c for c, n in Counter(grids.codes).items() if n > 1)
    for i, (code, parent, level) in enumerate(zip(grids.codes, grids.parents, grids.levels)):
        if code in taken:
            problems.append(grids.problem(i, "duplicate_code", f"网格编码 {code} 已被其他网格或单元网格使用"))
        if parent is None:
            problems.append(grids.problem(i, "missing_value", "单元网格缺少划定它的网格 parent_code"))
        elif parent not in level_of:
            problems.append(grids.problem(i, "unknown_parent", f"划定单元网格的网格 {parent} 在数据中不存在"))
        elif level is not None and level_of[parent] is not None and level != level_of[parent]:
            problems.append(
                grids.problem(i, "parent_level", f"单元网格的层级 {level} 应等于划定它的网格 {parent} 的层级")
            )
        elif unit_depths and level_of[parent] is not None and level_of[parent] not in unit_depths:
            problems.append(grids.problem(i, "unit_designator", _designator_message(parent, unit_depths)))
    return problems + _unit_outside(tiling, units, source_crs, tolerance_m2)


def _designator_message(parent: str, unit_depths: tuple[int, ...]) -> str:
    allowed = "、".join(f"第{d}层" for d in unit_depths)
    return f"网格 {parent} 不能划定重点监管单元网格：本地方案只允许{allowed}网格划定 (designating level not allowed)"


def _unit_outside(tiling, units, source_crs, tolerance_m2) -> list[Problem]:
    # the designating grids and the unit grids in one frame, so the tiling's outside-parent check applies
    parents = tiling[tiling["code"].isin(set(units["parent_code"]))]
    both = _collect(pd.concat([parents, units]))
    if not both.usable.any():
        return []
    space = topology.Workspace(both.geoms, both.usable, source_crs)
    both = replace(both, usable=space.usable)
    unique = {c: i for i, c in enumerate(both.codes[: len(parents)])}
    return [p for p in _outside_problems(both, space, unique, tolerance_m2) if p.code not in unique]


def _source_crs(gdf) -> CRS | None:
    """The CRS the data was drawn in: recorded by read_grids in ``attrs``, else the frame's own."""
    name = gdf.attrs.get("source_crs")
    try:
        crs = coords.parse_crs(name) if name else gdf.crs
    except coords.CoordinateError:
        return None
    return crs if isinstance(crs, CRS) else None


def _values(gdf, column: str) -> list:
    return list(gdf[column]) if column in gdf.columns else [None] * len(gdf)


def _level_or_none(value):
    try:
        return fields.to_level(value)
    except ValueError:
        return None


def _collect(gdf) -> _Grids:
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    usable = present & np.isin(shapely.get_type_id(geoms), _POLYGONAL) & shapely.is_valid(geoms)
    # point_on_surface can fail on invalid geometry; their bounding-box centre is enough to find them
    points = np.where(
        usable,
        shapely.point_on_surface(np.where(usable, geoms, None)),
        shapely.centroid(shapely.envelope(np.where(present, geoms, None))),
    )
    sources = [int(s) for s in gdf["source_index"]] if "source_index" in gdf.columns else list(range(len(gdf)))
    return _Grids(
        codes=[fields.to_text(v, code=True) for v in _values(gdf, "code")],
        parents=[fields.to_text(v, code=True) for v in _values(gdf, "parent_code")],
        levels=[_level_or_none(v) for v in _values(gdf, "level")],
        sources=sources,
        geoms=geoms,
        usable=usable,
        points=[(float(p.x), float(p.y)) if p is not None else None for p in points],
    )


def _geometry_problems(grids: _Grids) -> list[Problem]:
    problems = []
    for i, geom in enumerate(grids.geoms):
        if geom is None or geom.is_empty:
            problems.append(grids.problem(i, "empty_geometry", "几何为空"))
        elif shapely.get_type_id(geom) not in _POLYGONAL:
            problems.append(
                grids.problem(i, "wrong_geometry_type", f"几何类型为 {geom.geom_type}，应为 Polygon 或 MultiPolygon")
            )
        elif not grids.usable[i]:
            reason = shapely.is_valid_reason(geom)
            match = _REASON_POINT.search(reason)
            where = (float(match[1]), float(match[2])) if match else grids.points[i]
            problems.append(grids.problem(i, "invalid_geometry", f"几何无效：{reason}", location=where))
    return problems


def _attribute_problems(gdf, grids: _Grids) -> list[Problem]:
    problems = []
    for i, (name, level) in enumerate(zip(_values(gdf, "name"), _values(gdf, "level"))):
        for field, value in (("code", grids.codes[i]), ("name", fields.to_text(name)), ("level", level)):
            if fields.is_blank(value):
                problems.append(grids.problem(i, "missing_value", f"缺少必填字段 {field} 的值"))
        if not fields.is_blank(level) and (grids.levels[i] is None or grids.levels[i] < 1):
            problems.append(grids.problem(i, "bad_level", f"层级 level 应为正整数，实际为 {level!r}"))
    for i, staff in enumerate(_values(gdf, "staff")):
        try:
            fields.parse_staff(staff)
        except ValueError as exc:
            problems.append(grids.problem(i, "bad_staff", f"人员名单 staff 无效：{exc}"))
    for field, default in fields.BOOL_DEFAULTS.items():
        for i, value in enumerate(_values(gdf, field)):
            try:
                fields.to_bool(value, default)
            except ValueError as exc:
                problems.append(grids.problem(i, "bad_value", f"字段 {field} 取值无效：{exc}"))
    return problems


def _unique_rows(grids: _Grids) -> dict[str, int]:
    """Code → row for codes used exactly once (a duplicated code cannot be a parent)."""
    counts = Counter(c for c in grids.codes if c is not None)
    return {c: i for i, c in enumerate(grids.codes) if c is not None and counts[c] == 1}


def _hierarchy_problems(grids: _Grids) -> list[Problem]:
    rows_of = defaultdict(list)
    for i, code in enumerate(grids.codes):
        if code is not None:
            rows_of[code].append(i)
    problems = _duplicate_problems(grids, rows_of)
    unique = _unique_rows(grids)
    for i, parent in enumerate(grids.parents):
        if parent is None:
            continue
        if parent not in rows_of:
            problems.append(grids.problem(i, "unknown_parent", f"上级网格编码 {parent} 在数据中不存在"))
            continue
        own, above = grids.levels[i], grids.levels[unique[parent]] if parent in unique else None
        # a grid that is its own parent is reported as a cycle, not twice
        if own is not None and above is not None and own <= above and unique[parent] != i:
            problems.append(grids.problem(i, "parent_level", f"层级 {own} 应大于上级网格 {parent} 的层级 {above}"))
    return problems + _cycle_problems(grids, unique)


def _duplicate_problems(grids: _Grids, rows_of: dict[str, list[int]]) -> list[Problem]:
    problems = []
    for code, rows in rows_of.items():
        if len(rows) > 1:
            where = "、".join(f"#{grids.sources[r]}" for r in rows)
            problems += [
                grids.problem(r, "duplicate_code", f"网格编码 {code} 重复，共 {len(rows)} 个要素（{where}）")
                for r in rows
            ]
    return problems


def _cycles(parent_of: dict[str, str]) -> dict[str, list[str]]:
    """Code → the loop of parent links it lies on, for every code on a loop."""
    finished, on_loop = set(), {}
    for start in parent_of:
        path, position = [], {}
        node = start
        while node in parent_of and node not in finished:
            if node in position:
                loop = path[position[node] :]
                on_loop.update((code, loop) for code in loop)
                break
            position[node] = len(path)
            path.append(node)
            node = parent_of[node]
        finished.update(path)
    return on_loop


def _cycle_problems(grids: _Grids, unique: dict[str, int]) -> list[Problem]:
    parent_of = {code: grids.parents[i] for code, i in unique.items() if grids.parents[i] is not None}
    problems = []
    for code, loop in _cycles(parent_of).items():
        start = loop.index(code)
        chain = " → ".join(loop[start:] + loop[:start] + [code])
        problems.append(grids.problem(unique[code], "cycle", f"上级关系形成循环：{chain}"))
    return problems


def _topology_problems(grids: _Grids, source_crs: CRS | None, tolerance_m2: float) -> list[Problem]:
    if not grids.usable.any():
        return []
    space = topology.Workspace(grids.geoms, grids.usable, source_crs)
    grids = replace(grids, usable=space.usable)
    unique = _unique_rows(grids)
    return [
        *_outside_problems(grids, space, unique, tolerance_m2),
        *_overlap_problems(grids, space, tolerance_m2),
        *_gap_problems(grids, space, unique, tolerance_m2),
    ]


def _parent_links(grids: _Grids, unique: dict[str, int]) -> list[tuple[int, int]]:
    """(child row, parent row) for every child whose parent code names exactly one other feature."""
    return [(i, unique[p]) for i, p in enumerate(grids.parents) if p in unique and unique[p] != i]


def _outside_problems(grids, space, unique, tolerance_m2) -> list[Problem]:
    links = [(c, p) for c, p in _parent_links(grids, unique) if grids.usable[c] and grids.usable[p]]
    if not links:
        return []
    children, parents = (np.array(side) for side in zip(*links))
    pieces = space.outside_parts(children, parents, tolerance_m2)
    return [
        grids.problem(
            c,
            "outside_parent",
            f"超出上级网格 {grids.codes[p]} 的面积为 {piece.area_m2:.1f} 平方米",
            area_m2=piece.area_m2,
            location=piece.location,
        )
        for c, p, piece in zip(children, parents, pieces)
        if piece is not None
    ]


def _overlap_problems(grids, space, tolerance_m2) -> list[Problem]:
    rows = np.flatnonzero(grids.usable)
    # top-level grids (no parent) are siblings of each other, so None is a group like any other
    group_ids: dict = {}
    groups = np.array([group_ids.setdefault(grids.parents[r], len(group_ids)) for r in rows])
    problems = []
    for i, j, piece in space.overlaps(rows, groups, tolerance_m2):
        first, second = sorted((i, j), key=lambda r: grids.sources[r])
        problems.append(
            grids.problem(
                first,
                "overlap",
                f"与同级网格 {grids.codes[second]}（#{grids.sources[second]}）重叠 {piece.area_m2:.1f} 平方米",
                area_m2=piece.area_m2,
                location=piece.location,
            )
        )
    return problems


def _gap_problems(grids, space, unique, tolerance_m2) -> list[Problem]:
    children_of = defaultdict(list)
    for child, parent in _parent_links(grids, unique):
        children_of[parent].append(child)
    problems = []
    for parent, children in children_of.items():
        if not grids.usable[parent] or not grids.usable[children].all():
            continue
        for piece in space.gaps(parent, children, tolerance_m2):
            problems.append(
                grids.problem(
                    parent,
                    "gap",
                    f"下级网格未覆盖本网格的一块区域（缝隙），面积 {piece.area_m2:.1f} 平方米",
                    area_m2=piece.area_m2,
                    location=piece.location,
                )
            )
    return problems


def format_report(problems) -> str:
    """A readable multi-line report: a summary line, then the problems grouped by feature."""
    problems = list(problems)
    if not problems:
        return "未发现问题 (no problems found)"
    errors = sum(p.severity == ERROR for p in problems)
    lines = [
        f"共 {errors} 个错误、{len(problems) - errors} 个警告 "
        f"({errors} errors, {len(problems) - errors} warnings)；# 后为要素在文件中的序号（从 0 开始）"
    ]

    def feature(p: Problem):
        return (p.source_index is None, p.source_index or 0, p.code or "")

    for _, group in groupby(sorted(problems, key=feature), key=feature):
        group = list(group)
        lines += ["", _heading(group[0])]
        lines += [f"  {_line(p)}" for p in group]
    return "\n".join(lines)


def _heading(problem: Problem) -> str:
    code = f"网格 {problem.code}" if problem.code else "无编码"
    if problem.source_index is None:
        return f"数据集（{code}）"
    return f"要素 #{problem.source_index}（{code}）"


def _line(problem: Problem) -> str:
    label = "错误" if problem.severity == ERROR else "警告"
    where = f"，位置 {problem.location[0]:.7f}, {problem.location[1]:.7f}" if problem.location else ""
    return f"[{label}] {problem.kind}: {problem.message}{where}"
