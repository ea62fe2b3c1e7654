"""Cells of the batch raster without a database: ST_Subdivide-like cuts, holes, overlaps and exactness.

The reference is GEOS (an STRtree ``intersects`` query with the tie rule: deepest level, then the smallest
part number, which is the code order here); every point the raster answers must get the same answer.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from gisgrid.grids import cells


def _geos(geoms, levels, lon, lat):
    tree = shapely.STRtree(geoms)
    point, part = tree.query(shapely.points(lon, lat), predicate="intersects")
    order = np.lexsort((part, -levels[part], point))
    point, part = point[order], part[order]
    first = np.ones(len(point), dtype=bool)
    first[1:] = point[1:] != point[:-1]
    best = np.full(len(lon), -1)
    best[point[first]] = part[first]
    return best


def _check(geoms, levels, grids, budget, lon, lat):
    grid = cells.build(np.asarray(geoms, dtype=object), levels, grids, budget=budget)
    value = grid.lookup(lon, lat)
    fast = value != cells.EXACT
    expected = grids[np.maximum(_geos(np.asarray(geoms, dtype=object), levels, lon, lat), 0)]
    expected[_geos(np.asarray(geoms, dtype=object), levels, lon, lat) < 0] = -1
    got = np.where(value >= 0, grids[np.maximum(value, 0)], -1)
    assert np.array_equal(got[fast], expected[fast])
    return grid, fast


def _cut(polygon, x):
    """Two parts of a polygon cut at ``x``, one side with an extra vertex on the cut (as a deeper cut leaves)."""
    xmin, ymin, xmax, ymax = polygon.bounds
    left, right = shapely.clip_by_rect(polygon, xmin, ymin, x, ymax), shapely.clip_by_rect(polygon, x, ymin, xmax, ymax)
    return [shapely.segmentize(left, 0.37), right]


def test_cuts_inside_one_grid_are_no_boundary():
    blob = Polygon([(0, 0), (4, 0.3), (4.2, 3.9), (0.1, 4)])
    parts = _cut(blob, 2.0)
    levels, grids = np.array([1, 1]), np.array([10, 10])
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(-0.5, 4.5, 100_000), rng.uniform(-0.5, 4.5, 100_000)
    grid, fast = _check(parts, levels, grids, 10_000, lon, lat)
    # the cells along the cut (x = 2, away from the outline) are answered by the raster
    on_cut = (np.abs(lon - 2.0) < 0.01) & (lat > 1) & (lat < 3)
    assert fast[on_cut].all()


def test_same_cut_between_two_grids_stays_a_boundary():
    left, right = box(0, 0, 2, 2), box(2, 0, 4, 2)
    levels, grids = np.array([1, 1]), np.array([1, 2])
    lon, lat = np.full(50, 2.0), np.linspace(0.1, 1.9, 50)
    grid, fast = _check([left, right], levels, grids, 10_000, lon, lat)
    assert not fast.any()  # on the shared edge only GEOS (and the tie rule) decides


def test_holes_exclaves_lattice_and_overlap():
    outer = Polygon([(0, 0), (3, 0), (3, 3), (0, 3)], [[(1, 1), (2, 1), (2, 2), (1, 2)]])
    exclave = box(1, 1, 2, 2)
    bad = box(2.5, 2.5, 3.5, 3.5)  # overlaps `outer` on the same level: only GEOS knows there
    multi = MultiPolygon([box(4, 0, 5, 1), box(6, 0, 7, 1)])
    deep = box(0.25, 0.25, 0.75, 0.75)
    geoms = [outer, exclave, bad, multi, deep]
    levels, grids = np.array([1, 1, 1, 1, 2]), np.array([1, 2, 3, 4, 5])
    xs, ys = np.meshgrid(np.arange(-4, 32) / 4, np.arange(-4, 20) / 4)  # on every edge and corner
    rng = np.random.default_rng(2)
    lon = np.concatenate([xs.ravel(), rng.uniform(-0.5, 7.5, 50_000)])
    lat = np.concatenate([ys.ravel(), rng.uniform(-0.5, 4, 50_000)])
    for budget in (16, 500, 40_000):
        _check(geoms, levels, grids, budget, lon, lat)
    grid, fast = _check(geoms, levels, grids, 40_000, lon, lat)
    assert fast.mean() > 0.5  # ~30 % of the random points lie beyond the raster
    overlap = grid.lookup(np.array([2.75]), np.array([2.75]))
    assert overlap[0] == cells.EXACT


def test_points_beyond_the_raster_go_to_geos():
    grid = cells.build(np.asarray([box(0, 0, 1, 1)], dtype=object), np.array([1]), np.array([1]), budget=100)
    value = grid.lookup(np.array([-1.0, 2.0, 0.5, 1.0]), np.array([0.5, 0.5, 0.5, 1.0]))
    assert value[0] == value[1] == cells.EXACT and value[2] == 0
