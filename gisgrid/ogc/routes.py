"""OGC API – Features routes at /ogc (JSON / GeoJSON only; ?f=json accepted)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, json, request

from gisgrid.db import db
from gisgrid.errors import InvalidInput
from gisgrid.ogc import service
from gisgrid.web import at_day

bp = Blueprint("ogc", __name__, url_prefix="/ogc")


def _base() -> str:
    return request.host_url.rstrip("/") + "/ogc"


def _respond(body: dict, mime: str = service.JSON) -> Response:
    if request.args.get("f", "json") not in ("json", "geojson"):
        raise InvalidInput("只支持 f=json (only f=json is supported)")
    return Response(json.dumps(body), mimetype=mime)


def _query() -> dict:
    # the filters a next/prev link must repeat
    return {k: quote(request.args[k], safe=",") for k in ("bbox", "level", "at", "f") if request.args.get(k)}


@bp.get("")
@bp.get("/")
def landing():
    """Landing page."""
    return _respond(service.landing(_base()))


@bp.get("/conformance")
def conformance():
    """Conformance classes."""
    return _respond(service.conformance())


@bp.get("/collections")
def collections():
    """The collections (one: grids)."""
    return _respond(service.collections(db.session(), _base(), at_day()))


@bp.get("/collections/grids")
def collection():
    """The grids collection."""
    return _respond(service.collection(db.session(), _base(), at_day()))


@bp.get("/collections/grids/items")
def items():
    """Features: ?bbox=&limit=&offset=[&level=][&at=]."""
    args = service.parse_items_args(request.args)
    body = service.items(db.session(), _base(), at_day(), args["limit"], args["offset"], args["filters"], _query())
    return _respond(body, service.GEOJSON)


@bp.get("/collections/grids/items/<code>")
def item(code: str):
    """One feature by grid code."""
    return _respond(service.item(db.session(), _base(), at_day(), code), service.GEOJSON)
