"""Public JSON API of the register (no login) and the open-data downloads of sources, hazards and emissions."""

from __future__ import annotations

from flask import Response

from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.disclosure import opendata, schemas, service
from gisgrid.hazards import service as hazards

bp = Blueprint("disclosure_api", __name__, description="信息公开 (public register of sources, open data)")
_BINARY = {"type": "string", "format": "binary"}
_FILE_RESPONSES = {
    "200": {
        "description": "the file",
        "content": {
            "application/geo+json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
            "application/geopackage+sqlite3": {"schema": _BINARY},
        },
    },
    "404": {"description": "unknown format"},
}


@bp.get("/api/v1/public/sources")
@bp.alt_response(200, schema=schemas.PublicSource(many=True), success=True, description="the public register")
def sources_api():
    """Every source marked public: name, address, grid, industry, class, last inspection, 双随机 draws."""
    return service.register(db.session())


@bp.get("/api/v1/public/sources/<int:source_id>")
@bp.alt_response(200, schema=schemas.PublicSourceDetail, success=True, description="a public source")
def source_api(source_id: int):
    """One public source with its emission data (404 for a source not marked public)."""
    return service.detail(db.session(), source_id)


def _file(body: bytes, fmt: str, name: str) -> Response:
    resp = Response(body, mimetype=opendata.FORMATS[fmt])
    resp.headers["Content-Disposition"] = f"attachment; filename={name}.{fmt}"
    resp.cache_control.public = True
    resp.cache_control.max_age = 60
    return resp


@bp.get("/open-data/sources.<fmt>")
@bp.doc(responses=_FILE_RESPONSES)
def sources_file(fmt: str):
    """The public register as GeoJSON, CSV (UTF-8 BOM) or GeoPackage (points, WGS84)."""
    opendata.check_format(fmt)
    rows = service.register(db.session())
    return _file(opendata.build(rows, opendata.SOURCE_FIELDS, fmt, "sources"), fmt, "sources")


@bp.get("/open-data/hazards.<fmt>")
@bp.doc(responses=_FILE_RESPONSES)
def hazards_file(fmt: str):
    """The public hazards as GeoJSON, CSV (UTF-8 BOM) or GeoPackage."""
    opendata.check_format(fmt)
    rows = hazards.public_list(db.session())
    return _file(opendata.build(rows, opendata.HAZARD_FIELDS, fmt, "hazards"), fmt, "hazards")


@bp.get("/open-data/emissions.<fmt>")
@bp.doc(responses=_FILE_RESPONSES)
def emissions_file(fmt: str):
    """Monthly emission summaries (12 months) per public station of each public source, at the source's point."""
    opendata.check_format(fmt)
    rows = service.monthly(db.session(), None)
    return _file(opendata.build(rows, opendata.EMISSION_FIELDS, fmt, "emissions"), fmt, "emissions")
