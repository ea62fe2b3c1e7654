"""The "source" provider of gisgrid.grids.assignments: sources that fall in another grid after a publication."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from gisgrid.grids import assignments
from gisgrid.grids.queries import leaf_codes_at
from gisgrid.sources import queries
from gisgrid.sources.models import PollutionSource


def _chains(session: Session, version_id: int, rows) -> dict[int, list[str]]:
    return leaf_codes_at(session, version_id, [(sid, lon, lat) for sid, lon, lat, _, _ in rows])


def find_moved(session: Session, version_id: int) -> list[assignments.Moved]:
    """Active sources whose smallest grid in ``version_id`` differs from the one they are assigned to."""
    rows = queries.all_locations(session)
    chains = _chains(session, version_id, rows)
    moved = []
    for sid, lon, lat, codes, name in rows:
        old, new = (codes[-1] if codes else None), (chains[sid][-1] if sid in chains else None)
        if old != new:
            moved.append(assignments.Moved("source", sid, name, old, new, lon, lat))
    return moved


def apply_moves(session: Session, ids: list[int], version_id: int) -> int:
    """Give the chosen sources their chain in ``version_id`` (a source now outside every grid keeps its old one)."""
    chosen = set(ids)
    rows = [r for r in queries.all_locations(session) if r[0] in chosen]
    chains = _chains(session, version_id, rows)
    for sid, chain in chains.items():
        session.execute(
            update(PollutionSource)
            .where(PollutionSource.id == sid)
            .values(grid_codes=list(chain), grid_version_id=version_id)
        )
    return len(chains)


def register() -> None:
    """Register the provider (idempotent)."""
    assignments.register(assignments.Provider("source", "污染源", find_moved, apply_moves))


register()
