"""OGC API – Features routes at /ogc (JSON / GeoJSON only; ?f=json accepted)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, json, request

from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.ogc import schemas, service

bp = Blueprint("ogc", __name__, url_prefix="/ogc", description="OGC API – Features")


def _base() -> str:
    return request.host_url.rstrip("/") + "/ogc"


def _respond(body: dict, mime: str = service.JSON) -> Response:
    return Response(json.dumps(body), mimetype=mime)


def _query() -> dict:
    # the filters a next/prev link must repeat, as the client sent them
    return {k: quote(request.args[k], safe=",") for k in ("bbox", "level", "at", "f") if request.args.get(k)}


@bp.get("")
@bp.get("/", endpoint="landing_slash")  # smorest wants one endpoint per rule
@bp.arguments(schemas.OgcArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.Landing, success=True, description="landing page")
def landing(**_args):
    """Landing page."""
    return _respond(service.landing(_base()))


@bp.get("/conformance")
@bp.arguments(schemas.OgcArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.Conformance, success=True, description="conformance classes")
def conformance(**_args):
    """Conformance classes."""
    return _respond(service.conformance())


@bp.get("/collections")
@bp.arguments(schemas.OgcArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.Collections, success=True, description="the collections")
def collections(at=None, **_args):
    """The collections (one: grids)."""
    return _respond(service.collections(db.session(), _base(), at))


@bp.get("/collections/grids")
@bp.arguments(schemas.OgcArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.Collection, success=True, description="the grids collection")
def collection(at=None, **_args):
    """The grids collection."""
    return _respond(service.collection(db.session(), _base(), at))


@bp.get("/collections/grids/items")
@bp.arguments(schemas.ItemsArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.Items, success=True, content_type=service.GEOJSON, description="features")
def items(at=None, limit=service.DEFAULT_LIMIT, offset=0, bbox=None, level=None, **_args):
    """Features: ?bbox=&limit=&offset=[&level=][&at=]."""
    filters = {**(dict(zip("wsen", bbox)) if bbox else {}), **({"level": level} if level else {})}
    limit = min(limit, service.MAX_LIMIT)
    body = service.items(db.session(), _base(), at, limit, offset, filters, _query())
    return _respond(body, service.GEOJSON)


@bp.get("/collections/grids/items/<code>")
@bp.arguments(schemas.OgcArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.GridFeature, success=True, content_type=service.GEOJSON, description="feature")
def item(code: str, at=None, **_args):
    """One feature by grid code."""
    return _respond(service.item(db.session(), _base(), at, code), service.GEOJSON)
