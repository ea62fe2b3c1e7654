"""Validation of a normalised grid dataset (the output of ``read_grids``).

Every problem is reported against its feature, with the reason and where it is,
so a whole file can be fixed in one pass. Cells the reader could not convert are
still raw in the frame and are reported here: ``bad_level``, ``bad_staff`` and
``bad_value`` (a yes/no flag that is neither). Topology checks skip features whose
geometry is already reported as unusable (empty, wrong type, invalid), and the
gap check skips a parent when any of its children is unusable, because a gap
computed without that child would be a false alarm. How regions are computed
and measured is explained in ``gisgrid.grids.topology``. Parents whose children
share their edges vertex for vertex with them are cleared first by their edges
alone (``gisgrid.grids.coverage``), so the overlay checks run only where a
region can exist: that keeps a national file linear.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from gisgrid import coords
from gisgrid.grids import coverage, fields, topology
from gisgrid.grids.problems import ERROR, KINDS, WARNING, Problem, format_report
from gisgrid.grids.units import designation_refused

__all__ = ["ERROR", "KINDS", "WARNING", "Problem", "format_report", "validate_grids"]

_POLYGONAL = (3, 6)  # shapely type ids of Polygon and MultiPolygon
_REASON_POINT = re.compile(r"\[\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)")


class _Points:
    """A representative (lon, lat) per feature, computed when a problem asks for it (most never do)."""

    def __init__(self, geoms: np.ndarray, usable: np.ndarray) -> None:
        self._geoms, self._usable, self._cache = geoms, usable, {}

    def __getitem__(self, i: int) -> tuple[float, float] | None:
        if i not in self._cache:
            geom = self._geoms[i]
            if geom is None or geom.is_empty:
                self._cache[i] = None
            else:
                # point_on_surface can fail on invalid geometry; the bounding-box centre is enough to find it
                point = shapely.point_on_surface(geom) if self._usable[i] else shapely.centroid(shapely.envelope(geom))
                self._cache[i] = (float(point.x), float(point.y))
        return self._cache[i]


@dataclass
class _Grids:
    """The columns validation reads, as plain per-feature sequences."""

    codes: list
    parents: list
    levels: list  # parsed level, None when missing or not an integer
    sources: list
    geoms: np.ndarray
    usable: np.ndarray  # non-empty, valid (Multi)Polygon: fit for topology checks
    points: _Points  # a representative (lon, lat) per feature, None without geometry

    def problem(self, i: int, kind: str, message: str, **extra) -> Problem:
        extra.setdefault("location", self.points[i])
        return Problem(ERROR, kind, message, self.codes[i], self.sources[i], **extra)


class _Progress:
    """Counts checked grids for a ``progress(done, total)`` callback (a CLI bar); silent without one."""

    def __init__(self, callback, total: int) -> None:
        self.callback, self.total, self.done = callback, total, 0

    def __call__(self, n: int) -> None:
        self.done += n
        if self.callback:
            self.callback(self.done, self.total)


def validate_grids(gdf, tolerance_m2: float = 1.0, unit_depths: tuple[int, ...] = (), progress=None) -> list[Problem]:
    """Check geometry, attributes, hierarchy and topology; return every problem in file order.

    ``unit_depths``: the levels whose grids may designate unit grids (the profile's rule; empty: any).
    ``progress(done, total)``, when given, is called as the work goes on: every feature is counted
    once for its own checks and once more when its place in the tiling has been checked.
    """
    source_crs = _source_crs(gdf)
    if gdf.crs is not None and not gdf.crs.equals(topology.WGS84, ignore_axis_order=True):
        gdf = gdf.to_crs(topology.WGS84)
    if "source_index" not in gdf.columns:
        gdf = gdf.assign(source_index=range(len(gdf)))
    # unit grids (kind "unit") overlay the tiling: checked on their own, never for gaps or overlaps
    is_unit = np.array([_kind_or_none(v) == fields.KIND_UNIT for v in _values(gdf, fields.KIND)], dtype=bool)
    tiling, units = gdf[~is_unit], gdf[is_unit]
    counter = _Progress(progress, 2 * len(gdf))
    grids = _collect(tiling)
    problems = [
        *_geometry_problems(grids),
        *_attribute_problems(tiling, grids),
        *_kind_problems(gdf),
        *_hierarchy_problems(grids),
    ]
    counter(len(gdf))
    problems += _topology_problems(grids, source_crs, tolerance_m2, counter)
    if len(units):
        problems += _unit_problems(tiling, units, source_crs, tolerance_m2, unit_depths)
    counter(len(units))
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
        elif refused := designation_refused(parent, level_of[parent], unit_depths):
            problems.append(grids.problem(i, "unit_designator", refused))
    return problems + _unit_outside(tiling, units, source_crs, tolerance_m2)


def _unit_outside(tiling, units, source_crs, tolerance_m2) -> list[Problem]:
    # the designating grids and the unit grids in one frame, so the tiling's outside-parent check applies
    parents = tiling[tiling["code"].isin(set(units["parent_code"]))]
    both = _collect(pd.concat([parents, units]))
    if not both.usable.any():
        return []
    space = topology.Workspace(both.geoms, both.usable, source_crs)
    space.project(np.arange(len(both.codes)))
    both = replace(both, usable=space.usable)
    unique = {c: i for i, c in enumerate(both.codes[: len(parents)])}
    children_of = defaultdict(list)
    for child, parent in _parent_links(both, unique):
        children_of[parent].append(child)
    return [p for p in _outside_problems(both, space, children_of, tolerance_m2) if p.code not in unique]


def _source_crs(gdf) -> CRS | None:
    """The CRS the data was drawn in: recorded by read_grids in ``attrs``, else the frame's own."""
    name = gdf.attrs.get("source_crs")
    try:
        crs = coords.parse_crs(name) if name else gdf.crs
    except coords.CoordinateError:
        return None
    return crs if isinstance(crs, CRS) else None


def _values(gdf, column: str) -> list:
    return gdf[column].tolist() if column in gdf.columns else [None] * len(gdf)


def _level_or_none(value):
    try:
        return fields.to_level(value)
    except ValueError:
        return None


def _collect(gdf) -> _Grids:
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    usable = present & np.isin(shapely.get_type_id(geoms), _POLYGONAL) & shapely.is_valid(geoms)
    sources = [int(s) for s in gdf["source_index"]] if "source_index" in gdf.columns else list(range(len(gdf)))
    return _Grids(
        codes=[fields.to_text(v, code=True) for v in _values(gdf, "code")],
        parents=[fields.to_text(v, code=True) for v in _values(gdf, "parent_code")],
        levels=[_level_or_none(v) for v in _values(gdf, "level")],
        sources=sources,
        geoms=geoms,
        usable=usable,
        points=_Points(geoms, usable),
    )


def _geometry_problems(grids: _Grids) -> list[Problem]:
    problems = []
    for i in np.flatnonzero(~grids.usable).tolist():
        geom = grids.geoms[i]
        if geom is None or geom.is_empty:
            problems.append(grids.problem(i, "empty_geometry", "几何为空"))
        elif shapely.get_type_id(geom) not in _POLYGONAL:
            problems.append(
                grids.problem(i, "wrong_geometry_type", f"几何类型为 {geom.geom_type}，应为 Polygon 或 MultiPolygon")
            )
        else:
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


def _topology_problems(grids: _Grids, source_crs: CRS | None, tolerance_m2: float, progress) -> list[Problem]:
    if not grids.usable.any():
        progress(len(grids.codes))
        return []
    space = topology.Workspace(grids.geoms, grids.usable, source_crs)
    unique = _unique_rows(grids)
    children_of = defaultdict(list)
    for child, parent in _parent_links(grids, unique):
        children_of[parent].append(child)
    # parents whose children tile them vertex for vertex have nothing to find: cleared by their edges alone
    whole = {p: c for p, c in children_of.items() if grids.usable[p] and grids.usable[c].all()}
    tiled = coverage.tiled_parents(grids.geoms, whole, progress)
    cleared = np.zeros(len(grids.codes), dtype=bool)
    cleared[[c for p in tiled for c in children_of[p]]] = True
    open_parents = {p: c for p, c in children_of.items() if p not in tiled}
    space.project(np.r_[np.flatnonzero(~cleared), [p for p in open_parents]].astype(np.intp))
    grids = replace(grids, usable=space.usable)
    problems = [
        *_outside_problems(grids, space, open_parents, tolerance_m2),
        *_overlap_problems(grids, space, np.flatnonzero(grids.usable & ~cleared), tolerance_m2),
    ]
    counted = progress.done
    problems += _gap_problems(grids, space, open_parents, tolerance_m2, progress)
    # the rest of the grids the exact checks covered (top level, unusable; tiled_parents counted the cleared)
    progress(int((~cleared).sum()) - (progress.done - counted))
    return problems


def _parent_links(grids: _Grids, unique: dict[str, int]) -> list[tuple[int, int]]:
    """(child row, parent row) for every child whose parent code names exactly one other feature."""
    return [(i, unique[p]) for i, p in enumerate(grids.parents) if p in unique and unique[p] != i]


def _outside_problems(grids, space, children_of, tolerance_m2) -> list[Problem]:
    links = [(c, p) for p, cs in children_of.items() for c in cs if grids.usable[c] and grids.usable[p]]
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


def _overlap_problems(grids, space, rows, tolerance_m2) -> list[Problem]:
    # top-level grids (no parent) are siblings of each other, so None is a group like any other
    group_ids: dict = {}
    groups = np.array([group_ids.setdefault(grids.parents[r], len(group_ids)) for r in rows], dtype=np.intp)
    # siblings whose edges GEOS finds a valid coverage cannot overlap: only suspects are intersected
    suspect = coverage.suspects(grids.geoms[rows], groups) if len(rows) > 1 else None
    problems = []
    for i, j, piece in space.overlaps(rows, groups, tolerance_m2, suspect):
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


def _gap_problems(grids, space, children_of, tolerance_m2, progress=None) -> list[Problem]:
    problems = []
    for parent, children in children_of.items():
        if progress:
            progress(len(children))
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
