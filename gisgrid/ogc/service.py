"""OGC API – Features documents: landing page, conformance, collections, items (public fields only)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from gisgrid.errors import NotFound
from gisgrid.grids import versions as grid_versions
from gisgrid.public_map import queries
from gisgrid.public_map.opendata import FIELDS

COLLECTION = "grids"
DEFAULT_LIMIT, MAX_LIMIT = 100, 10_000
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
JSON, GEOJSON = "application/json", "application/geo+json"


def landing(base: str) -> dict:
    """The landing page with links to conformance and collections."""
    return {
        "title": "gisgrid 环境监管网格 (OGC API – Features)",
        "description": "已发布的环境监管网格及其公开联系方式 (published grids with public contacts)",
        "links": [
            _link(base, "", "self", JSON, "本页"),
            _link(base, "/conformance", "conformance", JSON, "一致性"),
            _link(base, "/collections", "data", JSON, "数据集合"),
        ],
    }


def conformance() -> dict:
    """The conformance classes implemented."""
    return {"conformsTo": CONFORMANCE}


def collections(session: Session, base: str, day: date | None) -> dict:
    """The one collection, ``grids``."""
    return {
        "links": [_link(base, "/collections", "self", JSON, "集合")],
        "collections": [collection(session, base, day)],
    }


def collection(session: Session, base: str, day: date | None) -> dict:
    """Metadata of the ``grids`` collection (extent of the published version)."""
    version = grid_versions.resolve(session, day)
    bbox = queries.extent(session, version.id)
    path = f"/collections/{COLLECTION}"
    return {
        "id": COLLECTION,
        "title": f"环境监管网格 · {version.label}",
        "description": "网格、责任主体、第一责任人、网格员及公开电话 (public fields only)",
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [bbox] if bbox else [], "crs": CRS84}},
        "links": [_link(base, path, "self", JSON, "集合"), _link(base, f"{path}/items", "items", GEOJSON, "要素")],
    }


def items(session: Session, base: str, day: date | None, limit: int, offset: int, filters: dict, query: dict) -> dict:
    """A page of features with numberMatched/numberReturned and next/prev links."""
    version = grid_versions.resolve(session, day)
    rows = queries.public_grids(session, version.id, limit=limit, offset=offset, **filters)
    matched = queries.count_grids(session, version.id, **filters)
    path = f"/collections/{COLLECTION}/items"
    links = [
        _link(base, path, "self", GEOJSON, "本页", {**query, "limit": limit, "offset": offset}),
        _link(base, f"/collections/{COLLECTION}", "collection", JSON, "集合"),
    ]
    if offset + len(rows) < matched:
        links.append(_link(base, path, "next", GEOJSON, "下一页", {**query, "limit": limit, "offset": offset + limit}))
    if offset > 0:
        links.append(
            _link(base, path, "prev", GEOJSON, "上一页", {**query, "limit": limit, "offset": max(0, offset - limit)})
        )
    return {
        "type": "FeatureCollection",
        "features": [feature(r) for r in rows],
        "numberMatched": matched,
        "numberReturned": len(rows),
        "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": links,
    }


def item(session: Session, base: str, day: date | None, code: str) -> dict:
    """One feature by grid code."""
    version = grid_versions.resolve(session, day)
    rows = queries.public_grids(session, version.id, codes=[code])
    if not rows:
        raise NotFound(f"网格 {code} 不存在 (no feature {code})")
    path = f"/collections/{COLLECTION}/items/{code}"
    return {
        **feature(rows[0]),
        "links": [
            _link(base, path, "self", GEOJSON, "要素"),
            _link(base, f"/collections/{COLLECTION}", "collection", JSON, "集合"),
        ],
    }


def feature(row: dict) -> dict:
    """A GeoJSON feature; staff as JSON text so that GIS clients get a plain string field."""
    props = {key: row[key] for key in FIELDS}
    props["staff"] = json.dumps(row["staff"], ensure_ascii=False)
    return {"type": "Feature", "id": row["code"], "geometry": row["geometry"], "properties": props}


def _link(base: str, path: str, rel: str, mime: str, title: str, query: dict | None = None) -> dict:
    href = base + path
    if query:
        href += "?" + "&".join(f"{k}={v}" for k, v in query.items() if v not in (None, ""))
    return {"href": href, "rel": rel, "type": mime, "title": title}
