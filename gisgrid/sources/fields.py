"""Source fields: names, Chinese labels, and coercion of one raw row into checked values."""

from __future__ import annotations

import math
from datetime import date, datetime

import shapely
from shapely.geometry.base import BaseGeometry

from gisgrid import coords
from gisgrid.errors import InvalidInput
from gisgrid.sources.models import CLASSES, KINDS

KIND_LABELS = {
    "enterprise": "工业企业",
    "construction_site": "建筑工地",
    "livestock_farm": "畜禽养殖场",
    "drinking_water_source": "饮用水水源地",
    "catering": "餐饮服务单位",
    "vehicle_repair": "机动车维修",
    "other": "其他",
}
_KIND_ALIASES = {
    **{v: k for k, v in KIND_LABELS.items()},
    "企业": "enterprise",
    "工地": "construction_site",
    "养殖场": "livestock_farm",
    "水源地": "drinking_water_source",
    "餐饮": "catering",
    "汽修": "vehicle_repair",
}
TEXT_FIELDS = ("industry", "address", "permits", "contacts", "class_reason")
EXPORT_COLUMNS = (
    "code",
    "name",
    "kind",
    "lon",
    "lat",
    "industry",
    "address",
    "permits",
    "contacts",
    "key_source",
    "large_polluter",
    "last_violation_on",
    "class",
    "class_reason",
    "grid_code",
    "sample_data",
    "site_wkt",
)
_TRUE = {"1", "true", "yes", "y", "t", "是", "有"}
_FALSE = {"", "0", "false", "no", "n", "f", "否", "无", "none", "nan"}


def clean_text(value) -> str | None:
    """Stripped text, None when empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def to_bool(value, name: str) -> bool:
    """是/否, true/false, 1/0 (empty is false)."""
    if isinstance(value, bool):
        return value
    text = (clean_text(value) or "").lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidInput(f"{name} 应为 是/否 (true/false)，收到 {value!r}")


def to_date(value, name: str) -> date | None:
    """YYYY-MM-DD (or a date/datetime cell from a spreadsheet); empty is None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean_text(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise InvalidInput(f"{name} 应为日期 YYYY-MM-DD，收到 {value!r}") from None


def to_kind(value) -> str:
    """A kind key from its key or Chinese label."""
    text = clean_text(value)
    if text in KINDS:
        return text
    if text in _KIND_ALIASES:
        return _KIND_ALIASES[text]
    raise InvalidInput(f"类型 kind 未知：{value!r}（可用：{'、'.join(KIND_LABELS.values())}）")


def to_number(value, name: str) -> float:
    """A finite number (``coords.finite_number``) from an import cell or the edit form, or InvalidInput naming it."""
    try:
        return coords.finite_number(value)
    except ValueError as err:
        raise InvalidInput(f"{name} {err}，收到 {value!r}") from None


def _location(raw: dict, crs: str | None) -> tuple[float, float, BaseGeometry | None]:
    geom = raw.get("geometry")
    site = None
    if isinstance(geom, BaseGeometry) and not geom.is_empty:
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            if not geom.is_valid:
                raise InvalidInput(f"场地范围几何无效：{shapely.is_valid_reason(geom)}")
            site = geom if geom.geom_type == "MultiPolygon" else shapely.MultiPolygon([geom])
            point = geom.point_on_surface()
            return point.x, point.y, site
        if geom.geom_type == "Point":
            return geom.x, geom.y, None
        raise InvalidInput(f"几何类型 {geom.geom_type} 不支持（点或面）")
    if clean_text(raw.get("lon")) is None or clean_text(raw.get("lat")) is None:
        raise InvalidInput("缺少坐标 lon/lat")
    lon, lat = coords.point_to_wgs84(to_number(raw["lon"], "lon"), to_number(raw["lat"], "lat"), crs)
    return lon, lat, site


def _site_wkt(raw: dict) -> BaseGeometry | None:
    text = clean_text(raw.get("site_wkt"))
    if text is None:
        return None
    try:
        geom = shapely.from_wkt(text)
    except shapely.errors.GEOSException:
        raise InvalidInput("site_wkt 不是有效的 WKT") from None
    if geom.geom_type not in ("Polygon", "MultiPolygon") or not geom.is_valid:
        raise InvalidInput("site_wkt 应为有效的面 (Polygon/MultiPolygon, EPSG:4326)")
    return geom if geom.geom_type == "MultiPolygon" else shapely.MultiPolygon([geom])


def coerce(raw: dict, crs: str | None = None) -> dict:
    """Checked values of one source row; raises InvalidInput with the first problem found."""
    code, name = clean_text(raw.get("code")), clean_text(raw.get("name"))
    if not code or not name:
        raise InvalidInput("编号 code 和名称 name 不能为空")
    requested = (clean_text(raw.get("class")) or "").upper() or None
    if requested is not None and requested not in CLASSES:
        raise InvalidInput(f"类别 class 应为 A、B 或 C，收到 {raw.get('class')!r}")
    lon, lat, site = _location(raw, crs)
    site = site if site is not None else _site_wkt(raw)
    values = {
        "code": code,
        "name": name,
        "kind": to_kind(raw.get("kind")),
        "lon": lon,
        "lat": lat,
        "site": site,
        "requested_class": requested,
        "key_source": to_bool(raw.get("key_source"), "key_source"),
        "large_polluter": to_bool(raw.get("large_polluter"), "large_polluter"),
        "last_violation_on": to_date(raw.get("last_violation_on"), "last_violation_on"),
        "sample_data": to_bool(raw.get("sample_data"), "sample_data"),
    }
    values.update({f: clean_text(raw.get(f)) for f in TEXT_FIELDS})
    return values
