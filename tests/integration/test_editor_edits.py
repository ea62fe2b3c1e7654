"""Draft edits keep the coverage valid; conflicting saves fail whole; gaps and overlaps are measured."""

from __future__ import annotations

import pytest
import shapely
from pyproj import Geod
from shapely.geometry import box
from sqlalchemy import select, text

from gisgrid.editor import drafts, edits, validate
from gisgrid.errors import Conflict, InvalidInput, ValidationFailed
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid
from tests import editor_world

GEOD = Geod(ellps="WGS84")


def geodesic(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0])


@pytest.fixture()
def draft(session, tmp_path):
    editor_world.load(session, tmp_path)
    return drafts.open_draft(session, "planner_a")


def grids(session, version_id) -> dict[str, Grid]:
    session.expire_all()
    return {g.code: g for g in session.scalars(select(Grid).where(Grid.version_id == version_id))}


def shape(grid) -> shapely.Geometry:
    return shapely.from_wkb(bytes(grid.geom.data))


def locks(session, version_id) -> dict[str, int]:
    return {c: g.lock_version for c, g in grids(session, version_id).items()}


def kinds(report, severity="error") -> list[str]:
    return [p["kind"] for p in report["problems"] if p["severity"] == severity]


def edit(session, draft, user="planner_a", **payload):
    return edits.apply_edit(session, draft, user, {"base": locks(session, draft), **payload})


def test_draft_is_a_copy_and_the_published_version_is_untouched(session, draft):
    published = grid_versions.find_published(session)
    assert published.id != draft and drafts.open_draft(session, "someone") == draft
    copy, original = grids(session, draft), grids(session, published.id)
    assert sorted(copy) == sorted(original) == ["C", "T1", "T2", "V11", "V12", "V21", "V22"]
    assert [s.name for s in copy["V11"].staff] == ["示例·网格员"]
    edit(session, draft, op="merge", codes=["V21", "V22"])
    assert sorted(grids(session, published.id)) == sorted(original)
    assert validate.validate_version(session, draft)["ok"]


def test_moving_a_shared_vertex_moves_it_for_both_neighbours(session, draft):
    result = edit(session, draft, op="move_vertex", old=[116.01, 39.01], new=[116.013, 39.011])
    assert {"V11", "V12"} <= set(result["changed"])
    g = grids(session, draft)
    v11, v12 = shape(g["V11"]), shape(g["V12"])
    assert (116.013, 39.011) in list(
        v11.exterior.coords if v11.geom_type == "Polygon" else v11.geoms[0].exterior.coords
    )
    assert shapely.intersection(v11, v12).area == pytest.approx(0, abs=1e-14)
    assert shapely.union_all([v11, v12]).equals(shape(g["T1"]))
    assert geodesic(v11) > geodesic(editor_world.V11)
    report = validate.validate_version(session, draft)
    assert report["ok"] and kinds(report) == []
    assert g["V11"].lock_version == 1 and g["V11"].edited_by == "planner_a"


def test_a_vertex_on_a_neighbours_edge_moves_that_edge_too(session, draft):
    # V21 gets a vertex in the middle of its west edge: a T-junction on V12's edge (other town)
    t_junction = shapely.Polygon([(116.02, 39.0), (116.03, 39.0), (116.03, 39.02), (116.02, 39.02), (116.02, 39.01)])
    session.execute(
        text("UPDATE grid SET geom = ST_Multi(ST_GeomFromText(:wkt, 4326)) WHERE version_id = :v AND code = 'V21'"),
        {"wkt": t_junction.wkt, "v": draft},
    )
    edit(session, draft, op="move_vertex", old=[116.02, 39.01], new=[116.018, 39.01])
    g = grids(session, draft)
    assert shapely.intersection(shape(g["V12"]), shape(g["V21"])).area == pytest.approx(0, abs=1e-14)
    assert shape(g["C"]).equals(box(116.0, 39.0, 116.04, 39.02))
    assert geodesic(shape(g["T1"])) + geodesic(shape(g["T2"])) == pytest.approx(geodesic(shape(g["C"])), rel=1e-9)
    assert validate.validate_version(session, draft)["ok"]


def test_split_merge_reparent_keep_the_coverage_valid(session, draft):
    edit(
        session,
        draft,
        op="split",
        code="V21",
        line=[[116.025, 38.99], [116.025, 39.03]],
        new_code="V23",
        new_name="丙村V23",
    )
    g = grids(session, draft)
    assert shape(g["V21"]).area == pytest.approx(shape(g["V23"]).area, rel=1e-9)
    assert g["V23"].parent_code == "T2" and g["V23"].level == 3
    assert validate.validate_version(session, draft)["ok"]

    edit(session, draft, op="merge", codes=["V22", "V23"])
    assert "V23" not in grids(session, draft)
    assert validate.validate_version(session, draft)["ok"]

    edit(session, draft, op="reparent", code="V12", parent_code="T2")
    g = grids(session, draft)
    assert g["V12"].parent_code == "T2"
    assert shape(g["T1"]).equals(editor_world.V11)
    assert shape(g["T2"]).equals(box(116.01, 39.0, 116.04, 39.02))
    assert g["V12"].ancestor_ids == [g["C"].id, g["T2"].id]
    report = validate.validate_version(session, draft)
    assert report["ok"], report["problems"]


def test_a_split_line_ending_just_short_of_the_boundary_still_cuts(session, draft):
    # a hand-drawn line whose ends stop half a metre short of the edges still cuts (ends pushed 1 m)
    half_metre = 0.5 / 111_320
    edit(
        session,
        draft,
        op="split",
        code="V22",
        line=[[116.035, 39.0 + half_metre], [116.035, 39.02 - half_metre]],
        new_code="V25",
    )
    g = grids(session, draft)
    assert shape(g["V22"]).area == pytest.approx(shape(g["V25"]).area, rel=1e-9)
    assert validate.validate_version(session, draft)["ok"]


def test_split_needs_a_line_across_the_grid(session, draft):
    with pytest.raises(InvalidInput):
        edit(session, draft, op="split", code="V21", line=[[116.025, 39.005], [116.025, 39.015]])
    with pytest.raises(InvalidInput):  # parents follow their children: only leaves are edited
        edit(session, draft, op="split", code="T1", line=[[116.015, 38.99], [116.015, 39.03]])


def test_deleting_without_a_neighbour_reports_the_gap_with_its_area(session, draft):
    edit(session, draft, op="delete", code="V22")
    report = validate.validate_version(session, draft)
    gaps = [p for p in report["problems"] if p["kind"] == "gap"]
    assert len(gaps) == 1 and gaps[0]["code"] == "T2" and gaps[0]["severity"] == "error"
    assert gaps[0]["area_m2"] == pytest.approx(geodesic(editor_world.V22), rel=0.005)
    assert editor_world.V22.contains(shapely.Point(gaps[0]["location"]))
    # a new grid drawn over the gap (and beyond the parent) is clipped to exactly fill it
    edit(
        session,
        draft,
        op="create",
        parent_code="T2",
        code="V24",
        name="新村",
        polygon=[[116.0299, 38.99], [116.05, 38.99], [116.05, 39.03], [116.0299, 39.03]],
    )
    new = shape(grids(session, draft)["V24"])
    assert geodesic(new) == pytest.approx(geodesic(editor_world.V22), rel=1e-6)
    assert validate.validate_version(session, draft)["ok"]


def test_delete_into_a_neighbour_leaves_no_gap(session, draft):
    edit(session, draft, op="delete", code="V22", into="V21")
    assert shape(grids(session, draft)["V21"]).equals(box(116.02, 39.0, 116.04, 39.02))
    assert validate.validate_version(session, draft)["ok"]


def test_an_overlap_is_reported_with_its_area(session, draft):
    strip = box(116.01, 39.0, 116.012, 39.02)
    bigger = shapely.union_all([editor_world.V11, strip])
    session.execute(
        text("UPDATE grid SET geom = ST_Multi(ST_GeomFromText(:wkt, 4326)) WHERE version_id = :v AND code = 'V11'"),
        {"wkt": bigger.wkt, "v": draft},
    )
    report = validate.validate_version(session, draft)
    overlaps = [p for p in report["problems"] if p["kind"] == "overlap"]
    assert len(overlaps) == 1 and {overlaps[0]["code"], "V11", "V12"} == {"V11", "V12"}
    assert "V11" in overlaps[0]["message"] or "V12" in overlaps[0]["message"]
    assert overlaps[0]["area_m2"] == pytest.approx(geodesic(strip), rel=0.005)
    assert not report["ok"]


def test_an_edit_that_would_overlap_is_refused_whole(session, draft):
    before = {c: shape(g).wkb for c, g in grids(session, draft).items()}
    with pytest.raises(ValidationFailed):  # dragged across V12 into V21: V12 would fold over itself
        edit(session, draft, op="move_vertex", old=[116.01, 39.01], new=[116.025, 39.01])
    assert {c: shape(g).wkb for c, g in grids(session, draft).items()} == before


def test_second_save_on_a_stale_grid_gets_a_conflict_and_changes_nothing(session, draft):
    stale = locks(session, draft)
    edits.apply_edit(
        session,
        draft,
        "planner_a",
        {"op": "attributes", "code": "V11", "base": stale, "values": {"entity": "甲的主体"}},
    )
    before = shape(grids(session, draft)["V12"]).wkb
    with pytest.raises(Conflict) as err:  # planner_b still sees the old counters
        edits.apply_edit(
            session,
            draft,
            "planner_b",
            {"op": "move_vertex", "base": stale, "old": [116.01, 39.01], "new": [116.012, 39.01]},
        )
    assert "V11" in err.value.message and "planner_a" in err.value.message
    g = grids(session, draft)
    assert g["V11"].entity == "甲的主体" and g["V11"].lock_version == 1
    assert shape(g["V12"]).wkb == before and g["V12"].lock_version == 0
    with pytest.raises(Conflict):
        edits.apply_edit(
            session,
            draft,
            "planner_b",
            {"op": "attributes", "code": "V11", "base": stale, "values": {"entity": "乙的主体"}},
        )
    assert grids(session, draft)["V11"].entity == "甲的主体"
    # with fresh counters the same edit goes through
    edits.apply_edit(
        session,
        draft,
        "planner_b",
        {"op": "attributes", "code": "V11", "base": locks(session, draft), "values": {"entity": "乙的主体"}},
    )
    assert grids(session, draft)["V11"].entity == "乙的主体"


def test_an_edit_must_state_the_counters_it_was_based_on(session, draft):
    with pytest.raises(InvalidInput):
        edits.apply_edit(session, draft, "planner_a", {"op": "merge", "codes": ["V21", "V22"], "base": {}})


FIVE = {
    "leader_name": "示例·甲",
    "staff": [{"name": "示例·乙", "role": "网格员"}],
    "duties": "巡查辖区污染源",
    "tasks": "每周巡查一次",
    "rewards_penalties": "https://example.org/zerenzhuang.pdf",
}


def wuding_warning(session, draft, code):
    report = validate.validate_version(session, draft)
    found = [p for p in report["problems"] if p["kind"] == "incomplete_wuding" and p["code"] == code]
    assert report["ok"]  # a warning, never a blocking error
    return found[0]["message"] if found else None


def test_wuding_completeness_covers_all_five(session, draft):
    edit(session, draft, op="attributes", code="V21", values={**FIVE, "entity": "", "contact_phone": None})
    assert wuding_warning(session, draft, "V21") is None  # entity and phone are not among the five 定
    missing = {
        "staff": ("定人员", "网格人员"),
        "leader_name": ("定人员", "第一责任人"),
        "duties": ("定职责", "职责"),
        "tasks": ("定任务", "任务"),
        "rewards_penalties": ("定奖惩", "奖惩"),
    }
    for field, (ding, label) in missing.items():
        edit(session, draft, op="attributes", code="V21", values={field: [] if field == "staff" else ""})
        message = wuding_warning(session, draft, "V21")
        assert message is not None and f"{ding}（{label}）" in message, (field, message)
        others = [d for d in ("定区域", "定人员", "定职责", "定任务", "定奖惩") if d != ding]
        assert not any(d in message for d in others), (field, message)
        edit(session, draft, op="attributes", code="V21", values={field: FIVE[field]})
    assert wuding_warning(session, draft, "V21") is None


def test_an_empty_polygon_lacks_its_region():
    # records use the export names (leader_name is exported as "leader")
    record = {"geometry": shapely.Polygon(), **FIVE, "leader": "示例·甲", "staff": '[{"name": "x"}]'}
    assert validate.missing_wuding(record) == ["定区域（网格范围）"]
    assert validate.missing_wuding({**record, "geometry": box(0, 0, 1, 1)}) == []


def test_an_edit_that_would_shrink_the_county_silently_is_refused(session, draft):
    from gisgrid.editor.workset import Workset

    ws = Workset(session, draft, "planner_a")
    v22 = ws.get("V22")
    ws.set_geom(v22, box(116.031, 39.0, 116.04, 39.02))  # a 1 km strip between V21 and V22 left uncovered
    ws.recompute_parents({"V22"})
    with pytest.raises(ValidationFailed) as err:
        ws.check_outline()
    assert "C" in err.value.message and err.value.details["area_m2"] == pytest.approx(
        geodesic(box(116.03, 39.0, 116.031, 39.02)), rel=0.01
    )
    ws.check_outline(allowed_at=shapely.Point(116.04, 39.02))  # moving a vertex of the outline itself is allowed
    session.rollback()


def test_moving_a_vertex_of_the_outer_boundary_is_allowed(session, draft):
    edit(session, draft, op="move_vertex", old=[116.0, 39.02], new=[115.999, 39.021])
    g = grids(session, draft)
    assert geodesic(shape(g["C"])) > geodesic(box(116.0, 39.0, 116.04, 39.02))
    assert validate.validate_version(session, draft)["ok"]


def test_an_edit_loads_only_the_grids_it_needs(session, draft):
    from gisgrid.editor.workset import Workset

    ws = Workset(session, draft, "planner_a")
    edits.attributes(ws, {"code": "V11", "values": {"entity": "新主体"}})
    assert set(ws.items) == {"V11"}
    session.rollback()
    ws = Workset(session, draft, "planner_a")
    edits.move_vertex(ws, {"old": [116.01, 39.01], "new": [116.011, 39.011]})
    # the two villages sharing the vertex, their town (recomputed from its children), the county and
    # its other town (an overlap check of the recomputed town); the other street's villages stay in the database
    assert set(ws.items) == {"V11", "V12", "T1", "T2", "C"}
    assert {i.code for i in ws.items.values() if i.dirty} == {"V11", "V12", "T1", "C"}
    session.rollback()
