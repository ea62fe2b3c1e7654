"""HTTP API of the grid registry: point lookup and batch assignment."""

from __future__ import annotations

from flask import Response, current_app, request, stream_with_context

from gisgrid.contract import Blueprint
from gisgrid.contract.schemas import Error
from gisgrid.db import db
from gisgrid.grids import (
    batch,
    batch_io,
    resident,
    schemas,
    service,
    tasks,  # noqa: F401  (its on_publish preparer records the batch index job)
)

bp = Blueprint("grids", __name__, url_prefix="/api/v1", description="点位查网格 (point and batch lookup)")


_BATCH_BODY = {
    "required": True,
    "content": {
        "text/csv": {"schema": {"type": "string", "description": "lon,lat columns (or x,y with ?crs)"}},
        "application/json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}},
    },
}
_BATCH_OK = {
    "text/csv": {"schema": {"type": "string"}},
    "application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}},
}


@bp.get("/lookup")
@bp.arguments(schemas.PointArgs, location="query")
@bp.alt_response(200, schema=schemas.Lookup, success=True, description="the grid chain")
@bp.alt_response(404, schema=Error, description="no published version, or no grid covers the point")
def lookup(args):
    """Point → grid chain: ?lon&lat (or ?x&y) [&crs] [&near=metres] [&at=YYYY-MM-DD for history]."""
    q = service.LookupQuery.from_args(args, current_app.config["NEAR_BOUNDARY_M"])
    body = service.lookup(db.read, q.x, q.y, q.crs, q.radius_m, q.at, resident.for_public_read())
    return Response(body, mimetype="application/json")


@bp.post("/lookup/batch")
@bp.arguments(schemas.CrsArgs, location="query", as_kwargs=True)
@bp.doc(requestBody=_BATCH_BODY, responses={"200": {"description": "the rows with their grid", "content": _BATCH_OK}})
def lookup_batch(crs=None):
    """CSV (lon,lat columns) or GeoJSON points in → the same rows with their smallest grid, streamed."""
    with db.new_session() as session:  # closed before the body streams: no connection idles in a transaction
        index = batch.published_index(session)
    if request.mimetype in ("application/json", "application/geo+json"):
        chunks = batch_io.assign_geojson_body(index, request.get_data(cache=False), crs)
        mimetype = "application/geo+json"
    else:
        # read whole (MAX_CONTENT_LENGTH caps it, 413): splitting and parsing it at once is the fast part
        chunks = batch_io.assign_csv_bytes(index, request.get_data(cache=False), crs)
        mimetype = "text/csv"
    first = next(chunks)  # raise header/format errors before the 200 is sent
    return Response(stream_with_context(_prepend(first, chunks)), mimetype=mimetype)


def _prepend(first, rest):
    yield first
    yield from rest
