"""重点监管单元网格 in files and versions: the kind field round trip, validation, drafts, publication, rollback."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from sqlalchemy import func, select

from gisgrid.editor import drafts, roundtrip, versions
from gisgrid.errors import ValidationFailed
from gisgrid.grids import exporter, units
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid, GridPart, UnitGrid
from gisgrid.grids.reader import read_grids
from tests import unit_grid_world as uw
from tests import worlds


def unit_codes(session, version_id):
    return [u.code for u, _ in units.version_units(session, version_id)]


def test_import_stores_unit_grids_apart_from_the_tiling(session, tmp_path):
    result = uw.import_world(session, tmp_path)
    assert result.grid_count == 8  # the tiling only
    assert unit_codes(session, result.version_id) == ["A-U2", "A1-U1"]
    # no grid row and no lookup part for a unit grid: it never takes part in the tiling's lookups
    tiling = session.scalars(select(Grid.code).where(Grid.version_id == result.version_id)).all()
    assert not {"A1-U1", "A-U2"} & set(tiling)
    parts = session.scalars(select(GridPart.code).where(GridPart.version_id == result.version_id)).all()
    assert not {"A1-U1", "A-U2"} & set(parts)
    u1 = session.scalar(select(UnitGrid).where(UnitGrid.code == "A1-U1"))
    assert u1.parent_code == "A1" and u1.level == 2 and u1.area_m2 == pytest.approx(280 * 280, rel=1e-3)
    assert u1.leader_phone == "199-1111-0001" and u1.leader_phone_public is False  # stored, not public


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson"])
def test_export_and_reimport_keep_unit_grids_with_their_kind(session, tmp_path, suffix):
    first = uw.import_world(session, tmp_path)
    path = tmp_path / f"out{suffix}"
    exporter.export_version(session, str(path), first.version_id)
    frame = gpd.read_file(path)
    kinds = dict(zip(frame["code"], frame["kind"]))
    assert kinds["A1-U1"] == kinds["A-U2"] == "unit" and kinds["A1a"] == "grid"
    again = read_grids(str(path))
    from gisgrid.grids import service

    second = service.import_frame(session, again, label="again")
    assert unit_codes(session, second.version_id) == ["A-U2", "A1-U1"]
    old, new = (
        dict((u.code, (u, g)) for u, g in units.version_units(session, v))
        for v in (first.version_id, second.version_id)
    )
    for code in old:
        (a, ga), (b, gb) = old[code], new[code]
        assert (a.name, a.level, a.parent_code, a.contact_phone_public) == (
            b.name,
            b.level,
            b.parent_code,
            b.contact_phone_public,
        )
        assert shapely.from_wkb(ga).symmetric_difference(shapely.from_wkb(gb)).area < 1e-14


def test_a_blank_or_missing_kind_means_grid(session, tmp_path, world_ab):
    assert unit_codes(session, world_ab.version_id) == []
    frame = worlds.world_ab_frame()
    frame["kind"] = None
    again = read_grids(worlds.write(frame, tmp_path / "blank.gpkg"))
    assert set(again["kind"]) == {"grid"}


def bad_import(session, tmp_path, rows):
    with pytest.raises(ValidationFailed) as err:
        uw.import_world(session, tmp_path, rows=rows)
    return {(d["code"], d["kind"]) for d in err.value.details if d["severity"] == "error"}


def test_validation_checks_a_unit_grid_lies_inside_its_designating_grid(session, tmp_path):
    # U3 sticks out of township A1 into A2 (x > 1000): outside its designating grid
    rows = [uw.unit("A1-U3", "越界单元", 2, "A1", worlds.sq(900, 100, 1100, 300))]
    assert bad_import(session, tmp_path, rows) == {("A1-U3", "outside_parent")}


def test_overlaps_of_unit_grids_are_no_tiling_errors(session, tmp_path):
    # two unit grids overlapping each other and the villages: fine, they are overlays
    rows = [*uw.unit_rows(), uw.unit("A1-U4", "重叠单元", 2, "A1", worlds.sq(600, 500, 900, 900))]
    result = uw.import_world(session, tmp_path, rows=rows)
    assert unit_codes(session, result.version_id) == ["A-U2", "A1-U1", "A1-U4"]


@pytest.mark.parametrize(
    "row,expected",
    [
        (uw.unit("A1-U5", "无主单元", 2, "ZZ", worlds.sq(600, 500, 700, 600)), ("A1-U5", "unknown_parent")),
        (uw.unit("A1-U6", "层级不符", 3, "A1", worlds.sq(600, 500, 700, 600)), ("A1-U6", "parent_level")),
        (uw.unit("A1a", "重号单元", 2, "A1", worlds.sq(600, 500, 700, 600)), ("A1a", "duplicate_code")),
        (uw.unit("A1-U7", "无上级", 2, None, worlds.sq(600, 500, 700, 600)), ("A1-U7", "missing_value")),
        (
            {**uw.unit("A1-U8", "类型错", 2, "A1", worlds.sq(600, 500, 700, 600)), "kind": "overlay"},
            ("A1-U8", "bad_kind"),
        ),
    ],
)
def test_bad_unit_grids_are_refused_naming_the_feature(session, tmp_path, row, expected):
    assert expected in bad_import(session, tmp_path, [row])


def test_drafts_publication_and_rollback_carry_unit_grids(session, tmp_path):
    first = uw.import_world(session, tmp_path).version_id
    draft = drafts.open_draft(session, "planner")
    assert unit_codes(session, draft) == ["A-U2", "A1-U1"]
    versions.publish_draft(session, draft, "planner")
    assert grid_versions.find_published(session).id == draft
    restored = versions.rollback_to(session, first, "planner")
    assert unit_codes(session, restored) == ["A-U2", "A1-U1"]
    assert session.scalar(select(func.count()).select_from(UnitGrid).where(UnitGrid.version_id == first)) == 2


def test_editor_geopackage_round_trip_edits_unit_grids(session, tmp_path):
    uw.import_world(session, tmp_path)
    draft = drafts.open_draft(session, "planner")
    exported = tmp_path / "draft.gpkg"
    exported.write_bytes(roundtrip.export_draft(session, draft))
    frame = gpd.read_file(exported)
    frame.loc[frame.code == "A1-U1", "name"] = "甲一镇化工园（扩）"
    frame = frame[frame.code != "A-U2"]
    edited = tmp_path / "edited.gpkg"
    frame.to_file(edited, driver="GPKG", layer="grids", engine="pyogrio")
    preview = roundtrip.import_upload(session, draft, edited, "planner")
    changes = {c["code"]: c["change"] for c in preview["changes"]}
    assert changes == {"A1-U1": "changed", "A-U2": "removed"} and preview["errors"] == 0
    roundtrip.import_upload(session, draft, edited, "planner", stamp=preview["stamp"])
    [(u1, _)] = units.version_units(session, draft)
    assert u1.code == "A1-U1" and u1.name == "甲一镇化工园（扩）"


def test_a_profile_letting_only_the_top_designate_refuses_a_lower_designator(session, tmp_path):
    # 盘锦: "一级网格主体可以将……作为本级重点监管单元网格" — the profile's unit_grids.designated_by = [1]
    from gisgrid.grids import service

    path = worlds.write(uw.world_ab_units_frame(), tmp_path / "ab_units.gpkg")
    with pytest.raises(ValidationFailed) as err:
        service.import_file(session, path, unit_depths=(1,))
    found = {(p["code"], p["kind"]) for p in err.value.details}
    assert ("A1-U1", "unit_designator") in found  # designated by the township A1 (level 2)
    assert not any(code == "A-U2" for code, _ in found)  # designated by the county A (level 1): allowed
    assert session.scalar(select(func.count()).select_from(UnitGrid)) == 0  # nothing written
    assert service.import_file(session, path, unit_depths=(1, 2)).version_id  # a plan allowing both levels
