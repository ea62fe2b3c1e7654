"""Listeners of case steps: other domains (notifications) register here, so incidents imports none of them.

``workflow.audit`` calls ``emit`` for every audited step, inside the same unit of work as the step, so
a listener's writes (an outbox row) commit or roll back with the step itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Step:
    """One audited step of a case: the action, the state it leads to, who did it and the recorded reason."""

    incident: object
    action: str
    to_state: str
    user: object | None
    reason: str | None


_LISTENERS: dict[str, Callable[[Session, Step], None]] = {}


def on_step(name: str, listener: Callable[[Session, Step], None]) -> None:
    """Register (or replace) the listener called ``name``; it must not commit."""
    _LISTENERS[name] = listener


def emit(session: Session, step: Step) -> None:
    """Call every listener with the step (same transaction)."""
    for listener in list(_LISTENERS.values()):
        listener(session, step)
