"""Coverage repair (gisgrid.grids.repair): separately digitised neighbours become a clean coverage."""

import csv
import json

import numpy as np
import pytest
import shapely

from gisgrid.errors import InvalidInput
from gisgrid.grids.repair import repair
from gisgrid.grids.validation import validate_grids
from tests import repair_world as rw


def _geom(gdf, code):
    return gdf.loc[gdf["code"] == code].geometry.iloc[0]


def _kinds(problems):
    return sorted(p.kind for p in problems if p.severity == "error")


@pytest.fixture(scope="module")
def messy():
    gdf = rw.messy_county()
    repaired, report = repair(gdf, snap_m=3, max_gap_width_m=10)
    return gdf, repaired, report


def test_messy_county_fails_validation_before_and_passes_after(messy):
    gdf, repaired, _ = messy
    assert _kinds(validate_grids(gdf)) == ["gap", "gap", "gap", "outside_parent", "overlap"]
    assert validate_grids(repaired) == []


def test_shared_edges_are_vertex_identical_after_repair(messy):
    gdf, repaired, _ = messy
    towns = np.asarray(repaired[repaired["level"] == 2].geometry.array)
    top = np.asarray(repaired[repaired["level"] == 1].geometry.array)
    assert not shapely.coverage_is_valid(np.asarray(gdf[gdf["level"] == 2].geometry.array))
    assert shapely.coverage_is_valid(towns)
    assert shapely.coverage_is_valid(top)
    county = _geom(repaired, "210000")
    assert shapely.union_all(towns).symmetric_difference(county).area < 1e-12  # towns tile the county


def test_child_outside_parent_is_clipped_to_it(messy):
    _, repaired, report = messy
    west = _geom(repaired, "210001")
    county = _geom(repaired, "210000")
    assert west.bounds[0] == pytest.approx(county.bounds[0], abs=1e-9)  # the 3 m strip outside is gone
    clipped = [s for s in report.slivers if s.kind == "outside_parent"]
    assert [(s.code, s.change) for s in clipped] == [("210001", "lost")]
    assert clipped[0].area_m2 == pytest.approx(3000, rel=0.01)  # 3 m × 1000 m


def test_gaps_and_overlaps_go_to_a_neighbour_and_are_reported(messy):
    _, _, report = messy
    by_kind = {kind: [s for s in report.slivers if s.kind == kind] for kind in ("gap", "overlap")}
    # the zig-zag edge: a 500 m² triangle of overlap (south) and one of gap (north)
    assert sorted(round(s.area_m2) for s in by_kind["overlap"]) == [500]
    assert 500 in [round(s.area_m2) for s in by_kind["gap"]]
    for sliver in report.slivers:
        assert shapely.Point(sliver.location).within(shapely.buffer(sliver.geometry, 1e-9))
    west = next(g for g in report.grids if g.code == "210001")
    assert west.hausdorff_m == pytest.approx(3.0, abs=0.01)
    assert west.area_lost_m2 == pytest.approx(3000, rel=0.01)


def test_multipolygon_exclave_is_kept(messy):
    gdf, repaired, _ = messy
    west = _geom(repaired, "210001")
    assert west.geom_type == "MultiPolygon" and len(west.geoms) == 2
    island = min(west.geoms, key=lambda p: p.area)
    before = min(_geom(gdf, "210001").geoms, key=lambda p: p.area)
    assert island.symmetric_difference(before).area < 1e-14  # the exclave itself did not move
    assert shapely.coverage_is_valid([west, _geom(repaired, "210002")])


def test_lake_of_another_grid_is_not_filled(messy):
    gdf, repaired, report = messy
    lake = _geom(repaired, "219999")
    assert lake.equals(_geom(gdf, "219999"))
    east = _geom(repaired, "210002")
    assert not east.intersects(lake.representative_point())
    assert east.intersection(lake).area == 0
    # the 2 m ring between the traced hole and the lake went to the town, not the lake
    assert all(s.code != "219999" for s in report.slivers)


def test_wide_gap_and_far_outside_part_stay_errors():
    gdf = rw.wide_gap_county()
    repaired, report = repair(gdf, snap_m=3, max_gap_width_m=10)
    problems = [p for p in validate_grids(repaired) if p.severity == "error"]
    assert _kinds(problems) == ["gap", "outside_parent"]
    gap = next(p for p in problems if p.kind == "gap")
    assert gap.area_m2 == pytest.approx(20_000, rel=0.01)  # 20 m × 1000 m, untouched
    outside = next(p for p in problems if p.kind == "outside_parent")
    assert outside.area_m2 == pytest.approx(30_000, rel=0.01)
    assert report.slivers == []


def test_without_limits_nothing_is_filled():
    gdf = rw.messy_county()
    repaired, _ = repair(gdf, snap_m=0, max_gap_width_m=0)
    assert "gap" in _kinds(validate_grids(repaired))


def test_report_files(messy, tmp_path):
    _, _, report = messy
    report.write(str(tmp_path / "r.geojson"))
    data = json.loads((tmp_path / "r.geojson").read_text(encoding="utf-8"))
    assert data["properties"]["snap_m"] == 3 and data["properties"]["max_gap_width_m"] == 10
    slivers = [f for f in data["features"] if f["properties"]["record"] == "sliver"]
    assert len(slivers) == len(report.slivers) == 5
    outlines = {f["properties"]["outline"] for f in data["features"] if f["properties"]["record"] == "grid"}
    assert outlines == {"before", "after"}
    report.write(str(tmp_path / "r.csv"))
    rows = list(csv.DictReader(open(tmp_path / "r.csv", encoding="utf-8-sig")))
    assert sum(r["record"] == "sliver" for r in rows) == 5
    assert {r["code"] for r in rows if r["record"] == "grid"} == {"210001", "210002"}
    assert all(shapely.from_wkt(r["wkt"]).is_valid for r in rows)
    with pytest.raises(InvalidInput, match="report"):
        report.write(str(tmp_path / "r.txt"))


def test_summary_names_limits_and_kinds(messy):
    _, _, report = messy
    text = report.summary()
    assert "吸附 3 米" in text and "最大缝隙宽度 10 米" in text
    assert "缝隙补入" in text and "重叠划分" in text and "超出上级裁去" in text


@pytest.mark.parametrize("snap, width", [(-1, 10), (3, float("nan")), (3, 1e6)])
def test_bad_limits_are_refused(snap, width):
    with pytest.raises(InvalidInput):
        repair(rw.messy_county(), snap_m=snap, max_gap_width_m=width)


def test_a_member_lost_by_coverage_clean_is_cleaned_again_with_less_snap():
    from pathlib import Path

    from gisgrid.grids.repair import _clean

    lines = (Path(__file__).parents[1] / "repair_geos_drop.txt").read_text().splitlines()
    villages = np.array([shapely.from_wkb(line) for line in lines if not line.startswith("#")], dtype=object)
    raw = shapely.coverage_clean(villages, gap_width=10, snapping_distance=3)
    if not shapely.is_empty(raw).any():
        pytest.skip("this GEOS no longer drops the village: the retry is not exercised")
    cleaned, snap = _clean(villages, 3, 10)
    assert snap < 3 and not shapely.is_empty(cleaned).any()
    assert shapely.coverage_is_valid(cleaned)
    # nothing lost: the narrow gaps between the villages were filled (the coverage grew by < 1 %)
    before, after = shapely.union_all(villages).area, shapely.union_all(cleaned).area
    assert before <= after < before * 1.01


def test_a_pocket_of_the_parent_touching_children_at_a_point_goes_to_the_nearest():
    # the county has a 3 m × 4 m triangle pinched off at its east corner (1000, 500): no town shares a
    # border with it, only a point; it is narrower than the limit, so it is given away, not left a gap
    square = rw.poly([(0, 0), (1000, 0), (1000, 1000), (0, 1000)])
    pocket = rw.poly([(1000, 500), (1003, 498), (1003, 502)])
    gdf = rw.frame(
        [
            ("230000", "县", 1, None, shapely.union(square, pocket)),
            ("230001", "甲镇", 2, "230000", rw.poly([(0, 0), (1000, 0), (1000, 500), (0, 500)])),
            ("230002", "乙镇", 2, "230000", rw.poly([(0, 600), (1000, 600), (1000, 1000), (0, 1000)])),
            ("230003", "丙镇", 2, "230000", rw.poly([(0, 500), (1000, 500), (1000, 600), (0, 600)])),
        ]
    )
    assert _kinds(validate_grids(gdf)) == ["gap"]
    repaired, _ = repair(gdf, snap_m=0, max_gap_width_m=10)
    assert validate_grids(repaired) == []
    # the triangle's inside (1002, 500) lies nearer 丙镇's corner than 甲镇's: both touch it at (1000, 500)
    owner = [
        c for c in ("230001", "230002", "230003") if _geom(repaired, c).covers(rw.lonlat(shapely.Point(1002, 500)))
    ]
    assert len(owner) == 1


# a village of bench_repair's 100,000-village run (town T00770, in repair's metre plane) and the two gap pieces
# given to it: a 240 m × 1.6 cm spike along the town's edge and a crumb
SPIKE_CASE = (
    "GEOMETRYCOLLECTION (MULTIPOLYGON (((2456.824881530273 -248.8909888555113, 2456.8083731062143 -255.26"
    "767270918077, 2455.910710538063 -499.70740287720906, 2455.9142207255663 -500.01155785084336, 2212.93"
    "3064667942 -499.0743625823847, 1967.5066963556517 -501.8431786166319, 1965.9998043374326 -498.832379"
    "1857794, 1965.646978519089 -249.21728668756683, 1966.6409923966432 1.3556914203270531, 2211.73017488"
    "88995 -0.1329186033827588, 2457.8330789513566 0.0225125555595439, 2456.8613019230374 -241.7011178557"
    "0475, 2456.824881530273 -248.8909888555113))), POLYGON ((2457.8432878831327 -1.3677670173338154, 245"
    "6.8613019230374 -241.70111785570475, 2457.8330789513566 0.0225125555595438, 2457.8432878831327 -1.36"
    "77670173338154)), POLYGON ((2456.8305986693567 -249.215498038906, 2456.8083731062143 -255.2676727091"
    "8077, 2456.824881530273 -248.8909888555113, 2456.8613019230374 -241.70111785570475, 2456.83059866935"
    "67 -249.215498038906)))"
)


def test_a_union_losing_a_thin_spike_is_redone_on_a_fixed_grid():
    from gisgrid.grids.repair import _union_keeping_area

    parts = np.array(list(shapely.from_wkt(SPIKE_CASE).geoms))
    expected = shapely.area(parts).sum()
    # GEOS's floating-point union drops the spike (1.9 m²): the case the fallback exists for
    assert shapely.union_all(parts).area < expected - 1.5
    union = _union_keeping_area(parts)
    assert union.area == pytest.approx(expected, abs=1e-3) and union.is_valid
    assert union.covers(shapely.point_on_surface(parts[1]))
