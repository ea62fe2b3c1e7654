"""Spatial SQL of jurisdiction: which leaf grids a geometry reaches, and grid shapes for the map."""

from __future__ import annotations

import json

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import text
from sqlalchemy.orm import Session

from gisgrid.jurisdiction.rules import Hit
from gisgrid.sqlfiles import statement

_PKG = "gisgrid.jurisdiction"
_MEASURE = text(
    "SELECT CASE ST_Dimension(g) WHEN 0 THEN ST_NPoints(g)::float8 "
    "WHEN 1 THEN ST_Length(g::geography) ELSE ST_Area(g::geography) END "
    "FROM (SELECT ST_GeomFromWKB(:wkb, 4326) AS g) s"
)


def measure(session: Session, geom: BaseGeometry) -> float:
    """Points counted, geodesic metres of line or square metres of polygon."""
    return float(session.scalar(_MEASURE, {"wkb": shapely.to_wkb(geom)}))


def grids_reached(session: Session, version_id: int, geom: BaseGeometry) -> list[Hit]:
    """Leaf grids that ``geom`` reaches in ``version_id``, largest overlap first, with their share of it."""
    total = measure(session, geom)
    rows = session.execute(
        statement(_PKG, "grids_reached.sql"), {"wkb": shapely.to_wkb(geom), "version_id": version_id}
    )
    return [
        Hit(
            r.code,
            r.name,
            r.level,
            tuple(r.chain),
            tuple(r.names),
            r.measure,
            min(1.0, r.measure / total) if total else 0.0,
        )
        for r in rows
    ]


def grid_features(session: Session, version_id: int, codes) -> list[dict]:
    """GeoJSON features of the grids with these codes in ``version_id``."""
    rows = session.execute(statement(_PKG, "grid_features.sql"), {"version_id": version_id, "codes": sorted(codes)})
    return [
        {
            "type": "Feature",
            "geometry": json.loads(r.geometry),
            "properties": {"code": r.code, "name": r.name, "level": r.level, "entity": r.entity, "chain": r.chain},
        }
        for r in rows
    ]


def grid_names(session: Session, version_id: int, codes) -> dict[str, tuple[str, int]]:
    """code → (name, level) in ``version_id`` for the given codes."""
    rows = session.execute(
        text("SELECT code, name, level FROM grid WHERE version_id = :v AND code = ANY (CAST(:codes AS text[]))"),
        {"v": version_id, "codes": sorted(codes)},
    )
    return {r.code: (r.name, r.level) for r in rows}
