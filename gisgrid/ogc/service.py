"""OGC API – Features documents: landing page, conformance, collections, queryables, items (public fields only)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import orjson
from sqlalchemy import func
from sqlalchemy.orm import Session

from gisgrid.errors import InvalidInput, NotFound
from gisgrid.grids import queries as grid_queries
from gisgrid.grids import versions as grid_versions
from gisgrid.ogc import collections as colls
from gisgrid.ogc import cql, crs, drafts, pages, points, queries

DEFAULT_LIMIT, MAX_LIMIT = 100, 10_000  # a limit over the maximum is lowered to it (Part 1), not refused
CRS84 = crs.CRS84
JSON, GEOJSON, HTML = "application/json", "application/geo+json", "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
_F1, _F2, _F3, _F4 = (f"http://www.opengis.net/spec/ogcapi-features-{n}/1.0/conf/" for n in (1, 2, 3, 4))
_CQL2, _TILES = "http://www.opengis.net/spec/cql2/1.0/conf/", "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/"
CONFORMANCE = [
    *(_F1 + c for c in ("core", "geojson", "html", "oas30")),
    _F2 + "crs",
    *(_F3 + c for c in ("queryables", "filter", "features-filter")),
    # Part 4 (draft 20-002): the draft-{id}-grids collections, for planners (ogc/writes.py)
    *(_F4 + c for c in ("create-replace-delete", "update", "features")),
    *(_CQL2 + c for c in ("cql2-text", "cql2-json", "basic-cql2", "advanced-comparison-operators")),
    *(_CQL2 + c for c in ("basic-spatial-functions", "basic-spatial-functions-plus", "spatial-functions")),
    *(_TILES + c for c in ("core", "tileset", "tilesets-list", "geodata-tilesets", "dataset-tilesets", "mvt")),
]


@dataclass
class ItemsQuery:
    """What an items request asks for, parsed by the route's schema."""

    day: date | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    bbox: tuple | None = None
    bbox_crs: str | None = None
    crs: str | None = None
    level: int | None = None
    filter: str | None = None
    filter_lang: str | None = None
    filter_crs: str | None = None
    after: str | None = None  # keyset cursors (ogc/pages.py): the page after / before a feature's key
    before: str | None = None
    at: date | None = None  # ``?at=`` itself (``day`` is it or ``datetime``): refused by point collections
    echo: dict = field(default_factory=dict)  # the client's own parameters, repeated in next/prev links


def landing(base: str) -> dict:
    """The landing page: service-desc, service-doc, conformance, data and tiles links."""
    return {
        "title": "gisgrid 环境监管网格 (OGC API – Features, Tiles)",
        "description": "已发布的环境监管网格及其公开联系方式、公开污染源与环境安全隐患 (published grids, public sources and hazards)",
        "links": [
            link(base, "", "self", JSON, "本页"),
            link(base, "", "alternate", HTML, "本页 (HTML)", {"f": "html"}),
            link(base, "/api", "service-desc", OPENAPI, "OpenAPI 3.0 定义"),
            link(base, "/api", "service-doc", HTML, "接口说明 (HTML)", {"f": "html"}),
            link(base, "/conformance", "conformance", JSON, "一致性"),
            link(base, "/collections", "data", JSON, "数据集合"),
            link(base, "/tileMatrixSets", "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", JSON, "瓦片矩阵集"),
            link(base, "/tiles", "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", JSON, "矢量瓦片"),
        ],
    }


def conformance() -> dict:
    """The conformance classes implemented (docs/ogc.md says how each is tested)."""
    return {"conformsTo": CONFORMANCE}


def collections(session: Session, base: str, day: date | None, user=None) -> dict:
    """Every collection with data in the version: grids, unit grids when the version has some, and for a
    planner every open draft (``draft-{id}-grids``, writable: Part 4)."""
    version = grid_versions.resolve(session, day)
    docs = [_collection(session, base, c, version) for c in colls.ALL]
    docs += [_collection(session, base, c, None) for c in points.ALL]
    docs = [d for d in docs if d["id"] == colls.GRIDS.id or d["extent"]["spatial"]["bbox"]]
    for coll in drafts.listed(session, user):
        docs.append(_collection(session, base, coll, _version(session, coll, day)))
    return {
        "links": [
            link(base, "/collections", "self", JSON, "集合"),
            link(base, "/collections", "alternate", HTML, "HTML", {"f": "html"}),
        ],
        "collections": docs,
        "crs": crs.uris(),
    }


def collection(session: Session, base: str, collection_id: str, day: date | None, user=None, at=None) -> dict:
    """Metadata of one collection: extent, CRS list, links to items, queryables and tiles."""
    coll = drafts.resolve(session, collection_id, user)
    if isinstance(coll, points.PointCollection):
        points.refuse_at(coll, at)
        return _collection(session, base, coll, None)
    return _collection(session, base, coll, _version(session, coll, day))


def _version(session: Session, coll: colls.Collection, day: date | None):
    """The boundary version a collection shows: its draft, or the one in force on ``day`` (default: published)."""
    if coll.draft_id is not None:
        return grid_queries.get_version(session, coll.draft_id)
    return grid_versions.resolve(session, day)


def _collection(session: Session, base: str, coll, version) -> dict:
    """A collection's document; ``version`` None for a point collection (no boundary version)."""
    point = isinstance(coll, points.PointCollection)
    bbox = points.extent(session, coll) if point else queries.extent(session, coll, version.id)
    path = f"/collections/{coll.id}"
    links = [
        link(base, path, "self", JSON, coll.title),
        link(base, path, "alternate", HTML, "HTML", {"f": "html"}),
        link(base, f"{path}/items", "items", GEOJSON, "要素"),
        link(base, f"{path}/items", "items", HTML, "要素 (HTML)", {"f": "html"}),
        link(base, f"{path}/queryables", QUERYABLES_REL, SCHEMA, "可查询字段"),
    ]
    if coll.id == colls.GRIDS.id:
        links.append(
            link(base, f"{path}/tiles", "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", JSON, "矢量瓦片")
        )
    return {
        "id": coll.id,
        "title": coll.title if point else f"{coll.title} · {version.label}",
        "description": coll.description,
        "itemType": "feature",
        "crs": crs.uris(),
        "storageCrs": CRS84,
        "extent": {"spatial": {"bbox": [bbox] if bbox else [], "crs": CRS84}},
        "links": links,
    }


def queryables(session: Session, base: str, collection_id: str, user=None) -> dict:
    """The queryables of a collection as a JSON Schema (Part 3): its fields and the geometry."""
    coll = drafts.resolve(session, collection_id, user)
    if isinstance(coll, points.PointCollection):
        props = {**coll.queryables(), "geometry": points.geometry_schema()}
    else:
        props = {name: {"title": label, "type": kind} for name, (kind, label) in coll.queryables().items()}
        props["geometry"] = {"title": "几何", "format": "geometry-multipolygon", "x-ogc-role": "primary-geometry"}
    return {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": f"{base}/collections/{coll.id}/queryables",
        "type": "object",
        "title": coll.title,
        "properties": props,
        "additionalProperties": False,
    }


def items(session: Session, base: str, collection_id: str, q: ItemsQuery, user=None) -> tuple[dict, crs.Crs]:
    """A page of features with numberMatched/numberReturned and next/prev links, and the CRS it is in."""
    coll = drafts.resolve(session, collection_id, user)
    out = crs.by_uri(q.crs)
    where = _where(coll, q)  # a bad filter is a 400 before any version is looked up
    after = pages.cursor(coll, q.after, "after") if q.after is not None else None
    before = pages.cursor(coll, q.before, "before") if q.before is not None else None
    if after is not None and before is not None:
        raise InvalidInput("before: 不能与 after 同时使用 (after and before together)")
    limit = min(q.limit, MAX_LIMIT)
    page = pages.fetch(session, coll, _scope(session, coll, q) + where, out, limit, q.offset, after, before)
    body = {
        "type": "FeatureCollection",
        "features": GeoJSONText(page.features),
        "numberMatched": page.matched,
        "numberReturned": page.returned,
        "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": _items_links(base, coll, q, limit, page),
    }
    return body, out


def _scope(session: Session, coll, q: ItemsQuery) -> list:
    """The condition of the version in force (grids); point collections have none (and refuse ``at``)."""
    if isinstance(coll, points.PointCollection):
        points.refuse_at(coll, q.at)  # ``datetime`` alone is ignored: no temporal extent (docs/ogc.md)
        return []
    return [coll.view.c.version_id == _version(session, coll, q.day).id]


def _items_links(base: str, coll, q: ItemsQuery, limit: int, page: pages.Page) -> list:
    """self/alternate as asked; next/prev as keyset cursors (``after``/``before``), never a growing offset."""
    path = f"/collections/{coll.id}/items"
    asked = {**q.echo, "limit": limit, "after": q.after, "before": q.before, "offset": q.offset}
    links = [
        link(base, path, "self", GEOJSON, "本页", asked),
        link(base, path, "alternate", HTML, "本页 (HTML)", {**asked, "f": "html"}),
        link(base, f"/collections/{coll.id}", "collection", JSON, "集合"),
        link(base, f"/collections/{coll.id}/queryables", QUERYABLES_REL, SCHEMA, "可查询字段"),
    ]
    nxt, prev = _neighbours(q, page)
    if nxt is not None:
        links.append(link(base, path, "next", GEOJSON, "下一页", {**q.echo, "limit": limit, **nxt}))
    if prev is not None:
        links.append(link(base, path, "prev", GEOJSON, "上一页", {**q.echo, "limit": limit, **prev}))
    return links


def _neighbours(q: ItemsQuery, page: pages.Page) -> tuple[dict | None, dict | None]:
    """The cursor parameters of the next and previous pages ({} is the first page), None when there is none."""
    if q.before is not None and q.after is None:  # read backward: "more" lies before the page
        prev = {"before": page.first_key} if page.more else None
        if page.returned:
            return {"after": page.last_key}, prev
        return ({} if page.matched else None), prev
    nxt = {"after": page.last_key} if page.more else None
    if page.returned and (q.after is not None or q.offset > 0):
        return nxt, {"before": page.first_key}
    if q.after is not None and page.matched:
        return nxt, {"before": q.after}  # past the end: the page before the cursor
    if q.offset > 0 and page.matched:
        return nxt, {
            "offset": max(0, q.offset - min(q.limit, MAX_LIMIT))
        }  # an offset past the end (offset is kept for clients)
    return nxt, None


def _where(coll, q: ItemsQuery) -> list:
    """The conditions of bbox (in bbox-crs), level and a CQL2 filter (in filter-crs)."""
    where = []
    if q.bbox is not None:
        box_crs = crs.by_uri(q.bbox_crs, "bbox-crs")
        xy = crs.bbox_in_storage(q.bbox, box_crs)
        crs.check_extent(box_crs, *xy, "bbox")
        where.append(func.ST_Intersects(coll.view.c.geom, queries.envelope(box_crs, *xy)))
    elif q.bbox_crs:
        crs.by_uri(q.bbox_crs, "bbox-crs")  # still refused when unknown
    if q.level is not None:
        if isinstance(coll, points.PointCollection):
            raise InvalidInput(f"level: 集合 {coll.id} 没有层级 (not a queryable of this collection)")
        where.append(coll.view.c.level == q.level)
    if q.filter is not None:
        where.append(cql.translate(q.filter, q.filter_lang, coll.columns(), crs.by_uri(q.filter_crs, "filter-crs")))
    return where


def item(
    session: Session, base: str, collection_id: str, fid: str, day: date | None, crs_uri: str | None, user=None, at=None
):
    """One feature by code (points: by id), its CRS, and its ETag (draft features: the editor's lock counter)."""
    coll = drafts.resolve(session, collection_id, user)
    out = crs.by_uri(crs_uri)
    if isinstance(coll, points.PointCollection):
        points.refuse_at(coll, at)
        rows, _ = points.features(session, coll, [coll.view.c.id == points.feature_id(fid)], out, 1, 0)
    else:
        version = _version(session, coll, day)
        rows, _ = queries.features(session, coll, version.id, [coll.view.c.code == fid], out, 1, 0)
    if not rows:
        raise NotFound(f"网格 {fid[:64]} 不存在 (no feature {fid[:64]})")
    path = f"/collections/{coll.id}/items/{fid}"
    links = [
        link(base, path, "self", GEOJSON, "要素"),
        link(base, path, "alternate", HTML, "HTML", {"f": "html"}),
        link(base, f"/collections/{coll.id}", "collection", JSON, "集合"),
    ]
    tag = drafts.etag(coll, rows[0]["lock_version"]) if coll.draft_id is not None else None
    return {**_feature(coll, rows[0]), "links": links}, out, tag


class GeoJSONText(str):
    """A geometry as the GeoJSON text PostGIS wrote: the JSON answer splices it in (``encode``), never re-encoded."""


def _feature(coll, row: dict) -> dict:
    """A grid's feature, or a point collection's (id the row id, every public column a property)."""
    if not isinstance(coll, points.PointCollection):
        return feature(coll, row)
    props = {key: value for key, value in row.items() if key != "geometry"}
    geometry = GeoJSONText(row["geometry"]) if isinstance(row["geometry"], str) else row["geometry"]
    return {"type": "Feature", "id": row["id"], "geometry": geometry, "properties": props}


def feature(coll: colls.Collection, row: dict) -> dict:
    """A GeoJSON feature; staff as JSON text so that GIS clients get a plain string field."""
    props = {key: value for key, value in row.items() if key not in ("geometry", "staff", "lock_version")}
    if coll.with_staff:
        props["staff"] = json.dumps(row["staff"], ensure_ascii=False)
    geometry = GeoJSONText(row["geometry"]) if isinstance(row["geometry"], str) else row["geometry"]
    return {"type": "Feature", "id": row["code"], "geometry": geometry, "properties": props}


def encode(body: dict) -> bytes:
    """A document as UTF-8 JSON (orjson); a page's geometries are spliced in as PostGIS wrote them."""
    return orjson.dumps(body, default=_spliced, option=orjson.OPT_PASSTHROUGH_SUBCLASS)


def _spliced(value):
    if isinstance(value, GeoJSONText):
        return orjson.Fragment(value.encode())
    for kind in (str, int, float, dict, list):  # other subclasses (none expected) as their base type
        if isinstance(value, kind):
            return kind(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def plain(body: dict) -> dict:
    """The document with spliced geometries decoded (the HTML page's template serialises it itself)."""
    if body.get("type") == "Feature":
        return {**body, "geometry": _loaded(body["geometry"])}
    features = body.get("features")
    if isinstance(features, GeoJSONText):  # an items page as PostgreSQL wrote it
        return {**body, "features": json.loads(features)}
    if not isinstance(features, list):
        return body
    features = [{**f, "geometry": _loaded(f["geometry"])} for f in features]
    return {**body, "features": features}


def _loaded(geometry):
    return json.loads(geometry) if isinstance(geometry, GeoJSONText) else geometry


def link(base: str, path: str, rel: str, mime: str, title: str, query: dict | None = None) -> dict:
    """An OGC link; ``query`` values are URL-encoded (filters carry spaces, quotes and brackets)."""
    href = base + path
    kept = {k: v for k, v in (query or {}).items() if v not in (None, "")}
    if kept:
        href += "?" + urlencode(kept)
    return {"href": href, "rel": rel, "type": mime, "title": title}
