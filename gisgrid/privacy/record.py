"""Audit records of access to personal data, written into the existing ``audit_log``.

sec_audit adds a security-event recorder (``gisgrid.audit.security.record``); ``record`` here is the one
place to re-point to it. The actor, source and client address come from the audit actor of the running
request or command (gisgrid/audit/actor.py), as the row triggers' entries do.
"""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.orm import Session

from gisgrid.audit import actor as audit_actor

REVEAL, EXPORT, ANONYMISE = "reveal", "export", "anonymise"
_INSERT = text(
    "INSERT INTO audit_log (actor_id, actor_name, actor_source, actor_ip, entity, entity_id, entity_key, action,"
    " changes) VALUES (:actor_id, coalesce(nullif(:actor_name, ''),"
    " (SELECT u.username FROM app_user AS u WHERE u.id = :actor_id), session_user),"
    " :source, :ip, :entity, :entity_id, :key, :action,"
    " CAST(:changes AS jsonb)) RETURNING id"
)


def record(session: Session, action: str, entity: str, entity_id, reason: str | None, details: dict) -> int:
    """Insert one audit row: who (actor, IP), what (action, entity, id), why (reason) and which fields."""
    who = audit_actor.current_actor() or audit_actor.Actor(name="", source="")
    values = {
        "actor_id": who.id,
        "actor_name": who.name,
        "source": who.source or "job",
        "ip": who.ip,
        "entity": entity,
        "entity_id": None if entity_id is None else str(entity_id),
        "key": reason,
        "action": action,
        "changes": json.dumps({"reason": reason, **details}, ensure_ascii=False),
    }
    return session.execute(_INSERT, values).scalar_one()
