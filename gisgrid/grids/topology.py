"""Geometric checks between grids: containment in the parent, sibling overlaps, gaps.

Where an edge runs between its two vertices depends on the plane: a straight
edge drawn in a Gauss–Krüger CRS bends in lon/lat and vice versa (by ~6 cm over
2 km at 40°N). A vertex of one grid lying on another grid's edge (a T-junction)
in the plane the data was drawn in therefore leaves a sliver of tens of m² in
the other plane, and a file does not say which plane its author drew in (an
export of stored lon/lat data does not either). So every check runs in two
planes, the stored lon/lat one and a projected one (the source CRS when it is
projected, else a local equal-area one). Each plane measures its own regions
(re-projecting a region would re-draw its edges and bring the slivers back), and
a region counts only when both planes find it: the smaller measurement is given
(for gaps, the plane's view that splits them into more separate pieces).
Areas are in m² in a Lambert azimuthal equal-area projection centred on the
data, never in degrees.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer

WGS84 = CRS.from_epsg(4326)
_MEASURE_STEP_DEG = 1e-3  # longest edge (~100 m) of a lon/lat region when measured in the equal-area plane
_MEASURE_STEP_M = 100.0  # the same for a region of a projected plane (its units are metres or feet)


@dataclass(frozen=True)
class Piece:
    """A region found by a check: its area and a point inside it (lon, lat)."""

    area_m2: float
    location: tuple[float, float]


@lru_cache(maxsize=32)
def _transformer(source: CRS, target: CRS) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)  # slow to build: ~0.1 s each


def _applier(source: CRS, target: CRS):
    transformer = _transformer(source, target)

    def apply(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

    return apply


def _smaller(a: Piece | None, b: Piece | None) -> Piece | None:
    """A region found in both planes, as its smaller measurement; None unless found in both."""
    if a is None or b is None:
        return None
    return a if a.area_m2 <= b.area_m2 else b


class Plane:
    """A plane set operations run in, with how its regions are measured and located."""

    def __init__(self, crs: CRS, laea: CRS) -> None:
        self.lonlat = crs.equals(WGS84)
        self._enter = None if self.lonlat else _applier(WGS84, crs)
        self._leave = None if self.lonlat else _applier(crs, WGS84)
        self._measure = None if crs.equals(laea) else _applier(crs, laea)
        self._step = _MEASURE_STEP_DEG if self.lonlat else _MEASURE_STEP_M

    def enter(self, lonlat_geoms):
        """Lon/lat geometries in this plane."""
        return lonlat_geoms if self.lonlat else shapely.transform(lonlat_geoms, self._enter)

    def areas(self, geoms) -> np.ndarray:
        """Area in m² of geometries of this plane (0 for empty ones)."""
        geoms = np.asarray(geoms, dtype=object)
        if geoms.size == 0:
            return np.zeros(0)
        if self._measure is None:
            return np.nan_to_num(shapely.area(geoms))
        # densified first: a straight edge of this plane is curved in the measuring one, and a sliver whose
        # vertices all lie on one long edge (zero area here) would otherwise measure as the bulge between them
        measured = shapely.transform(shapely.segmentize(geoms, self._step), self._measure)
        return np.nan_to_num(shapely.area(measured))

    def pieces(self, geoms, tolerance_m2: float) -> list[Piece | None]:
        """Each geometry of this plane as a Piece when above tolerance, else None."""
        geoms = np.asarray(geoms, dtype=object)
        areas = self.areas(geoms)
        keep = np.flatnonzero(areas > tolerance_m2)
        found: list[Piece | None] = [None] * len(geoms)
        if len(keep):
            points = shapely.point_on_surface(geoms[keep])  # all at once: one projection call, not one per piece
            if not self.lonlat:
                points = shapely.transform(points, self._leave)
            for i, (x, y) in zip(keep.tolist(), shapely.get_coordinates(points).tolist()):
                found[i] = Piece(float(areas[i]), (x, y))
        return found

    def location(self, geom) -> tuple[float, float]:
        """A point inside a geometry of this plane, as (lon, lat)."""
        point = shapely.point_on_surface(geom)
        if not self.lonlat:
            point = shapely.transform(point, self._leave)
        return float(point.x), float(point.y)


def _local_equal_area(lonlat_geoms: np.ndarray) -> CRS:
    """A LAEA projection centred on the geometries' bounding box."""
    minx, miny, maxx, maxy = shapely.total_bounds(lonlat_geoms)
    # clipped so that coordinates out of lon/lat range (a wrong CRS label) cannot break it
    lon0 = float(np.clip(np.nan_to_num((minx + maxx) / 2), -180, 180))
    lat0 = float(np.clip(np.nan_to_num((miny + maxy) / 2), -90, 90))
    return CRS.from_proj4(f"+proj=laea +lat_0={lat0:.9f} +lon_0={lon0:.9f} +datum=WGS84 +units=m +no_defs")


class Workspace:
    """The usable grids in both planes; checks report only regions both planes find.

    Rows enter the projected plane on demand (``project``): the grids the edge test of
    ``gisgrid.grids.coverage`` has cleared are never projected at all.
    """

    def __init__(self, lonlat_geoms: np.ndarray, usable: np.ndarray, source_crs: CRS | None = None) -> None:
        rows = np.flatnonzero(usable)
        laea = _local_equal_area(lonlat_geoms[rows])
        projected = source_crs if source_crs is not None and source_crs.is_projected else laea
        self.planes = (Plane(WGS84, laea), Plane(projected, laea))
        self.geoms = (lonlat_geoms, np.full(len(lonlat_geoms), None, dtype=object))
        self.usable = usable.copy()
        self._projected = np.zeros(len(lonlat_geoms), dtype=bool)

    def project(self, rows) -> None:
        """Bring ``rows`` into the projected plane (once each); a row that folds there is no longer usable."""
        rows = np.asarray(rows, dtype=np.intp)
        rows = rows[self.usable[rows] & ~self._projected[rows]]
        if len(rows):
            self.geoms[1][rows] = self.planes[1].enter(self.geoms[0][rows])
            self.usable[rows] &= shapely.is_valid(self.geoms[1][rows])  # a projection can fold a hair-thin spike
            self._projected[rows] = True

    def outside_parts(self, children: np.ndarray, parents: np.ndarray, tolerance_m2: float) -> list[Piece | None]:
        """Per (child, parent) row pair, the part of the child outside its parent, if above tolerance."""
        found: list[Piece | None] = [None] * len(children)
        todo = np.arange(len(children))
        for k, plane in enumerate(self.planes):
            inner, outer = self.geoms[k][children[todo]], self.geoms[k][parents[todo]]
            shapely.prepare(outer)
            sticking = ~shapely.covers(outer, inner)  # prepared covers() settles the usual case cheaply
            seen = dict(
                zip(
                    todo[sticking].tolist(),
                    plane.pieces(shapely.difference(inner[sticking], outer[sticking]), tolerance_m2),
                )
            )
            found = [_smaller(found[i], seen.get(i)) if k else seen.get(i) for i in range(len(children))]
            todo = np.flatnonzero([piece is not None for piece in found])
        return found

    def overlaps(
        self, rows: np.ndarray, groups: np.ndarray, tolerance_m2: float, suspect: np.ndarray | None = None
    ) -> list[tuple[int, int, Piece]]:
        """(row, row, Piece) for grids of the same group overlapping by more than tolerance.

        ``suspect`` (per row given): only pairs with at least one suspect member can overlap.
        """
        if len(rows) < 2:
            return []
        first = self.geoms[0][rows]
        left, right = shapely.STRtree(first).query(first, predicate="intersects")
        keep = (left < right) & (groups[left] == groups[right])
        if suspect is not None:
            keep &= suspect[left] | suspect[right]
        pairs = np.column_stack([rows[left[keep]], rows[right[keep]]])
        found: list[Piece | None] = []
        for k, plane in enumerate(self.planes):
            geoms = self.geoms[k]
            pieces = plane.pieces(shapely.intersection(geoms[pairs[:, 0]], geoms[pairs[:, 1]]), tolerance_m2)
            found = pieces if k == 0 else [_smaller(a, b) for a, b in zip(found, pieces)]
            kept = [i for i, piece in enumerate(found) if piece is not None]
            pairs, found = pairs[kept], [found[i] for i in kept]
        return [(int(i), int(j), piece) for (i, j), piece in zip(pairs, found)]

    def gaps(self, parent: int, children: list[int], tolerance_m2: float) -> list[Piece]:
        """Each piece of the parent covered by no child, when above tolerance in both planes."""
        regions = []
        for k, plane in enumerate(self.planes):
            uncovered = shapely.difference(self.geoms[k][parent], shapely.union_all(self.geoms[k][children]))
            parts = shapely.get_parts(uncovered)
            regions.append(parts[plane.areas(parts) > tolerance_m2])
            if not len(regions[-1]):
                return []
        # a sliver can join two gaps into one piece in one plane only: take the view with more pieces
        views = [self._confirmed(k, regions) for k in (0, 1)]
        return max(views, key=lambda pieces: (len(pieces), -sum(p.area_m2 for p in pieces)))

    def _confirmed(self, k: int, regions: list[np.ndarray]) -> list[Piece]:
        """Plane k's pieces whose inner point lies in a piece the other plane found too."""
        pieces = self.planes[k].pieces(regions[k], 0.0)
        other = self.planes[1 - k]
        points = other.enter(shapely.points([p.location for p in pieces]))
        # a point in the union of the other plane's pieces is a point in one of them: a tree, not a union
        found, _ = shapely.STRtree(regions[1 - k]).query(points, predicate="intersects")
        hits = np.zeros(len(pieces), dtype=bool)
        hits[found] = True
        return [piece for piece, hit in zip(pieces, hits) if hit]
