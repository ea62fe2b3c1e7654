"""Whole outlines given as GeoJSON (an OGC API – Features Part 4 client, a desktop GIS): checked before any edit.

The web editor draws points and lines; a GIS client sends a grid's whole Polygon or MultiPolygon. A shape
that cannot be read, is not polygonal, is out of range or is invalid (a self-intersection) is refused with
the reason, never repaired silently: the planner must see what the client sent was wrong.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.errors import GEOSException
from shapely.geometry import MultiPolygon, Polygon, shape

from gisgrid.errors import InvalidInput

MAX_SHAPE_POINTS = 100_000  # one grid's outline; whole boundaries go through the GeoPackage import
POLYGONAL = ("Polygon", "MultiPolygon")


def read_geojson(value, name: str = "geometry"):
    """A GeoJSON Polygon/MultiPolygon as a 2D shapely geometry (any CRS), or 400 naming ``name``."""
    if not isinstance(value, dict) or value.get("type") not in POLYGONAL:
        kind = value.get("type") if isinstance(value, dict) else type(value).__name__
        raise InvalidInput(
            f"{name} 应为 GeoJSON Polygon 或 MultiPolygon，收到 {str(kind)[:40]} ({name}: not a polygon)"
        )
    try:
        geom = shapely.force_2d(shape(value))
        coords = shapely.get_coordinates(geom)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, GEOSException) as exc:
        raise InvalidInput(
            f"{name} 不是有效的 GeoJSON 坐标 ({name}: malformed coordinates: {str(exc)[:120]})"
        ) from None
    if geom.is_empty:
        raise InvalidInput(f"{name} 为空 ({name} is empty)")
    if len(coords) > MAX_SHAPE_POINTS:
        raise InvalidInput(f"{name} 最多 {MAX_SHAPE_POINTS} 个点 ({name}: at most {MAX_SHAPE_POINTS} points)")
    if not np.isfinite(coords).all():
        raise InvalidInput(f"{name} 含有非数值坐标 ({name}: coordinates must be finite numbers)")
    return geom


def outline(value, name: str = "geometry") -> MultiPolygon:
    """A GeoJSON Polygon/MultiPolygon in lon/lat, valid, as a MultiPolygon; else 400 with the reason."""
    geom = value if isinstance(value, (Polygon, MultiPolygon)) else read_geojson(value, name)
    xy = shapely.get_coordinates(geom)
    if not ((-180 <= xy[:, 0]) & (xy[:, 0] <= 180) & (-90 <= xy[:, 1]) & (xy[:, 1] <= 90)).all():
        raise InvalidInput(f"{name} 坐标超出经纬度范围 ({name}: coordinates out of lon/lat range)")
    if not shapely.is_valid(geom):
        reason = shapely.is_valid_reason(geom)
        raise InvalidInput(f"{name} 无效（{reason}），例如自相交，未保存 ({name} is invalid: {reason}; nothing saved)")
    return geom if isinstance(geom, MultiPolygon) else MultiPolygon([geom])
