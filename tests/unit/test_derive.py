"""Derived harm areas: geodesic buffer, downwind sector, downstream walk along the river network (no DB)."""

import math

import pytest
import shapely
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon

from gisgrid.errors import InvalidInput, ValidationFailed
from gisgrid.jurisdiction.derive import Reach, buffer_area, downstream, wind_sector
from tests.jurisdiction_world import river_frame
from tests.worlds import wgs84

GEOD = Geod(ellps="WGS84")
CENTRE = Point(116.37, 39.93)


def geodesic_area(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0])


def moved(point: Point, bearing: float, metres: float) -> Point:
    lon, lat, _ = GEOD.fwd(point.x, point.y, bearing, metres)
    return Point(lon, lat)


def angle_between(a: float, b: float) -> float:
    return abs((a - b + 180) % 360 - 180)


def world_point(x, y) -> Point:
    return Point(wgs84(x, y))


def world_line(*points) -> LineString:
    return LineString([wgs84(x, y) for x, y in points])


def river_reaches(extra=()) -> list[Reach]:
    """甲河 (R1 0–1200, R2 1200–3600, R3 3600–6000 along y=1500) plus extra (id, river, line) reaches."""
    rows = river_frame()
    reaches = [Reach(i, row.river, row.geometry) for i, row in enumerate(rows.itertuples(), 1)]
    return reaches + [Reach(i, river, line) for i, river, line in extra]


def end_points(trace) -> list[Point]:
    return [Point(line.coords[-1]) for line in trace.geometry.geoms]


def metres(a: Point, b: Point) -> float:
    return GEOD.inv(a.x, a.y, b.x, b.y)[2]


# --- buffer -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("radius", [50, 1_000, 20_000, 50_000])
def test_point_buffer_area_is_pi_r_squared(radius):
    area = geodesic_area(buffer_area(CENTRE, radius))
    assert area == pytest.approx(math.pi * radius**2, rel=0.01)


@pytest.mark.parametrize("radius", [300, 30_000])
def test_point_buffer_radius_is_geodesic_at_eight_bearings(radius):
    area = buffer_area(CENTRE, radius)
    for bearing in range(0, 360, 45):
        assert area.contains(moved(CENTRE, bearing, radius * 0.995)), bearing
        assert not area.contains(moved(CENTRE, bearing, radius * 1.005)), bearing


def test_line_buffer_reaches_the_radius_on_both_sides():
    line = world_line((0, 0), (3000, 0))
    area = buffer_area(line, 500)
    middle = world_point(1500, 0)
    for bearing in (0, 180):  # the world's y axis is within a hair of north
        assert area.contains(moved(middle, bearing, 495))
        assert not area.contains(moved(middle, bearing, 505))
    assert area.covers(line)


@pytest.mark.parametrize("radius", [0, -5, 50_001, float("nan"), float("inf"), "abc", None])
def test_buffer_refuses_bad_radius(radius):
    with pytest.raises(InvalidInput, match="0–50000"):
        buffer_area(CENTRE, radius)


def test_buffer_refuses_empty_or_projected_geometry():
    with pytest.raises(InvalidInput):
        buffer_area(Point(), 100)
    with pytest.raises(InvalidInput):
        buffer_area(Point(40_500_000, 4_400_000), 100)


# --- wind -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("from_deg", [0, 45, 90, 200, 359])
def test_wind_sector_lies_downwind(from_deg):
    sector = wind_sector(CENTRE, from_deg, 5_000, 60)
    centroid = sector.centroid
    bearing = GEOD.inv(CENTRE.x, CENTRE.y, centroid.x, centroid.y)[0]
    assert angle_between(bearing, from_deg + 180) < 0.5


def test_wind_sector_extent_and_opening_angle():
    distance, spread = 8_000, 40
    sector = wind_sector(CENTRE, 300, distance, spread)
    arc = [Point(xy) for xy in sector.exterior.coords if metres(CENTRE, Point(xy)) > 1]
    lengths = [metres(CENTRE, p) for p in arc]
    assert max(lengths) == pytest.approx(distance, rel=0.005)
    assert min(lengths) == pytest.approx(distance, rel=0.005)  # every vertex but the apex is on the arc
    bearings = [GEOD.inv(CENTRE.x, CENTRE.y, p.x, p.y)[0] for p in arc]
    offsets = [((b - 120 + 180) % 360) - 180 for b in bearings]  # relative to downwind (300 - 180)
    assert max(offsets) - min(offsets) == pytest.approx(spread, abs=0.1)
    assert len(arc) >= spread / 2 + 1  # at least one vertex every 2°
    assert sector.contains(moved(CENTRE, 120 + spread / 2 - 1, distance * 0.98))
    assert not sector.contains(moved(CENTRE, 120 + spread / 2 + 1, distance * 0.5))


def test_wind_sector_of_a_line_sweeps_the_whole_line():
    line = world_line((0, 0), (5_000, 0))  # west–east, wind from the north
    sector = wind_sector(line, 0, 3_000, spread_deg=10)
    assert sector.buffer(1e-9).covers(line)
    middle = world_point(2_500, 0)
    # the Minkowski sum, not just sectors at the two ends: the middle of the line carries 3 km south too
    assert sector.contains(moved(middle, 180, 2_970))
    assert not sector.contains(moved(middle, 180, 3_030))
    assert not sector.contains(moved(middle, 0, 30))  # nothing upwind


def test_wind_sector_of_a_polygon_contains_it():
    act = Polygon([wgs84(x, y) for x, y in [(0, 0), (800, 0), (800, 300), (400, 600), (0, 300)]])
    sector = wind_sector(act, 90, 2_000, 90)
    assert sector.buffer(1e-9).covers(act)
    assert sector.contains(moved(world_point(0, 150), 270, 1_900))


def test_wind_sector_simplifies_a_detailed_act():
    circle = shapely.Point(wgs84(0, 0)).buffer(0.01, quad_segs=200)  # 800 hull vertices
    sector = wind_sector(circle, 180, 1_000)
    assert sector.buffer(1e-9).covers(circle)
    assert len(sector.exterior.coords) < 64 * 50


@pytest.mark.parametrize(
    "args",
    [
        (-1, 1000, 45),
        (361, 1000, 45),
        (float("nan"), 1000, 45),
        (0, 0, 45),
        (0, 50_001, 45),
        (0, 1000, 0),
        (0, 1000, 181),
        (0, 1000, "x"),
    ],
)
def test_wind_sector_refuses_bad_parameters(args):
    with pytest.raises(InvalidInput):
        wind_sector(CENTRE, *args)


# --- downstream -------------------------------------------------------------------------------------


def test_walk_length_and_crossing_into_the_next_reach():
    trace = downstream(world_point(600, 1550), river_reaches(), 2_000)
    assert trace.reach_ids == (1, 2)
    assert trace.rivers == ("甲河",)
    assert trace.length_m == pytest.approx(2_000, rel=0.005)
    assert trace.snap_m == pytest.approx(50, abs=0.5)
    assert metres(trace.start, world_point(600, 1500)) < 0.5
    assert metres(end_points(trace)[-1], world_point(2_600, 1500)) < 10


def test_walk_crosses_two_reach_boundaries():
    trace = downstream(world_point(600, 1450), river_reaches(), 4_000)
    assert trace.reach_ids == (1, 2, 3)
    assert trace.length_m == pytest.approx(4_000, rel=0.005)
    assert metres(end_points(trace)[-1], world_point(4_600, 1500)) < 20


def test_walk_cuts_the_last_reach_mid_way():
    trace = downstream(world_point(1_300, 1500), river_reaches(), 1_000)
    assert trace.reach_ids == (2,)
    (line,) = trace.geometry.geoms
    assert GEOD.geometry_length(line) == pytest.approx(1_000, rel=1e-6)
    assert metres(Point(line.coords[-1]), world_point(2_300, 1500)) < 5


def test_walk_stops_where_the_network_ends():
    trace = downstream(world_point(5_000, 1500), river_reaches(), 10_000)
    assert trace.reach_ids == (3,)
    assert trace.length_m == pytest.approx(1_000, rel=0.005)


def test_bifurcation_follows_every_branch_with_the_remaining_distance():
    south = world_line((1_200, 1500), (1_200, 500))  # leaves the R1/R2 node
    trace = downstream(world_point(600, 1500), river_reaches([(4, "乙河", south)]), 1_000)
    assert set(trace.reach_ids) == {1, 2, 4}
    assert trace.rivers[0] == "甲河" and "乙河" in trace.rivers
    assert trace.length_m == pytest.approx(600 + 400 + 400, rel=0.005)
    ends = end_points(trace)
    assert min(metres(p, world_point(1_600, 1500)) for p in ends) < 5
    assert min(metres(p, world_point(1_200, 1100)) for p in ends) < 5


def test_start_on_a_fork_node_follows_both_branches():
    south = world_line((1_200, 1500), (1_200, 500))
    trace = downstream(world_point(1_200, 1510), river_reaches([(4, "乙河", south)]), 300)
    assert set(trace.reach_ids) >= {2, 4}
    assert trace.length_m == pytest.approx(600, rel=0.005)


def test_confluence_is_walked_once_at_its_shortest_distance():
    reaches = [
        Reach(1, "甲", world_line((0, 0), (1_000, 0))),
        Reach(2, "甲", world_line((1_000, 0), (2_000, 0))),  # short arm
        Reach(3, "乙", world_line((1_000, 0), (1_000, 500), (2_000, 500), (2_000, 0))),  # long arm
        Reach(4, "甲", world_line((2_000, 0), (5_000, 0))),
    ]
    trace = downstream(world_point(0, 0), reaches, 3_000)
    # 1000 + 1000 (short arm) + 1000 on reach 4; the long arm gets 2000 of its 2000 — reach 4 only once
    assert trace.length_m == pytest.approx(1_000 + 1_000 + 2_000 + 1_000, rel=0.005)
    assert trace.reach_ids.count(4) == 1
    assert len(trace.geometry.geoms) == 4


def test_loop_terminates_and_counts_each_stretch_once():
    square = [(0, 0), (1_000, 0), (1_000, 1_000), (0, 1_000)]
    reaches = [Reach(i + 1, "环河", world_line(square[i], square[(i + 1) % 4])) for i in range(4)]
    trace = downstream(world_point(500, -20), reaches, 50_000)
    assert trace.length_m == pytest.approx(4_000, rel=0.005)  # the whole loop, once
    assert sorted(trace.reach_ids) == [1, 2, 3, 4]


def test_nothing_within_the_snap_distance():
    with pytest.raises(ValidationFailed, match="200 米内没有河流"):
        downstream(world_point(600, 1_800), river_reaches(), 1_000)
    trace = downstream(world_point(600, 1_800), river_reaches(), 1_000, snap_m=400)
    assert trace.snap_m == pytest.approx(300, abs=1)
    with pytest.raises(ValidationFailed):
        downstream(world_point(600, 1_500), [], 1_000)


def test_a_polygon_act_across_the_river_starts_where_the_river_enters_it():
    act = Polygon([wgs84(x, y) for x, y in [(2_000, 1_400), (2_500, 1_400), (2_500, 1_600), (2_000, 1_600)]])
    trace = downstream(act, river_reaches(), 1_000)
    assert trace.snap_m == pytest.approx(0, abs=0.01)
    assert metres(trace.start, world_point(2_000, 1_500)) < 1
    assert trace.length_m == pytest.approx(1_000, rel=0.005)


@pytest.mark.parametrize("distance, snap", [(0, 200), (-1, 200), (200_001, 200), ("x", 200), (1_000, 0)])
def test_downstream_refuses_bad_parameters(distance, snap):
    with pytest.raises(InvalidInput):
        downstream(world_point(600, 1_500), river_reaches(), distance, snap_m=snap)
