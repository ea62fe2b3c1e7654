"""Read queries of hazards (the SQL is in hazards/sql/*.sql)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gisgrid.sqlfiles import statement

PACKAGE = "gisgrid.hazards"


def staff_list(session: Session, everywhere: bool, codes: list[str]) -> list:
    """Hazards in a staff member's scope (see staff_list.sql)."""
    return session.execute(statement(PACKAGE, "staff_list.sql"), {"everywhere": everywhere, "codes": codes}).all()


def public_list(session: Session) -> list:
    """The public hazards (see public_list.sql)."""
    return session.execute(statement(PACKAGE, "public_list.sql")).all()


def point(lon: float, lat: float):
    """A WGS84 point geometry expression."""
    return func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)


def lon_lat(session: Session, hazard) -> tuple[float, float]:
    """The point of a stored hazard."""
    return tuple(session.execute(select(func.ST_X(hazard.location), func.ST_Y(hazard.location))).one())
