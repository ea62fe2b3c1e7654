"""Which parents their children tile exactly, decided from the edges alone (no overlay).

When the children of a parent share their edges vertex for vertex with each other and with the
parent (the normal state of a coverage built by splitting or dissolving), the sum of the children's
oriented boundaries equals the parent's boundary: every inner edge is used once in each direction and
every outer edge once, in the parent's direction. For valid polygons the winding number is the
indicator function, so then the children's indicators add up to the parent's everywhere: no gap, no
overlap, nothing outside, in any plane, because the test is on vertices, not on areas. That is a sort
and a sum over the edges (linear, vectorised), where the overlay checks of ``topology`` cost a
polygon intersection or difference per pair. Parents for which the edges do not cancel (slivers,
T-junctions, a parent with vertices its children lack) are left to the exact checks of ``topology``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import shapely

BATCH_VERTICES = 4_000_000  # vertices per batch of parents: bounds the memory of the edge arrays (~300 MB)
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def tiled_parents(
    geoms: np.ndarray, children_of: dict[int, list[int]], progress: Callable[[int], None] | None = None
) -> set[int]:
    """The parents (row numbers) whose children tile them exactly; every row given must be a valid (multi)polygon.

    ``progress(n)`` is called after each batch with the number of children it cleared.
    """
    sizes = shapely.get_num_coordinates(geoms)
    tiled: set[int] = set()
    for batch in _batches(children_of, sizes):
        cleared = _cancelling(geoms, batch, children_of)
        tiled |= cleared
        if progress:
            progress(sum(len(children_of[p]) for p in cleared))
    return tiled


def _batches(children_of: dict[int, list[int]], sizes: np.ndarray) -> Iterator[list[int]]:
    """Parents in groups of about BATCH_VERTICES vertices (parent and children counted)."""
    batch, count = [], 0
    for parent, children in children_of.items():
        batch.append(parent)
        count += int(sizes[parent] + sizes[children].sum())
        if count >= BATCH_VERTICES:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


def _cancelling(geoms: np.ndarray, parents: list[int], children_of: dict[int, list[int]]) -> set[int]:
    """Of ``parents``, those whose children's directed edges minus their own all cancel."""
    rows = np.array([r for p in parents for r in (p, *children_of[p])], dtype=np.intp)
    group = np.array([p for p in parents for _ in range(1 + len(children_of[p]))], dtype=np.int64)
    sign = np.array([v for p in parents for v in (-1, *([1] * len(children_of[p])))], dtype=np.int64)
    oriented = shapely.orient_polygons(geoms[rows])  # shells counter-clockwise, holes clockwise; per batch
    parts, part_row = shapely.get_parts(oriented, return_index=True)  # get_rings takes polygons only
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    ring_row = part_row[ring_part]
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[:-1] == ring[1:]  # consecutive vertices of one ring: an edge
    start, end = coords[:-1][same], coords[1:][same]
    owner = ring_row[ring[:-1][same]]
    keep = np.any(start != end, axis=1)  # a repeated vertex is no edge
    start, end, owner = start[keep], end[keep], owner[keep]
    # each edge once per direction: canonical = lower endpoint first, the direction in the sign
    flip = (start[:, 0] > end[:, 0]) | ((start[:, 0] == end[:, 0]) & (start[:, 1] > end[:, 1]))
    a, b = np.where(flip[:, None], end, start), np.where(flip[:, None], start, end)
    signs = np.where(flip, -sign[owner], sign[owner])
    keys = np.column_stack([group[owner], (a + 0.0).view(np.int64), (b + 0.0).view(np.int64)])
    return set(parents) - _unbalanced(keys, signs)


def _unbalanced(keys: np.ndarray, signs: np.ndarray) -> set[int]:
    """Groups (keys[:, 0]) holding an edge whose signed uses do not add up to zero (or a hash collision)."""
    if len(keys) == 0:
        return set()
    hashes = _hash(keys)
    order = np.argsort(hashes, kind="stable")
    hashes, keys, signs = hashes[order], keys[order], signs[order]
    starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    totals = np.add.reduceat(signs, starts)
    bad = keys[starts[totals != 0], 0]
    # equal hashes must be equal edges: a collision is not trusted, its groups go to the exact checks
    run_mate = np.r_[False, hashes[1:] == hashes[:-1]]
    collided = run_mate & np.any(keys != np.roll(keys, 1, axis=0), axis=1)
    collided_groups = np.r_[keys[collided, 0], np.roll(keys, 1, axis=0)[collided, 0]]
    return {int(g) for g in np.concatenate([bad, collided_groups])}


def _hash(keys: np.ndarray) -> np.ndarray:
    """A 64-bit mix (splitmix64 steps) of each row of int64 ``keys``."""
    h = np.zeros(len(keys), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in keys.T:
            h = (h ^ column.astype(np.uint64)) + _MIX[0]
            h = (h ^ (h >> np.uint64(30))) * _MIX[1]
            h = (h ^ (h >> np.uint64(27))) * _MIX[2]
            h ^= h >> np.uint64(31)
    return h


def suspects(geoms: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Per geometry, whether GEOS finds an invalid coverage edge of it among its group (same ``groups`` value).

    A valid coverage has no overlaps (GEOS ``coverage_invalid_edges``), so a pair of siblings can only
    overlap when one of them has an invalid edge: the exact overlap check needs only those pairs.
    """
    flagged = np.zeros(len(geoms), dtype=bool)
    order = np.argsort(groups, kind="stable")
    bounds = np.flatnonzero(np.r_[True, groups[order][1:] != groups[order][:-1], True])
    for first, last in zip(bounds[:-1], bounds[1:]):
        members = order[first:last]
        if len(members) > 1:
            flagged[members] = ~shapely.is_empty(shapely.coverage_invalid_edges(geoms[members]))
    return flagged
