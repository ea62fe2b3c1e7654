"""Many points → smallest grid, vectorised with shapely's STRtree over the published lookup parts.

Single lookups go to PostGIS; a batch of thousands of points is answered from an
in-process index of the same ST_Subdivide'd parts, built once per published
version, with the same tie rule (deepest level, then smallest code). A raster of
cells (``cells``) answers most points by array indexing; only points in cells an
edge touches reach the STRtrees. ``batch_store`` keeps the prepared index on disk.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import orjson
import shapely
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from gisgrid import coords
from gisgrid.errors import InvalidInput
from gisgrid.grids import cells as cell_grid
from gisgrid.grids import queries
from gisgrid.grids import versions as grid_versions

CHUNK = 20_000
OUT_FIELDS = ("grid_code", "grid_name", "grid_level", "error")


@dataclass
class PartIndex:
    """One STRtree of lookup parts per level (deepest first) plus per-part grid id, level and code rank."""

    version_id: int
    trees: list[tuple[shapely.STRtree, np.ndarray]]  # (tree, part numbers in it), deepest level first
    grid_ids: np.ndarray
    levels: np.ndarray
    code_rank: np.ndarray
    grids: dict[int, tuple[str, str, int]]
    csv_suffix: dict[int, str]  # grid id → ",code,name,level," (CSV-escaped once, not per row)
    csv_tail: dict[int, bytes]  # the same with the line end, encoded (batch_io's vectorised writer)
    cells: cell_grid.CellGrid | None = None  # None: every point goes to the STRtrees

    def assign(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Grid id of the smallest grid covering each point, or -1."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        if self.cells is None:
            return self.assign_exact(lon, lat)
        part = self.cells.lookup(lon, lat)
        result = np.where(part >= 0, self.grid_ids[np.maximum(part, 0)], -1)
        exact = np.flatnonzero(part == cell_grid.EXACT)
        if len(exact):
            result[exact] = self.assign_exact(lon[exact], lat[exact])
        return result

    @cached_property
    def tail_table(self) -> tuple[np.ndarray, np.ndarray]:
        """(sorted grid ids, their ``csv_tail`` in an object array): the vectorised CSV writer's lookup."""
        ids = np.fromiter(self.csv_tail.keys(), dtype=np.int64, count=len(self.csv_tail))
        tails = np.empty(len(ids), dtype=object)
        tails[:] = list(self.csv_tail.values())
        order = np.argsort(ids)
        return ids[order], tails[order]

    @cached_property
    def grid_properties(self) -> dict[int, dict]:
        """Grid id → the GeoJSON properties a point in it gets (the GeoJSON writer merges them in)."""
        return {
            gid: dict(zip(OUT_FIELDS, (code, name, level, None))) for gid, (code, name, level) in self.grids.items()
        }

    @cached_property
    def grid_fragments(self) -> dict[int, orjson.Fragment]:
        """Grid id → ``grid_properties`` serialised once (the GeoJSON writer's ``properties`` of a bare point)."""
        return {gid: orjson.Fragment(orjson.dumps(props)) for gid, props in self.grid_properties.items()}

    def prepare_writers(self) -> None:
        """Build the CSV and GeoJSON writers' tables now: before gunicorn forks, the workers share one copy."""
        # each is a lazily cached property: left to the first batch POST, every worker would build its own
        # (at 640,000 grids ~640,000 small dicts per worker)
        self.tail_table  # noqa: B018
        self.grid_properties  # noqa: B018
        self.grid_fragments  # noqa: B018

    def assign_exact(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """``assign`` by the STRtrees and GEOS alone (the cells' reference)."""
        points = shapely.points(lon, lat)
        result = np.full(len(points), -1, dtype=np.int64)
        todo = np.arange(len(points))
        # deepest level first, so a point found there is never tested against its ancestors
        for tree, parts in self.trees:
            if len(todo) == 0:
                break
            point_idx, hit = tree.query(points[todo], predicate="intersects")
            part_idx = parts[hit]
            # then smallest code among the parts of that level: the same rule as lookup.sql
            order = np.lexsort((self.code_rank[part_idx], point_idx))
            point_idx, part_idx = point_idx[order], part_idx[order]
            first = np.ones(len(point_idx), dtype=bool)
            first[1:] = point_idx[1:] != point_idx[:-1]
            result[todo[point_idx[first]]] = self.grid_ids[part_idx[first]]
            todo = todo[result[todo] < 0]
        return result


_cache: dict[grid_versions.VersionKey, PartIndex] = {}
_lock = threading.Lock()


def build_index(session: Session, version_id: int) -> PartIndex:
    """Load a version's lookup parts into in-memory STRtrees, one per level, and prepare its cells."""
    grid_ids, levels, codes, geoms = queries.part_arrays(session, version_id)
    # Python sorts str by code point, as COLLATE "C" does in lookup.sql and leaf_codes_at.sql
    ranks = {code: i for i, code in enumerate(sorted(set(codes)))}
    geoms = np.asarray(geoms, dtype=object)
    index = index_from_parts(
        session,
        version_id,
        np.asarray(grid_ids, dtype=np.int64),
        np.asarray(levels, dtype=np.int64),
        np.asarray([ranks[c] for c in codes], dtype=np.int64),
        geoms,
    )
    index.cells = _checked(index, cell_grid.build(geoms, index.levels, index.grid_ids))
    return index


def _checked(index: PartIndex, grid: cell_grid.CellGrid, samples: int = 20_000) -> cell_grid.CellGrid | None:
    """The cells, after random points of the raster got the same answers from them as from GEOS; else None."""
    rows, cols = grid.cells.shape
    rng = np.random.default_rng(index.version_id)
    lon = grid.x0 + rng.uniform(0, cols * grid.dx, samples)
    lat = grid.y0 + rng.uniform(0, rows * grid.dy, samples)
    part = grid.lookup(lon, lat)
    fast = np.flatnonzero(part != cell_grid.EXACT)
    expected = index.assign_exact(lon[fast], lat[fast])
    if not np.array_equal(np.where(part[fast] >= 0, index.grid_ids[np.maximum(part[fast], 0)], -1), expected):
        logging.getLogger(__name__).error("batch cells of version %s disagree with GEOS: not used", index.version_id)
        return None
    return grid


def index_from_parts(session: Session, version_id: int, grid_ids, levels, code_rank, geoms) -> PartIndex:
    """A PartIndex (without cells) of parts already loaded: STRtrees per level plus the grids' output text."""
    trees = []
    for level in sorted(set(levels.tolist()), reverse=True):
        parts = np.flatnonzero(levels == level)
        trees.append((shapely.STRtree(geoms[parts]), parts))
    grids = queries.version_grids_by_id(session, version_id)
    suffixes = _csv_suffixes(grids)
    return PartIndex(
        version_id,
        trees,
        grid_ids,
        levels,
        code_rank,
        grids,
        suffixes,
        {gid: (suffix + "\n").encode() for gid, suffix in suffixes.items()},
    )


def published_index(session: Session) -> PartIndex:
    """The index of the published version, rebuilt when the version key changes (publication, restore)."""
    return index_for(session, grid_versions.published(session))


def index_for(session: Session, version: grid_versions.Version) -> PartIndex:
    """The index of ``version``, from the cache when its key is there (shared by batch and single lookups).

    Missing from the cache, it is loaded from its prepared file under the app's CACHE_DIR, or built and
    written there (``batch_store``); outside an app it is built.
    """
    with _lock:
        index = _cache.get(version.key)
        if index is None:
            index = _load_or_build(session, version)
            _cache.clear()  # keep only the current version in memory
            _cache[version.key] = index
    return index


def _load_or_build(session: Session, version: grid_versions.Version) -> PartIndex:
    from gisgrid.grids import batch_store  # it imports this module

    cache_dir = current_app.config.get("CACHE_DIR") if has_app_context() else None
    if not cache_dir:
        return build_index(session, version.id)
    return batch_store.load_or_build(session, version, cache_dir)


def _parse_numbers(raw_x: list, raw_y: list) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
    try:  # fast path: every value is a number
        xs, ys = np.asarray(raw_x, dtype=float), np.asarray(raw_y, dtype=float)
        if np.isfinite(xs).all() and np.isfinite(ys).all():
            return xs, ys, [None] * len(raw_x)
    except (TypeError, ValueError):
        pass
    xs, ys, errors = np.full(len(raw_x), np.nan), np.full(len(raw_x), np.nan), [None] * len(raw_x)
    for i, (x, y) in enumerate(zip(raw_x, raw_y)):
        try:
            xs[i], ys[i] = float(x), float(y)
            if not (np.isfinite(xs[i]) and np.isfinite(ys[i])):
                raise ValueError
        except (TypeError, ValueError):
            errors[i] = "坐标不是有效数字 (coordinates are not numbers)"
    return xs, ys, errors


def assign_ids(index: PartIndex, raw_x: list, raw_y: list, crs) -> tuple[list[int], list[str | None]]:
    """Grid id (or -1) and error (or None) for each raw x/y pair in ``crs``."""
    xs, ys, errors = _parse_numbers(raw_x, raw_y)
    ok = np.array([e is None for e in errors], dtype=bool)
    if coords.is_geographic(crs):
        in_range = (np.abs(xs) <= 180) & (np.abs(ys) <= 90)
        for i in np.flatnonzero(ok & ~in_range):
            errors[i] = "经纬度超出范围 (lon/lat out of range)"
        ok &= in_range
    lon, lat = np.full(len(xs), np.nan), np.full(len(xs), np.nan)
    if ok.any():
        lon[ok], lat[ok] = coords.to_wgs84(xs[ok], ys[ok], crs)
    ids = np.full(len(xs), -1, dtype=np.int64)
    valid = ok & np.isfinite(lon) & np.isfinite(lat)
    ids[valid] = index.assign(lon[valid], lat[valid])
    return ids.tolist(), errors


def assign_chunk(index: PartIndex, raw_x: list, raw_y: list, crs) -> list[tuple]:
    """(grid_code, grid_name, grid_level, error) for each raw x/y pair in ``crs``."""
    ids, errors = assign_ids(index, raw_x, raw_y, crs)
    return [_row(index, gid, err) for gid, err in zip(ids, errors)]


_OUTSIDE = "不在任何网格内 (outside every grid)"


def _row(index: PartIndex, grid_id: int, error: str | None) -> tuple:
    if error:
        return (None, None, None, error)
    if grid_id < 0:
        return (None, None, None, _OUTSIDE)
    code, name, level = index.grids[grid_id]
    return (code, name, level, None)


_NEEDS_QUOTES = re.compile(r'["\r\n]|, | ,')  # in ",code,name,level,": a quote, a line end, an outer space


def _csv_suffixes(grids: dict[int, tuple[str, str, int]]) -> dict[int, str]:
    """Grid id → ``_csv_suffix`` of (code, name, level, no error): one f-string per grid when nothing needs quoting."""
    out = {}
    for gid, (code, name, level) in grids.items():
        text = f",{'' if code is None else code},{'' if name is None else name},{'' if level is None else level},"
        # a comma, quote or line end inside a value, or a value with outer spaces: csv.writer decides
        plain = text.count(",") == 4 and _NEEDS_QUOTES.search(text) is None
        out[gid] = text if plain else _csv_suffix((code, name, level, None))
    return out


def _csv_suffix(values: tuple) -> str:
    """The appended CSV fields, with a leading comma and without the line end."""
    plain = ["" if v is None else str(v) for v in values]
    if not any(c in v for v in plain for c in ',"\r\n') and all(v == v.strip(" ") for v in plain):
        return "," + ",".join(plain)  # nothing to quote: csv.writer's own output, 20x faster for 100,000 grids
    return "," + _csv_line(["" if v is None else v for v in values]).rstrip("\n")


class _RawLines:
    """Iterates lines for csv.reader while keeping the raw text of the current row,
    so each output row is the input row byte for byte plus the grid fields."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self._consumed: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._consumed.append(line)
        return line

    def take(self) -> str:
        """The raw text of the row just parsed, without its line end."""
        raw = "".join(self._consumed).rstrip("\r\n")
        self._consumed.clear()
        return raw


def _coordinate_columns(header: list[str]) -> tuple[int, int]:
    lowered = [h.strip().lower() for h in header]
    for xname, yname in (("lon", "lat"), ("lng", "lat"), ("longitude", "latitude"), ("x", "y")):
        if xname in lowered and yname in lowered:
            return lowered.index(xname), lowered.index(yname)
    raise InvalidInput(f"CSV 需要 lon,lat（或 x,y）列，实际表头为 {header} (CSV needs lon,lat or x,y columns)")


def assign_csv(index: PartIndex, lines: Iterable[str], crs_name: str | None) -> Iterator[str]:
    """Stream CSV text in → CSV text out with grid columns appended, chunk by chunk."""
    crs = coords.parse_crs(crs_name)
    raw_lines = _RawLines(lines)
    reader = csv.reader(raw_lines)
    header = next(reader, None)
    if not header:
        raise InvalidInput("CSV 为空 (empty CSV)")
    xi, yi = _coordinate_columns(header)
    yield raw_lines.take() + "," + ",".join(OUT_FIELDS) + "\n"
    rows = ((row, raw_lines.take()) for row in reader)
    for chunk in _chunks(rows, CHUNK):
        raw_x = [r[xi] if len(r) > xi else None for r, _ in chunk]
        raw_y = [r[yi] if len(r) > yi else None for r, _ in chunk]
        ids, errors = assign_ids(index, raw_x, raw_y, crs)
        suffix = index.csv_suffix
        yield "".join(
            raw + (suffix[gid] if err is None and gid >= 0 else _csv_suffix(_row(index, gid, err))) + "\n"
            for (_, raw), gid, err in zip(chunk, ids, errors)
        )


def assign_geojson(index: PartIndex, collection: dict, crs_name: str | None) -> Iterator[str]:
    """GeoJSON FeatureCollection of points → the same features with grid properties, streamed."""
    crs = coords.parse_crs(crs_name)
    features = collection.get("features") if isinstance(collection, dict) else None
    if collection.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise InvalidInput("需要 GeoJSON FeatureCollection (expected a GeoJSON FeatureCollection)")
    yield '{"type":"FeatureCollection","features":['
    for n, chunk in enumerate(_chunks(iter(features), CHUNK)):
        raw_x, raw_y = zip(*(_point_xy(f) for f in chunk))
        results = assign_chunk(index, list(raw_x), list(raw_y), crs)
        parts = [json.dumps(_with_grid(f, r), ensure_ascii=False) for f, r in zip(chunk, results)]
        yield ("," if n else "") + ",".join(parts)
    yield "]}"


def _point_xy(feature) -> tuple:
    geometry = feature.get("geometry") if isinstance(feature, dict) else None
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        return (None, None)
    xy = geometry.get("coordinates")
    return (xy[0], xy[1]) if isinstance(xy, list) and len(xy) >= 2 else (None, None)


def _with_grid(feature, result: tuple) -> dict:
    base = feature if isinstance(feature, dict) else {}
    geometry = base.get("geometry")
    props = dict(base["properties"]) if isinstance(base.get("properties"), dict) else {}
    props.update(zip(OUT_FIELDS, result))
    if not (isinstance(geometry, dict) and geometry.get("type") == "Point"):
        props.update(zip(OUT_FIELDS, (None, None, None, "几何必须是点 (geometry must be a Point)")))
    return {"type": "Feature", "geometry": geometry, "properties": props}


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _csv_line(values: list) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)
    return out.getvalue()
