"""Intake: a Report (from any channel) becomes a case in its grid, once per client request id.

Intake knows no channel's field names: each channel maps its own onto a ``Report`` (incidents/report.py).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gisgrid.auth import capabilities
from gisgrid.db import unit_of_work
from gisgrid.errors import Forbidden, InvalidInput, NotFound
from gisgrid.grids import queries as grid_queries
from gisgrid.grids import units as grid_units
from gisgrid.grids import versions as grid_versions
from gisgrid.incidents import matrix, photos
from gisgrid.incidents.models import Incident
from gisgrid.incidents.report import Report
from gisgrid.incidents.workflow import audit

# channel -> capability; "inspection": a case opened by a source inspection that found a violation
STAFF_CHANNELS = {"hotline": "report_hotline", "patrol": "report_patrol", "inspection": "inspect_sources"}


def require_channel(user, channel: str) -> None:
    """Forbidden unless ``user`` may report through ``channel`` (hotline and patrol need a staff login)."""
    capability = STAFF_CHANNELS.get(channel)
    if capability and not capabilities.can(user, capability):
        raise Forbidden("只有热线话务员/调度员或网格员可以使用该渠道上报 (channel needs a staff login)")


def existing(session: Session, scope: str | None, request_id: str | None) -> Incident | None:
    """The case this client (``scope``) already created for its request id."""
    if not request_id:
        return None
    return session.scalar(
        select(Incident).where(Incident.client_scope == scope, Incident.client_request_id == request_id)
    )


def report(
    session: Session,
    rep: Report,
    user,
    media_dir: str = "var/media",
    max_photo_bytes: int = photos.DEFAULT_MAX_BYTES,
    client_scope: str | None = None,
) -> tuple[Incident, bool]:
    """Create a case (or return the one this client created for a retried request id); returns (case, created).

    ``client_scope`` names the client (account, browser session, Open311 key or device): the same request
    id from another client is another request, and must never return someone else's case.
    """
    if rep.client_request_id and not client_scope:
        raise ValueError("a client_request_id needs the client's scope")
    require_channel(user, rep.channel)
    with unit_of_work(session):  # the case, its audit row and its photos, or none of them
        first = existing(session, client_scope, rep.client_request_id)
        if first is not None:
            return first, False
        incident, checked = _build(session, rep, user, max_photo_bytes)
        incident.client_scope = client_scope if rep.client_request_id else None
        winner = _insert(session, incident, rep.client_request_id)
        if winner is not None:
            return winner, False
        known = user if getattr(user, "is_authenticated", False) else None
        audit(session, incident, known, "report", "reported", f"渠道：{rep.channel}", from_state="")
        photos.save_all(session, incident, [("intake", *c) for c in checked], media_dir, getattr(known, "id", None))
    return incident, True


def _insert(session: Session, incident: Incident, request_id: str | None) -> Incident | None:
    """Store the new case; returns the case a concurrent retry of the same request id stored first, else None."""
    try:
        with session.begin_nested():  # a savepoint: losing the race undoes only this insert, not the unit
            session.add(incident)
            session.flush()
    except IntegrityError:
        winner = existing(session, incident.client_scope, request_id)
        if winner is None:
            raise
        return winner
    return None


def _build(session: Session, rep: Report, user, max_photo_bytes: int):
    cat = matrix.category(session, rep.category)
    checked = photos.check(list(rep.photos), max_photo_bytes)
    version = grid_versions.find_published(session)
    if version is None:
        raise NotFound("尚未发布网格边界 (no published boundary version)")
    chain = grid_queries.leaf_codes_at(session, version.id, [(0, rep.lon, rep.lat)]).get(0)
    if not chain:
        raise InvalidInput("该位置不在任何网格内 (location outside every grid)")
    incident = Incident(
        client_request_id=rep.client_request_id,
        category_code=cat.code,
        description=rep.description,
        lon=rep.lon,
        lat=rep.lat,
        geom=func.ST_SetSRID(func.ST_MakePoint(rep.lon, rep.lat), 4326),
        grid_codes=chain,
        # 重点监管单元网格: the case also goes to each unit grid's designating (supervising) grid
        unit_grid_codes=grid_units.codes_at(session, version.id, rep.lon, rep.lat),
        version_id=version.id,
        channel=rep.channel,
        address=rep.address,
        reporter_name=rep.reporter_name,
        reporter_contact=rep.reporter_contact,
        reporter_user_id=user.id if getattr(user, "is_authenticated", False) else None,
        state="reported",
    )
    return incident, checked
