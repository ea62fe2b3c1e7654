"""The worker's public-map jobs: the open-data build and the tile cache fill, both started at publication."""

from __future__ import annotations

from gisgrid.deployment import from_env
from gisgrid.grids import versions
from gisgrid.jobs.registry import kind
from gisgrid.public_map import opendata, tile_fill

OPEN_DATA = tile_fill.OPEN_DATA
TILE_FILL = tile_fill.TILE_FILL


@kind(OPEN_DATA)
def build_open_data(session, cfg, args: dict, progress) -> dict:
    """Build GeoJSON, CSV and GeoPackage of the published version (idempotent: a built file is kept).

    Started by a publication (``args["version_id"]``), it does nothing once another version is published.
    """
    wanted = args.get("version_id")
    published = versions.find_published(session)
    if wanted is not None and (published is None or published.id != wanted):
        return {"version_id": wanted, "skipped": "superseded"}
    formats = list(opendata.FORMATS)
    built, version_ids = {}, set()
    for done, fmt in enumerate(formats):
        progress(done, len(formats), f"正在生成 {fmt} (building {fmt})")
        _path, name, version_id = opendata.export(session, fmt, cfg["CACHE_DIR"], None, from_env())
        built[fmt] = name
        version_ids.add(version_id)
    # a publication during the build: the files are of the versions named, each complete
    return {"version_id": max(version_ids), "files": built}


@kind(TILE_FILL)
def fill_tiles(session, cfg, args: dict, progress) -> dict:
    """Fill the tile cache of a published version (tile_fill.fill: idempotent, stops once superseded)."""
    return tile_fill.fill(session, cfg, int(args["version_id"]), args.get("previous_id"), progress)


def dedupe_key(session) -> str:
    """One open build per published version."""
    return f"{OPEN_DATA}:{versions.resolve(session, None).key.slug}"
