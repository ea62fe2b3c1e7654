"""SQL of the public map: public grid rows, search, detail, labels, vector tiles, GCJ-02 geometry."""

from __future__ import annotations

import json

import shapely
from sqlalchemy import bindparam, delete, exists, func, insert, select, text
from sqlalchemy.orm import Session

from gisgrid import coords
from gisgrid.grids.models import Grid
from gisgrid.public_map.models import GridGcj02, GridGeneralised
from gisgrid.sqlfiles import statement

_PKG = "gisgrid.public_map"
_NO_FILTER = {"codes": None, "level": None, "w": None, "s": None, "e": None, "n": None}


def public_grids(
    session: Session,
    version_id: int,
    *,
    with_geom: bool = True,
    with_wkb: bool = False,
    limit: int | None = None,
    offset: int = 0,
    **filters,
) -> list[dict]:
    """Public fields of a version's grids (filters: codes, level, w/s/e/n); phones only when public."""
    params = {
        **_NO_FILTER,
        **filters,
        "version_id": version_id,
        "with_geom": with_geom,
        "with_wkb": with_wkb,
        "limit": limit,
        "offset": offset,
    }
    rows = session.execute(statement(_PKG, "public_grids.sql"), params).mappings()
    return [_decode(dict(row)) for row in rows]


def _decode(row: dict) -> dict:
    if row.get("geometry") is not None:
        row["geometry"] = json.loads(row["geometry"])
    if row.get("area_m2") is not None:
        row["area_m2"] = int(row["area_m2"])
    return row


def count_grids(session: Session, version_id: int, **filters) -> int:
    """How many grids match the filters of public_grids."""
    return session.scalar(statement(_PKG, "count_grids.sql"), {**_NO_FILTER, **filters, "version_id": version_id})


def search(session: Session, version_id: int, q: str, limit: int) -> list[dict]:
    """Grids matching ``q`` by code prefix, name, entity, leader or staff name."""
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    params = {"version_id": version_id, "q": q, "prefix": escaped + "%", "pattern": f"%{escaped}%", "limit": limit}
    return [dict(row) for row in session.execute(statement(_PKG, "search.sql"), params).mappings()]


def grid_tree(session: Session, version_id: int, code: str):
    """(chain codes top → leaf, children codes, bbox) of one grid, or None."""
    row = session.execute(statement(_PKG, "grid_detail.sql"), {"version_id": version_id, "code": code}).first()
    if row is None:
        return None
    return list(row[0]), list(row[1]), [float(v) for v in row[2:6]]


def level_sizes(session: Session, version_id: int) -> list[tuple[int, int, float]]:
    """(level, count, typical width in metres) per level of a version."""
    rows = session.execute(statement(_PKG, "level_sizes.sql"), {"version_id": version_id})
    return [(int(level), int(n), float(width or 0.0)) for level, n, width in rows]


def labels(session: Session, version_id: int, level: int, bbox, limit: int) -> list[tuple]:
    """(code, name, lon, lat) label points of the largest grids of ``level`` in ``bbox``."""
    w, s, e, n = bbox
    params = {"version_id": version_id, "level": level, "w": w, "s": s, "e": e, "n": n, "limit": limit}
    return [tuple(row) for row in session.execute(statement(_PKG, "labels.sql"), params)]


def tile(
    session: Session,
    sql_name: str,
    version_id: int,
    level: int,
    z: int,
    x: int,
    y: int,
    bbox,
    tolerance: float,
    **extra,
) -> bytes:
    """One MVT tile from tile.sql, tile_gcj02.sql, tile_generalised.sql (variant, band) or tile_baseline.sql."""
    w, s, e, n = bbox
    params = {
        "version_id": version_id,
        "level": level,
        "z": z,
        "x": x,
        "y": y,
        "w": w,
        "s": s,
        "e": e,
        "n": n,
        "tolerance": tolerance,
        **extra,
    }
    return bytes(session.execute(statement(_PKG, sql_name), params).scalar() or b"")


def has_gcj02(session: Session, version_id: int) -> bool:
    """True when the GCJ-02 companion geometry of a version is built."""
    return bool(session.scalar(select(exists().where(GridGcj02.version_id == version_id))))


def has_generalised(session: Session, version_id: int, variant: str) -> bool:
    """True when low-zoom generalised geometry of a version and variant is prepared."""
    return bool(
        session.scalar(
            select(exists().where(GridGeneralised.version_id == version_id, GridGeneralised.variant == variant))
        )
    )


def clear_generalised(session: Session, version_id: int) -> None:
    """Drop a version's generalised geometry (before preparing it again)."""
    session.execute(delete(GridGeneralised).where(GridGeneralised.version_id == version_id))


def generalise(session: Session, version_id: int, variant: str, zoom: int, level: int, tolerance: float) -> None:
    """Store one level of a version simplified to ``tolerance`` degrees for tiles up to ``zoom``."""
    session.execute(
        statement(_PKG, "generalise.sql"),
        {"version_id": version_id, "variant": variant, "zoom": zoom, "level": level, "tolerance": tolerance},
    )


def lock_version(session: Session, version_id: int) -> None:
    """Serialise companion builds of one version across workers (transaction-scoped lock)."""
    session.execute(text("SELECT pg_advisory_xact_lock(4004, :v)"), {"v": version_id})


def build_gcj02(session: Session, version_id: int, chunk: int = 2000) -> int:
    """Shift every grid of a version to GCJ-02 vertex by vertex and store it; returns the count."""
    session.execute(delete(GridGcj02).where(GridGcj02.version_id == version_id))
    rows = session.execute(
        select(Grid.id, Grid.level, Grid.code, func.ST_AsBinary(Grid.geom)).where(Grid.version_id == version_id)
    ).all()
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        geoms = shapely.transform(shapely.from_wkb([bytes(r[3]) for r in part]), coords.wgs84_to_gcj02_xy)
        session.execute(
            insert(GridGcj02).values(geom=func.ST_Multi(func.ST_GeomFromWKB(bindparam("wkb"), 4326))),
            [
                {"grid_id": r[0], "version_id": version_id, "level": r[1], "code": r[2], "wkb": shapely.to_wkb(g)}
                for r, g in zip(part, geoms)
            ],
        )
    return len(rows)


def extent(session: Session, version_id: int) -> list[float] | None:
    """[w, s, e, n] of a version's grids (WGS84)."""
    box = session.execute(
        select(
            func.ST_XMin(func.ST_Extent(Grid.geom)),
            func.ST_YMin(func.ST_Extent(Grid.geom)),
            func.ST_XMax(func.ST_Extent(Grid.geom)),
            func.ST_YMax(func.ST_Extent(Grid.geom)),
        ).where(Grid.version_id == version_id)
    ).first()
    return None if box is None or box[0] is None else [float(v) for v in box]


def public_features(session: Session, version_id: int, numbers=(), names=(), batch: int = 1000):
    """GeoJSON Feature texts of a version's grids, fetched ``batch`` rows at a time (server-side cursor).

    ``numbers``/``names``: the profile's level number and name per depth (index 0 = level 1).
    """
    params = {"version_id": version_id, "numbers": list(numbers), "names": list(names)}
    result = session.execute(statement(_PKG, "public_features.sql"), params, execution_options={"yield_per": batch})
    for (feature,) in result:
        yield feature
