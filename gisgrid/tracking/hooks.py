"""Listeners of tracked-item events: other domains (notifications) register here, so tracking imports none of them.

The service calls ``emit`` for every opening and action, and once for all the escalations of a run, inside the
same unit of work, so a listener's writes (an outbox row) commit or roll back with the events. A listener gets
the events of one call together (it reads what they share once: an escalation run of thousands of items is
one batch) and must not commit.
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


_LISTENERS: dict[str, Callable[[Session, list[Event]], None]] = {}


def on_event(name: str, listener: Callable[[Session, list[Event]], None]) -> None:
    """Register (or replace) the listener called ``name``."""
    _LISTENERS[name] = listener


def emit(session: Session, *events: Event) -> None:
    """Call every listener with the events (same transaction); nothing when there are none."""
    if not events:
        return
    for listener in list(_LISTENERS.values()):
        listener(session, list(events))
