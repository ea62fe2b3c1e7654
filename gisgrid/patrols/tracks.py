"""Reading patrol points from GPX (defusedxml: no entity expansion, no external entities), GeoJSON and JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from gisgrid import coords
from gisgrid.errors import InvalidInput

MAX_POINTS = 200_000
MAX_FILE_BYTES = 32 * 1024 * 1024  # a GPX of MAX_POINTS points with times is about 20 MB


def parse_time(value) -> datetime | None:
    """An ISO 8601 time (``Z`` allowed; no zone means UTC) or epoch seconds/milliseconds; None if unusable."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _number(value) -> float:
    try:
        return coords.finite_number(value)
    except ValueError:  # a bad point is dropped by the cleaning (counted), not the whole track
        return float("nan")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def from_gpx(data: bytes) -> list[tuple]:
    """Track points (trkpt, else rtept) of a GPX file as (lon, lat, time)."""
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except (
        ElementTree.ParseError,
        DefusedXmlException,
        ValueError,
        LookupError,
    ) as err:  # LookupError: unknown encoding
        raise InvalidInput(f"GPX 文件无法解析：{err}") from None
    if _local(root.tag) != "gpx":
        raise InvalidInput("不是 GPX 文件（根元素不是 <gpx>）")
    points = [el for el in root.iter() if _local(el.tag) == "trkpt"] or [
        el for el in root.iter() if _local(el.tag) == "rtept"
    ]
    out = []
    for el in points:
        time = next((c.text for c in el if _local(c.tag) == "time"), None)
        out.append((_number(el.get("lon")), _number(el.get("lat")), parse_time(time)))
    return _limit(out)


def _lines(geometry: dict) -> list:
    kind = (geometry or {}).get("type")
    if kind == "LineString":
        return [geometry.get("coordinates") or []]
    if kind == "MultiLineString":
        return geometry.get("coordinates") or []
    raise InvalidInput(f"GeoJSON 几何应为 LineString 或 MultiLineString，收到 {kind!r}")


def from_geojson(data: bytes) -> list[tuple]:
    """Points of (Multi)LineString features; times from ``properties.coordTimes``/``times`` or a 4th coordinate."""
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InvalidInput(f"GeoJSON 无法解析：{err}") from None
    features = doc.get("features") if isinstance(doc, dict) and doc.get("type") == "FeatureCollection" else [doc]
    out = []
    for feature in features or []:
        if not isinstance(feature, dict):
            raise InvalidInput("GeoJSON 要素格式错误")
        props = feature.get("properties") or {}
        times = props.get("coordTimes") or props.get("times") or []
        flat = [c for line in _lines(feature.get("geometry")) for c in line]
        times = [t for group in times for t in group] if times and isinstance(times[0], list) else times
        for i, c in enumerate(flat):
            t = times[i] if i < len(times) else (c[3] if isinstance(c, list) and len(c) > 3 else None)
            out.append(
                (_number(c[0]), _number(c[1]), parse_time(t))
                if isinstance(c, list) and len(c) >= 2
                else (float("nan"), float("nan"), None)
            )
    return _limit(out)


def from_json_points(body, crs: str | None = None) -> list[tuple]:
    """The phone API body ``{"points": [{"lon", "lat", "t"}, ...]}``; GCJ-02/BD-09 converted to WGS84."""
    if not isinstance(body, dict) or not isinstance(body.get("points"), list):
        raise InvalidInput('请求体应为 {"points": [{"lon": …, "lat": …, "t": …}, …]}')
    if crs:
        coords.parse_crs(crs)  # an unknown CRS fails the whole request, not point by point
    out = []
    for p in _limit(body["points"]):
        lon, lat = (_number(p.get("lon")), _number(p.get("lat"))) if isinstance(p, dict) else (float("nan"),) * 2
        if crs and lon == lon and lat == lat:  # NaN stays NaN and is dropped by cleaning
            try:
                lon, lat = coords.point_to_wgs84(lon, lat, crs)
            except InvalidInput:
                lon = lat = float("nan")
        out.append((lon, lat, parse_time(p.get("t")) if isinstance(p, dict) else None))
    return out


def _limit(points: list) -> list:
    if len(points) > MAX_POINTS:
        raise InvalidInput(f"轨迹点过多（最多 {MAX_POINTS} 个）")
    return points
