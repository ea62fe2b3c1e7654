"""Open-data downloads of the published grids with public contacts: GeoJSON, CSV (UTF-8 BOM), GeoPackage.

Each format is built once per boundary version into a file under the cache directory and then served
from disk: published versions never change (edits make a new version), so the version key is the key.
"""

from __future__ import annotations

import csv
import fcntl
import json
import os
import tempfile
from datetime import date

import geopandas as gpd
import pyogrio
import shapely
from sqlalchemy.orm import Session

from gisgrid.cells import safe_dict
from gisgrid.deployment import Profile, from_env
from gisgrid.errors import NotFound
from gisgrid.grids import fields
from gisgrid.grids import versions as grid_versions
from gisgrid.public_map import queries

FIELDS = (*fields.PUBLIC_RECORD, "area_m2", "label_lon", "label_lat")  # public fields, then derived ones (OGC too)
# the files add the deployment profile's number and name of each grid's level after ``level``
LEVEL_FIELDS = ("level_number", "level_name")
FILE_FIELDS = (*fields.PUBLIC_RECORD, *LEVEL_FIELDS, "area_m2", "label_lon", "label_lat")
FORMATS = {"geojson": "application/geo+json", "csv": "text/csv", "gpkg": "application/geopackage+sqlite3"}
CHUNK = 5000  # grids per query while writing a file: memory stays flat at 100,000 grids


def export(
    session: Session, fmt: str, cache_dir: str, day: date | None = None, profile: Profile | None = None
) -> tuple[str, str, int]:
    """(path of the cached file, download name, version id) of the published grids (or those of ``day``)."""
    if fmt not in FORMATS:
        raise NotFound(f"不支持的格式 {fmt} (formats: {', '.join(FORMATS)})")
    profile = profile or from_env()
    version = grid_versions.resolve(session, day)
    path = cached_path(version, fmt, cache_dir, profile.key)
    if not os.path.exists(path):
        _build_once(session, version.id, fmt, path, profile)
    return path, f"grids-v{version.id}.{fmt}", version.id


def cached_path(version: grid_versions.Version, fmt: str, cache_dir: str, profile_key: str = "xicheng") -> str:
    """The cache file of one version, format and profile (its level names are in the file), by the version key."""
    return os.path.join(os.path.abspath(cache_dir), "open-data", version.key.slug, f"grids.{profile_key}.{fmt}")


def _build_once(session: Session, version_id: int, fmt: str, path: str, profile: Profile) -> None:
    """Write the file to a temporary name and rename it; a file lock keeps other workers from building it twice."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f".{fmt}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if os.path.exists(path):  # another worker built it while this one waited
            return
        handle, temp = tempfile.mkstemp(dir=folder, prefix=".building-", suffix=f".{fmt}")
        os.close(handle)
        try:
            WRITERS[fmt](session, version_id, temp, profile)
            os.replace(temp, path)  # atomic: readers see no file or the whole file
        finally:
            if os.path.exists(temp):
                os.unlink(temp)


def _pages(session: Session, version_id: int, with_wkb: bool = False):
    offset = 0
    while True:
        rows = queries.public_grids(session, version_id, with_geom=False, with_wkb=with_wkb, limit=CHUNK, offset=offset)
        if not rows:
            return
        yield rows
        offset += len(rows)


def _properties(row: dict, staff_as_text: bool, profile: Profile) -> dict:
    level = profile.level(row["level"])
    props = {key: row[key] for key in FIELDS}
    props["level_number"], props["level_name"] = level.number, level.name
    if staff_as_text:
        props["staff"] = json.dumps(row["staff"], ensure_ascii=False)
    return props


def write_geojson(session: Session, version_id: int, path: str, profile: Profile) -> None:
    """A FeatureCollection (RFC 7946, WGS84) whose features are built as JSON text by PostGIS."""
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"type": "FeatureCollection", "features": [')
        numbers, names = [lv.number for lv in profile.levels], [lv.name for lv in profile.levels]
        for i, feature in enumerate(queries.public_features(session, version_id, numbers, names)):
            out.write("," + feature if i else feature)
        out.write("]}")


def write_csv(session: Session, version_id: int, path: str, profile: Profile) -> None:
    """CSV in UTF-8 with a BOM (spreadsheet programs then read Chinese correctly); staff as JSON text."""
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=FILE_FIELDS, lineterminator="\r\n")
        writer.writeheader()
        for rows in _pages(session, version_id):
            writer.writerows(safe_dict(_properties(row, True, profile)) for row in rows)


def write_gpkg(session: Session, version_id: int, path: str, profile: Profile) -> None:
    """A GeoPackage with one layer ``grids`` in EPSG:4326, appended a page at a time."""
    os.unlink(path)  # GDAL creates the file itself
    for page, rows in enumerate(_pages(session, version_id, with_wkb=True)):
        frame = gpd.GeoDataFrame(
            [_properties(r, True, profile) for r in rows],
            columns=list(FILE_FIELDS),
            geometry=shapely.from_wkb([bytes(r["wkb"]) for r in rows]),
            crs="EPSG:4326",
        )
        # promote_to_multi: every page gets the same MultiPolygon layer type
        pyogrio.write_dataframe(frame, path, layer="grids", driver="GPKG", append=page > 0, promote_to_multi=True)


WRITERS = {"geojson": write_geojson, "csv": write_csv, "gpkg": write_gpkg}
