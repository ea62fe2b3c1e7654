"""Open-data downloads of the public register: sources, hazards and monthly emissions as GeoJSON, CSV, GeoPackage.

The same three formats and conventions as the grids' open data (public_map/opendata.py): RFC 7946
GeoJSON in WGS84, CSV in UTF-8 with a BOM whose cells pass ``cells.safe_dict`` (no formula injection),
and a GeoPackage in EPSG:4326 written by pyogrio. Each file is built whole into a temporary directory and
only then answered (all or nothing: a failure is an error, never half a file). The rows come from the
public views only. Not cached on disk: a county's register is hundreds of rows (see docs/disclosure.md).
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile

import geopandas as gpd
import pyogrio
import shapely

from gisgrid.cells import safe_dict
from gisgrid.errors import NotFound

FORMATS = {"geojson": "application/geo+json", "csv": "text/csv", "gpkg": "application/geopackage+sqlite3"}
SOURCE_FIELDS = (
    "id", "code", "name", "kind", "kind_label", "industry", "address", "supervision_class", "grid_code",
    "grid_name", "last_inspected_on", "last_result", "draws", "monitored", "sample_data",
)  # fmt: skip
HAZARD_FIELDS = (
    "id", "kind", "description", "status", "status_label", "deadline", "grid_code", "grid_name", "created_on",
    "sample_data",
)  # fmt: skip
EMISSION_FIELDS = (
    "month", "source_id", "source_code", "source_name", "station_id", "station_name", "pollutant",
    "pollutant_name", "unit", "limit", "mean", "max", "values", "days", "exceedance_days",
)  # fmt: skip


def check_format(fmt: str) -> None:
    """404 naming the formats for an unknown one."""
    if fmt not in FORMATS:
        raise NotFound(f"不支持的格式 {fmt} (formats: {', '.join(FORMATS)})")


def _props(row: dict, fields: tuple[str, ...]) -> dict:
    # lists (the draws) become JSON text: one flat column in CSV and GeoPackage
    return {k: json.dumps(row[k], ensure_ascii=False) if isinstance(row[k], list) else row[k] for k in fields}


def build(rows: list[dict], fields: tuple[str, ...], fmt: str, layer: str) -> bytes:
    """The whole file of ``rows`` (dicts with ``lon``/``lat`` and ``fields``) in ``fmt``."""
    check_format(fmt)
    if fmt == "geojson":
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                "properties": {k: r[k] for k in fields},
            }
            for r in rows
        ]
        return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()
    if fmt == "csv":
        return _csv(rows, fields)
    return _gpkg(rows, fields, layer)


def _csv(rows: list[dict], fields: tuple[str, ...]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*fields, "lon", "lat"], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(safe_dict(_props(r, fields) | {"lon": r["lon"], "lat": r["lat"]}) for r in rows)
    return out.getvalue().encode("utf-8-sig")


def _gpkg(rows: list[dict], fields: tuple[str, ...], layer: str) -> bytes:
    frame = gpd.GeoDataFrame(
        [_props(r, fields) for r in rows],
        columns=list(fields),
        geometry=shapely.points([(r["lon"], r["lat"]) for r in rows]) if rows else [],
        crs="EPSG:4326",
    )
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, f"{layer}.gpkg")
        pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", geometry_type="Point")
        with open(path, "rb") as done:
            return done.read()
