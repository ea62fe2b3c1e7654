"""Read models for the public pages."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gisgrid.grids import queries
from gisgrid.grids.models import Grid


def published_summary(session: Session) -> dict | None:
    """Label, publication time and grid count per level of the published version."""
    version = queries.published_version(session)
    if version is None:
        return None
    levels = session.execute(
        select(Grid.level, func.count()).where(Grid.version_id == version.id).group_by(Grid.level).order_by(Grid.level))
    summary = {"label": version.label, "published_at": version.published_at, "levels": list(levels)}
    session.rollback()
    return summary
