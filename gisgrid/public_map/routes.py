"""Public pages (no login): the disclosure map, grid deep links, notice sheets; their JSON APIs are public_map.api."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    make_response,
    render_template,
    request,
)
from flask import session as web_session
from flask_login import current_user

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
    """Deep link: the map opened on one grid; for visitors not logged in, an ETag per version (→ 304)."""
    if current_user.is_authenticated:  # the header shows the user, their bell and inbox: for them only
        resp = make_response(_grid_page(code))
        resp.headers["Cache-Control"] = "private, no-cache"
        return resp
    session = db.session()
    version = detail_cache.version_of(session, at_day())
    etag = page_etag(version.key.slug, code, _map_config(code))
    # a pending flash message must be shown (and consumed) by a real rendering
    fresh = etag in request.if_none_match and "_flashes" not in web_session
    resp = Response(status=304) if fresh else make_response(_grid_page(code))
    resp.set_etag(etag)
    resp.cache_control.public = True
    resp.cache_control.max_age = 86400 if request.args.get("at") else 60  # as the grid JSON (public_map.api)
    return resp


def _grid_page(code: str) -> str:
    detail = _detail(code)
    return render_template("public_map/index.html", summary=None, detail=detail, config=_map_config(code))


PAGE_SCHEMA = "p1"  # bump when the page's content changes for the same version and templates
_PAGE_TEMPLATES = ("base.html", "_nav.html", "public_map/index.html")


def page_etag(version_slug: str, code: str, map_config: dict) -> str:
    """The ETag of an anonymous grid page: version, grid, the map settings and the templates it is made of."""
    settings = json.dumps(map_config, sort_keys=True, ensure_ascii=False)
    parts = (PAGE_SCHEMA, _templates_stamp(current_app.template_folder), version_slug, code, settings)
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


@cache
def _templates_stamp(folder: str) -> str:
    # a new release with changed templates must not answer 304 to pages of the old one
    root = Path(current_app.root_path) / folder
    return hashlib.sha256(b"".join((root / name).read_bytes() for name in _PAGE_TEMPLATES)).hexdigest()


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
