"""SQL of the field app: the user's grids with their contacts, and the dossier summary of sources."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid
from gisgrid.sources.models import PollutionSource

_SIMPLIFY = 0.00002  # ~2 m: a phone map, never analysis


def my_grids(session: Session, codes: list[str] | None) -> list[tuple[Grid, dict]]:
    """(grid, outline GeoJSON) of the published grids ``codes`` (None: the top level, for an admin)."""
    version = grid_versions.find_published(session)
    if version is None:
        return []
    geo = func.ST_AsGeoJSON(func.ST_SimplifyPreserveTopology(Grid.geom, _SIMPLIFY), 6)
    stmt = select(Grid, geo).where(Grid.version_id == version.id).options(selectinload(Grid.staff))
    stmt = stmt.where(Grid.code.in_(codes)) if codes is not None else stmt.where(Grid.level == 1)
    return [(grid, json.loads(outline)) for grid, outline in session.execute(stmt.order_by(Grid.code))]


def dossiers(session: Session, ids: list[int]) -> dict[int, PollutionSource]:
    """Source id → source (address, contacts, permits) for the summary shown on the phone."""
    if not ids:
        return {}
    return {s.id: s for s in session.scalars(select(PollutionSource).where(PollutionSource.id.in_(ids)))}
