"""SQL for pollution sources: inserts, grid chains, due inspections, maps."""

from __future__ import annotations

import json
from datetime import date

from geoalchemy2.shape import from_shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid
from gisgrid.sources.models import InspectionFrequency, PollutionSource
from gisgrid.sources.rules import DEFAULT_INTERVAL_MONTHS
from gisgrid.sqlfiles import statement

_PKG = "gisgrid.sources"


def existing_codes(session: Session, codes: list[str]) -> set[str]:
    """Which of ``codes`` are already registered."""
    if not codes:
        return set()
    return set(session.scalars(select(PollutionSource.code).where(PollutionSource.code.in_(codes))))


def source_of_incident(session: Session, incident_id: int) -> PollutionSource | None:
    """The source registered from case ``incident_id`` (a 新增污染源 report), if any."""
    return session.scalar(select(PollutionSource).where(PollutionSource.reported_incident_id == incident_id))


def count_codes_with_prefix(session: Session, prefix: str) -> int:
    """How many source codes start with ``prefix`` (the prefix is ours: no LIKE wildcards in it)."""
    return session.scalar(select(func.count()).where(PollutionSource.code.startswith(prefix, autoescape=True)))


def point_geom(lon: float, lat: float) -> str:
    """An EPSG:4326 point as EWKT: a plain bound value, so that many rows insert in one batch."""
    return f"SRID=4326;POINT({lon!r} {lat!r})"


def site_geom(site):
    """A shapely MultiPolygon as a bindable EPSG:4326 geometry (or None)."""
    return from_shape(site, srid=4326) if site is not None else None


def frequencies(session: Session) -> dict[str, int]:
    """Class → inspection interval in months (stored values over the defaults)."""
    stored = {f.supervision_class: f.interval_months for f in session.scalars(select(InspectionFrequency))}
    return {**DEFAULT_INTERVAL_MONTHS, **stored}


def due_rows(session: Session, today: date, soon_days: int) -> list[dict]:
    """Every active source with its last inspection, due day and status (overdue/due_soon/ok)."""
    rows = session.execute(statement(_PKG, "due.sql"), {"today": today, "soon_days": soon_days})
    return [dict(r._mapping) for r in rows]


def waiting_count(session: Session, codes: list[str] | None, today: date, soon_days: int) -> int:
    """Sources in grids ``codes`` (None: all) never inspected or due within ``soon_days`` (the 待办 badge)."""
    params = {"all_grids": codes is None, "codes": codes or [], "today": today, "soon_days": soon_days}
    return session.scalar(statement(_PKG, "waiting_count.sql"), params)


def source_lonlat(session: Session, source_id: int) -> tuple[float, float] | None:
    """The location of one source."""
    row = session.execute(
        select(func.ST_X(PollutionSource.location), func.ST_Y(PollutionSource.location)).where(
            PollutionSource.id == source_id
        )
    ).first()
    return (row[0], row[1]) if row else None


def all_locations(session: Session) -> list[tuple[int, float, float, list[str], str]]:
    """(id, lon, lat, grid codes, name) of every active source."""
    rows = session.execute(
        select(
            PollutionSource.id,
            func.ST_X(PollutionSource.location),
            func.ST_Y(PollutionSource.location),
            PollutionSource.grid_codes,
            PollutionSource.name,
        )
        .where(PollutionSource.active)
        .order_by(PollutionSource.id)
    )
    return [tuple(r) for r in rows]


def grid_names(session: Session) -> dict[str, str]:
    """Grid code → name in the published version (for tables)."""
    version = grid_versions.find_published(session)
    if version is None:
        return {}
    return dict(session.execute(select(Grid.code, Grid.name).where(Grid.version_id == version.id)).all())


def grid_outlines(session: Session, all_levels: bool = False) -> dict:
    """The deepest grids (or every level) of the published version as display GeoJSON (simplified ~2 m)."""
    version = grid_versions.find_published(session)
    if version is None:
        return {"type": "FeatureCollection", "features": []}
    rows = session.execute(statement(_PKG, "grid_outlines.sql"), {"version_id": version.id, "all_levels": all_levels})
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": json.loads(geo), "properties": {"code": code, "name": name, "level": level}}
            for code, name, level, geo in rows
        ],
    }


def grid_outline(session: Session, code: str | None) -> dict | None:
    """One grid of the published version as display GeoJSON, or None."""
    version = grid_versions.find_published(session)
    if version is None or code is None:
        return None
    geo = session.scalar(
        select(func.ST_AsGeoJSON(func.ST_SimplifyPreserveTopology(Grid.geom, 0.00002), 6)).where(
            Grid.version_id == version.id, Grid.code == code
        )
    )
    return json.loads(geo) if geo else None
