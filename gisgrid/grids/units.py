"""重点监管单元网格: overlay unit grids of a boundary version (storage, point query, public layer).

A unit grid is designated by a grid of the tiling (``parent_code``) and supervised at that grid's
level; it lies inside that grid and may cross lower grids. Rows live in ``unit_grid`` (migration
0014u) with the attribute columns of the field registry; files carry them as rows with ``kind`` =
``unit`` (fields.KIND). The public reads ``public_unit_grid`` only.
"""

from __future__ import annotations

import shapely
from sqlalchemy import bindparam, func, insert, select, text
from sqlalchemy.orm import Session

from gisgrid.grids import fields
from gisgrid.grids.models import UnitGrid
from gisgrid.sqlfiles import statement

_PKG = "gisgrid.grids"


def designation_refused(parent: str, level: int | None, unit_depths: tuple[int, ...]) -> str | None:
    """Why grid ``parent`` (at ``level``) may not designate a unit grid under the profile's rule, or None."""
    if not unit_depths or level is None or level in unit_depths:
        return None
    allowed = "、".join(f"第{d}层" for d in unit_depths)
    return (
        f"网格 {parent} 在第{level}层，本地方案只允许{allowed}网格划定重点监管单元网格 (designating level not allowed)"
    )


def split(frame):
    """(tiling rows, unit rows) of a normalised frame; a frame without ``kind`` is all tiling."""
    if fields.KIND not in frame.columns:
        return frame, frame.iloc[0:0]
    is_unit = frame[fields.KIND].map(lambda v: fields.to_kind(v) == fields.KIND_UNIT).astype(bool)
    return frame[~is_unit], frame[is_unit]


def insert_units(session: Session, version_id: int, rows: list[dict]) -> None:
    """Insert unit grid rows (geometry as WKB bytes in 'wkb') and measure their areas (no commit)."""
    if not rows:
        return
    stmt = insert(UnitGrid).values(geom=func.ST_Multi(func.ST_GeomFromWKB(bindparam("wkb"), 4326)))
    session.execute(stmt, [{**row, "version_id": version_id} for row in rows])
    measure(session, version_id)


def measure(session: Session, version_id: int) -> None:
    """Compute the geodesic areas (m²) of a version's unit grids (no commit)."""
    session.execute(
        text("UPDATE unit_grid SET area_m2 = ST_Area(geom::geography) WHERE version_id = :v"), {"v": version_id}
    )


def version_units(session: Session, version_id: int) -> list[tuple[UnitGrid, bytes]]:
    """Every unit grid of a version with the WKB of its geometry, by code."""
    rows = session.execute(
        select(UnitGrid, func.ST_AsBinary(UnitGrid.geom))
        .where(UnitGrid.version_id == version_id)
        .order_by(UnitGrid.code)
    )
    return [(unit, bytes(wkb)) for unit, wkb in rows]


def export_records(session: Session, version_id: int) -> tuple[list[dict], list]:
    """Unit grids as standard-schema records (``kind`` = unit, no staff) and their shapely geometries."""
    units = version_units(session, version_id)
    records = [
        {**{fields.EXPORT_NAMES[n]: getattr(u, n) for n in fields.GRID_COLUMNS}, "staff": "[]", fields.KIND: "unit"}
        for u, _ in units
    ]
    return records, list(shapely.from_wkb([wkb for _, wkb in units])) if units else []


def codes_at(session: Session, version_id: int, lon: float, lat: float) -> list[str]:
    """Codes of the unit grids of ``version_id`` covering a WGS84 point (code-point order)."""
    found = session.execute(
        statement(_PKG, "unit_grids_at.sql"), {"version_id": version_id, "lon": lon, "lat": lat}
    ).scalar_one()
    return list(found)


def designating_codes(session: Session, version_id: int, codes: list[str]) -> dict[str, str]:
    """Unit grid code → code of the grid that designated (and supervises) it."""
    if not codes:
        return {}
    rows = session.execute(
        select(UnitGrid.code, UnitGrid.parent_code).where(UnitGrid.version_id == version_id, UnitGrid.code.in_(codes))
    )
    return dict(rows.all())


def public_geojson(session: Session, version_id: int) -> str:
    """The public layer of a version's unit grids as GeoJSON text (private phones are null)."""
    return session.execute(statement(_PKG, "unit_grids_geojson.sql"), {"version_id": version_id}).scalar_one()
