"""Versions at a date, many points → chains in any version, and the reassignment registry."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from gisgrid.errors import InvalidInput, NotFound
from gisgrid.grids import assignments, queries, versions
from gisgrid.grids.models import BoundaryVersion
from tests import worlds


def test_version_at_follows_publication_dates(session, world_ab, world_e):
    old, new = world_ab.version_id, world_e.version_id
    jan, jun = datetime(2025, 1, 10, 9, tzinfo=UTC), datetime(2025, 6, 1, 15, tzinfo=UTC)
    session.execute(
        update(BoundaryVersion).where(BoundaryVersion.id == old).values(published_at=jan, superseded_at=jun)
    )
    session.execute(update(BoundaryVersion).where(BoundaryVersion.id == new).values(published_at=jun))
    with pytest.raises(NotFound):  # before the first publication: the resolver's one 404
        versions.on_day(session, date(2025, 1, 9))
    assert versions.on_day(session, date(2025, 1, 10)).id == old
    assert versions.on_day(session, date(2025, 5, 31)).id == old
    # superseded during 1 June: at the end of that day the new version holds
    assert versions.on_day(session, date(2025, 6, 1)).id == new
    assert versions.on_day(session, date.today() + timedelta(days=1)).id == new


def test_leaf_codes_at_gives_chains_in_the_asked_version(session, world_ab):
    inside_exclave = worlds.wgs84(300, 300)  # A2b, in the hole of A1a
    in_a1b = worlds.wgs84(700, 500)
    outside = worlds.wgs84(2500, 500)
    chains = queries.leaf_codes_at(session, world_ab.version_id, [(1, *inside_exclave), (2, *in_a1b), (3, *outside)])
    assert chains[1][0] == "A" and chains[1][-1].startswith("A2")
    assert chains[2] == ["A", "A1", "A1b"]
    assert 3 not in chains
    assert queries.leaf_codes_at(session, world_ab.version_id, []) == {}


def test_registry_finds_and_reassigns_through_providers(session, world_ab):
    applied = []
    item = assignments.Moved("thing", 7, "示例对象", "A1a", "A1b", 0.0, 0.0)
    assignments.register(
        assignments.Provider(
            "thing", "示例", find=lambda s, v: [item], apply=lambda s, ids, v: applied.append((ids, v)) or len(ids)
        )
    )
    try:
        assert item in assignments.moved(session, world_ab.version_id)
        assert assignments.reassign(session, world_ab.version_id, {"thing": [7]}) == {"thing": 1}
        assert applied == [([7], world_ab.version_id)]
        with pytest.raises(InvalidInput):
            assignments.reassign(session, world_ab.version_id, {"nothing": [1]})
    finally:
        assignments._PROVIDERS.pop("thing", None)
