"""Security events raised by auth (login, logout, failure, permission change): a registry the audit trail fills.

auth sits below audit (audit's pages ask auth's capabilities), so auth does not import audit: it calls
``security_event(...)`` and ``gisgrid.audit.security`` registers ``record`` here when it is imported
(create_app imports it). Arguments are those of ``gisgrid.audit.security.record``.
"""

from __future__ import annotations

from collections.abc import Callable

_RECORDERS: list[Callable] = []


def register(recorder: Callable) -> Callable:
    """Register ``recorder(kind, actor, ip, object, result, *, detail, session)`` (idempotent)."""
    if recorder not in _RECORDERS:
        _RECORDERS.append(recorder)
    return recorder


def security_event(kind: str, actor, ip: str | None, target: str | None, result: str, **options) -> None:
    """Hand one security event to every registered recorder (the audit trail)."""
    if not _RECORDERS:
        raise RuntimeError("no security event recorder: import gisgrid.audit.security (create_app does)")
    for recorder in _RECORDERS:
        recorder(kind, actor, ip, target, result, **options)
