"""OGC API – Features Part 4 routes at /ogc: create, replace, update and delete grids of a draft, and OPTIONS.

Only ``draft-{id}-grids`` and ``draft-{id}-unit-grids`` collections are writable (ogc/writes.py,
ogc/unit_writes.py), by a planner whose grids include the feature; the
published collections answer 405 with ``Allow``. Clients authenticate with ``Authorization: Bearer`` (an API
token: no CSRF token) or a session with its CSRF token. ``If-Match`` carries the ETag of the GET (a list: any
may match) or ``If-Unmodified-Since`` its ``Last-Modified`` (412 when stale, ogc/preconditions.py);
``Content-Crs`` names the CRS of the geometry sent (CRS84 by default).
"""

from __future__ import annotations

from flask import Response, current_app, request
from flask_login import current_user

from gisgrid.db import db
from gisgrid.deployment import current_profile
from gisgrid.ogc import collections as colls
from gisgrid.ogc import schemas, service, unit_writes, writes
from gisgrid.ogc.routes import base, bp, private, respond

_IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "schema": {"type": "string"},
    "description": "GET 返回的 ETag，或以逗号分隔的多个（任一相符即可，强比较：W/ 弱标签不相符）；* 表示要素存在即可",
}
_IF_UNMODIFIED_SINCE = {
    "in": "header",
    "name": "If-Unmodified-Since",
    "schema": {"type": "string"},
    "description": "HTTP 日期（GET 的 Last-Modified）：此后要素有修改则 412；有 If-Match 或日期无效时忽略 (RFC 9110)",
}
_CONDITIONS = [_IF_MATCH, _IF_UNMODIFIED_SINCE]
_CONTENT_CRS = {
    "in": "header",
    "name": "Content-Crs",
    "schema": {"type": "string"},
    "description": "几何的坐标系，如 <http://www.opengis.net/def/crs/EPSG/0/4490>；默认 CRS84",
}
_SECURITY = [{"bearer": []}, {"session": [], "csrf": []}]
_WRITTEN = {"description": "已保存 (saved); ETag 为新版本"}
_STALE = {
    "description": "If-Match / If-Unmodified-Since 不成立：要素已被他人修改 (precondition failed: nothing written)",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def _write(collection_id: str, body=None) -> writes.Write:
    headers = request.headers
    return writes.Write(
        current_user,
        collection_id,
        body,
        headers.get("If-Match"),
        headers.get("Content-Crs"),
        headers.get("If-Unmodified-Since"),
        current_app.config["TOPOLOGY_TOLERANCE_M2"],
        current_profile().unit_grid_depths,  # who may designate 重点监管单元网格 (as the web editor's API)
    )


def _writes(collection_id: str):
    """The module writing this collection: a draft's unit grids, or (every other id) grids."""
    return unit_writes if colls.is_draft_unit(collection_id) else writes


def _no_content(tag: str | None = None) -> Response:
    resp = Response(status=204)
    if tag:
        resp.headers["ETag"] = tag
    return resp


@bp.post("/collections/<collection_id>/items")
@bp.arguments(schemas.FeatureBody, location="json", content_type=service.GEOJSON)
@bp.alt_response(201, schema=schemas.OgcFeature, success=True, content_type=service.GEOJSON, description="created")
@bp.doc(security=_SECURITY, parameters=[_CONTENT_CRS])
def create_item(body: dict, collection_id: str):
    """Add a grid (no parent_code: a top-level one) or a unit grid to a draft (Part 4 create): 201 with Location and
    ETag; a published collection is 405."""
    doc, tag = _writes(collection_id).create(db.session(), base(), _write(collection_id, body))
    resp = private(respond(doc, service.GEOJSON, "json", "item"), collection_id)
    resp.status_code = 201
    resp.headers.update({"Location": doc["links"][0]["href"], "ETag": tag})
    return resp


@bp.put("/collections/<collection_id>/items/<fid>")
@bp.arguments(schemas.FeatureBody, location="json", content_type=service.GEOJSON)
@bp.doc(security=_SECURITY, parameters=[*_CONDITIONS, _CONTENT_CRS], responses={"204": _WRITTEN, "412": _STALE})
def replace_item(body: dict, collection_id: str, fid: str):
    """Replace a draft grid or unit grid (outline, parent, every editable field): 204 with the new ETag; stale 412."""
    return _no_content(_writes(collection_id).replace(db.session(), base(), _write(collection_id, body), fid))


@bp.patch("/collections/<collection_id>/items/<fid>")
@bp.arguments(schemas.FeaturePatch, location="json", content_type="application/merge-patch+json")
@bp.doc(security=_SECURITY, parameters=[*_CONDITIONS, _CONTENT_CRS], responses={"204": _WRITTEN, "412": _STALE})
def update_item(body: dict, collection_id: str, fid: str):
    """Change some members of a draft grid or unit grid (JSON merge patch): 204 with the new ETag; stale 412."""
    return _no_content(_writes(collection_id).update(db.session(), base(), _write(collection_id, body), fid))


@bp.delete("/collections/<collection_id>/items/<fid>")
@bp.doc(security=_SECURITY, parameters=_CONDITIONS, responses={"204": {"description": "deleted"}, "412": _STALE})
def delete_item(collection_id: str, fid: str):
    """Remove a leaf grid from a draft (its area stays uncovered until given to a neighbour); stale If-Match 412."""
    _writes(collection_id).delete(db.session(), _write(collection_id), fid)
    return _no_content()


for _view in (create_item, replace_item, update_item, delete_item):
    _view.provide_automatic_options = False  # OPTIONS is answered below


@bp.route("/collections/<collection_id>/items", methods=["OPTIONS"], endpoint="items_options")
@bp.doc(responses={"204": {"description": "Allow: the methods this caller may use"}})
def items_options(collection_id: str):
    """The methods allowed on a collection's items (POST only on a draft the caller may add grids to)."""
    allow = writes.allow(db.session(), current_user, collection_id)
    return private(Response(status=204, headers={"Allow": ", ".join(allow)}), collection_id)


@bp.route("/collections/<collection_id>/items/<fid>", methods=["OPTIONS"], endpoint="item_options")
@bp.doc(responses={"204": {"description": "Allow: the methods this caller may use"}})
def item_options(collection_id: str, fid: str):
    """The methods allowed on one feature (PUT, PATCH, DELETE only on a draft grid the caller may edit)."""
    allow = writes.allow(db.session(), current_user, collection_id, fid)
    return private(Response(status=204, headers={"Allow": ", ".join(allow)}), collection_id)
