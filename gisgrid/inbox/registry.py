"""The sources of the 待办 list: each domain registers what waits for a user, the inbox knows none of them.

A source is ``fn(session, user) -> list[Entry | dict]`` (the dict form is the interface other
domains such as 督办 and evaluation forms offer: keys kind, title, url, due, overdue, urgency) and
optionally ``count(session, user) -> int``, one cheap query for the header badge. The inbox package
imports no domain: domains call :func:`register` when they are imported by the app factory, like
``grids/assignments.py`` (packages stay acyclic).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Entry:
    """One piece of work waiting for a user; ``urgency``: lower is more urgent; ``url``: where it is done."""

    kind: str
    title: str
    url: str
    due: date | None
    overdue: bool
    urgency: int


@dataclass(frozen=True)
class Source:
    """A registered source: its name, the entries and (optionally) their count."""

    name: str
    entries: Callable[[Session, object], list]
    count: Callable[[Session, object], int] | None = None


_SOURCES: dict[str, Source] = {}


def register(name: str, fn: Callable[[Session, object], list], count=None) -> None:
    """Add (or replace) the source ``name``; ``count`` defaults to ``len(fn(...))``."""
    _SOURCES[name] = Source(name, fn, count)


def sources() -> list[Source]:
    """Registered sources in registration order."""
    return list(_SOURCES.values())


def as_entry(item) -> Entry:
    """An Entry, or a dict with exactly the Entry keys turned into one (KeyError/TypeError on a wrong shape)."""
    return item if isinstance(item, Entry) else Entry(**item)
