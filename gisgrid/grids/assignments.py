"""Things that keep the grid they were assigned (cases, pollution sources) across boundary versions.

Each domain registers a provider. Before or after a publication, ``moved(session, version_id)``
lists the open items whose location now falls in another grid of ``version_id``, and
``reassign`` moves the chosen ones (after a person confirmed it: never automatically).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from gisgrid.db import unit_of_work
from gisgrid.errors import InvalidInput


@dataclass(frozen=True)
class Moved:
    """One item whose grid would change: ``old_code`` now, ``new_code`` in the new version (None: outside)."""

    kind: str
    item_id: int
    label: str
    old_code: str | None
    new_code: str | None
    lon: float
    lat: float


@dataclass(frozen=True)
class Provider:
    """A domain's items: ``find(session, version_id)`` → moved items; ``apply(session, ids, version_id)`` → count.

    ``apply`` must not commit: ``reassign`` commits once for all kinds.
    """

    kind: str
    label: str  # Chinese name shown to planners, e.g. "未结案件"
    find: Callable[[Session, int], list[Moved]]
    apply: Callable[[Session, list[int], int], int]


_PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    """Add (or replace) the provider of ``provider.kind``."""
    _PROVIDERS[provider.kind] = provider


def providers() -> list[Provider]:
    """Registered providers in registration order."""
    return list(_PROVIDERS.values())


def moved(session: Session, version_id: int) -> list[Moved]:
    """Every registered item whose grid differs in ``version_id``."""
    return [item for p in providers() for item in p.find(session, version_id)]


def reassign(session: Session, version_id: int, choices: dict[str, Iterable[int]]) -> dict[str, int]:
    """Move the chosen items (kind → ids) to their grid in ``version_id``; one transaction."""
    with unit_of_work(session):
        counts = {}
        for kind, ids in choices.items():
            if kind not in _PROVIDERS:
                raise InvalidInput(f"未知的对象类型 {kind!r} (unknown kind)")
            counts[kind] = _PROVIDERS[kind].apply(session, list(ids), version_id)
    return counts
