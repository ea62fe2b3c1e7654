"""Public JSON APIs of the map (no login): grid search, levels, labels, locate, detail, vector tiles, open data.

The pages (/, /grids/<code>, notice) stay in public_map.routes, so they never enter the API document.
"""

from __future__ import annotations

import json

from flask import Response, current_app, request, send_file

from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.deployment import current_profile
from gisgrid.grids import resident
from gisgrid.grids import schemas as grid_schemas
from gisgrid.grids import service as grid_service
from gisgrid.public_map import (
    detail_cache,
    opendata,
    schemas,
    service,
    tile_fill,  # noqa: F401  (its on_publish preparer starts the fill jobs)
    tiles,
    units,
)

bp = Blueprint("public_api", __name__, description="公开地图 (public map, tiles, open data)")
MVT = "application/vnd.mapbox-vector-tile"
GEOJSON = "application/geo+json"
_BINARY = {"type": "string", "format": "binary"}
_TILE_RESPONSES = {
    "200": {"description": "tile", "content": {MVT: {"schema": _BINARY}}},
    "204": {"description": "empty tile"},
    "304": {"description": "not modified (If-None-Match)"},
}
_OPEN_DATA_RESPONSES = {
    "200": {
        "description": "the published grids with public contacts",
        "content": {
            "application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}},
            "text/csv": {"schema": {"type": "string"}},
            "application/geopackage+sqlite3": {"schema": _BINARY},
        },
    },
    "304": {"description": "not modified"},
}


def _max_age(at) -> int:
    # a past day's version is fixed; the published one may change at any time: revalidate after a minute
    # (a 304 is cheap)
    return 86400 if at else 60


@bp.get("/api/v1/grids/search")
@bp.arguments(schemas.SearchArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.Search, success=True, description="hits")
def search_api(q: str, at=None):
    """Grids by name, code, entity or person: ?q=[&at=]."""
    return service.search(db.session(), q, at)


@bp.get("/api/v1/grids/levels")
@bp.arguments(schemas.AtArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.Levels, success=True, description="levels")
def levels_api(at=None):
    """Levels, their grid counts and the zooms at which the map draws them."""
    return tiles.map_levels(db.session(), at)


@bp.get("/api/v1/grids/labels")
@bp.arguments(schemas.LabelArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.Labels, success=True, description="label points")
def labels_api(bbox, level: int, crs: str, at=None):
    """Label points: ?bbox=w,s,e,n&level=[&crs=wgs84|gcj02][&at=]."""
    return service.labels(db.session(), bbox, level, at, crs)


@bp.get("/api/v1/grids/locate")
@bp.arguments(schemas.LocateArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=grid_schemas.Lookup, success=True, description="the grid chain")
def locate_api(lon: float, lat: float, crs=None, at=None):
    """Point → grid chain in any version: ?lon&lat[&crs][&at=] (the map's history mode); as /api/v1/lookup."""
    radius = current_app.config["NEAR_BOUNDARY_M"]
    # one rule and one JSON shape for both modes: the registry's lookup already answers in any version
    body = grid_service.lookup(db.read, lon, lat, crs, radius, at, resident.for_public_read())
    return Response(body, mimetype="application/json")


@bp.get("/api/v1/unit-grids")
@bp.arguments(schemas.UnitGridArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.UnitGridLayer, success=True, content_type=GEOJSON, description="unit grids")
def unit_grids_api(crs: str, at=None):
    """重点监管单元网格 (overlays of the tiling) as GeoJSON: [?crs=wgs84|gcj02][&at=]; private phones are null."""
    body = units.unit_grids(db.session(), at, crs)
    response = Response(json.dumps(body, ensure_ascii=False), mimetype=GEOJSON)
    response.cache_control.public = True
    response.cache_control.max_age = _max_age(at)
    return response


@bp.get("/api/v1/grids/<code>")
@bp.arguments(schemas.DetailArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.GridDetail, success=True, description="the grid")
@bp.doc(responses={"304": {"description": "not modified (If-None-Match)"}})
def grid_api(code: str, crs: str, at=None):
    """One grid with geometry, parent chain and children: [?at=][&crs=wgs84|gcj02]; ETag per version."""
    session = db.session()
    version = detail_cache.version_of(session, at)
    etag = detail_cache.etag_for(version.key, code, crs)
    if etag in request.if_none_match:  # the client has this version's detail: nothing is built
        return _cached(Response(status=304), etag, at)
    body = detail_cache.grid_json(session, version, code, crs)
    return _cached(Response(body, mimetype="application/json"), etag, at)


def _cached(resp: Response, etag: str, at) -> Response:
    resp.set_etag(etag)
    resp.cache_control.public = True
    resp.cache_control.max_age = _max_age(at)
    return resp


@bp.get("/tiles/<int:z>/<int:x>/<int:y>.pbf")
@bp.arguments(schemas.TileArgs, location="query", as_kwargs=True)
@bp.doc(responses=_TILE_RESPONSES)
def tile(z: int, x: int, y: int, crs: str, level=None, at=None):
    """Vector tile of the grids: [?level=][&crs=wgs84|gcj02][&at=]."""
    body, etag = tiles.get_tile(db.session(), z, x, y, level, crs, at)
    resp = Response(body, mimetype=MVT)
    resp.set_etag(etag)
    resp.headers["Cache-Control"] = f"public, max-age={_max_age(at)}"
    return resp.make_conditional(request)


@bp.get("/open-data/grids.<fmt>")
@bp.arguments(schemas.AtArgs, location="query", as_kwargs=True)
@bp.doc(responses=_OPEN_DATA_RESPONSES)
def open_data(fmt: str, at=None):
    """The published grids with public contacts as GeoJSON, CSV (UTF-8 BOM) or GeoPackage, from the file cache."""
    path, filename, _version = opendata.export(
        db.session(), fmt, current_app.config["CACHE_DIR"], at, current_profile()
    )
    # streamed from disk with ETag/Last-Modified (→ 304, ranges); the file of a version never changes
    return send_file(
        path,
        mimetype=opendata.FORMATS[fmt],
        as_attachment=True,
        download_name=filename,
        conditional=True,
        etag=True,
        max_age=_max_age(at),
    )
