"""Harm areas of an event from a request: observed geometries plus the derivations asked for."""

from __future__ import annotations

from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from gisgrid.errors import InvalidInput, ValidationFailed
from gisgrid.jurisdiction import derive, geoinput, rivers
from gisgrid.jurisdiction.resolve import Area
from gisgrid.web import finite_number

DERIVATIONS = ("buffer", "wind", "downstream")


def _number(params: dict, key: str, label: str, default: float | None = None) -> float:
    return finite_number(params.get(key, default), label, key)


def _buffer(session: Session, act: BaseGeometry, params: dict) -> Area:
    radius = _number(params, "radius_m", "缓冲半径")
    return Area("buffer", derive.buffer_area(act, radius), {"radius_m": radius})


def _wind(session: Session, act: BaseGeometry, params: dict) -> Area:
    values = {
        "from_deg": _number(params, "from_deg", "风向（来向，度）"),
        "distance_m": _number(params, "distance_m", "下风向距离"),
        "spread_deg": _number(params, "spread_deg", "扇区张角", 45.0),
    }
    return Area("wind", derive.wind_sector(act, **values), values)


def _downstream(session: Session, act: BaseGeometry, params: dict) -> Area:
    distance = _number(params, "distance_m", "下游距离")
    snap = _number(params, "snap_m", "河流捕捉距离", 200.0)
    if not 0 < snap <= 5_000:
        raise InvalidInput("河流捕捉距离须在 0–5000 米之间 (snap_m must be in (0, 5000])")
    trace = derive.downstream(act, rivers.reaches_near(session, act, distance + snap), distance, snap)
    if trace.geometry.is_empty:
        raise ValidationFailed("发生地位于河流末端，下游没有河段 (the act is at the end of the river network)")
    return Area(
        "downstream",
        trace.geometry,
        {
            "distance_m": distance,
            "snap_m": round(trace.snap_m, 1),
            "rivers": list(trace.rivers),
            "length_m": round(trace.length_m, 1),
        },
    )


_BUILDERS = {"buffer": _buffer, "wind": _wind, "downstream": _downstream}


def derived(session: Session, act: BaseGeometry, requested) -> list[Area]:
    """Areas derived from the act: ``{"buffer": {...}, "wind": {...}, "downstream": {...}}``, any subset."""
    if requested in (None, {}):
        return []
    if not isinstance(requested, dict):
        raise InvalidInput('derive 须为对象，如 {"buffer": {"radius_m": 500}} (derive must be an object)')
    unknown = sorted(set(requested) - set(DERIVATIONS))
    if unknown:
        raise InvalidInput(f"未知的推算方式：{', '.join(unknown)}；可用 {', '.join(DERIVATIONS)} (unknown derivation)")
    areas = []
    for kind in DERIVATIONS:
        params = requested.get(kind)
        if params is None or params is False:
            continue
        if not isinstance(params, dict):
            raise InvalidInput(f"derive.{kind} 须为对象 (derive.{kind} must be an object)")
        areas.append(_BUILDERS[kind](session, act, params))
    return areas


def from_request(session: Session, act: BaseGeometry, payload: dict, crs: str | None) -> list[Area]:
    """Observed harm (``harm``: points or polygons) followed by the derived areas (``derive``)."""
    observed = [Area("observed", geom, {}) for geom in geoinput.parse_many(payload.get("harm"), crs, "harm")]
    return observed + derived(session, act, payload.get("derive"))
