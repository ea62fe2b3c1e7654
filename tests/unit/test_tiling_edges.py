"""The edge test of gisgrid.grids.coverage: which parents their children tile vertex for vertex.

A parent is cleared only when its children's directed edges cancel against its own; everything else
(slivers, overlaps, a duplicated child, a T-junction) is left to the exact overlay checks, and the
validation report is the same either way.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from gisgrid.grids import coverage
from gisgrid.grids.validation import validate_grids

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from bench import synthetic  # noqa: E402

PARENT = Polygon([(0, 0), (1, 0), (2, 0), (2, 1), (1, 1), (0, 1)])  # has the vertices its children share
LEFT, RIGHT = box(0, 0, 1, 1), box(1, 0, 2, 1)


def tiled(parent, *children) -> bool:
    geoms = np.array([parent, *children], dtype=object)
    return coverage.tiled_parents(geoms, {0: list(range(1, len(geoms)))}) == {0}


def test_children_sharing_every_vertex_tile_their_parent():
    assert tiled(PARENT, LEFT, RIGHT)
    assert tiled(PARENT, shapely.reverse(LEFT), RIGHT)  # drawn clockwise: orientation is normalised


@pytest.mark.parametrize(
    "children",
    [
        (box(0, 0, 0.99, 1), RIGHT),  # a gap
        (box(0, 0, 1.01, 1), RIGHT),  # an overlap
        (LEFT, LEFT, RIGHT),  # a duplicated child
        (LEFT,),  # a missing child
        (box(0, 0, 1, 1.01), RIGHT),  # a child sticking out of its parent
    ],
)
def test_any_difference_leaves_the_parent_to_the_exact_checks(children):
    assert not tiled(PARENT, *children)


def test_a_t_junction_is_not_cleared_by_the_edges():
    # the parent lacks the vertex (1, 0) its children share: equal areas, but not the same edges
    assert not tiled(box(0, 0, 2, 1), LEFT, RIGHT)


def test_multipolygons_and_holes_are_edges_too():
    lake = box(0.4, 0.4, 0.6, 0.6)
    holed = Polygon(PARENT.exterior.coords, [lake.exterior.coords])
    assert tiled(holed, Polygon(LEFT.exterior.coords, [lake.exterior.coords]), RIGHT)
    assert not tiled(holed, LEFT, RIGHT)  # the lake is not the parent's: the left child must not fill it
    exclave = box(5, 0, 6, 1)
    assert tiled(MultiPolygon([PARENT, exclave]), MultiPolygon([LEFT, exclave]), RIGHT)
    assert not tiled(MultiPolygon([PARENT, exclave]), LEFT, RIGHT)


def test_batches_give_the_same_answer(monkeypatch):
    grid_set = synthetic.build(400)
    geoms = shapely.from_wkb([row["wkb"] for row in grid_set.rows])
    row_of = {row["code"]: i for i, row in enumerate(grid_set.rows)}
    children_of = {}
    for i, row in enumerate(grid_set.rows):
        if row["parent_code"]:
            children_of.setdefault(row_of[row["parent_code"]], []).append(i)
    whole = coverage.tiled_parents(geoms, children_of)
    assert whole == set(children_of)  # the synthetic set is built by dissolving: every parent is tiled
    monkeypatch.setattr(coverage, "BATCH_VERTICES", 500)
    assert coverage.tiled_parents(geoms, children_of) == whole


def _frame(rows):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    import bench_import

    return bench_import.frame(rows)


@pytest.mark.parametrize("jitter_m", [0.0, 2.0])
def test_the_report_is_the_one_of_the_exact_checks_alone(monkeypatch, jitter_m):
    grid_set = synthetic.build(300)
    rows = synthetic.jittered(grid_set.rows, jitter_m) if jitter_m else grid_set.rows
    fast = validate_grids(_frame(rows))
    monkeypatch.setattr(coverage, "tiled_parents", lambda geoms, children_of, progress=None: set())
    monkeypatch.setattr(coverage, "suspects", lambda geoms, groups: np.ones(len(geoms), dtype=bool))
    exact = validate_grids(_frame(rows))
    assert [p.to_dict() for p in fast] == [p.to_dict() for p in exact]
    assert bool(fast) == bool(jitter_m)  # the jittered set has slivers, the clean one none


@pytest.mark.parametrize("jitter_m", [0.0, 2.0])
def test_progress_counts_every_feature_twice(jitter_m):
    rows = synthetic.build(300).rows
    rows = synthetic.jittered(rows, jitter_m) if jitter_m else rows
    calls = []
    validate_grids(_frame(rows), progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (600, 600) and all(done <= total for done, total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
