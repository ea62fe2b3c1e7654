"""Public pages (no login): the disclosure map, grid deep links, notice sheets; their JSON APIs are public_map.api."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    render_template,
    request,
)

from gisgrid.agreements import service as agreements
from gisgrid.clock import today_in_china
from gisgrid.db import db
from gisgrid.public_map import detail_cache, service
from gisgrid.web import at_day

bp = Blueprint("public_map", __name__)


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
    detail = _detail(code)
    return render_template("public_map/index.html", summary=None, detail=detail, config=_map_config(code))


@bp.get("/grids/<code>/notice")
def notice(code: str):
    """Printable notice sheet (公示牌) of one grid."""
    detail = _detail(code)
    # 定奖惩: the grid's signed 责任状 of this year (parties, year, signing date; its terms stay with staff)
    signed = agreements.for_grid_year(db.session(), code, today_in_china().year)
    return render_template("public_map/notice.html", detail=detail, config=_map_config(code), agreements=signed)


def _detail(code: str) -> dict:
    # built once per version and kept (detail_cache): pages and the JSON API share it
    session = db.session()
    return detail_cache.grid_detail(session, detail_cache.version_of(session, at_day()), code, "wgs84")
