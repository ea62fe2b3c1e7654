"""The public layer of 重点监管单元网格 (overlay unit grids): one GeoJSON document per version."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy.orm import Session

from gisgrid.grids import units as grid_units
from gisgrid.grids import versions as grid_versions
from gisgrid.public_map.service import shift_geojson, version_json


def unit_grids(session: Session, day: date | None = None, crs: str = "wgs84") -> dict:
    """The unit grids of the published version (or the one in force on ``day``), public fields only."""
    version = grid_versions.resolve(session, day)
    collection = json.loads(grid_units.public_geojson(session, version.id))
    for feature in collection["features"]:
        feature["geometry"] = shift_geojson(feature["geometry"], crs)
    return {**collection, "version": version_json(version)}
