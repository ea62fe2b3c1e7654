"""SQL of /ogc, built with SQLAlchemy Core over a collection's public view (filters are bound parameters only)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlalchemy import Numeric, and_, any_, cast, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from gisgrid.grids.models import Grid
from gisgrid.ogc.crs import STORAGE_SRID, Crs

if TYPE_CHECKING:  # collections.py reaches points.py, which reads geometry SQL from here
    from gisgrid.ogc.collections import Collection


def output_geometry(geom: ColumnElement, crs: Crs) -> ColumnElement:
    """GeoJSON text of ``geom`` in ``crs`` with its axis order (lat,lon / N,E when the CRS says so)."""
    if crs.srid != STORAGE_SRID:
        geom = func.ST_Transform(geom, crs.srid)
    if crs.swap:
        geom = func.ST_FlipCoordinates(geom)
    return func.ST_AsGeoJSON(geom, crs.decimals)


def features(
    session: Session,
    coll: Collection,
    version_id: int,
    where: list,
    crs: Crs,
    limit: int,
    offset: int,
    raw: bool = False,
) -> tuple[list[dict], int | None]:
    """A page of features (public fields, area, label point, GeoJSON geometry) by level and code, and how many
    match in all (None when the page is empty: then ``count`` must be asked). ``raw``: the geometry stays the
    GeoJSON text PostGIS wrote, to be spliced into the response as it is (never decoded and re-encoded)."""
    view = coll.view
    # the page of ids first, so that geometry JSON and label points are computed for its rows only; the
    # window count rides along, saving numberMatched its own round trip
    page = (
        select(view.c.id, func.count().over().label("matched"))
        .where(view.c.version_id == version_id, *where)
        .order_by(view.c.level, view.c.code)
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    g = view.alias("g")
    point = func.ST_PointOnSurface(g.c.geom)
    cols = [g.c[f.name] for f in coll.fields] + ([g.c.staff] if coll.with_staff else [])
    if coll.draft_id is not None:
        cols.append(g.c.lock_version)  # the ETag of a draft's feature (Part 4)
    stmt = (
        select(
            *cols,
            func.round(cast(g.c.area_m2, Numeric)).label("area_m2"),
            func.ST_X(point).label("label_lon"),
            func.ST_Y(point).label("label_lat"),
            output_geometry(g.c.geom, crs).label("geometry"),
            page.c.matched,
        )
        .join(page, page.c.id == g.c.id)
        .order_by(g.c.level, g.c.code)
    )
    rows = [_decode(dict(row), raw) for row in session.execute(stmt).mappings()]
    matched = [row.pop("matched") for row in rows]
    return rows, (matched[0] if matched else None)


def _decode(row: dict, raw: bool) -> dict:
    if not raw:
        row["geometry"] = json.loads(row["geometry"]) if row["geometry"] else None
    if row["area_m2"] is not None:
        row["area_m2"] = int(row["area_m2"])
    return row


def extent(session: Session, coll: Collection, version_id: int) -> list[float] | None:
    """[w, s, e, n] (CRS84) of a version's features, or None when it has none."""
    box = func.ST_Extent(coll.view.c.geom)
    row = session.execute(
        select(func.ST_XMin(box), func.ST_YMin(box), func.ST_XMax(box), func.ST_YMax(box)).where(
            coll.view.c.version_id == version_id
        )
    ).first()
    return None if row is None or row[0] is None else [float(v) for v in row]


def envelope(crs: Crs, xmin: float, ymin: float, xmax: float, ymax: float) -> ColumnElement:
    """A box given in ``crs`` x/y order, as a storage-CRS polygon (PostGIS transforms it)."""
    box = func.ST_MakeEnvelope(xmin, ymin, xmax, ymax, crs.srid)
    # densified first: a projected box edge is a curve in degrees
    step = max((xmax - xmin) / 16, 1e-6)
    return box if crs.srid == STORAGE_SRID else func.ST_Transform(func.ST_Segmentize(box, step), STORAGE_SRID)


def chain_codes(session: Session, version_id: int, code: str) -> list[str]:
    """The codes of a version's grid and of its ancestors (a planner's scope is checked against them)."""
    own, up = aliased(Grid), aliased(Grid)
    on = and_(up.version_id == own.version_id, or_(up.id == own.id, up.id == any_(own.ancestor_ids)))
    return list(session.scalars(select(up.code).join(own, on).where(own.version_id == version_id, own.code == code)))
