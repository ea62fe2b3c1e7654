"""The worker's open-data build: every download format of the published version, built once into the file cache."""

from __future__ import annotations

from gisgrid.deployment import from_env
from gisgrid.grids import versions
from gisgrid.jobs.registry import kind
from gisgrid.public_map import opendata

OPEN_DATA = "public_map.open_data"


@kind(OPEN_DATA)
def build_open_data(session, cfg, args: dict, progress) -> dict:
    """Build GeoJSON, CSV and GeoPackage of the published version (idempotent: a built file is kept)."""
    formats = list(opendata.FORMATS)
    built, version_ids = {}, set()
    for done, fmt in enumerate(formats):
        progress(done, len(formats), f"正在生成 {fmt} (building {fmt})")
        _path, name, version_id = opendata.export(session, fmt, cfg["CACHE_DIR"], None, from_env())
        built[fmt] = name
        version_ids.add(version_id)
    # a publication during the build: the files are of the versions named, each complete
    return {"version_id": max(version_ids), "files": built}


def dedupe_key(session) -> str:
    """One open build per published version."""
    return f"{OPEN_DATA}:{versions.resolve(session, None).key.slug}"
