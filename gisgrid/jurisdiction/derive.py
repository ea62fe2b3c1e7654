"""Areas derived from a pollution act: a geodesic buffer, a downwind sector, the downstream reach of a river.

Pure functions on WGS84 lon/lat shapely geometries (no database, no Flask). Planar work happens in a
local azimuthal-equidistant projection centred on the act, where distances and bearings from the centre
are exact and other distances are off by < 1e-4 at 100 km; lengths along rivers use the WGS84 ellipsoid.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon
from shapely.ops import nearest_points

from gisgrid.coords import finite_number
from gisgrid.errors import InvalidInput, ValidationFailed

GEOD = Geod(ellps="WGS84")
MAX_RADIUS_M = 50_000.0
MAX_DOWNSTREAM_M = 200_000.0
NODE_TOLERANCE_M = 0.5  # a reach continues into every reach starting within this of its end
MAX_HULL_VERTICES = 64
_ARC_STEP_DEG = 1.0  # ≥ 1 vertex per 2° asked for; 1° keeps a 50 km arc within 2 m of the true circle
_QUAD_SEGS = 32  # 128-gon circle: area within 0.04 % of the true circle


@dataclass(frozen=True)
class Reach:
    """One reach of the river network, digitised in the direction of flow."""

    id: int
    river: str
    geom: LineString


@dataclass(frozen=True)
class Trace:
    """The downstream walk: the lines covered, their reaches and rivers, where it started and how long it is."""

    geometry: MultiLineString
    reach_ids: tuple[int, ...]
    rivers: tuple[str, ...]
    start: Point
    snap_m: float
    length_m: float


# --- local projection -------------------------------------------------------------------------------


class _Local:
    """Forward/back transforms to an azimuthal-equidistant plane centred on (lon, lat)."""

    def __init__(self, lon: float, lat: float) -> None:
        aeqd = CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m +no_defs")
        self._fwd = Transformer.from_crs(CRS.from_epsg(4326), aeqd, always_xy=True)
        self._inv = Transformer.from_crs(aeqd, CRS.from_epsg(4326), always_xy=True)

    def to_plane(self, geom):
        return shapely.transform(geom, lambda xy: np.column_stack(self._fwd.transform(xy[:, 0], xy[:, 1])))

    def to_lonlat(self, geom):
        return shapely.transform(geom, lambda xy: np.column_stack(self._inv.transform(xy[:, 0], xy[:, 1])))


def _local_for(geom) -> _Local:
    # the centre of the bounds keeps every vertex as close to the centre as possible
    minx, miny, maxx, maxy = geom.bounds
    return _Local((minx + maxx) / 2, (miny + maxy) / 2)


def _check_geometry(geom) -> None:
    if not isinstance(geom, shapely.Geometry) or geom.is_empty:
        raise InvalidInput("污染行为发生地的几何为空或无效 (the act geometry is empty or missing)")
    xy = shapely.get_coordinates(geom)
    if not np.isfinite(xy).all() or (np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any():
        raise InvalidInput("污染行为发生地的坐标须为 WGS84 经纬度 (the act must be in WGS84 lon/lat)")


def _check_range(value, upper: float, message: str) -> float:
    try:
        number = finite_number(value)
    except ValueError:
        raise InvalidInput(message) from None
    if not 0 < number <= upper:
        raise InvalidInput(message)
    return number


# --- buffer -----------------------------------------------------------------------------------------


def buffer_area(geom, radius_m: float) -> Polygon | MultiPolygon:
    """Everything within ``radius_m`` metres (geodesic) of the act."""
    radius = _check_range(radius_m, MAX_RADIUS_M, "缓冲半径须在 0–50000 米之间 (radius_m must be in (0, 50000])")
    _check_geometry(geom)
    local = _local_for(geom)
    return local.to_lonlat(local.to_plane(geom).buffer(radius, quad_segs=_QUAD_SEGS))


# --- wind -------------------------------------------------------------------------------------------


def _check_wind(from_deg, distance_m, spread_deg) -> tuple[float, float, float]:
    try:
        bearing = finite_number(from_deg)
    except ValueError:
        bearing = math.nan  # refused just below, with the range in the message
    if not 0 <= bearing <= 360:
        raise InvalidInput("风向须在 0–360 度之间 (from_deg must be in [0, 360])")
    distance = _check_range(
        distance_m, MAX_RADIUS_M, "下风向距离须在 0–50000 米之间 (distance_m must be in (0, 50000])"
    )
    spread = _check_range(spread_deg, 180.0, "扇形张角须在 0–180 度之间 (spread_deg must be in (0, 180])")
    return bearing, distance, spread


def _sector_points(lon: float, lat: float, downwind: float, distance: float, spread: float) -> np.ndarray:
    """Apex and geodesic arc vertices (lon/lat) of the downwind sector from one point."""
    steps = max(math.ceil(spread / _ARC_STEP_DEG), 1)
    azimuths = downwind - spread / 2 + spread * np.arange(steps + 1) / steps
    arc_lon, arc_lat, _ = GEOD.fwd(
        np.full(steps + 1, lon), np.full(steps + 1, lat), azimuths, np.full(steps + 1, distance)
    )
    return np.vstack([[lon, lat], np.column_stack([arc_lon, arc_lat])])


def _hull_vertices(plane_geom) -> np.ndarray:
    """Vertices of the act's convex hull (plane), simplified to at most 64."""
    hull = plane_geom.convex_hull
    tolerance = 0.5
    while len(shapely.get_coordinates(hull)) > MAX_HULL_VERTICES + 1:
        hull = plane_geom.convex_hull.simplify(tolerance, preserve_topology=False)
        tolerance *= 2
    return np.unique(shapely.get_coordinates(hull), axis=0)


def wind_sector(geom, from_deg: float, distance_m: float, spread_deg: float = 45.0) -> Polygon:
    """Downwind area: the act swept by a sector of ``spread_deg`` opening towards from_deg + 180, ``distance_m`` long."""
    bearing, distance, spread = _check_wind(from_deg, distance_m, spread_deg)
    _check_geometry(geom)
    downwind = (bearing + 180.0) % 360.0
    local = _local_for(geom)
    plane = local.to_plane(geom)
    vertices = local.to_lonlat(shapely.multipoints(_hull_vertices(plane)))
    # both the hull and the sector are convex (spread ≤ 180°), so their Minkowski sum is the convex hull
    # of the sectors placed on the hull's vertices; the act's own vertices keep it covered after simplifying
    points = [shapely.get_coordinates(plane)]
    for vertex in vertices.geoms:
        sector = shapely.multipoints(_sector_points(vertex.x, vertex.y, downwind, distance, spread))
        points.append(shapely.get_coordinates(local.to_plane(sector)))
    return local.to_lonlat(shapely.multipoints(np.vstack(points)).convex_hull)


# --- downstream -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Network:
    reaches: tuple[Reach, ...]
    coords: tuple[np.ndarray, ...]  # lon/lat vertices per reach
    cumulative: tuple[np.ndarray, ...]  # geodesic metres from the reach's start to each vertex
    successors: tuple[tuple[int, ...], ...]
    same_start: tuple[tuple[int, ...], ...]


def _cumulative(coords: np.ndarray) -> np.ndarray:
    _, _, steps = GEOD.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    return np.concatenate([[0.0], np.cumsum(steps)])


def _touching(plane_points: list, queries: list) -> tuple[tuple[int, ...], ...]:
    """For each query point, the indexes of plane_points within the node tolerance of it."""
    tree = shapely.STRtree(plane_points)
    found = [[] for _ in queries]
    query_idx, point_idx = tree.query(queries, predicate="dwithin", distance=NODE_TOLERANCE_M)
    for q, p in zip(query_idx.tolist(), point_idx.tolist()):
        found[q].append(p)
    return tuple(tuple(sorted(f)) for f in found)


def _network(reaches: Sequence[Reach], plane_lines: list) -> _Network:
    coords = tuple(np.asarray(shapely.get_coordinates(r.geom), dtype=float) for r in reaches)
    starts = [shapely.Point(line.coords[0]) for line in plane_lines]
    ends = [shapely.Point(line.coords[-1]) for line in plane_lines]
    return _Network(
        tuple(reaches),
        coords,
        tuple(_cumulative(c) for c in coords),
        _touching(starts, ends),
        _touching(starts, starts),
    )


def _check_reaches(reaches: Sequence[Reach]) -> None:
    for reach in reaches:
        if not isinstance(reach.geom, LineString) or reach.geom.is_empty or len(reach.geom.coords) < 2:
            raise InvalidInput(f"河段 {reach.id} 不是有效的线 (reach {reach.id} is not a valid line)")


def _snap(local: _Local, act, plane_lines: list, snap_m: float) -> tuple[int, Point, Point, float]:
    """The nearest reach, the start point on it (plane and lon/lat), and its geodesic distance from the act."""
    plane_act = local.to_plane(act)
    distances = shapely.distance(np.asarray(plane_lines, dtype=object), plane_act)
    index = int(np.argmin(distances))
    line = plane_lines[index]
    if distances[index] < 1e-6:
        # the act touches the river: start where the river first meets it, not at an arbitrary contact
        contact = shapely.get_coordinates(line.intersection(plane_act))
        at = line.interpolate(min(line.project(Point(xy)) for xy in contact)) if len(contact) else None
        on_line, on_act = (at, at) if at is not None else nearest_points(line, plane_act)
    else:
        on_line, on_act = nearest_points(line, plane_act)
    start, near = local.to_lonlat(on_line), local.to_lonlat(on_act)
    gap = float(GEOD.inv(near.x, near.y, start.x, start.y)[2])
    if gap > snap_m:
        raise ValidationFailed(
            f"污染行为发生地 {snap_m:g} 米内没有河流 (no river within {snap_m:g} m of the act)",
            details={"nearest_m": round(gap, 1), "snap_m": snap_m},
        )
    return index, on_line, start, gap


def _offset(net: _Network, index: int, plane_line, plane_point, start: Point) -> float:
    """Geodesic metres from the reach's start to the snapped point."""
    xy = shapely.get_coordinates(plane_line)
    planar = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
    k = int(np.clip(np.searchsorted(planar, plane_line.project(plane_point), side="right") - 1, 0, len(xy) - 2))
    lon, lat = net.coords[index][k]
    return float(net.cumulative[index][k] + GEOD.inv(lon, lat, start.x, start.y)[2])


def _point_at(coords: np.ndarray, cumulative: np.ndarray, s: float) -> np.ndarray:
    """The point ``s`` geodesic metres along the line (vertices exactly when s falls on one)."""
    k = int(np.clip(np.searchsorted(cumulative, s, side="right") - 1, 0, len(coords) - 2))
    if s - cumulative[k] <= 1e-9:
        return coords[k]
    if cumulative[k + 1] - s <= 1e-9:
        return coords[k + 1]
    azimuth = GEOD.inv(*coords[k], *coords[k + 1])[0]
    lon, lat, _ = GEOD.fwd(*coords[k], azimuth, s - cumulative[k])
    return np.array([lon, lat])


def _cut(coords: np.ndarray, cumulative: np.ndarray, a: float, b: float) -> LineString:
    """The part of a line between geodesic distances a < b from its start."""
    inner = coords[(cumulative > a + 1e-9) & (cumulative < b - 1e-9)]
    return LineString(np.vstack([_point_at(coords, cumulative, a), inner, _point_at(coords, cumulative, b)]))


def _walk(net: _Network, index: int, offset: float, distance: float) -> dict[int, list[tuple[float, float]]]:
    """Reach → covered (from, to) metres; each reach is entered once, at its shortest flow distance."""
    covered: dict[int, list[tuple[float, float]]] = {}
    length = net.cumulative[index][-1]
    if offset < length - 1e-9:
        covered[index] = [(offset, min(length, offset + distance))]
    queue = [(length - offset, j) for j in net.successors[index]]
    if offset <= NODE_TOLERANCE_M:  # snapped onto a fork: every branch leaving it carries the pollution
        queue += [(0.0, j) for j in net.same_start[index] if j != index]
    heapq.heapify(queue)
    entered: set[int] = set()
    while queue:
        entry, j = heapq.heappop(queue)
        if entry >= distance or j in entered:
            continue
        entered.add(j)
        reach_length = net.cumulative[j][-1]
        covered.setdefault(j, []).append((0.0, min(reach_length, distance - entry)))
        for k in net.successors[j]:
            if k not in entered:
                heapq.heappush(queue, (entry + reach_length, k))
    return covered


def _merged(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Overlapping intervals joined (a loop back into the first reach must not count twice)."""
    out: list[list[float]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1] + 1e-9:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out if b - a > 1e-6]


def downstream(geom, reaches: Sequence[Reach], distance_m: float, snap_m: float = 200.0) -> Trace:
    """Walk ``distance_m`` metres downstream from the river point nearest to the act, along every branch."""
    distance = _check_range(
        distance_m, MAX_DOWNSTREAM_M, "下游距离须在 0–200000 米之间 (distance_m must be in (0, 200000])"
    )
    snap = _check_range(snap_m, MAX_RADIUS_M, "吸附距离须在 0–50000 米之间 (snap_m must be in (0, 50000])")
    _check_geometry(geom)
    _check_reaches(reaches)
    if not reaches:
        raise ValidationFailed(f"污染行为发生地 {snap:g} 米内没有河流 (no river within {snap:g} m of the act)")
    local = _local_for(geom)
    plane_lines = [local.to_plane(r.geom) for r in reaches]
    net = _network(reaches, plane_lines)
    index, plane_point, start, gap = _snap(local, geom, plane_lines, snap)
    covered = _walk(net, index, _offset(net, index, plane_lines[index], plane_point, start), distance)
    pieces, order = [], []
    for i, intervals in covered.items():  # insertion order is walk order
        for a, b in _merged(intervals):
            pieces.append((_cut(net.coords[i], net.cumulative[i], a, b), b - a))
            if i not in order:
                order.append(i)
    rivers = tuple(dict.fromkeys(net.reaches[i].river for i in order))
    return Trace(
        MultiLineString([p for p, _ in pieces]),
        tuple(net.reaches[i].id for i in order),
        rivers,
        start,
        gap,
        float(sum(length for _, length in pieces)),
    )
