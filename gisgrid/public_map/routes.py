"""Public pages and APIs (no login): the disclosure map, grid details, search, tiles, open data."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    request,
    send_file,
)

from gisgrid.db import db
from gisgrid.errors import InvalidInput
from gisgrid.grids import service as grid_service
from gisgrid.public_map import opendata, service, tiles
from gisgrid.web import at_day, bbox

bp = Blueprint("public_map", __name__)
MVT = "application/vnd.mapbox-vector-tile"


def _number(name: str) -> float:
    raw = request.args.get(name, "")
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInput(f"参数 {name} 必须是数字，收到 {raw!r} (parameter {name} must be a number)") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidInput(f"参数 {name} 必须是有限数字 (parameter {name} must be finite)")
    return value


def _level() -> int:
    level = _number("level")
    if not (level.is_integer() and 1 <= level <= 99):
        raise InvalidInput("参数 level 应为 1 到 99 的整数 (level must be an integer 1..99)")
    return int(level)


def _max_age() -> int:
    # a past day's version is fixed; the published one may change at any time: revalidate after a minute
    # (a 304 is cheap)
    return 86400 if request.args.get("at") else 60


def _map_config(code: str | None = None) -> dict:
    cfg = current_app.config
    return {
        "tile_url": cfg.get("TILE_URL") or "",
        "tile_crs": cfg.get("TILE_CRS", "wgs84"),
        "tile_attribution": cfg.get("TILE_ATTRIBUTION") or "",
        "code": code,
        "at": request.args.get("at") or "",
    }


@bp.get("/")
def index():
    """The full-screen public map of the published grids."""
    summary = service.published_summary(db.session())
    return render_template("public_map/index.html", summary=summary, config=_map_config())


@bp.get("/grids/<code>")
def grid_page(code: str):
    """Deep link: the map opened on one grid."""
    detail = service.grid_detail(db.session(), code, at_day())
    return render_template("public_map/index.html", summary=None, detail=detail, config=_map_config(code))


@bp.get("/grids/<code>/notice")
def notice(code: str):
    """Printable notice sheet (公示牌) of one grid."""
    detail = service.grid_detail(db.session(), code, at_day())
    return render_template("public_map/notice.html", detail=detail, config=_map_config(code))


@bp.get("/api/v1/grids/search")
def search_api():
    """Grids by name, code, entity or person: ?q=[&at=]."""
    return service.search(db.session(), request.args.get("q", ""), at_day())


@bp.get("/api/v1/grids/levels")
def levels_api():
    """Levels, their grid counts and the zooms at which the map draws them."""
    return tiles.map_levels(db.session(), at_day())


@bp.get("/api/v1/grids/labels")
def labels_api():
    """Label points: ?bbox=w,s,e,n&level=[&crs=wgs84|gcj02][&at=]."""
    box = bbox(request.args.get("bbox"))
    level = _level()
    return service.labels(db.session(), box, level, at_day(), service.parse_map_crs(request.args.get("crs")))


@bp.get("/api/v1/grids/locate")
def locate_api():
    """Point → grid chain in any version: ?lon&lat[&crs][&at=] (the map's history mode); as /api/v1/lookup."""
    lon, lat, crs_name, day = _number("lon"), _number("lat"), request.args.get("crs"), at_day()
    radius = current_app.config["NEAR_BOUNDARY_M"]
    # one rule and one JSON shape for both modes: the registry's lookup already answers in any version
    body = db.read(lambda conn: grid_service.lookup(conn, lon, lat, crs_name, radius, day))
    return Response(body, mimetype="application/json")


@bp.get("/api/v1/grids/<code>")
def grid_api(code: str):
    """One grid with geometry, parent chain and children: [?at=][&crs=wgs84|gcj02]."""
    return service.grid_detail(db.session(), code, at_day(), service.parse_map_crs(request.args.get("crs")))


@bp.get("/tiles/<int:z>/<int:x>/<int:y>.pbf")
def tile(z: int, x: int, y: int):
    """Vector tile of the grids: [?level=][&crs=wgs84|gcj02][&at=]."""
    level = _level() if request.args.get("level") else None
    variant = service.parse_map_crs(request.args.get("crs"))
    body, etag = tiles.get_tile(db.session(), z, x, y, level, variant, at_day())
    resp = Response(body, mimetype=MVT)
    resp.set_etag(etag)
    resp.headers["Cache-Control"] = f"public, max-age={_max_age()}"
    return resp.make_conditional(request)


@bp.get("/open-data/grids.<fmt>")
def open_data(fmt: str):
    """The published grids with public contacts as GeoJSON, CSV (UTF-8 BOM) or GeoPackage, from the file cache."""
    path, filename, _version = opendata.export(db.session(), fmt, current_app.config["CACHE_DIR"], at_day())
    # streamed from disk with ETag/Last-Modified (→ 304, ranges); the file of a version never changes
    return send_file(
        path,
        mimetype=opendata.FORMATS[fmt],
        as_attachment=True,
        download_name=filename,
        conditional=True,
        etag=True,
        max_age=_max_age(),
    )
