"""Listeners of tracked-item events: other domains (notifications) register here, so tracking imports none of them.

The service calls ``emit`` for every opening, action and escalation inside the same unit of work, so a
listener's writes (an outbox row) commit or roll back with the event itself. A listener must not commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Event:
    """One event of an item: ``action`` is open, an action of service.MOVES, or escalate (``to_grid``, ``level``)."""

    item: object
    action: str
    user: object | None
    text: str | None = None
    to_grid: str | None = None
    level: int | None = None


_LISTENERS: dict[str, Callable[[Session, Event], None]] = {}


def on_event(name: str, listener: Callable[[Session, Event], None]) -> None:
    """Register (or replace) the listener called ``name``."""
    _LISTENERS[name] = listener


def emit(session: Session, event: Event) -> None:
    """Call every listener with the event (same transaction)."""
    for listener in list(_LISTENERS.values()):
        listener(session, event)
