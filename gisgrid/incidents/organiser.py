"""Who organises 联合执法 for a case sent to several departments, as the deployment profile's plan says.

虎林/盘锦/西城/站前: "由同级网格责任主体负责组织实施联合执法" — the grid at the level of the government whose
departments handle the case (the highest of them when levels mix); 高昌: "由一级网格的责任主体负责组织实施联合执法"
— always the deployment's top grid.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.deployment import Profile
from gisgrid.grids.models import Grid


def handling_depth(profile: Profile, department_codes: list[str]) -> int:
    """The level (depth) whose 责任主体 organises: 1 for "top", else the highest level among the departments."""
    if profile.organiser == "top" or not department_codes:
        return 1
    return min(profile.department_depth(code) for code in department_codes)


def organiser(session: Session, incident, profile: Profile) -> str | None:
    """The 责任主体 (entity) of the case's chain grid at the handling level."""
    depth = handling_depth(profile, list(incident.department_codes))
    # the chain grid whose stored level is that depth: no assumption about where the chain starts
    return session.scalar(
        select(Grid.entity).where(
            Grid.version_id == incident.version_id, Grid.code.in_(incident.grid_codes), Grid.level == depth
        )
    )
