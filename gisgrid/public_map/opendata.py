"""Open-data downloads of the published grids with public contacts: GeoJSON, CSV (UTF-8 BOM), GeoPackage."""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from datetime import date

import geopandas as gpd
import pyogrio
import shapely
from sqlalchemy.orm import Session

from gisgrid.errors import NotFound
from gisgrid.public_map import queries
from gisgrid.public_map.service import resolve_version

FIELDS = ("code", "name", "level", "parent_code", "entity", "leader_name", "leader_title", "leader_phone",
          "contact_phone", "duties", "staff", "sample_data", "area_m2", "label_lon", "label_lat")
FORMATS = {"geojson": "application/geo+json", "csv": "text/csv",
           "gpkg": "application/geopackage+sqlite3"}


def _rows(session: Session, day: date | None, with_wkb: bool) -> tuple[int, list[dict]]:
    version = resolve_version(session, day)
    rows = queries.public_grids(session, version.id, with_geom=False, with_wkb=with_wkb)
    session.rollback()
    return version.id, rows


def _properties(row: dict, staff_as_text: bool) -> dict:
    props = {key: row[key] for key in FIELDS}
    if staff_as_text:
        props["staff"] = json.dumps(row["staff"], ensure_ascii=False)
    return props


def export(session: Session, fmt: str, day: date | None = None):
    """(file bytes or an iterator of chunks, file name) of the grids of the published version (or of ``day``)."""
    if fmt not in FORMATS:
        raise NotFound(f"不支持的格式 {fmt} (formats: {', '.join(FORMATS)})")
    if fmt == "geojson":  # streamed: the whole file of 100,000 grids never sits in memory
        version = resolve_version(session, day)
        return geojson_chunks(session, version.id), f"grids-v{version.id}.geojson"
    version_id, rows = _rows(session, day, with_wkb=fmt == "gpkg")
    body = {"csv": to_csv, "gpkg": to_gpkg}[fmt](rows)
    return body, f"grids-v{version_id}.{fmt}"


def geojson_chunks(session: Session, version_id: int, per_chunk: int = 500):
    """A FeatureCollection (RFC 7946, WGS84) in chunks of ``per_chunk`` features built by PostGIS."""
    yield b'{"type": "FeatureCollection", "features": ['
    batch, separator = [], ""
    for feature in queries.public_features(session, version_id):
        batch.append(feature)
        if len(batch) == per_chunk:
            yield (separator + ",".join(batch)).encode("utf-8")
            batch, separator = [], ","
    if batch:
        yield (separator + ",".join(batch)).encode("utf-8")
    yield b"]}"
    session.rollback()


def to_csv(rows: list[dict]) -> bytes:
    """CSV in UTF-8 with a BOM (spreadsheet programs then read Chinese correctly); staff as JSON text."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(_properties(row, True))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_gpkg(rows: list[dict]) -> bytes:
    """A GeoPackage with one layer ``grids`` in EPSG:4326."""
    frame = gpd.GeoDataFrame([_properties(r, True) for r in rows], columns=list(FIELDS),
                             geometry=shapely.from_wkb([bytes(r["wkb"]) for r in rows]), crs="EPSG:4326")
    handle, path = tempfile.mkstemp(suffix=".gpkg")
    os.close(handle)
    os.unlink(path)  # GDAL creates the file itself
    try:
        pyogrio.write_dataframe(frame, path, layer="grids", driver="GPKG")
        with open(path, "rb") as stream:
            return stream.read()
    finally:
        if os.path.exists(path):
            os.unlink(path)
