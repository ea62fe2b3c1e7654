"""SQL for cases: the scope-filtered list, KPI rows and simplified grid shapes for the choropleth."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, any_, exists, or_, select
from sqlalchemy.orm import Session

from gisgrid.auth import roles
from gisgrid.incidents.access import GRID_ROLES
from gisgrid.incidents.models import Incident, IncidentTask, IncidentTransfer
from gisgrid.sqlfiles import statement

_PKG = "gisgrid.incidents"
UNREVIEWED = ("reported", "rejected")  # not (or never) registered: kept out of public lists


def scope_filter(user):
    """A WHERE clause limiting cases to what ``user`` may see (mirrors access.can_view)."""
    if user.role == roles.ADMIN:
        return True
    codes = sorted(user.grid_codes)
    if user.role in GRID_ROLES:  # the chain or a 重点监管单元网格 (access.scope_codes)
        return or_(Incident.grid_codes.overlap(codes), Incident.unit_grid_codes.overlap(codes))
    if user.role == roles.HANDLER and user.department_code:
        dept = user.department_code
        clause = or_(
            dept == any_(Incident.department_codes),
            exists().where(IncidentTask.incident_id == Incident.id, IncidentTask.department_code == dept),
            exists().where(
                IncidentTransfer.incident_id == Incident.id,
                IncidentTransfer.to_department == dept,
                IncidentTransfer.state.in_(("pending", "accepted")),
            ),
            exists().where(  # the sending unit (access.sent_it)
                IncidentTransfer.incident_id == Incident.id,
                IncidentTransfer.from_department == dept,
                IncidentTransfer.state != "returned",
            ),
        )
        in_grids = or_(Incident.grid_codes.overlap(codes), Incident.unit_grid_codes.overlap(codes))
        return and_(clause, in_grids) if codes else clause
    return Incident.reporter_user_id == user.id


def list_cases(
    session: Session, user, state: str | None = None, escalated: bool = False, limit: int = 500
) -> list[Incident]:
    """Cases the user may see, newest first; ``escalated``: only those escalated (督办)."""
    stmt = select(Incident).where(scope_filter(user)).order_by(Incident.id.desc()).limit(limit)
    if state:
        stmt = stmt.where(Incident.state == state)
    if escalated:  # the case itself, or a transfer's overdue feedback, was escalated (督办)
        transfer_escalated = exists().where(
            IncidentTransfer.incident_id == Incident.id, IncidentTransfer.escalated_at.is_not(None)
        )
        stmt = stmt.where(or_(Incident.escalated_at.is_not(None), transfer_escalated))
    return list(session.scalars(stmt))


def kpi_rows(session: Session, start: datetime, end: datetime) -> list[Incident]:
    """Cases reported in [start, end)."""
    return list(session.scalars(select(Incident).where(Incident.reported_at >= start, Incident.reported_at < end)))


def grid_shapes(session: Session, version_id: int, level: int) -> list[dict]:
    """Grids of one level as simplified GeoJSON geometries (for maps, never for analysis)."""
    rows = session.execute(statement(_PKG, "grid_shapes.sql"), {"version_id": version_id, "level": level})
    return [dict(row._mapping) for row in rows]


def public_cases(session: Session, limit: int = 1000, **filters) -> list[Incident]:
    """Cases for the public Open311 list: registered (立案) or later, never contacts.

    Unreviewed and rejected reports are left out: their free text has not been read by anyone yet and
    may hold personal data or abuse; a dispatcher's registration is what makes a case public.
    """
    stmt = select(Incident).where(Incident.state.not_in(UNREVIEWED)).order_by(Incident.id.desc()).limit(limit)
    if filters.get("ids"):
        stmt = stmt.where(Incident.id.in_(filters["ids"]))
    if filters.get("service_code"):
        stmt = stmt.where(Incident.category_code == filters["service_code"])
    if filters.get("states"):
        stmt = stmt.where(Incident.state.in_(filters["states"]))
    if filters.get("start"):
        stmt = stmt.where(Incident.reported_at >= filters["start"])
    if filters.get("end"):
        stmt = stmt.where(Incident.reported_at <= filters["end"])
    return list(session.scalars(stmt))
