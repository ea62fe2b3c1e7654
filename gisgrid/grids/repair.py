"""Repair of a messy coverage before validation (``gisgrid grids import --repair``).

Separately digitised boundaries never tile exactly: shared edges lie a few metres apart, leaving
slivers of gap and overlap, and children poke out of their parent. ``repair`` builds a clean coverage
with GEOS's coverage tools, level by level from the top (a parent is final before its children are
fitted to it), in a local metric plane (see ``Plane``) so every limit is metres on the ground:

1. a child's parts outside its parent narrower than ``max_gap_width_m`` are clipped off;
2. ``shapely.coverage_clean`` on the siblings snaps vertices closer than ``snap_m``, gives each overlap
   and each enclosed gap narrower than ``max_gap_width_m`` to the sibling with the longest shared border,
   and makes shared edges vertex-identical;
3. the siblings are fitted to the parent again (snapping may have moved a vertex off its edge) and the
   narrow gaps along the parent's edge go to the child with the longest shared border.

Nothing wider than the limits is guessed: a wide gap, a wide overlap or a part far outside the parent is
left as it is, and validation reports it as before. A hole is a gap only when other siblings enclose it,
so a lake that is another grid's (or nobody's, at the outer edge) is never filled. Groups with an
unusable geometry (empty, invalid, not polygonal) are skipped and named in the report. Unit grids
(``kind`` = unit) overlay the tiling and are not touched.
"""

from __future__ import annotations

from collections import defaultdict, deque

import numpy as np
import shapely

from gisgrid.grids import fields, units
from gisgrid.grids.repair_report import RepairReport, compare_group

DEFAULT_SNAP_M = 3.0
DEFAULT_MAX_GAP_WIDTH_M = 10.0
_KEPT_SHARE = 0.5  # a member cleaned down to less than half its area was lost, not repaired
_MIN_SNAP_M = 0.05
_ON_EDGE_M = 1e-6  # a point this close to an edge is on it (plane coordinates are ~1e5 m: 1e-11 m ulp)
_POLYGONAL = (3, 6)
_LOST_AREA_M2 = 1e-3  # a union of a child and its gap pieces smaller than their sum by more lost a piece
_GRID_M = 1e-6


class Plane:
    """A local plane in metres that keeps straight lon/lat edges straight (an affine map of lon/lat).

    x = (lon − lon0)·N·cos φ0, y = (lat − lat0)·M on CGCS2000's GRS80 ellipsoid, centred on one sibling
    group and its parent. Being affine, a vertex lying on an edge here lies on it in the stored lon/lat
    too, so a child fitted to its parent leaves no sliver there (a conformal projection would bend the
    edges and leave centimetre slivers along every kilometre). Distances are true at the centre latitude
    and off by the ratio of cosines elsewhere: under 1 % across a county, ~3 % across a province.
    """

    _A, _F = 6378137.0, 1 / 298.257222101  # GRS80

    def __init__(self, lonlat_geoms) -> None:
        minx, miny, maxx, maxy = shapely.total_bounds(lonlat_geoms)
        self.lon0, self.lat0 = (minx + maxx) / 2, (miny + maxy) / 2
        phi = np.radians(self.lat0)
        e2 = self._F * (2 - self._F)
        w = np.sqrt(1 - e2 * np.sin(phi) ** 2)
        self.kx = np.radians(self._A / w * np.cos(phi))  # metres per degree of longitude
        self.ky = np.radians(self._A * (1 - e2) / w**3)  # metres per degree of latitude

    def enter(self, geoms):
        """Lon/lat geometries in metres."""
        return shapely.transform(geoms, lambda xy: (xy - (self.lon0, self.lat0)) * (self.kx, self.ky))

    def leave(self, geoms):
        """Plane geometries back to lon/lat."""
        return shapely.transform(geoms, lambda xy: xy / (self.kx, self.ky) + (self.lon0, self.lat0))


def repair(gdf, snap_m: float = DEFAULT_SNAP_M, max_gap_width_m: float = DEFAULT_MAX_GAP_WIDTH_M):
    """Return (repaired frame, RepairReport) for a normalised WGS84 grid frame (see the module docstring)."""
    _check_limits(snap_m, max_gap_width_m)
    tiling, _ = units.split(gdf)
    report = RepairReport(snap_m, max_gap_width_m)
    before = np.asarray(tiling.geometry.array, dtype=object)
    usable = _usable(before)
    after = before.copy()
    codes = [fields.to_text(v, code=True) for v in tiling["code"]]
    parents = [fields.to_text(v, code=True) for v in tiling["parent_code"]]
    touched = np.zeros(len(before), dtype=bool)
    for parent, members in _groups_top_down(codes, parents):
        if not usable[members].all() or (parent is not None and not usable[parent]):
            report.skipped.append(_skip_reason(codes, parent, members, usable))
            continue
        parent_ll = after[parent] if parent is not None else None
        plane = Plane(np.append(after[members], parent_ll if parent_ll is not None else after[members][0]))
        old, outer = plane.enter(before[members]), plane.enter(parent_ll) if parent_ll is not None else None
        new, snap_used = _repair_group(plane.enter(after[members]), outer, snap_m, max_gap_width_m)
        if snap_used != snap_m:
            report.notes.append(_snap_note(codes, parent, snap_m, snap_used))
        # every member goes back through the same map, so shared vertices stay identical in lon/lat
        after[members], touched[members] = _settle(plane.leave(new)), True
        report.add(compare_group(plane, [codes[m] for m in members], old, new, outer))
    out = gdf.copy()
    out.attrs = dict(gdf.attrs)  # source_crs: validation checks in the plane the data was drawn in
    if touched.any():
        out.loc[tiling.index[touched], out.geometry.name] = list(_as_multi(after[touched]))
    return out, report


def _settle(geoms):
    """Lon/lat results made valid where the way back from metres broke them, and nowhere else.

    Overlays can leave a spike or vertex pair nanometres apart: valid in metres, an invalid ring once
    rounded to degrees. Only those few are re-built (``make_valid`` keeps every vertex it can, so the
    shared edges elsewhere stay vertex-identical); rounding everything to a grid would shift every T-junction
    off its parent's edge instead, which over a 20 km edge adds up to square metres.
    """
    out = np.array([g if shapely.get_type_id(g) in _POLYGONAL else _polygonal(g) for g in geoms], dtype=object)
    bad = ~shapely.is_valid(out)
    if bad.any():
        fixed = shapely.make_valid(out[bad], method="structure", keep_collapsed=False)
        out[bad] = [_polygonal(g) for g in fixed]
    return out


def _check_limits(snap_m: float, max_gap_width_m: float) -> None:
    from gisgrid.errors import InvalidInput

    for name, value in (("snap", snap_m), ("max-gap-width", max_gap_width_m)):
        if not np.isfinite(value) or value < 0 or value > 1000:
            raise InvalidInput(f"{name}: 应为 0 到 1000 米之间的数 (must be 0–1000 metres), 实际为 {value!r}")


def _usable(geoms) -> np.ndarray:
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    polygonal = np.isin(shapely.get_type_id(geoms), _POLYGONAL)
    return present & polygonal & shapely.is_valid(geoms)


def _groups_top_down(codes: list, parents: list):
    """(parent row or None, sibling rows) breadth-first from the top; rows under an unknown parent are top."""
    unique = defaultdict(list)
    for i, code in enumerate(codes):
        unique[code].append(i)
    children = defaultdict(list)
    for i, parent in enumerate(parents):
        known = parent is not None and len(unique.get(parent, ())) == 1 and unique[parent][0] != i
        children[unique[parent][0] if known else None].append(i)
    queue, seen = deque([None]), set()
    while queue:
        parent = queue.popleft()
        members = children.get(parent, [])
        # a parent cycle never reaches the top; its rows are left for validation to report
        if members and parent not in seen:
            seen.add(parent)
            yield parent, np.array(members)
            queue.extend(members)


def _snap_note(codes, parent, snap_m: float, snap_used: float) -> str:
    where = f"网格 {codes[parent]} 的下级" if parent is not None else "顶层网格"
    return f"{where}：吸附 {snap_m:g} 米时 GEOS 丢失了网格，改用 {snap_used:g} 米 (snap reduced for this group)"


def _skip_reason(codes, parent, members, usable) -> str:
    bad = "、".join(str(codes[m]) for m in members if not usable[m])
    where = f"网格 {codes[parent]} 的下级" if parent is not None else "顶层网格"
    return f"{where}未修复：{bad} 的几何不可用 (unusable geometry, group left as it is)"


def _repair_group(geoms, parent, snap_m: float, width_m: float):
    """One sibling group fitted to its (final) parent and cleaned into a coverage; also the snap used."""
    if parent is not None:
        shapely.prepare(parent)
        geoms = _fit_inside(geoms, parent, width_m)
    cleaned, snap_used = _clean(geoms, snap_m, width_m)
    if parent is None:
        return cleaned, snap_used
    return _fill_edge_gaps(_fit_inside(cleaned, parent, width_m), parent, width_m), snap_used


def _clean(geoms, snap_m: float, width_m: float):
    """``coverage_clean``, retried with half the snapping distance while it loses a member.

    GEOS 3.14.1 sometimes returns a member empty (its area then missing from the coverage) when snapping
    collapses a few of its vertices: seen on 1 of 320 towns of the 32,000-village benchmark at 3 m, fine
    at 1.5 m. Losing a grid is never an acceptable repair, so the group is cleaned again with a smaller
    snap, down to none; the snap used is reported.
    """
    snap = snap_m
    while True:
        cleaned = shapely.coverage_clean(geoms, gap_width=width_m, snapping_distance=snap)
        lost = shapely.is_empty(cleaned) | (shapely.area(cleaned) < _KEPT_SHARE * shapely.area(geoms))
        if not lost.any():
            return cleaned, snap
        if snap == 0:
            return np.where(lost, geoms, cleaned), snap  # validation reports what is left
        snap = snap / 2 if snap > _MIN_SNAP_M else 0.0


def _narrow(pieces, width_m: float):
    """Regions a circle of diameter ``width_m`` does not fit in (GEOS's gap-width test); vectorised."""
    return shapely.is_empty(shapely.buffer(pieces, -width_m / 2 * (1 - 1e-9)))


def _fit_inside(geoms, parent, width_m: float):
    """Each geometry clipped to the (prepared) parent, keeping the parts outside wider than the limit."""
    out = np.asarray(geoms, dtype=object).copy()
    rows = np.flatnonzero(~shapely.covers(parent, out))  # the prepared test settles most cheaply
    if not len(rows):
        return out
    parts, owner = shapely.get_parts(shapely.difference(out[rows], parent), return_index=True)
    wide = ~_narrow(parts, width_m)
    inside = shapely.intersection(out[rows], parent)
    for k, row in enumerate(rows):
        keep = parts[wide & (owner == k)]
        out[row] = _polygonal(shapely.union_all([inside[k], *keep]) if len(keep) else inside[k])
    return out


def _polygonal(geom):
    """Only the polygons of an overlay result (an intersection can add stray lines and points)."""
    parts = [p for p in shapely.get_parts(shapely.get_parts(geom)) if shapely.get_type_id(p) == 3 and p.area > 0]
    return shapely.multipolygons(parts) if parts else geom


def _fill_edge_gaps(geoms, parent, width_m: float):
    """Narrow pieces of the parent no child covers, each merged into the child with the longest border."""
    uncovered = shapely.get_parts(shapely.difference(parent, shapely.union_all(geoms)))
    tree = shapely.STRtree(geoms)
    additions = defaultdict(list)
    for piece in uncovered:
        if piece.area == 0 or not _narrow(piece, width_m):
            continue
        candidates = tree.query(piece, predicate="dwithin", distance=_ON_EDGE_M)
        if len(candidates):
            borders = [_shared_length(piece, geoms[j]) for j in candidates]
            # a piece touching children at points only (a pocket of the parent pinched off by its own
            # outline) goes to the child nearest its inside
            best = int(np.argmax(borders)) if max(borders) > 0 else _nearest(piece, geoms[candidates])
            additions[int(candidates[best])].append(piece)
    out = geoms.copy()
    for i, pieces in additions.items():
        out[i] = _polygonal(_union_keeping_area([geoms[i], *pieces]))
    return out


def _nearest(piece, geoms) -> int:
    """Index of the geometry nearest the piece's inner point."""
    return int(np.argmin(shapely.distance(geoms, shapely.point_on_surface(piece))))


def _union_keeping_area(geoms):
    """The union, done again on a 1 µm grid when floating-point overlay lost area.

    Seen on 2 of 1,000 towns of the 100,000-village benchmark: a 240 m × 1.6 cm spike along the parent's
    edge vanished in the union (GEOS's fallback for a near-degenerate overlay), leaving a 1.9 m² gap.
    Snap-rounding on a fixed grid is robust; it moves this child's vertices by at most half a micrometre.
    """
    union = shapely.union_all(geoms)
    expected = float(shapely.area(geoms).sum())
    if shapely.area(union) >= expected - _LOST_AREA_M2:
        return union
    return shapely.union_all(geoms, grid_size=_GRID_M)


def _shared_length(piece, geom) -> float:
    """Length of the piece's boundary lying on the geometry's boundary.

    Measured segment by segment (a segment counts when its midpoint is on the other boundary), because
    the overlay that cut the piece out inserts nodes a rounding error off the original edges, and an
    exact line intersection then finds only points.
    """
    ring = shapely.get_coordinates(piece.boundary)  # the piece's rings, each closed
    starts, ends = ring[:-1], ring[1:]
    lengths = np.hypot(*(ends - starts).T)
    mids = shapely.points((starts + ends) / 2)
    on = shapely.distance(mids, shapely.boundary(geom)) < _ON_EDGE_M
    return float(lengths[on & (lengths > 0)].sum())


def _as_multi(geoms):
    for geom in geoms:
        yield geom if shapely.get_type_id(geom) == 6 else shapely.multipolygons([geom])
