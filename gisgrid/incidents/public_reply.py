"""The handler's public reply on a case (信息公开 of handling results), kept apart from internal notes.

Internal notes (event reasons, the handling ``result``, transfer notes) are never shown to the public;
a reply is public only because a handler wrote it here, in its own table (migration 0016_disclose).
/report/status and Open311 GET requests read it through ``for_case`` / ``for_cases``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth import capabilities
from gisgrid.clock import china_iso
from gisgrid.db import unit_of_work
from gisgrid.errors import InvalidInput
from gisgrid.incidents import access
from gisgrid.incidents.models import Incident, IncidentPublicReply

MAX_CHARS = 2000


def write(session: Session, user, incident_id: int, body: str) -> IncidentPublicReply:
    """Write (or replace) the public reply of a case the user may see; the audit log keeps earlier texts."""
    capabilities.require(user, "reply_public")
    text = (body or "").strip()
    if not 1 <= len(text) <= MAX_CHARS:
        raise InvalidInput(f"body: 公开答复须为 1 到 {MAX_CHARS} 字 (1 to {MAX_CHARS} characters)", {"field": "body"})
    with unit_of_work(session):
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise access.not_found(incident_id)
        access.require_view(user, incident)
        reply = session.get(IncidentPublicReply, incident.id, with_for_update=True)
        if reply is None:
            reply = IncidentPublicReply(incident_id=incident.id, body=text, written_by=user.username)
            session.add(reply)
        else:
            reply.body, reply.written_by = text, user.username
    return reply


def for_case(session: Session, incident_id: int) -> dict | None:
    """The public reply of one case (text and time, never who wrote it), or None."""
    return for_cases(session, [incident_id]).get(incident_id)


def for_cases(session: Session, incident_ids: list[int]) -> dict[int, dict]:
    """incident id → its public reply, for the cases that have one."""
    if not incident_ids:
        return {}
    rows = session.scalars(select(IncidentPublicReply).where(IncidentPublicReply.incident_id.in_(incident_ids)))
    return {r.incident_id: {"body": r.body, "at": china_iso(r.written_at) if r.written_at else None} for r in rows}
