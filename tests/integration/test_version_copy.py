"""Copying a version (opening a draft, a rollback) carries over what build_version.sql would derive again.

The copy maps parent_id and ancestor_ids to the new ids, keeps the areas and the lookup parts of the
source instead of recomputing them; here each is checked against a version built from scratch by
build_version.sql from the same grids, on real PostGIS.
"""

from __future__ import annotations

from sqlalchemy import text

from gisgrid.editor import drafts, queries, versions
from gisgrid.grids import queries as grid_queries
from gisgrid.grids import versions as grid_versions

_TREE = text(
    "SELECT g.code, p.code AS parent, g.area_m2,"
    " ARRAY(SELECT a.code FROM unnest(g.ancestor_ids) WITH ORDINALITY u(id, n) JOIN grid a ON a.id = u.id"
    " ORDER BY u.n) AS ancestors"
    " FROM grid g LEFT JOIN grid p ON p.id = g.parent_id WHERE g.version_id = :v ORDER BY g.code"
)
_PARTS = text(
    "SELECT g.code, p.level, count(*), ST_AsBinary(ST_Normalize(ST_Union(p.geom))) AS geom,"
    " bool_and(p.grid_id = g.id AND p.code = g.code AND p.version_id = g.version_id) AS linked"
    " FROM grid g JOIN grid_part p ON p.grid_id = g.id WHERE g.version_id = :v GROUP BY g.code, p.level ORDER BY g.code"
)


def _rebuilt_from_scratch(session, source_id: int) -> int:
    """The old way: copy the rows only, then link, measure and subdivide with build_version.sql."""
    new_id = queries.new_version(session, "scratch", "test", source_id, "planner")
    cols = "code, name, level, parent_code, geom, extra"
    session.execute(
        text(f"INSERT INTO grid (version_id, {cols}) SELECT :n, {cols} FROM grid WHERE version_id = :s"),
        {"n": new_id, "s": source_id},
    )
    grid_queries.build_version(session, new_id)
    return new_id


def _tree(session, version_id):
    return [
        (r.code, r.parent, round(r.area_m2, 3), list(r.ancestors)) for r in session.execute(_TREE, {"v": version_id})
    ]


def _parts(session, version_id):
    return [tuple(r) for r in session.execute(_PARTS, {"v": version_id})]


def test_an_opened_draft_is_linked_measured_and_subdivided_as_a_built_version(session, world_ab):
    published = world_ab.version_id
    draft = drafts.open_draft(session, "planner")
    scratch = _rebuilt_from_scratch(session, published)
    assert _tree(session, draft) == _tree(session, scratch) == _tree(session, published)
    assert _parts(session, draft) == _parts(session, scratch)
    assert all(linked for *_, linked in _parts(session, draft))
    ids = session.execute(text("SELECT id FROM grid WHERE version_id = :v"), {"v": draft}).scalars().all()
    old = session.execute(text("SELECT id FROM grid WHERE version_id = :v"), {"v": published}).scalars().all()
    assert not set(ids) & set(old)  # new rows, new ids: the source is untouched


def test_a_rollback_copy_answers_lookups_as_the_version_it_restores(session, world_ab):
    first = world_ab.version_id
    draft = drafts.open_draft(session, "planner")
    versions.publish_draft(session, draft, "planner")
    restored = versions.rollback_to(session, first, "planner")
    assert grid_versions.find_published(session, fresh=True).id == restored
    points = [(i, 116.0 + i / 1000, 39.0 + i / 1000) for i in range(0, 40)]
    points += [(100 + i, lon, lat) for i, (lon, lat) in enumerate(_inside(session, first))]
    assert grid_queries.leaf_codes_at(session, restored, points) == grid_queries.leaf_codes_at(session, first, points)


def test_a_source_grid_without_parts_is_subdivided_in_the_copy(session, world_ab):
    published = world_ab.version_id
    session.execute(
        text("DELETE FROM grid_part WHERE grid_id = (SELECT id FROM grid WHERE version_id = :v AND code = 'A1a')"),
        {"v": published},
    )
    draft = drafts.open_draft(session, "planner")
    scratch = _rebuilt_from_scratch(session, published)
    assert _parts(session, draft) == _parts(session, scratch)


def _inside(session, version_id):
    rows = session.execute(
        text("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM grid WHERE version_id = :v) s"),
        {"v": version_id},
    )
    return [(float(x), float(y)) for x, y in rows]
