"""The editor's create without a parent: a new top-level grid (a county beside county C, or the first grid of an
empty draft) at the top level only, snapped to its neighbours and refused whole when it overlaps one."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import box, mapping
from sqlalchemy import text

from gisgrid.editor import drafts, edits
from gisgrid.errors import InvalidInput, ValidationFailed
from tests import editor_world

# east of county C (116.00–116.04); its west edge drawn 0.9 m off C's east edge, within the 2 m snap
SLOPPY_C2 = box(116.04001, 39.0, 116.06, 39.02)
C2 = box(116.04, 39.0, 116.06, 39.02)
V22 = editor_world.V22


@pytest.fixture()
def draft(session, tmp_path):
    editor_world.load(session, tmp_path)
    return drafts.open_draft(session, "planner_a")


def _rows(session, draft) -> dict:
    rows = session.execute(
        text(
            "SELECT code, level, parent_code, ST_AsText(geom), lock_version, edited_by FROM grid WHERE version_id = :v"
        ),
        {"v": draft},
    )
    return {code: (level, parent, shapely.from_wkt(wkt), lock, by) for code, level, parent, wkt, lock, by in rows}


def _ring(geom) -> list:
    return [list(xy) for xy in geom.exterior.coords[:-1]]


def _create(session, draft, geom, **extra):
    step = {"op": "create", "code": "C2", "name": "丁县", "geometry": mapping(geom), **extra}
    return edits.apply_edit(session, draft, "planner_a", step)


def test_a_county_beside_the_county_is_top_level_and_shares_its_edge(session, draft):
    before = _rows(session, draft)
    assert _create(session, draft, SLOPPY_C2)["changed"] == ["C2"]
    after = _rows(session, draft)
    level, parent, geom, lock, by = after["C2"]
    assert (level, parent, lock, by) == (1, None, 1, "planner_a")
    assert geom.symmetric_difference(C2).area < 1e-12  # snapped onto C's vertices: the edge is shared exactly
    assert geom.intersection(after["C"][2]).area == 0
    assert {c: r for c, r in after.items() if c != "C2"} == before  # nothing else changed


def test_an_overlapping_county_is_refused_and_nothing_is_written(session, draft):
    _create(session, draft, C2)
    before = _rows(session, draft)
    with pytest.raises(ValidationFailed, match="重叠"):
        edits.apply_edit(
            session,
            draft,
            "planner_a",
            {"op": "create", "code": "C3", "name": "戊县", "geometry": mapping(box(116.05, 39.0, 116.07, 39.02))},
        )
    assert _rows(session, draft) == before


@pytest.mark.parametrize("extra", [{"level": 2}, {"level": 3, "parent_code": ""}, {"level": "2", "parent_code": None}])
def test_below_the_top_level_a_parent_is_required(session, draft, extra):
    before = _rows(session, draft)
    with pytest.raises(InvalidInput, match="^parent_code:"):
        _create(session, draft, C2, **extra)
    assert _rows(session, draft) == before


def test_a_level_that_does_not_fit_the_parent_is_refused(session, draft):
    edits.apply_edit(session, draft, "planner_a", {"op": "delete", "code": "V22", "base": {"V22": 0}})
    with pytest.raises(InvalidInput, match="^level:"):
        edits.apply_edit(
            session,
            draft,
            "planner_a",
            {"op": "create", "code": "V23", "name": "新村", "parent_code": "T2", "level": 2, "polygon": _ring(V22)},
        )
    step = {"op": "create", "code": "V23", "name": "新村", "parent_code": "T2", "level": 3, "polygon": _ring(V22)}
    assert edits.apply_edit(session, draft, "planner_a", step)["changed"] == ["V23"]  # fills T2's gap


def test_the_first_grid_of_an_empty_draft_is_level_one(session, draft):
    session.execute(text("DELETE FROM grid WHERE version_id = :v"), {"v": draft})
    _create(session, draft, C2, level=1)
    assert _rows(session, draft)["C2"][:2] == (1, None)


@pytest.mark.parametrize(
    "polygon", [[[116.05, 39.01], [116.05, 39.01], [116.05, 39.01]], [[116.05, 39.0], [116.06, 39.0], [116.07, 39.0]]]
)
def test_an_empty_drawing_is_400(session, draft, polygon):
    with pytest.raises(InvalidInput, match="empty"):
        edits.apply_edit(
            session, draft, "planner_a", {"op": "create", "code": "C2", "name": "丁县", "polygon": polygon}
        )
