"""GeoJSON geometries from users (drawn on a map or sent by an API client) → checked WGS84 shapely geometries."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from gisgrid import coords
from gisgrid.errors import InvalidInput, ValidationFailed

MAX_VERTICES = 20_000
ACT_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")
HARM_TYPES = ("Point", "MultiPoint", "Polygon", "MultiPolygon")


def _geometry_object(value, label: str) -> dict:
    # a Feature is accepted for its geometry: that is what map tools and QGIS hand out
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise InvalidInput(f"{label} 须为 GeoJSON 几何对象 ({label} must be a GeoJSON geometry)")
    return value


def _shape(value: dict, label: str, allowed: tuple[str, ...]) -> BaseGeometry:
    if value["type"] not in allowed:
        raise InvalidInput(
            f"{label} 的几何类型 {value['type']!r} 不可用，应为 {'、'.join(allowed)} "
            f"({label} must be one of {', '.join(allowed)})"
        )
    if "coordinates" not in value:
        raise InvalidInput(f"{label} 缺少 coordinates ({label} has no coordinates)")
    try:
        geom = shape(value)
        count = shapely.get_num_coordinates(geom)
    except (TypeError, ValueError, AttributeError, IndexError, GEOSException) as exc:
        raise InvalidInput(f"{label} 坐标格式错误 ({label} has malformed coordinates: {exc})") from None
    if geom.is_empty:
        raise InvalidInput(f"{label} 为空几何 ({label} is empty)")
    if count > MAX_VERTICES:
        raise InvalidInput(f"{label} 顶点过多：{count} 个，上限 {MAX_VERTICES} ({label} has too many vertices)")
    return geom


def _to_wgs84(geom: BaseGeometry, crs, label: str) -> BaseGeometry:
    xy = shapely.get_coordinates(geom)
    if not np.isfinite(xy).all():
        raise InvalidInput(f"{label} 含非数值坐标 ({label} has non-finite coordinates)")
    if coords.is_geographic(crs) and ((np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any()):
        raise InvalidInput(f"{label} 经纬度超出范围，坐标系是否有误？ ({label}: lon/lat out of range — wrong crs?)")
    lon, lat = coords.to_wgs84(xy[:, 0], xy[:, 1], crs)
    out = np.column_stack([lon, lat])
    if not np.isfinite(out).all() or (np.abs(out[:, 0]) > 180).any() or (np.abs(out[:, 1]) > 90).any():
        raise InvalidInput(f"{label} 不在所给坐标系的定义范围内 ({label} is outside the crs's area of use)")
    return shapely.set_coordinates(geom, out)


def _check_valid(geom: BaseGeometry, label: str) -> None:
    if not geom.is_valid:
        # explain_validity names the problem and where, e.g. "Self-intersection[116.36 39.91]"
        raise ValidationFailed(f"{label} 几何无效：{shapely.is_valid_reason(geom)} ({label} is not a valid geometry)")


def parse(value, crs_name: str | None, label: str, allowed: tuple[str, ...] = ACT_TYPES) -> BaseGeometry:
    """One GeoJSON geometry (or Feature) in ``crs_name`` → a valid WGS84 shapely geometry, or a clear error."""
    crs = coords.parse_crs(crs_name)
    geom = _to_wgs84(_shape(_geometry_object(value, label), label, allowed), crs, label)
    _check_valid(geom, label)
    return geom


def parse_many(values, crs_name: str | None, label: str, allowed: tuple[str, ...] = HARM_TYPES) -> list[BaseGeometry]:
    """A list of geometries, a GeometryCollection or a FeatureCollection → WGS84 geometries (may be empty)."""
    if values is None:
        return []
    if isinstance(values, dict) and values.get("type") == "FeatureCollection":
        values = values.get("features")
    elif isinstance(values, dict) and values.get("type") == "GeometryCollection":
        values = values.get("geometries")
    elif isinstance(values, dict):
        values = [values]
    if not isinstance(values, list):
        raise InvalidInput(f"{label} 须为几何对象列表 ({label} must be a list of GeoJSON geometries)")
    parsed = [parse(v, crs_name, f"{label}[{i}]", allowed) for i, v in enumerate(values)]
    total = sum(shapely.get_num_coordinates(g) for g in parsed)
    if total > MAX_VERTICES:
        raise InvalidInput(f"{label} 顶点过多：{total} 个，上限 {MAX_VERTICES} ({label} has too many vertices)")
    return parsed
