"""OGC API – Features routes at /ogc: every resource as JSON (GeoJSON) or a Chinese HTML page (f= or Accept)."""

from __future__ import annotations

from flask import Response, json, render_template, request
from flask_login import current_user
from webargs.flaskparser import FlaskParser

from gisgrid.contract import Blueprint
from gisgrid.contract.blueprint import Parser
from gisgrid.db import db
from gisgrid.ogc import collections as colls
from gisgrid.ogc import drafts, openapi, preconditions, schemas, service


class StrictParser(Parser):
    """The contract parser, but the schema's ``unknown = RAISE`` holds for the query string (Part 1: 400)."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None, "querystring": None}


class OgcBlueprint(Blueprint):
    """The /ogc blueprint: unknown query parameters are a 400."""

    ARGUMENTS_PARSER = StrictParser()


bp = OgcBlueprint("ogc", __name__, url_prefix="/ogc", description="OGC API – Features, Tiles")
# every resource is also an HTML page (f=html or a browser's Accept): documented beside the JSON answer
AS_HTML = bp.alt_response(
    200, schema={"type": "string"}, content_type="text/html", success=True, description="JSON，或 HTML 页面 (f=html)"
)
ITEMS_ECHO = ("bbox", "bbox-crs", "crs", "level", "at", "datetime", "filter", "filter-lang", "filter-crs")


def base() -> str:
    """The absolute URL of /ogc as the client reached it."""
    return request.host_url.rstrip("/") + "/ogc"


def wants_html(f: str | None) -> bool:
    """``f=html``, or no ``f`` and an Accept header that prefers HTML over JSON (a browser)."""
    if f:
        return f == "html"
    accept = request.accept_mimetypes
    best_json = max(accept[service.JSON], accept[service.GEOJSON])
    return accept[service.HTML] > best_json and accept.best_match([service.JSON, service.HTML]) == service.HTML


def respond(body: dict, mime: str, f: str | None, kind: str, content_crs: str | None = None) -> Response:
    """JSON of ``mime`` or the HTML page of ``kind``; ``Content-Crs`` for feature responses (Part 2)."""
    if wants_html(f):
        # the small map draws lon,lat: features asked for in another CRS get the table only
        drawable = content_crs in (None, service.CRS84)
        doc = service.plain(body)
        html = render_template("ogc/page.html", kind=kind, doc=doc, base=base(), uses_map=False, drawable=drawable)
        resp = Response(html, mimetype=service.HTML)
    else:
        resp = Response(service.encode(body), mimetype=mime)
    if content_crs:
        resp.headers["Content-Crs"] = f"<{content_crs}>"
    # self and alternate also as an HTTP Link header (RFC 8288), where some clients look for the encodings
    heads = [x for x in body.get("links", []) if x["rel"] in ("self", "alternate", service.QUERYABLES_REL)]
    if heads:
        resp.headers["Link"] = ", ".join(f'<{x["href"]}>; rel="{x["rel"]}"; type="{x["type"]}"' for x in heads)
    resp.vary.add("Accept")
    return resp


def private(resp: Response, collection_id: str | None = None) -> Response:
    """A draft's documents are the planner's own (Part 4): never kept by a shared cache; lists vary by caller."""
    if collection_id is None:
        resp.vary.update(("Authorization", "Cookie"))
    elif colls.draft_id(collection_id) is not None:
        resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("")
@bp.get("/", endpoint="landing_slash")  # smorest wants one endpoint per rule
@bp.arguments(schemas.DocArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.OgcDocument, success=True, description="landing page")
@AS_HTML
def landing(f=None):
    """Landing page."""
    return respond(service.landing(base()), service.JSON, f, "landing")


@bp.get("/conformance")
@bp.arguments(schemas.DocArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.OgcConformance, success=True, description="conformance classes")
@AS_HTML
def conformance(f=None):
    """Conformance classes."""
    return respond(service.conformance(), service.JSON, f, "conformance")


@bp.get("/api")
@bp.arguments(schemas.DocArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.OgcDocument, success=True, content_type=service.OPENAPI, description="OpenAPI 3.0")
@AS_HTML
def api(f=None):
    """The OpenAPI 3.0 definition of this OGC API (service-desc), or its HTML rendering (service-doc)."""
    doc = openapi.document(base(), tuple(c.id for c in drafts.listed(db.session(), current_user)))
    if wants_html(f):
        return private(respond(doc, service.OPENAPI, "html", "api"))
    return private(Response(json.dumps(doc, ensure_ascii=False), mimetype=service.OPENAPI))


@bp.get("/collections")
@bp.arguments(schemas.OgcArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.OgcDocument, success=True, description="the collections")
@AS_HTML
def collections(f=None, at=None, datetime=None):
    """The collections: grids, and unit grids, public sources and hazards when there are some."""
    body = service.collections(db.session(), base(), at or datetime, current_user)
    return private(respond(body, service.JSON, f, "collections"))


@bp.get("/collections/<collection_id>")
@bp.arguments(schemas.OgcArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.OgcDocument, success=True, description="one collection")
@AS_HTML
def collection(collection_id: str, f=None, at=None, datetime=None):
    """One collection's metadata."""
    body = service.collection(db.session(), base(), collection_id, at or datetime, current_user, at)
    return private(respond(body, service.JSON, f, "collection"), collection_id)


@bp.get("/collections/<collection_id>/queryables")
@bp.arguments(schemas.DocArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.OgcDocument, success=True, content_type=service.SCHEMA, description="queryables")
@AS_HTML
def queryables(collection_id: str, f=None):
    """The queryable properties (JSON Schema): the public fields and the geometry."""
    body = service.queryables(db.session(), base(), collection_id, current_user)
    return private(respond(body, service.SCHEMA, f, "queryables"), collection_id)


# OPTIONS of the items and item URLs is answered by write_routes (Allow: what this caller may do there)
@bp.get("/collections/<collection_id>/items")
@bp.arguments(schemas.ItemsArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.OgcItems, success=True, content_type=service.GEOJSON, description="features")
@AS_HTML
def items(collection_id: str, f=None, at=None, datetime=None, limit=service.DEFAULT_LIMIT, offset=0, **args):
    """Features: limit, offset, bbox (+bbox-crs), crs, level, filter (+filter-lang, filter-crs), at/datetime."""
    echo = {k: request.args[k] for k in ITEMS_ECHO if request.args.get(k)}
    query = service.ItemsQuery(day=at or datetime, at=at, limit=limit, offset=offset, echo=echo, **args)
    body, out = service.items(db.session(), base(), collection_id, query, current_user)
    resp = respond(body, service.GEOJSON, None if f == "geojson" else f, "items", out.uri)
    return private(resp, collection_id)


@bp.get("/collections/<collection_id>/items/<fid>")
@bp.arguments(schemas.ItemArgs, location="query", as_kwargs=True)
@bp.alt_response(200, schema=schemas.OgcFeature, success=True, content_type=service.GEOJSON, description="feature")
@AS_HTML
def item(collection_id: str, fid: str, f=None, at=None, datetime=None, crs=None):
    """One feature by grid code (public sources and hazards: by id)."""
    body, out, tag = service.item(db.session(), base(), collection_id, fid, at or datetime, crs, current_user, at)
    resp = private(respond(body, service.GEOJSON, f, "item", out.uri), collection_id)
    if tag:  # a draft's feature: the validators of PUT/PATCH/DELETE (Part 4, ogc/preconditions.py)
        resp.headers["ETag"] = tag
        resp.last_modified = preconditions.last_modified(db.session(), collection_id, fid)
    return resp


# OPTIONS of the items and item URLs is write_routes' (Allow lists what the caller may do), not Flask's
items.provide_automatic_options = item.provide_automatic_options = False

from gisgrid.ogc import tile_routes, write_routes  # noqa: E402,F401 — the tile and write endpoints join this blueprint
