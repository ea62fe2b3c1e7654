"""Vector tiles (MVT) of the grids, per zoom level choice, cached per (version, tile, level, variant).

Versions are immutable once written and a publication switches the version id, so a cache
keyed by version id never serves stale tiles and needs no explicit invalidation.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from datetime import date

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from gisgrid.db import database_name
from gisgrid.errors import InvalidInput
from gisgrid.grids import queries as grid_queries
from gisgrid.public_map import queries
from gisgrid.public_map.service import MAP_CRS, resolve_version

MAX_ZOOM = 22
AUTO_MIN_PX = 16.0  # the auto level: the deepest whose typical grid is at least this wide on screen
EXPLICIT_MIN_PX = 3.0  # a chosen level is drawn once its grids are a few pixels wide, else empty
TILE_SCHEMA = "t1"  # bump when the tile content changes for the same version (ETags)
_METRES_PER_PX_Z0 = 2 * math.pi * 6378137 / 256
_SQL = {"wgs84": "tile.sql", "gcj02": "tile_gcj02.sql", "baseline": "tile_baseline.sql"}
PREPARED_ZOOMS = (5, 8)  # generalised geometry serves tiles up to these zooms; deeper tiles read grid itself
VARIANTS = MAP_CRS  # every overlay CRS of the map has its generalised low-zoom geometry
AUTO_PREPARE = True  # tile requests start prepare() for an unprepared version (the benchmark turns it off)


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
_GCJ02_READY: set[tuple] = set()
_GENERALISED_READY: set[tuple] = set()
_GCJ02_LOCK = threading.Lock()


def level_sizes(session: Session, version_id: int) -> list[tuple[int, int, float]]:
    """(level, count, typical width m) of a version, cached (versions do not change)."""
    key = (database_name(session), version_id)
    sizes = _SIZES.get(key)
    if sizes is None:
        sizes = queries.level_sizes(session, version_id)
        _SIZES.put(key, sizes)
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
    """(MVT bytes, ETag without quotes) of a tile of the published version (or that of ``day``)."""
    check_tile(z, x, y)
    version = resolve_version(session, day)
    sizes = level_sizes(session, version.id)
    chosen = auto_level(sizes, z) if level is None else level
    key = (database_name(session), version.id, z, x, y, chosen, variant)
    etag = f"{TILE_SCHEMA}.{version.id}.{variant}.{chosen}.{z}.{x}.{y}"
    body = TILE_CACHE.get(key)
    if body is None:
        body = render_tile(session, version.id, z, x, y, chosen, variant, sizes)
        TILE_CACHE.put(key, body)
    session.rollback()
    return body, etag


def render_tile(
    session: Session, version_id: int, z: int, x: int, y: int, level: int, variant: str, sizes=None
) -> bytes:
    """Build one tile in PostGIS (no cache); an empty tile when ``level`` is too fine for ``z``."""
    widths = {lvl: width for lvl, _, width in (sizes or level_sizes(session, version_id))}
    if level not in widths or width_px(widths[level], z) < EXPLICIT_MIN_PX:
        return b""
    if variant == "gcj02":
        ensure_gcj02(session, version_id)
    band = band_for(z)
    if variant in VARIANTS and band is not None and generalised_ready(session, version_id, variant, auto=True):
        return queries.tile(
            session,
            "tile_generalised.sql",
            version_id,
            level,
            z,
            x,
            y,
            tile_bbox(z, x, y),
            tolerance(z),
            variant=variant,
            band=band,
        )
    return queries.tile(session, _SQL[variant], version_id, level, z, x, y, tile_bbox(z, x, y), tolerance(z))


def tolerance(z: int) -> float:
    """Simplification tolerance in degrees for zoom ``z``: a quarter of a screen pixel."""
    return 360.0 / (1 << z) / 1024


def band_for(z: int) -> int | None:
    """The prepared zoom band that serves zoom ``z`` (its geometry is at least as detailed), if any."""
    return next((band for band in PREPARED_ZOOMS if band >= z), None)


def generalised_ready(session: Session, version_id: int, variant: str, auto: bool = False) -> bool:
    """True once prepare() has run for this version and variant; ``auto`` starts it in the background."""
    key = (database_name(session), version_id, variant)
    if key in _GENERALISED_READY:
        return True
    if queries.has_generalised(session, version_id, variant):
        _GENERALISED_READY.add(key)
        return True
    if auto and AUTO_PREPARE:
        prepare_in_background(session, version_id)
    return False


def prepare(session: Session, version_id: int, progress=None, on_gcj02=None) -> int:
    """Build the GCJ-02 companion and the low-zoom generalised geometry of a version; returns steps done.

    Levels too small to be drawn at a band's zoom are skipped. ``progress(n)`` is called after each step.
    """
    ensure_gcj02(session, version_id)
    if on_gcj02:
        on_gcj02()
    sizes = level_sizes(session, version_id)
    queries.lock_version(session, version_id)
    if queries.has_generalised(session, version_id, VARIANTS[-1]):  # versions never change: done is done
        session.commit()
        return 0
    steps = _generalise_steps(sizes)
    for variant, band, level in steps:
        queries.generalise(session, version_id, variant, band, level, tolerance(band))
        if progress:
            progress(1)
    session.commit()
    return len(steps)


def _generalise_steps(sizes) -> list[tuple[str, int, int]]:
    """(variant, band, level) of each generalised layer prepare() builds: the levels drawn at the band's zoom."""
    return [
        (variant, band, level)
        for variant in VARIANTS
        for band in PREPARED_ZOOMS
        for level, _, width in sizes
        if width_px(width, band) >= EXPLICIT_MIN_PX
    ]


_STARTED: set[tuple] = set()


def prepare_in_background(session: Session, version_id: int) -> bool:
    """Start prepare() for a version in a thread of this process, once; tiles are served meanwhile.

    A new publication thus gets fast low-zoom tiles without an operator step; another worker
    doing the same waits on the version's advisory lock and then finds the work done. Sessions
    bound to one connection (tests) are left alone: a thread must not share their connection.
    """
    engine = session.get_bind()
    if not isinstance(engine, Engine):
        return False
    key = (database_name(session), version_id)
    with _GCJ02_LOCK:
        if key in _STARTED:
            return False
        _STARTED.add(key)

    def work():
        with Session(engine) as own:
            if not queries.has_generalised(own, version_id, VARIANTS[-1]):
                prepare(own, version_id)

    threading.Thread(target=work, name=f"tiles-prepare-{version_id}", daemon=True).start()
    return True


def prepare_steps(session: Session, version_id: int) -> int:
    """How many steps prepare() will take (for a progress bar)."""
    return len(_generalise_steps(level_sizes(session, version_id)))


def published_version_id(session: Session) -> int | None:
    """Id of the published version, if any."""
    version = grid_queries.published_version(session)
    return version.id if version else None


def ensure_gcj02(session: Session, version_id: int) -> None:
    """Build the GCJ-02 companion geometry of a version once (first GCJ-02 tile asks for it)."""
    key = (database_name(session), version_id)
    if key in _GCJ02_READY:
        return
    with _GCJ02_LOCK:
        if key not in _GCJ02_READY and not queries.has_gcj02(session, version_id):
            queries.lock_version(session, version_id)
            if not queries.has_gcj02(session, version_id):  # another worker may have built it meanwhile
                queries.build_gcj02(session, version_id)
            session.commit()
        _GCJ02_READY.add(key)


def map_levels(session: Session, day: date | None = None) -> dict:
    """Levels of the version with counts and the zoom from which each is drawn automatically."""
    version = resolve_version(session, day)
    sizes = level_sizes(session, version.id)
    session.rollback()
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
