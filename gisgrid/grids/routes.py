"""HTTP API of the grid registry: point lookup and batch assignment."""

from __future__ import annotations

import io
import math

from flask import Blueprint, Response, current_app, request, stream_with_context

from gisgrid.db import db
from gisgrid.errors import InvalidInput
from gisgrid.grids import batch, service
from gisgrid.web import at_day

bp = Blueprint("grids", __name__, url_prefix="/api/v1")


def _number(name: str) -> float:
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        raise InvalidInput(f"缺少参数 {name} (missing parameter {name})")
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInput(f"参数 {name} 必须是数字，收到 {raw!r} (parameter {name} must be a number)") from None
    if not math.isfinite(value):
        raise InvalidInput(f"参数 {name} 必须是有限数字 (parameter {name} must be finite)")
    return value


def _point_args() -> tuple[float, float]:
    if "x" in request.args or "y" in request.args:
        return _number("x"), _number("y")
    return _number("lon"), _number("lat")


def _radius() -> float:
    if "near" not in request.args:
        return current_app.config["NEAR_BOUNDARY_M"]
    radius, limit = _number("near"), current_app.config["MAX_NEAR_BOUNDARY_M"]
    if not 0 <= radius <= limit:
        raise InvalidInput(f"参数 near 必须在 0 到 {limit:g} 米之间 (near must be 0..{limit:g} m)")
    return radius


@bp.get("/lookup")
def lookup():
    """Point → grid chain: ?lon&lat (or ?x&y) [&crs] [&near=metres] [&at=YYYY-MM-DD for history]."""
    x, y = _point_args()
    crs_name, radius, day = request.args.get("crs"), _radius(), at_day()
    body = db.read(lambda conn: service.lookup(conn, x, y, crs_name, radius, day))
    return Response(body, mimetype="application/json")


@bp.post("/lookup/batch")
def lookup_batch():
    """CSV (lon,lat columns) or GeoJSON points in → the same rows with their smallest grid, streamed."""
    crs_name = request.args.get("crs")
    index = batch.published_index(db.session())
    db.session().rollback()
    if request.mimetype in ("application/json", "application/geo+json"):
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise InvalidInput("请求体不是有效的 GeoJSON (body is not valid GeoJSON)")
        chunks = batch.assign_geojson(index, body, crs_name)
        mimetype = "application/geo+json"
    else:
        raw = io.BufferedReader(_WsgiInput(request.stream), 1 << 16)
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        chunks = batch.assign_csv(index, stream, crs_name)
        mimetype = "text/csv"
    first = next(chunks)  # raise header/format errors before the 200 is sent
    return Response(stream_with_context(_prepend(first, chunks)), mimetype=mimetype)


class _WsgiInput(io.RawIOBase):
    """The WSGI input as a raw io stream: gunicorn's has no readable(), which TextIOWrapper needs."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _prepend(first, rest):
    yield first
    yield from rest
