"""OGC API – Tiles routes at /ogc: tile matrix sets, tile set lists, tile sets (+ TileJSON) and the MVT tiles."""

from __future__ import annotations

from flask import Response, json, request

from gisgrid.db import db
from gisgrid.errors import NotFound
from gisgrid.ogc import collections as colls
from gisgrid.ogc import schemas, service, tilesets
from gisgrid.ogc.routes import AS_HTML, base, bp, respond
from gisgrid.public_map import tiles

_TILE_RESPONSES = {
    "200": {"description": "tile", "content": {tilesets.MVT: {"schema": {"type": "string", "format": "binary"}}}},
    "204": {"description": "empty tile"},
    "304": {"description": "not modified (If-None-Match)"},
}


def _prefix(collection_id: str | None) -> str:
    # only the grids have tiles; the dataset tiles (/ogc/tiles) are the same single layer
    if collection_id is None:
        return ""
    if colls.resolve(collection_id) is not colls.GRIDS:
        raise NotFound(f"集合 {collection_id[:60]} 没有瓦片 (no tiles for this collection)")
    return f"/collections/{collection_id}"


@bp.get("/tileMatrixSets")
@bp.arguments(schemas.DocArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.OgcDocument, success=True, description="tile matrix sets")
@AS_HTML
def tile_matrix_sets(f=None):
    """The tile matrix sets (WebMercatorQuad)."""
    return respond(tilesets.tile_matrix_sets(base()), service.JSON, f, "tms_list")


@bp.get("/tileMatrixSets/<tms_id>")
@bp.arguments(schemas.DocArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.OgcDocument, success=True, description="a tile matrix set")
@AS_HTML
def tile_matrix_set(tms_id: str, f=None):
    """One tile matrix set definition."""
    return respond(tilesets.tile_matrix_set(tms_id), service.JSON, f, "tms")


@bp.get("/tiles", defaults={"collection_id": None}, endpoint="dataset_tilesets")
@bp.get("/collections/<collection_id>/tiles")
@bp.arguments(schemas.DocArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.OgcDocument, success=True, description="vector tile sets")
@AS_HTML
def collection_tilesets(collection_id=None, f=None):
    """The vector tile sets (one, in WebMercatorQuad)."""
    return respond(tilesets.tilesets(base(), _prefix(collection_id)), service.JSON, f, "tilesets")


@bp.get("/tiles/<tms_id>", defaults={"collection_id": None}, endpoint="dataset_tileset")
@bp.get("/collections/<collection_id>/tiles/<tms_id>")
@bp.arguments(schemas.TileSetArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.OgcDocument, success=True, description="tile set, or TileJSON with f=tilejson")
@AS_HTML
def collection_tileset(tms_id: str, collection_id=None, f=None, at=None, datetime=None):
    """A tile set: the OGC document, or TileJSON 3.0 with ``f=tilejson``."""
    prefix, day = _prefix(collection_id), at or datetime
    if f == "tilejson":
        body = tilesets.tilejson(db.session(), base(), prefix, tms_id, day)
        return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
    return respond(tilesets.tileset(db.session(), base(), prefix, tms_id, day), service.JSON, f, "tileset")


@bp.get("/tiles/<tms_id>/<int:z>/<int:y>/<int:x>", defaults={"collection_id": None}, endpoint="dataset_tile")
@bp.get("/collections/<collection_id>/tiles/<tms_id>/<int:z>/<int:y>/<int:x>")
@bp.arguments(schemas.TileArgs, location="query", as_kwargs=True)
@bp.doc(responses=_TILE_RESPONSES)
def collection_tile(tms_id: str, z: int, y: int, x: int, collection_id=None, f=None, at=None, datetime=None):
    """One MVT tile (tileMatrix/tileRow/tileCol = z/y/x), from the public map's cache."""
    _prefix(collection_id)
    tilesets.check_tms(tms_id)
    if not (0 <= z <= tiles.MAX_ZOOM and 0 <= x < (1 << z) and 0 <= y < (1 << z)):
        raise NotFound(f"瓦片 {z}/{y}/{x} 超出范围 (tile out of range)")
    day = at or datetime
    body, etag = tiles.get_tile(db.session(), z, x, y, None, "wgs84", day)
    resp = Response(body, status=200 if body else 204, mimetype=tilesets.MVT)
    resp.set_etag(etag)
    resp.headers["Cache-Control"] = f"public, max-age={86400 if day else 60}"
    return resp.make_conditional(request)
