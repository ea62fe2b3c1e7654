"""SQL for patrols: storing tracks, coverage per grid, visited sources."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gisgrid.grids.models import Grid
from gisgrid.patrols.models import PatrolTrack
from gisgrid.sqlfiles import statement

_PKG = "gisgrid.patrols"
DISPLAY_SIMPLIFY_DEG = 0.00002  # about 2 m: for drawing on a map only, never for areas


def coverage_grids(session: Session, version_id: int, clipped: dict[int, str], distance_m: float) -> list[dict]:
    """Per grid of ``version_id``: area, area near the clipped tracks (id → EWKT), patrolled or not, display GeoJSON."""
    rows = session.execute(
        statement(_PKG, "coverage_grids.sql"),
        {
            "version_id": version_id,
            "track_wkts": list(clipped.values()),
            "distance_m": distance_m,
            "simplify_deg": DISPLAY_SIMPLIFY_DEG,
        },
    )
    return [dict(r._mapping) for r in rows]


def coverage_sources(session: Session, clipped: dict[int, str], distance_m: float) -> list[dict]:
    """Active sources with ``visited``: a clipped track (id → EWKT) of the period passed within ``distance_m``."""
    rows = session.execute(
        statement(_PKG, "coverage_sources.sql"), {"distance_m": distance_m, "track_wkts": list(clipped.values())}
    )
    return [dict(r._mapping) for r in rows]


def tracks_overlapping(session: Session, since: datetime, until: datetime) -> list[PatrolTrack]:
    """Every track with a moment in [since, until), in time order."""
    return list(
        session.scalars(
            select(PatrolTrack)
            .where(PatrolTrack.started_at < until, PatrolTrack.ended_at >= since)
            .order_by(PatrolTrack.started_at, PatrolTrack.id)
        )
    )


def tracks_in(
    session: Session, since: datetime, until: datetime, version_id: int, grid_codes: list[str] | None = None
) -> list[tuple[PatrolTrack, str]]:
    """Tracks overlapping the period with their GeoJSON; with ``grid_codes``, only those crossing these grids."""
    query = (
        select(PatrolTrack, func.ST_AsGeoJSON(PatrolTrack.geom, 6))
        .where(PatrolTrack.started_at < until, PatrolTrack.ended_at >= since)
        .order_by(PatrolTrack.started_at)
    )
    if grid_codes is not None:
        query = query.where(
            select(Grid.id)
            .where(
                Grid.version_id == version_id,
                Grid.code.in_(grid_codes),
                func.ST_Intersects(Grid.geom, PatrolTrack.geom),
            )
            .exists()
        )
    return [tuple(r) for r in session.execute(query)]
