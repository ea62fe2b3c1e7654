"""What a 督办 can be about (case, source, grid, department, transfer): its grid chain, default owner, title."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from gisgrid.auth.service import in_scope
from gisgrid.errors import Forbidden, InvalidInput, NotFound
from gisgrid.tracking import queries as tracking_queries

KINDS = ("case", "source", "grid", "department", "transfer")


@dataclass(frozen=True)
class Subject:
    """The thing a 督办 is about: where it lies in the grid tree and who would own the work by default."""

    kind: str
    id: str
    chain: list[str]
    owner_grid: str | None
    owner_department: str | None
    title: str


def _int(value, kind: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"about_id: {kind} 的编号须为整数 (must be an integer)") from None


def _case(session: Session, user, about_id) -> Subject:
    from gisgrid.incidents import access
    from gisgrid.incidents.models import Incident

    case = session.get(Incident, _int(about_id, "案件"))
    if case is None:
        raise NotFound(f"案件 {about_id} 不存在 (no such case)")
    access.require_view(user, case)
    dept = case.department_codes[0] if case.department_codes else None
    return Subject("case", str(case.id), list(case.grid_codes), case.grid_codes[-1], dept, f"案件 {case.id}")


def _source(session: Session, user, about_id) -> Subject:
    from gisgrid.sources.models import PollutionSource

    source = session.get(PollutionSource, _int(about_id, "污染源"))
    if source is None or not source.grid_codes:
        raise NotFound(f"污染源 {about_id} 不存在或不在网格内 (no such source)")
    chain = list(source.grid_codes)
    return Subject("source", str(source.id), chain, chain[-1], None, f"污染源 {source.name}")


def _grid(session: Session, user, about_id) -> Subject:
    chain = tracking_queries.grid_chain(session, str(about_id))
    if not chain:
        raise NotFound(f"网格 {about_id} 不存在 (no such grid)")
    name = tracking_queries.grid_names(session, [chain[-1]]).get(chain[-1], chain[-1])
    return Subject("grid", chain[-1], chain, chain[-1], None, f"网格 {name}")


def _department(session: Session, user, about_id) -> Subject:
    from sqlalchemy import select

    from gisgrid.auth.models import Department

    dept = session.scalar(select(Department).where(Department.code == str(about_id)))
    if dept is None:
        raise NotFound(f"部门 {about_id} 不存在 (no such department)")
    return Subject("department", dept.code, [], None, dept.code, f"部门 {dept.name}")


def _transfer(session: Session, user, about_id) -> Subject:
    from gisgrid.incidents import access
    from gisgrid.incidents.models import Incident, IncidentTransfer

    item = session.get(IncidentTransfer, _int(about_id, "移送"))
    if item is None:
        raise NotFound(f"移送 {about_id} 不存在 (no such transfer)")
    case = session.get(Incident, item.incident_id)
    access.require_view(user, case)
    return Subject("transfer", str(item.id), list(case.grid_codes), None, item.to_department, f"案件 {case.id} 的移送")


RESOLVERS = {"case": _case, "source": _source, "grid": _grid, "department": _department, "transfer": _transfer}


def resolve(session: Session, user, kind: str, about_id) -> Subject:
    """The subject ``kind``/``about_id`` if it exists and lies in the user's scope (400/404/403 otherwise)."""
    if kind not in RESOLVERS:
        raise InvalidInput(f"about_kind: 须为 {'/'.join(KINDS)} 之一 (unknown kind {kind!r})")
    subject = RESOLVERS[kind](session, user, about_id)
    if subject.chain and not in_scope(user, subject.chain):
        raise Forbidden("督办对象不在您的网格范围内 (subject outside your grids)")
    return subject
