"""Vector tiles (MVT) of the grids, per zoom level choice, cached per (version key, tile, level, variant).

Versions are immutable once written; a publication or a restore changes the ``VersionKey``
(grids/versions.py), so the caches never serve stale tiles and need no explicit invalidation.
The derived geometry (GCJ-02 companion, low-zoom generalisation) is built by ``prepare`` when a
version is published (a ``grid_versions.on_publish`` preparer): a tile request only reads.
Built tiles live in two caches: this process's LRU, then the database's ``tile_cache`` (tile_store.py),
which a job fills right after publication (tile_fill.py); only a tile in neither is built, and then stored.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from datetime import date

from sqlalchemy.orm import Session

from gisgrid.errors import Conflict, InvalidInput
from gisgrid.grids import versions as grid_versions
from gisgrid.public_map import queries, tile_store
from gisgrid.public_map.service import MAP_CRS

MAX_ZOOM = 22
AUTO_MIN_PX = 16.0  # the auto level: the deepest whose typical grid is at least this wide on screen
EXPLICIT_MIN_PX = 3.0  # a chosen level is drawn once its grids are a few pixels wide, else empty
TILE_SCHEMA = "t1"  # bump when the tile content changes for the same version (ETags)
_METRES_PER_PX_Z0 = 2 * math.pi * 6378137 / 256
_SQL = {"wgs84": "tile.sql", "gcj02": "tile_gcj02.sql", "baseline": "tile_baseline.sql"}
PREPARED_ZOOMS = (5, 8)  # generalised geometry serves tiles up to these zooms; deeper tiles read grid itself
VARIANTS = MAP_CRS  # every overlay CRS of the map has its generalised low-zoom geometry


class LRU:
    """A small thread-safe LRU cache (gunicorn threads, werkzeug's threaded dev server)."""

    def __init__(self, size: int) -> None:
        self.size, self._data, self._lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def put(self, key, value) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


TILE_CACHE = LRU(8192)
_SIZES = LRU(64)
_READY = LRU(256)  # (version key, "gcj02" | variant generalised) → True once seen prepared


def level_sizes(session: Session, version: grid_versions.Version) -> list[tuple[int, int, float]]:
    """(level, count, typical width m) of a version, cached by its key (versions do not change)."""
    sizes = _SIZES.get(version.key)
    if sizes is None:
        sizes = queries.level_sizes(session, version.id)
        _SIZES.put(version.key, sizes)
    return sizes


def width_px(width_m: float, z: int) -> float:
    """How many screen pixels a grid ``width_m`` wide spans at zoom ``z`` (equator scale)."""
    return width_m / (_METRES_PER_PX_Z0 / (1 << z))


def min_zoom(width_m: float, min_px: float = AUTO_MIN_PX) -> int:
    """The first zoom at which a grid of ``width_m`` is ``min_px`` wide."""
    return next((z for z in range(MAX_ZOOM + 1) if width_px(width_m, z) >= min_px), MAX_ZOOM)


def auto_level(sizes, z: int) -> int:
    """The deepest level whose typical grid is AUTO_MIN_PX wide at ``z`` (always at least the top level)."""
    shown = [level for level, _, width in sizes if width_px(width, z) >= AUTO_MIN_PX]
    return max(shown) if shown else sizes[0][0]


def tile_bbox(z: int, x: int, y: int, buffer: float = 64 / 4096) -> tuple[float, float, float, float]:
    """The lon/lat box of a web-mercator tile, grown by ``buffer`` of its size on each side."""
    n = 1 << z

    def lon(v):
        return v / n * 360.0 - 180.0

    def lat(v):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * v / n))))

    return lon(x - buffer), lat(y + 1 + buffer), lon(x + 1 + buffer), lat(y - buffer)


def check_tile(z: int, x: int, y: int) -> None:
    """InvalidInput unless z/x/y is a tile of the web-mercator pyramid."""
    if not 0 <= z <= MAX_ZOOM or not (0 <= x < (1 << z) and 0 <= y < (1 << z)):
        raise InvalidInput(f"无效的瓦片 {z}/{x}/{y} (no such tile)")


def get_tile(
    session: Session, z: int, x: int, y: int, level: int | None = None, variant: str = "wgs84", day: date | None = None
) -> tuple[bytes, str]:
    """(MVT bytes, ETag without quotes) of a tile of the published version (or that of ``day``); reads only."""
    check_tile(z, x, y)
    version = grid_versions.resolve(session, day)
    sizes = level_sizes(session, version)
    chosen = auto_level(sizes, z) if level is None else level
    key = (version.key, z, x, y, chosen, variant)
    etag = f"{TILE_SCHEMA}.{version.key.slug}.{variant}.{chosen}.{z}.{x}.{y}"
    body = TILE_CACHE.get(key)
    if body is None:
        body = stored_or_built(session, version, z, x, y, chosen, variant, sizes)
        TILE_CACHE.put(key, body)
    return body, etag


def stored_or_built(
    session: Session, version: grid_versions.Version, z: int, x: int, y: int, level: int, variant: str, sizes
) -> bytes:
    """The tile from ``tile_cache``; else built now and stored there for every worker and server."""
    body = tile_store.read(session, version.id, variant, TILE_SCHEMA, level, z, x, y)
    if body is None:
        body = render_tile(session, version, z, x, y, level, variant, sizes)
        tile_store.keep(session, tile_row(version.id, variant, level, z, x, y, body))
    return body


def tile_row(version_id: int, variant: str, level: int, z: int, x: int, y: int, body: bytes) -> dict:
    """The ``tile_cache`` row of a built tile."""
    names = ("version_id", "variant", "schema", "level", "z", "x", "y", "body")
    return dict(zip(names, (version_id, variant, TILE_SCHEMA, level, z, x, y, body)))


def render_tile(
    session: Session, version: grid_versions.Version, z: int, x: int, y: int, level: int, variant: str, sizes=None
) -> bytes:
    """Build one tile in PostGIS (no cache); an empty tile when ``level`` is too fine for ``z``."""
    widths = {lvl: width for lvl, _, width in (sizes or level_sizes(session, version))}
    if level not in widths or width_px(widths[level], z) < EXPLICIT_MIN_PX:
        return b""
    if variant == "gcj02":
        _require_gcj02(session, version)
    band, bbox = band_for(z), tile_bbox(z, x, y)
    if variant in VARIANTS and band is not None and generalised_ready(session, version, variant):
        return queries.tile(
            session, "tile_generalised.sql", version.id, level, z, x, y, bbox, tolerance(z), variant=variant, band=band
        )
    return queries.tile(session, _SQL[variant], version.id, level, z, x, y, bbox, tolerance(z))


def tolerance(z: int) -> float:
    """Simplification tolerance in degrees for zoom ``z``: a quarter of a screen pixel."""
    return 360.0 / (1 << z) / 1024


def band_for(z: int) -> int | None:
    """The prepared zoom band that serves zoom ``z`` (its geometry is at least as detailed), if any."""
    return next((band for band in PREPARED_ZOOMS if band >= z), None)


def generalised_ready(session: Session, version: grid_versions.Version, variant: str) -> bool:
    """True once prepare() has built the low-zoom geometry of this version and variant (else tiles on the fly)."""
    return _ready(version, variant, lambda: queries.has_generalised(session, version.id, variant))


def _require_gcj02(session: Session, version: grid_versions.Version) -> None:
    # built at publication; a version published before that rule (or restored from then) needs the command
    if not _ready(version, "gcj02", lambda: queries.has_gcj02(session, version.id)):
        raise Conflict(
            f"版本 {version.id} 的 GCJ-02 瓦片几何尚未生成，请运行 gisgrid tiles prepare --version {version.id} "
            f"(GCJ-02 geometry of version {version.id} is not prepared)"
        )


def _ready(version: grid_versions.Version, what: str, check) -> bool:
    if _READY.get((version.key, what)):
        return True
    if check():
        _READY.put((version.key, what), True)
        return True
    return False


def prepare(session: Session, version_id: int, progress=None, on_gcj02=None) -> int:
    """Build the GCJ-02 companion and the low-zoom generalised geometry of a version; returns steps done.

    Runs inside the caller's unit of work (publication, or ``gisgrid tiles prepare``). Levels too small
    to be drawn at a band's zoom are skipped. ``progress(n)`` is called after each step.
    """
    queries.lock_version(session, version_id)  # two publishers/commands never build the same version twice
    if not queries.has_gcj02(session, version_id):
        queries.build_gcj02(session, version_id)
    if on_gcj02:
        on_gcj02()
    if queries.has_generalised(session, version_id, VARIANTS[-1]):  # versions never change: done is done
        return 0
    steps = _generalise_steps(queries.level_sizes(session, version_id))
    for variant, band, level in steps:
        queries.generalise(session, version_id, variant, band, level, tolerance(band))
        if progress:
            progress(1)
    return len(steps)


def prepare_at_publication(session: Session, version_id: int) -> None:
    """The ``grid_versions.on_publish`` preparer: a published version's tiles need no work in a GET."""
    prepare(session, version_id)


grid_versions.on_publish(prepare_at_publication)


def _generalise_steps(sizes) -> list[tuple[str, int, int]]:
    """(variant, band, level) of each generalised layer prepare() builds: the levels drawn at the band's zoom."""
    return [
        (variant, band, level)
        for variant in VARIANTS
        for band in PREPARED_ZOOMS
        for level, _, width in sizes
        if width_px(width, band) >= EXPLICIT_MIN_PX
    ]


def prepare_steps(session: Session, version_id: int) -> int:
    """How many steps prepare() will take (for a progress bar)."""
    return len(_generalise_steps(queries.level_sizes(session, version_id)))


def map_levels(session: Session, day: date | None = None) -> dict:
    """Levels of the version with counts and the zoom from which each is drawn automatically."""
    version = grid_versions.resolve(session, day)
    sizes = level_sizes(session, version)
    return {
        "version_id": version.id,
        "levels": [
            {
                "level": level,
                "count": n,
                "width_m": round(width),
                "auto_min_zoom": min_zoom(width),
                "min_zoom": min_zoom(width, EXPLICIT_MIN_PX),
            }
            for level, n, width in sizes
        ],
    }
