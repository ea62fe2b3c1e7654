"""Raster pre-assignment of batch points: a regular grid of cells over the lookup parts, prepared per version.

A cell that no part's edge touches lies wholly inside or wholly outside every part, so all of its
points share one answer, the answer at its centre. Those answers are painted by an even-odd scanline
through the cell centres, level by level (a deeper level overwrites), so a point in such a cell is
assigned by array indexing alone. Points in a cell an edge touches, and points beyond the raster, go
to the exact STRtree/GEOS test: every answer stays ``PartIndex``'s, on shared edges, corners and in
holes alike. The scanline is exact for untouched cells because their centres lie at least half a cell
from every edge, far beyond the rounding of the arithmetic here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

EXACT = -2  # cell value: an edge touches the cell, only GEOS can answer
OUTSIDE = -1  # cell value: no part covers the cell
BUDGET = 1 << 24  # cells at most: 64 MB of int32
CELLS_PER_PART = 48  # below the budget, the raster grows with the data (a 9-part test needs no 64 MB)
_SEGMENTS_PER_CHUNK = 1 << 21  # bounds the temporary arrays of marking and painting


@dataclass
class CellGrid:
    """Cells of ``dx`` × ``dy`` degrees from (x0, y0); ``cells[row, col]`` is a part number, OUTSIDE or EXACT."""

    x0: float
    y0: float
    dx: float
    dy: float
    cells: np.ndarray  # int32, shape (rows, cols)

    def lookup(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Each point's cell value; EXACT for points beyond the raster."""
        rows, cols = self.cells.shape
        col = np.floor((lon - self.x0) / self.dx)
        row = np.floor((lat - self.y0) / self.dy)
        inside = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
        out = np.full(len(lon), EXACT, dtype=np.int32)
        out[inside] = self.cells[row[inside].astype(np.intp), col[inside].astype(np.intp)]
        return out


def build(geoms: np.ndarray, levels: np.ndarray, grids: np.ndarray, budget: int | None = None) -> CellGrid:
    """Prepare the cells of a version's lookup parts (``geoms``, ``levels`` and ``grids`` as in ``PartIndex``)."""
    grid = _frame(geoms, budget or min(BUDGET, max(4096, CELLS_PER_PART * len(geoms))))
    segments = _segments(geoms)
    painted = np.full(grid.cells.shape, OUTSIDE, dtype=np.int32)
    # shallow levels first: a deeper level's part overwrites, as the deepest covering part wins
    for level in sorted(set(levels.tolist())):
        _paint_level(grid, segments, np.flatnonzero(levels == level), painted)
    _mark_touched(grid, _boundaries(segments, grids), painted)
    grid.cells = painted
    return grid


def _frame(geoms: np.ndarray, budget: int) -> CellGrid:
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms) if len(geoms) else (0.0, 0.0, 1.0, 1.0)
    width, height = max(xmax - xmin, 1e-9), max(ymax - ymin, 1e-9)
    side = float(np.sqrt(width * height / budget))  # square cells, as many as the budget allows
    cols, rows = max(int(np.ceil(width / side)), 1), max(int(np.ceil(height / side)), 1)
    while cols * rows > budget and side > 0:  # a long thin extent: ceil() may overshoot
        side *= 1.01
        cols, rows = max(int(np.ceil(width / side)), 1), max(int(np.ceil(height / side)), 1)
    # the last column/row ends just past the extent, so the far edge maps inside
    dx, dy = width / cols * (1 + 1e-12), height / rows * (1 + 1e-12)
    return CellGrid(float(xmin), float(ymin), dx, dy, np.empty((rows, cols), dtype=np.int32))


@dataclass
class _Segments:
    x1: np.ndarray
    y1: np.ndarray
    x2: np.ndarray
    y2: np.ndarray
    part: np.ndarray  # part number of each edge


def _segments(geoms: np.ndarray) -> _Segments:
    """Every edge of every ring (shells and holes) of the parts, with its part number."""
    polygons, polygon_part = shapely.get_parts(geoms, return_index=True)  # a MultiPolygon part, too
    rings, ring_polygon = shapely.get_rings(polygons, return_index=True)
    ring_part = polygon_part[ring_polygon]
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]  # consecutive coordinates of one ring make an edge
    start = np.flatnonzero(same)
    return _Segments(
        coords[start, 0], coords[start, 1], coords[start + 1, 0], coords[start + 1, 1], ring_part[ring[start]]
    )


def _boundaries(seg: _Segments, grids: np.ndarray) -> _Segments:
    """The edges where an answer can change: ST_Subdivide's cuts inside a grid left out.

    A cut is axis-parallel and lies between two parts of one grid, so the stretch of a vertical or
    horizontal line covered by edges of two parts of the same grid is no boundary of that grid; a
    stretch covered once is. Painting still uses the cuts: on a cut both parts give the grid.
    """
    vertical, horizontal = seg.x1 == seg.x2, seg.y1 == seg.y2
    slanted = ~(vertical | horizontal)  # a zero-length edge is both, and bounds nothing
    kept = [_Segments(seg.x1[slanted], seg.y1[slanted], seg.x2[slanted], seg.y2[slanted], seg.part[slanted])]
    along = vertical & ~horizontal
    start, end, x = _covered_once(grids[seg.part[along]], seg.x1[along], seg.y1[along], seg.y2[along])
    kept.append(_Segments(x, start, x, end, np.zeros(len(x), dtype=np.int64)))
    along = horizontal & ~vertical
    start, end, y = _covered_once(grids[seg.part[along]], seg.y1[along], seg.x1[along], seg.x2[along])
    kept.append(_Segments(start, y, end, y, np.zeros(len(y), dtype=np.int64)))
    return _Segments(*(np.concatenate([getattr(k, f) for k in kept]) for f in ("x1", "y1", "x2", "y2", "part")))


def _covered_once(grid: np.ndarray, line: np.ndarray, a: np.ndarray, b: np.ndarray):
    """(start, end, line) of the stretches of each (grid, line) that exactly one edge [a, b] covers."""
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    if len(lo) == 0:
        return lo, hi, line
    keys = np.stack([grid.astype(float), line])
    _, group = np.unique(keys, axis=1, return_inverse=True)
    group = np.concatenate([group.ravel(), group.ravel()])
    pos, delta = np.concatenate([lo, hi]), np.concatenate([np.ones(len(lo), int), -np.ones(len(hi), int)])
    order = np.lexsort((pos, group))
    group, pos, delta = group[order], pos[order], delta[order]
    count = np.cumsum(delta)  # each group sums to 0, so the running count restarts with each group
    at_line = np.concatenate([line, line])[order]
    once = np.flatnonzero((count[:-1] == 1) & (group[1:] == group[:-1]) & (pos[1:] > pos[:-1]))
    return pos[once], pos[once + 1], at_line[once]


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner, offset) for ``counts[i]`` items per owner i: the vectorised nested loop."""
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(len(owner)) - starts[owner]


def _paint_level(grid: CellGrid, seg: _Segments, parts: np.ndarray, painted: np.ndarray) -> None:
    """Overwrite ``painted`` where a part of this level covers a cell centre (even-odd along each row)."""
    rows, cols = painted.shape
    in_level = np.zeros(len(seg.part) and int(seg.part.max()) + 1, dtype=bool)
    in_level[parts[parts < len(in_level)]] = True
    edges = np.flatnonzero(in_level[seg.part]) if len(seg.part) else np.empty(0, dtype=np.intp)
    # +part+1 at a span's start and -part-1 at its end; the count tells overlapping parts apart
    value, count = np.zeros((rows, cols + 1), dtype=np.int32), np.zeros((rows, cols + 1), dtype=np.int32)
    for chunk in _whole_part_chunks(seg.part[edges], edges):
        _paint_spans(grid, seg, chunk, value, count)
    covered = np.cumsum(count, axis=1, dtype=np.int32)[:, :cols]
    part_plus_one = np.cumsum(value, axis=1, dtype=np.int32)[:, :cols]
    np.copyto(painted, part_plus_one - 1, where=covered == 1)
    # parts of one level overlap only in bad data: only GEOS knows which one wins there
    np.copyto(painted, np.int32(EXACT), where=covered > 1)


def _whole_part_chunks(part_of_edge: np.ndarray, edges: np.ndarray) -> list[np.ndarray]:
    """``edges`` (sorted by part) in chunks of about _SEGMENTS_PER_CHUNK, never splitting a part."""
    starts = np.flatnonzero(np.diff(part_of_edge)) + 1  # where a new part begins
    wanted = np.arange(_SEGMENTS_PER_CHUNK, len(edges), _SEGMENTS_PER_CHUNK)
    cuts = np.unique(starts[np.minimum(np.searchsorted(starts, wanted), len(starts) - 1)]) if len(starts) else []
    bounds = [0, *[int(c) for c in cuts], len(edges)]
    return [edges[a:b] for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def _paint_spans(grid: CellGrid, seg: _Segments, edges: np.ndarray, value: np.ndarray, count: np.ndarray) -> None:
    rows, cols = value.shape[0], value.shape[1] - 1
    y1, y2 = seg.y1[edges], seg.y2[edges]
    # a row's centre line crosses an edge when t(ymin) <= row < t(ymax): one monotone t for both ends of
    # every edge, so a vertex shared by two edges is counted once (the half-open even-odd rule)
    t1, t2 = (y1 - grid.y0) / grid.dy - 0.5, (y2 - grid.y0) / grid.dy - 0.5
    first = np.clip(np.ceil(np.minimum(t1, t2)), 0, rows).astype(np.int64)
    stop = np.clip(np.ceil(np.maximum(t1, t2)), 0, rows).astype(np.int64)
    owner, offset = _expand(stop - first)
    edge, row = edges[owner], first[owner] + offset
    yc = grid.y0 + (row + 0.5) * grid.dy
    ex1, ey1, ex2, ey2 = seg.x1[edge], seg.y1[edge], seg.x2[edge], seg.y2[edge]
    x = ex1 + (yc - ey1) * (ex2 - ex1) / (ey2 - ey1)
    part = seg.part[edge]
    order = np.lexsort((x, part, row))  # each (row, part) holds an even number of crossings
    x, part, row = x[order], part[order], row[order]
    start = np.clip(np.ceil((x[0::2] - grid.x0) / grid.dx - 0.5), 0, cols).astype(np.int64)
    end = np.clip(np.ceil((x[1::2] - grid.x0) / grid.dx - 0.5), 0, cols).astype(np.int64)
    keep = end > start
    row, plus = row[0::2][keep], (part[0::2][keep] + 1).astype(np.int32)
    at_start, at_end = row * (cols + 1) + start[keep], row * (cols + 1) + end[keep]
    np.add.at(value.reshape(-1), at_start, plus)
    np.add.at(value.reshape(-1), at_end, -plus)
    np.add.at(count.reshape(-1), at_start, 1)
    np.add.at(count.reshape(-1), at_end, -1)


def _mark_touched(grid: CellGrid, seg: _Segments, painted: np.ndarray) -> None:
    """EXACT in every cell that an edge's bounding box (grown by a rounding margin) touches."""
    rows, cols = painted.shape
    margin_x, margin_y = grid.dx * 1e-6, grid.dy * 1e-6  # >> float rounding, << a cell
    for lo in range(0, len(seg.part), _SEGMENTS_PER_CHUNK):
        part = slice(lo, lo + _SEGMENTS_PER_CHUNK)
        x1, x2, y1, y2 = seg.x1[part], seg.x2[part], seg.y1[part], seg.y2[part]
        c0 = np.clip(np.floor((np.minimum(x1, x2) - margin_x - grid.x0) / grid.dx), 0, cols - 1).astype(np.int64)
        c1 = np.clip(np.floor((np.maximum(x1, x2) + margin_x - grid.x0) / grid.dx), 0, cols - 1).astype(np.int64)
        r0 = np.clip(np.floor((np.minimum(y1, y2) - margin_y - grid.y0) / grid.dy), 0, rows - 1).astype(np.int64)
        r1 = np.clip(np.floor((np.maximum(y1, y2) + margin_y - grid.y0) / grid.dy), 0, rows - 1).astype(np.int64)
        width = c1 - c0 + 1
        owner, offset = _expand(width * (r1 - r0 + 1))
        painted[r0[owner] + offset // width[owner], c0[owner] + offset % width[owner]] = EXACT
