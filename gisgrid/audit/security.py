"""Security events in the audit trail: logins, logouts, failed logins, permission changes, exports.

They are rows of ``audit_log`` (entity ``security``, action = the kind), so the auditor reads, filters
and exports them with every business change, and the hash chain seals them the same way. Call
``record(kind, actor, ip, object, result)`` from any service or route; auth, which sits below audit,
calls ``gisgrid.auth.events.security_event`` with the same arguments, and that lands here.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from gisgrid.audit import actor as actors
from gisgrid.audit.models import SECURITY_KINDS, AuditLog
from gisgrid.auth import events
from gisgrid.db import db, unit_of_work

RESULTS = ("success", "failure", "refused")


def record(
    kind: str,
    actor,
    ip: str | None,
    object: str | None,  # noqa: A002 - the audit vocabulary's word (who, from where, on what, with what result)
    result: str,
    *,
    detail: dict | None = None,
    session: Session | None = None,
) -> None:
    """Record one security event; ``actor`` is a User, a username (e.g. the one a failed login tried) or None.

    With ``session`` the row joins that session's unit of work; without, it is committed on its own
    (a refused login is recorded although the request changes nothing).
    """
    if kind not in SECURITY_KINDS:
        raise ValueError(f"unknown security event {kind!r}; one of {', '.join(SECURITY_KINDS)}")
    if result not in RESULTS:
        raise ValueError(f"unknown result {result!r}; one of {', '.join(RESULTS)}")
    row = _row(kind, actor, ip, object, result, detail or {})
    if session is not None:
        with unit_of_work(session):
            session.add(row)
        return
    with db.new_session() as own, unit_of_work(own):
        own.add(row)


def _row(kind: str, actor, ip: str | None, target: str | None, result: str, detail: dict) -> AuditLog:
    acting = actors.current_actor()
    name = actor if isinstance(actor, str) else getattr(actor, "username", None)
    return AuditLog(
        actor_id=getattr(actor, "id", None),
        actor_name=(name or (acting.name if acting else "") or "anonymous")[:200],
        actor_source=acting.source if acting and acting.source else "cli",
        actor_ip=ip,
        entity="security",
        entity_id=None,
        entity_key=target,
        action=kind,
        changes={**detail, "result": result},
    )


def install() -> None:
    """Receive auth's security events (idempotent; create_app calls it)."""
    events.register(record)


install()
