"""Filling ``tile_cache`` for a newly published version, in background jobs started by the publication.

A publication records two tracked jobs in its own transaction (jobs/deferred.py): this tile fill and the
open-data build (public_map/tasks.py runs both). The fill first copies the replaced version's tiles that
no changed grid touches (a draft that moved one boundary keeps almost every tile), then builds the rest of
the tiles the map asks for without a level (the automatic level of each zoom, 0..TILE_FILL_MAX_ZOOM, where
grids are) and stores them in batches, so a retried or restarted run skips what is done.
"""

from __future__ import annotations

import math

from sqlalchemy.orm import Session

from gisgrid.audit.actor import current_actor
from gisgrid.db import unit_of_work
from gisgrid.grids import versions as grid_versions
from gisgrid.jobs import deferred
from gisgrid.public_map import queries, tile_store, tiles
from gisgrid.sqlfiles import statement

BATCH = 50  # tiles built per committed batch (and per progress report)
MAX_CHANGED = 2000  # more changed grids than this: the new version's tiles are built, not copied
TILE_FILL = "public_map.tile_fill"
OPEN_DATA = "public_map.open_data"  # tasks.OPEN_DATA (tasks imports this module)
_MAX_LAT = 85.0511287798


def fill_variant(cfg) -> str:
    """The variant the map draws by default (``GISGRID_TILE_CRS``): the one worth filling."""
    variant = cfg.get("TILE_CRS", "wgs84")
    return variant if variant in tiles.VARIANTS else "wgs84"


def fill(session: Session, cfg, version_id: int, previous_id: int | None, progress) -> dict:
    """Carry over, then build, the tiles of ``version_id``; stops early once another version is published."""
    if not _current(session, version_id):
        return {"version_id": version_id, "skipped": "superseded"}
    version = grid_versions.by_id(session, version_id)
    carried = carry(session, previous_id, version) if previous_id else 0
    variant = fill_variant(cfg)
    done = tile_store.stored_keys(session, version_id, variant, tiles.TILE_SCHEMA)
    todo = [key for key in wanted(session, version, variant, cfg) if key not in done]
    for start in range(0, len(todo), BATCH):
        progress(start, len(todo), f"正在生成地图瓦片 {start}/{len(todo)} (building tiles)")
        if not _current(session, version_id):  # superseded meanwhile: its tiles are built on request if asked
            return {"version_id": version_id, "carried": carried, "built": start, "stopped": "superseded"}
        _build(session, version, variant, todo[start : start + BATCH])
    with unit_of_work(session):
        pruned = tile_store.prune(session, keep_id=version_id if previous_id is None else previous_id)
    return {"version_id": version_id, "carried": carried, "built": len(todo), "pruned": pruned}


def _current(session: Session, version_id: int) -> bool:
    published = grid_versions.find_published(session)  # read committed: each check sees the latest publication
    return published is not None and published.id == version_id


def _build(session: Session, version: grid_versions.Version, variant: str, keys) -> None:
    with unit_of_work(session):
        sizes = tiles.level_sizes(session, version)
        rows = [
            tiles.tile_row(
                version.id, variant, level, z, x, y, tiles.render_tile(session, version, z, x, y, level, variant, sizes)
            )
            for level, z, x, y in keys
        ]
        tile_store.put(session, rows)


def carry(session: Session, old_id: int, version: grid_versions.Version) -> int:
    """Copy the old version's stored tiles that no changed grid touches; → tiles copied (0: too much changed)."""
    levels = _same_levels(queries.level_sizes(session, old_id), tiles.level_sizes(session, version))
    boxes = tile_store.changed_boxes(session, old_id, version.id, MAX_CHANGED)
    if boxes is None or not levels:
        return 0
    with unit_of_work(session):
        return tile_store.carry_over(session, old_id, version.id, tiles.TILE_SCHEMA, levels, boxes)


def _same_levels(old_sizes, new_sizes) -> list[int]:
    """Levels drawn at exactly the same zooms in both versions (an empty tile stays empty, a drawn one drawn)."""

    def drawn(width: float) -> list[bool]:
        return [tiles.width_px(width, z) >= tiles.EXPLICIT_MIN_PX for z in range(tiles.MAX_ZOOM + 1)]

    old = {level: drawn(width) for level, _, width in old_sizes}
    return [level for level, _, width in new_sizes if level in old and old[level] == drawn(width)]


def wanted(session: Session, version: grid_versions.Version, variant: str, cfg) -> list[tuple[int, int, int, int]]:
    """(level, z, x, y) of the tiles the map asks for by default where grids are, low zooms first, capped."""
    sizes = tiles.level_sizes(session, version)
    widths = {level: width for level, _, width in sizes}
    limit, boxes, out = int(cfg.get("TILE_FILL_MAX_TILES", 20000)), {}, []
    grow = 0.01 if variant == "gcj02" else 0.0  # the GCJ-02 offset is under 0.01°
    for z in range(int(cfg.get("TILE_FILL_MAX_ZOOM", 16)) + 1):
        level = tiles.auto_level(sizes, z)
        if tiles.width_px(widths[level], z) < tiles.EXPLICIT_MIN_PX:
            continue  # drawn empty: nothing to build
        if level not in boxes:
            boxes[level] = _boxes(session, version.id, level)
        out += [(level, z, x, y) for x, y in sorted(covering(boxes[level], z, grow))]
        if len(out) >= limit:
            return out[:limit]
    return out


def _boxes(session: Session, version_id: int, level: int) -> list[tuple[float, float, float, float]]:
    params = {"version_id": version_id, "level": level}
    return [tuple(r) for r in session.execute(statement("gisgrid.public_map", "tile_fill_boxes.sql"), params)]


def covering(boxes, z: int, grow: float = 0.0) -> set[tuple[int, int]]:
    """The web-mercator tiles (x, y) at zoom ``z`` that the lon/lat boxes touch."""
    n, found = 1 << z, set()
    for w, s, e, north in boxes:
        x0, x1 = _tile_x(w - grow, n), _tile_x(e + grow, n)
        y0, y1 = _tile_y(north + grow, n), _tile_y(s - grow, n)
        found.update((x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1))
    return found


def _tile_x(lon: float, n: int) -> int:
    return min(n - 1, max(0, int((lon + 180.0) / 360.0 * n)))


def _tile_y(lat: float, n: int) -> int:
    lat = math.radians(max(-_MAX_LAT, min(_MAX_LAT, lat)))
    return min(n - 1, max(0, int((1 - math.asinh(math.tan(lat)) / math.pi) / 2 * n)))


def start_at_publication(session: Session, version_id: int) -> None:
    """The ``grid_versions.on_publish`` preparer: record the tile fill and the open-data build of the version.

    Both run after the publication commits, for the user who published (they see them under /api/v1/jobs).
    """
    previous = grid_versions.find_published(session)
    actor, cfg = current_actor(), deferred.app_config()
    user_id = actor.id if actor else None
    args = {"version_id": version_id, "previous_id": previous.id if previous else None}
    deferred.submit_in(session, cfg, TILE_FILL, args, user_id, f"{TILE_FILL}:v{version_id}")
    deferred.submit_in(session, cfg, OPEN_DATA, {"version_id": version_id}, user_id, f"{OPEN_DATA}:v{version_id}")


grid_versions.on_publish(start_at_publication)
