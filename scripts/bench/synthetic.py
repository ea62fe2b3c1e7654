"""Synthetic three-level grid sets (county → township → village) that tile without gaps.

Villages are Voronoi cells of a jittered lattice of seeds whose edges are densified
and bent by smooth noise. Each edge is generated once and used by both neighbours
(reversed for one of them), so neighbouring villages share their boundary exactly.
Townships and counties are coverage unions of villages, so they share it too.
Coordinates are whole multiples of 1e-7° (~1 cm), as in real surveyed boundaries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

UNIT = 1e-7  # degrees per integer coordinate unit
EXTENT = (110.0, 30.0, 120.0, 40.0)  # lon/lat box in China the grids fill
MIN_EXTRA, MAX_EXTRA = 5, 30  # intermediate vertices per shared village edge
BEND = 0.04  # amplitude of the edge noise, as a share of the edge length


@dataclass
class GridSet:
    """Rows ready for ``queries.insert_grids`` (level order) plus the data extent."""

    rows: list[dict]
    extent: tuple[float, float, float, float]
    counts: dict[int, int]
    vertices: dict[int, tuple[int, float, int]]  # level → (min, mean, max) vertex count


def level_counts(total: int) -> tuple[int, int, int]:
    """(counties, townships, villages) adding up to ``total``: ~1,000 and ~50 grids per parent."""
    counties = max(1, round(total / 1000))
    townships = max(counties, round(total / 50))
    villages = total - counties - townships
    if villages < townships:
        raise ValueError(f"--grids {total} is too small for a three-level hierarchy")
    return counties, townships, villages


def jittered_seeds(n: int, extent, rng: np.random.Generator, jitter: float = 0.4) -> np.ndarray:
    """``n`` points spread evenly over ``extent``: a jittered lattice with random cells dropped."""
    x0, y0, x1, y1 = extent
    nx = max(1, math.ceil(math.sqrt(n * (x1 - x0) / (y1 - y0))))
    ny = max(1, math.ceil(n / nx))
    ii, jj = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    cx = (ii.ravel() + 0.5 + rng.uniform(-jitter, jitter, ii.size)) / nx
    cy = (jj.ravel() + 0.5 + rng.uniform(-jitter, jitter, jj.size)) / ny
    keep = np.sort(rng.choice(ii.size, size=n, replace=False))
    return np.column_stack([x0 + cx[keep] * (x1 - x0), y0 + cy[keep] * (y1 - y0)])


def voronoi_rings(seeds: np.ndarray, extent) -> list[np.ndarray]:
    """Integer vertex rings (no closing point) of the Voronoi cells of ``seeds``, clipped to ``extent``."""
    frame = shapely.box(*extent)
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame, ordered=True)
    cells = shapely.intersection(shapely.get_parts(cells), frame)
    coords, owner = shapely.get_coordinates(shapely.get_exterior_ring(cells), return_index=True)
    ints = np.rint(coords / UNIT).astype(np.int64)
    rings = []
    for ring in np.split(ints, np.flatnonzero(np.diff(owner)) + 1):
        ring = ring[:-1]
        keep = np.any(ring != np.roll(ring, 1, axis=0), axis=1)  # drop repeats from rounding
        rings.append(ring[keep])
    return rings


def _edge_table(rings: list[np.ndarray]):
    """Every ring edge as (unique edge id, reversed?) plus the unique edges' endpoints and use count."""
    starts = np.concatenate(rings)
    ends = np.concatenate([np.roll(r, -1, axis=0) for r in rings])
    flip = (starts[:, 0] > ends[:, 0]) | ((starts[:, 0] == ends[:, 0]) & (starts[:, 1] > ends[:, 1]))
    a = np.where(flip[:, None], ends, starts)
    b = np.where(flip[:, None], starts, ends)
    keys, edge_id, uses = np.unique(np.hstack([a, b]), axis=0, return_inverse=True, return_counts=True)
    return starts, edge_id.ravel(), flip, keys, uses


def _bent_points(keys: np.ndarray, counts: np.ndarray, amplitude: np.ndarray, rng) -> np.ndarray:
    """Intermediate points of every unique edge, in canonical order, concatenated (integer units)."""
    a, b = keys[:, :2].astype(float), keys[:, 2:].astype(float)
    modes = rng.uniform(-1, 1, (len(keys), 3)) * amplitude[:, None] / np.array([1.0, 2.0, 3.0])
    edge = np.repeat(np.arange(len(keys)), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    t = (np.arange(counts.sum()) - first + 1) / (counts[edge] + 1)
    t = t + rng.uniform(-0.3, 0.3, t.size) / (counts[edge] + 1)  # uneven spacing
    bend = sum(modes[edge, m] * np.sin((m + 1) * np.pi * t) for m in range(3))
    d = b[edge] - a[edge]
    normal = np.column_stack([-d[:, 1], d[:, 0]])  # length = edge length
    pts = a[edge] + d * t[:, None] + normal * bend[:, None]
    return np.rint(pts).astype(np.int64)


def _assemble(rings, table, counts, points) -> np.ndarray:
    """Village polygons from the ring edges, each followed by its (possibly reversed) bent points."""
    starts, edge_id, flip, _keys, _uses = table
    offsets = np.cumsum(counts) - counts
    pieces, ring_index, cursor = [], [], 0
    for n, ring in enumerate(rings):
        for k in range(cursor, cursor + len(ring)):
            u = edge_id[k]
            inner = points[offsets[u] : offsets[u] + counts[u]]
            pieces.append(starts[k : k + 1])
            pieces.append(inner[::-1] if flip[k] else inner)
        ring_index.append(np.full(len(ring) + counts[edge_id[cursor : cursor + len(ring)]].sum(), n))
        cursor += len(ring)
    coords = np.concatenate(pieces) * UNIT
    return shapely.polygons(shapely.linearrings(coords, indices=np.concatenate(ring_index)))


def villages(n: int, extent, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(seeds, polygons) of ``n`` village cells tiling ``extent`` with exactly shared bent edges."""
    seeds = jittered_seeds(n, extent, rng)
    rings = voronoi_rings(seeds, extent)
    table = _edge_table(rings)
    keys, uses = table[3], table[4]
    counts = rng.integers(MIN_EXTRA, MAX_EXTRA + 1, len(keys))
    amplitude = np.where(uses > 1, BEND, 0.0)  # the outer frame stays straight
    noise_seed = int(rng.integers(2**31))
    for _ in range(6):
        points = _bent_points(keys, counts, amplitude, np.random.default_rng(noise_seed))
        polys = _assemble(rings, table, counts, points)
        bad = np.flatnonzero(~shapely.is_valid(polys))
        if len(bad) == 0:
            return seeds, polys
        owner = np.repeat(np.arange(len(rings)), [len(r) for r in rings])
        amplitude[np.unique(table[1][np.isin(owner, bad)])] /= 4  # straighten edges of broken cells
    raise RuntimeError(f"{len(bad)} synthetic villages stayed invalid")


def _nearest(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the nearest of ``centres`` for each of ``points``."""
    tree = shapely.STRtree(shapely.points(centres))
    src, hit = tree.query_nearest(shapely.points(points), all_matches=False)
    out = np.empty(len(points), dtype=np.int64)
    out[src] = hit
    return out


def _unions(polys: np.ndarray, group: np.ndarray, n: int) -> list:
    """Coverage union of ``polys`` per group id 0..n-1 (exact shared edges dissolve cleanly)."""
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(n + 1))
    return [shapely.coverage_union_all(polys[order[bounds[g] : bounds[g + 1]]]) for g in range(n)]


def _compact(group: np.ndarray) -> tuple[np.ndarray, int]:
    """Renumber group ids 0..k-1 in order of first id, dropping groups nobody joined."""
    used, dense = np.unique(group, return_inverse=True)
    return dense.ravel(), len(used)


def _row(code: str, name: str, level: int, parent: str | None, geom) -> dict:
    return {
        "code": code,
        "name": name,
        "level": level,
        "parent_code": parent,
        "entity": f"{name}生态环境监管责任单位",
        "leader_name": f"示例·{name}负责人",
        "leader_title": ("局长", "镇长", "村主任")[level - 1],
        "leader_phone": "199-0000-0000",
        "leader_phone_public": level == 3,
        "contact_phone": f"0371-5555-{level:04d}",
        "contact_phone_public": True,
        "duties": f"负责{name}范围内的环境监管巡查",
        "sample_data": True,
        "wkb": shapely.to_wkb(geom),
    }


def _vertex_stats(geoms) -> tuple[int, float, int]:
    counts = shapely.get_num_coordinates(np.asarray(geoms, dtype=object))
    return int(counts.min()), float(counts.mean()), int(counts.max())


def build(total: int, seed: int = 20261123, extent=EXTENT) -> GridSet:
    """``total`` grids in three levels tiling ``extent``, deterministic for a given seed."""
    rng = np.random.default_rng(seed)
    n1, n2, n3 = level_counts(total)
    village_seeds, village_polys = villages(n3, extent, rng)
    township_seeds = jittered_seeds(n2, extent, rng)
    town_of_village, n2 = _compact(_nearest(village_seeds, township_seeds))
    township_seeds = np.array([village_seeds[town_of_village == t].mean(axis=0) for t in range(n2)])
    county_of_town, n1 = _compact(_nearest(township_seeds, jittered_seeds(n1, extent, rng)))
    townships = _unions(village_polys, town_of_village, n2)
    counties = _unions(np.asarray(townships, dtype=object), county_of_town, n1)
    rows = _rows(counties, townships, village_polys, county_of_town, town_of_village)
    return GridSet(
        rows,
        extent,
        {1: n1, 2: n2, 3: len(village_polys)},
        {1: _vertex_stats(counties), 2: _vertex_stats(townships), 3: _vertex_stats(village_polys)},
    )


def _rows(counties, townships, village_polys, county_of_town, town_of_village) -> list[dict]:
    """Grid rows with 12-digit administrative-style codes, parents before children."""
    county_codes = [f"{900001 + c:06d}000000" for c in range(len(counties))]
    town_codes = [""] * len(townships)
    rows = [_row(code, f"示例县{c + 1}", 1, None, g) for c, (code, g) in enumerate(zip(county_codes, counties))]
    for c in range(len(counties)):
        for j, t in enumerate(np.flatnonzero(county_of_town == c)):
            town_codes[t] = f"{county_codes[c][:6]}{j + 1:03d}000"
            rows.append(_row(town_codes[t], f"示例县{c + 1}第{j + 1}镇", 2, county_codes[c], townships[t]))
    for t in range(len(townships)):
        for k, v in enumerate(np.flatnonzero(town_of_village == t)):
            code = f"{town_codes[t][:9]}{k + 1:03d}"
            rows.append(_row(code, f"示例村{code[-9:]}", 3, town_codes[t], village_polys[v]))
            rows[-1]["staff"] = [
                {"name": f"示例·网格员{k + 1}", "role": "网格员", "phone": "199-0000-0001", "phone_public": True},
                {"name": f"示例·监督员{k + 1}", "role": "监督员", "phone": "199-0000-0002", "phone_public": False},
            ]
    return rows


def _noise(keys: np.ndarray) -> np.ndarray:
    """A uniform value in [-1, 1) per row of uint64 ``keys`` (splitmix64): equal keys, equal noise."""
    z = keys.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(2**53) * 2.0 - 1.0


def jittered(rows: list[dict], metres: float, seed: int = 20261205) -> list[dict]:
    """The rows with every vertex of every grid moved independently by up to ``metres`` on the ground.

    This is how separately digitised outlines look: neighbours' shared edges lie a little apart (slivers
    of gap and overlap along every edge) and children stick a little out of their parents. The move of
    a vertex depends on its position and its grid only, so a ring's closing point stays on its first.
    """
    geoms = shapely.from_wkb([row["wkb"] for row in rows])
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    units = np.rint(coords / UNIT).astype(np.int64).astype(np.uint64)
    key = units[:, 0] * np.uint64(1_000_003) ^ units[:, 1] * np.uint64(998_244_353)
    key = key ^ (owner.astype(np.uint64) + np.uint64(seed)) * np.uint64(0x632BE59BD9B4E019)
    lat = np.radians(np.mean(EXTENT[1::2]))
    step = np.array([metres / (111_320.0 * np.cos(lat)), metres / 110_574.0])
    offsets = np.column_stack([_noise(key), _noise(key ^ np.uint64(0x5555555555555555))]) * step
    moved = shapely.set_coordinates(geoms, np.rint((coords + offsets) / UNIT) * UNIT)
    # a vertex moved across a close neighbour's edge folds the ring: repaired the way a GIS would save it
    bad = ~shapely.is_valid(moved)
    moved[bad] = shapely.make_valid(moved[bad], method="structure", keep_collapsed=False)
    return [{**row, "wkb": shapely.to_wkb(g)} for row, g in zip(rows, moved)]
