"""Write a boundary version to GeoJSON, GeoPackage or Shapefile in the standard schema."""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import shapely
from sqlalchemy.orm import Session

from gisgrid.errors import InvalidInput
from gisgrid.grids import fields, queries, units
from gisgrid.grids import versions as grid_versions

DRIVERS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG", ".shp": "ESRI Shapefile"}


def driver_for(path: str) -> str:
    """The OGR driver for an output path, chosen by extension."""
    suffix = Path(path).suffix.lower()
    if suffix not in DRIVERS:
        raise InvalidInput(
            f"不支持的导出格式 {suffix or '(无扩展名)'}：请用 .geojson、.gpkg 或 .shp (unsupported export format)"
        )
    return DRIVERS[suffix]


def version_frame(session: Session, version_id: int | None = None) -> gpd.GeoDataFrame:
    """The grids of a version (default: the published one) in the standard import schema."""
    version = grid_versions.by_id(session, version_id) if version_id else grid_versions.published(session)
    grids = queries.version_grids(session, version.id)
    wkb = queries.grid_wkb(session, version.id)
    records = [_record(grid) for grid in grids]
    geoms = list(shapely.from_wkb([wkb[g.id] for g in grids]))
    # the version's 重点监管单元网格 follow the tiling as rows of kind "unit" (no staff)
    unit_records, unit_geoms = units.export_records(session, version.id)
    return gpd.GeoDataFrame(records + unit_records, geometry=geoms + unit_geoms, crs="EPSG:4326")


def _record(grid) -> dict:
    staff = [{"name": s.name, "role": s.role, "phone": s.phone, "phone_public": s.phone_public} for s in grid.staff]
    record = {fields.EXPORT_NAMES[name]: getattr(grid, name) for name in fields.GRID_COLUMNS}
    record["staff"] = json.dumps(staff, ensure_ascii=False)
    record[fields.KIND] = fields.KIND_GRID
    return record


def export_version(session: Session, path: str, version_id: int | None = None) -> int:
    """Write the version to ``path``; written to a temporary file first so a failure leaves no half file."""
    driver = driver_for(path)
    frame = version_frame(session, version_id)
    target = Path(path)
    with tempfile.TemporaryDirectory(dir=target.parent if target.parent.exists() else None) as tmp:
        staged = Path(tmp) / target.name
        with warnings.catch_warnings():
            # shapefile field names are cut to 10 characters; the reader knows the cut names
            warnings.filterwarnings("ignore", message="Normalized/laundered field name")
            warnings.filterwarnings("ignore", message="Column names longer than 10 characters")
            frame.to_file(staged, driver=driver, engine="pyogrio", layer="grids" if driver == "GPKG" else None)
        for produced in Path(tmp).iterdir():  # a shapefile is several files
            os.replace(produced, target.with_name(produced.name))
    return len(frame)


def version_gpkg(session: Session, version_id: int | None = None) -> bytes:
    """The version as GeoPackage bytes (layer ``grids``, the standard import schema)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "grids.gpkg"
        export_version(session, str(path), version_id)
        return path.read_bytes()
