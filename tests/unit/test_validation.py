"""Validation of normalised grid datasets (no database)."""

import time

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import LineString, Point, Polygon, box

from gisgrid.grids import fields
from gisgrid.grids.reader import read_grids
from gisgrid.grids.validation import Problem, format_report, validate_grids
from tests import worlds

# writing shapefile test data truncates the standard names, which is expected
pytestmark = pytest.mark.filterwarnings(
    "ignore:Normalized/laundered field name:RuntimeWarning", "ignore:Column names longer than 10:UserWarning"
)
X0, Y0 = 40_500_000.0, 4_400_000.0
TO_METRES = Transformer.from_crs("EPSG:4326", "EPSG:4528", always_xy=True)
GEOD = Geod(ellps="WGS84")


def sq(x1, y1, x2, y2):
    """A box in metres from the EPSG:4528 origin."""
    return box(X0 + x1, Y0 + y1, X0 + x2, Y0 + y2)


def grid(code, level, parent, geom, **extra):
    row = {
        "code": code,
        "name": f"网格{code}",
        "level": level,
        "parent_code": parent,
        "entity": None,
        "leader_name": None,
        "leader_title": None,
        "leader_phone": None,
        "leader_phone_public": False,
        "contact_phone": None,
        "contact_phone_public": True,
        "duties": None,
        "sample_data": False,
        "tasks": None,
        "rewards_penalties": None,
        "staff": [],
        "kind": "grid",
        "geometry": geom,
    }
    row.update(extra)
    return row


def frame(rows, crs="EPSG:4528"):
    """What read_grids returns for these rows drawn in ``crs``."""
    drawn = gpd.GeoDataFrame([{**row, "source_index": i} for i, row in enumerate(rows)], geometry="geometry", crs=crs)
    result = drawn.to_crs("EPSG:4326")[list(fields.OUTPUT_COLUMNS)]
    result.attrs["source_crs"] = crs
    return result


def only(problems, kind):
    found = [p for p in problems if p.kind == kind]
    assert found, f"no {kind} in {problems}"
    return found


def metres(location):
    """A problem location back in metres from the origin."""
    x, y = TO_METRES.transform(*location)
    return x - X0, y - Y0


def county():
    """A 2 km × 1 km county split into two towns: a clean dataset."""
    return [
        grid("C", 1, None, sq(0, 0, 2000, 1000)),
        grid("C1", 2, "C", sq(0, 0, 1000, 1000)),
        grid("C2", 2, "C", sq(1000, 0, 2000, 1000)),
    ]


def test_clean_dataset_has_no_problems():
    assert validate_grids(frame(county())) == []


@pytest.mark.parametrize("make,name", [(worlds.world_ab_frame, "ab.gpkg"), (worlds.world_e_frame, "e.geojson")])
def test_shared_test_worlds_read_from_files_are_clean(tmp_path, make, name):
    # their T-junctions lie on edges in the CRS they were drawn in: no slivers may be reported
    grids = read_grids(worlds.write(make(), tmp_path / name))
    assert validate_grids(grids) == []


@pytest.mark.parametrize("kind", ["geojson", "gpkg", "shp"])
def test_lonlat_export_of_a_projected_world_is_clean(tmp_path, kind):
    # re-imported exports are lon/lat files whose T-junctions were drawn straight in EPSG:4528
    exported = worlds.world_ab_frame().to_crs("EPSG:4326")
    exported["staff"] = exported["staff"].fillna("")
    path = tmp_path / f"export.{kind}"
    exported.to_file(path, engine="pyogrio")
    grids = read_grids(str(path))
    assert grids.attrs["source_crs"] == "EPSG:4326"
    assert validate_grids(grids) == []


def test_frame_without_reader_metadata_is_checked_too():
    rows = [grid(r["code"], r["level"], r["parent_code"], r["geometry"]) for r in worlds.world_ab_rows()]
    grids = frame(rows)
    grids.attrs.clear()  # lon/lat plus a local equal-area plane, with no source CRS to go by
    assert validate_grids(grids) == []
    rows[5] = grid("A2a", 3, "A2", worlds.sq(1000, 0, 2100, 1000))
    grids = frame(rows)
    grids.attrs.clear()
    outside = [p for p in validate_grids(grids) if p.code == "A2a"]
    assert [p.kind for p in outside] == ["outside_parent"]
    assert outside[0].area_m2 == pytest.approx(100_000, rel=0.01)


def test_invalid_geometry_reports_reason_and_location():
    bowtie = Polygon([(116.0, 39.0), (116.01, 39.01), (116.01, 39.0), (116.0, 39.01)])
    rows = [grid("P", 1, None, box(116.0, 39.0, 116.01, 39.01)), grid("K", 2, "P", bowtie)]
    problems = validate_grids(frame(rows, "EPSG:4326"))
    [problem] = problems  # topology skips the bowtie: no gap/outside reported for it
    assert (problem.kind, problem.code, problem.source_index) == ("invalid_geometry", "K", 1)
    assert "Self-intersection" in problem.message
    assert problem.location == pytest.approx((116.005, 39.005), abs=1e-9)


def test_empty_and_wrong_geometry_types():
    rows = [
        grid("N", 1, None, None),
        grid("E", 1, None, Polygon()),
        grid("L", 1, None, LineString([(X0, Y0), (X0 + 10, Y0)])),
        grid("T", 1, None, Point(X0, Y0)),
    ]
    problems = validate_grids(frame(rows))
    assert [(p.kind, p.code) for p in problems] == [
        ("empty_geometry", "N"),
        ("empty_geometry", "E"),
        ("wrong_geometry_type", "L"),
        ("wrong_geometry_type", "T"),
    ]
    assert "LineString" in problems[2].message


def test_missing_values():
    rows = [
        grid(None, 1, None, sq(0, 0, 10, 10)),
        grid("B", 1, None, sq(20, 0, 30, 10), name=None),
        grid("C", None, None, sq(40, 0, 50, 10)),
    ]
    problems = only(validate_grids(frame(rows)), "missing_value")
    assert [(p.source_index, p.code) for p in problems] == [(0, None), (1, "B"), (2, "C")]
    assert [m.split()[1] for m in (p.message for p in problems)] == ["code", "name", "level"]
    x, y = metres(problems[1].location)
    assert 20 < x < 30 and 0 < y < 10  # located on the feature


@pytest.mark.parametrize("level", [0, -1, "abc", 1.5])
def test_bad_level(level):
    rows = [grid("A", level, None, sq(0, 0, 10, 10)), grid("B", 2, None, sq(20, 0, 30, 10))]
    [problem] = validate_grids(frame(rows))
    assert (problem.kind, problem.code) == ("bad_level", "A")
    assert repr(level) in problem.message


@pytest.mark.parametrize(
    "staff,reason", [("[not json", "JSON"), ('[{"role": "网格员"}]', "姓名"), ('{"name": "王五"}', "数组")]
)
def test_bad_staff(staff, reason):
    rows = [
        grid("A", 1, None, sq(0, 0, 10, 10), staff=staff),
        grid("B", 1, None, sq(20, 0, 30, 10), staff=[{"name": "王五", "role": "网格员"}]),
    ]
    [problem] = validate_grids(frame(rows))
    assert (problem.kind, problem.code) == ("bad_staff", "A")
    assert reason in problem.message


def test_bad_boolean_value():
    rows = [grid("A", 1, None, sq(0, 0, 10, 10), contact_phone_public="maybe")]
    [problem] = validate_grids(frame(rows))
    assert (problem.kind, problem.code) == ("bad_value", "A")
    assert "contact_phone_public" in problem.message


def test_every_duplicate_is_reported():
    rows = [
        grid("D", 1, None, sq(0, 0, 10, 10)),
        grid("X", 1, None, sq(20, 0, 30, 10)),
        grid("D", 1, None, sq(40, 0, 50, 10)),
    ]
    problems = only(validate_grids(frame(rows)), "duplicate_code")
    assert [(p.code, p.source_index) for p in problems] == [("D", 0), ("D", 2)]
    assert "#0" in problems[0].message and "#2" in problems[0].message


def test_unknown_parent():
    rows = [grid("A", 1, None, sq(0, 0, 10, 10)), grid("A1", 2, "ZZZ", sq(0, 0, 5, 5))]
    [problem] = validate_grids(frame(rows))
    assert (problem.kind, problem.code) == ("unknown_parent", "A1")
    assert "ZZZ" in problem.message


def test_child_level_must_exceed_parent_level():
    rows = [grid("A", 2, None, sq(0, 0, 10, 10)), grid("A1", 2, "A", sq(0, 0, 10, 10))]
    [problem] = validate_grids(frame(rows))
    assert (problem.kind, problem.code) == ("parent_level", "A1")


def test_parent_cycles():
    rows = [
        grid("A", 1, "B", sq(0, 0, 10, 10)),
        grid("B", 2, "A", sq(20, 0, 30, 10)),
        grid("S", 1, "S", sq(40, 0, 50, 10)),
        grid("T", 1, None, sq(60, 0, 70, 10)),
    ]
    problems = validate_grids(frame(rows))
    assert [p.code for p in only(problems, "parent_level")] == ["A"]  # S is its own parent: a cycle only
    problems = only(problems, "cycle")
    assert "A → B → A" in problems[0].message and "B → A → B" in problems[1].message
    assert "S → S" in problems[2].message


def test_child_outside_parent_reports_area_and_location():
    rows = county()
    rows[2] = grid("C2", 2, "C", sq(1000, 0, 2100, 1000))  # 100 m × 1000 m beyond the county
    problems = validate_grids(frame(rows))
    [problem] = only(problems, "outside_parent")
    assert problem.code == "C2" and problem.severity == "error"
    assert problem.area_m2 == pytest.approx(100_000, rel=0.01)
    x, y = metres(problem.location)
    assert 2000 < x < 2100 and 0 < y < 1000
    assert [p.kind for p in problems] == ["outside_parent"]  # nothing else is wrong


def test_sibling_overlap_reported_once_per_pair():
    rows = county()
    rows[2] = grid("C2", 2, "C", sq(800, 0, 2000, 1000))  # 200 m into C1
    [problem] = validate_grids(frame(rows))
    assert (problem.kind, problem.code, problem.source_index) == ("overlap", "C1", 1)
    assert "C2" in problem.message
    assert problem.area_m2 == pytest.approx(200_000, rel=0.01)
    x, y = metres(problem.location)
    assert 800 < x < 1000 and 0 < y < 1000


def test_top_level_grids_are_siblings():
    rows = [grid("A", 1, None, sq(0, 0, 1000, 1000)), grid("B", 1, None, sq(900, 0, 2000, 1000))]
    [problem] = validate_grids(frame(rows))
    assert (problem.kind, problem.code) == ("overlap", "A")
    assert problem.area_m2 == pytest.approx(100_000, rel=0.01)


def test_overlap_between_non_siblings_is_not_an_overlap():
    rows = [
        grid("A", 1, None, sq(0, 0, 1000, 1000)),
        grid("B", 1, None, sq(1000, 0, 2000, 1000)),
        grid("A1", 2, "A", sq(0, 0, 1000, 1000)),
        grid("B1", 2, "B", sq(1000, 0, 2000, 1000)),
    ]
    assert validate_grids(frame(rows)) == []


def test_gaps_are_reported_per_piece_on_the_parent():
    rows = [
        grid("C", 1, None, sq(0, 0, 3000, 1000)),
        grid("C1", 2, "C", sq(500, 0, 1000, 1000)),
        grid("C2", 2, "C", sq(1000, 0, 2000, 1000)),
    ]
    problems = only(validate_grids(frame(rows)), "gap")
    assert [p.code for p in problems] == ["C", "C"]
    by_area = sorted(problems, key=lambda p: p.area_m2)
    assert by_area[0].area_m2 == pytest.approx(500_000, rel=0.01)
    assert by_area[1].area_m2 == pytest.approx(1_000_000, rel=0.01)
    x, y = metres(by_area[0].location)
    assert 0 < x < 500 and 0 < y < 1000
    x, _ = metres(by_area[1].location)
    assert 2000 < x < 3000


def test_areas_are_square_metres_for_lonlat_data():
    a, b = box(116.30, 39.90, 116.32, 39.92), box(116.31, 39.90, 116.33, 39.92)
    [problem] = validate_grids(frame([grid("A", 1, None, a), grid("B", 1, None, b)], "EPSG:4326"))
    geodesic, _ = GEOD.geometry_area_perimeter(a.intersection(b).reverse())
    assert problem.area_m2 == pytest.approx(abs(geodesic), rel=0.01)
    assert 1_800_000 < problem.area_m2 < 2_000_000  # ~854 m × 2.22 km, not degrees²


def test_floating_point_slivers_are_not_problems():
    rows = [
        grid("E", 1, None, box(116.0, 39.0, 116.02, 39.01)),
        grid("E1", 2, "E", box(116.0, 39.0, 116.01 + 1e-9, 39.01)),  # ~0.1 mm too wide
        grid("E2", 2, "E", box(116.01, 39.0, 116.02, 39.01)),
    ]
    assert validate_grids(frame(rows, "EPSG:4326")) == []
    rows[1] = grid("E1", 2, "E", box(116.0, 39.0, 116.01 + 1e-5, 39.01))  # ~0.9 m too wide
    assert [p.kind for p in validate_grids(frame(rows, "EPSG:4326"))] == ["overlap"]


def test_tolerance_is_configurable():
    rows = [grid("A", 1, None, sq(0, 0, 1000, 1000)), grid("B", 1, None, sq(900, 0, 2000, 1000))]
    assert validate_grids(frame(rows), tolerance_m2=150_000) == []


def test_unreadable_children_skip_the_gap_check_but_not_the_rest():
    rows = county()
    rows[1] = grid("C1", 2, "C", Polygon([(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0), (X0, Y0 + 1000)]))
    rows.append(grid("C3", 2, "C", sq(1500, 0, 2500, 1000)))
    kinds = [(p.kind, p.code) for p in validate_grids(frame(rows))]
    assert kinds == [("invalid_geometry", "C1"), ("overlap", "C2"), ("outside_parent", "C3")]


def test_projected_frame_is_accepted_as_is():
    drawn = gpd.GeoDataFrame(
        [grid("A", 1, None, sq(0, 0, 1000, 1000)), grid("B", 1, None, sq(900, 0, 2000, 1000))],
        geometry="geometry",
        crs="EPSG:4528",
    )
    [problem] = validate_grids(drawn)
    assert problem.area_m2 == pytest.approx(100_000, rel=0.01)
    assert problem.source_index == 0


def test_problem_to_dict_and_report():
    rows = county()
    rows[2] = grid("C2", 2, "C", sq(1000, 0, 2100, 1000))
    rows.append(grid("X", 1, "ZZZ", sq(5000, 0, 5100, 100), name=None))
    problems = validate_grids(frame(rows))
    data = problems[0].to_dict()
    assert set(data) == {"severity", "kind", "message", "code", "source_index", "area_m2", "location"}
    assert isinstance(data["location"], list) and len(data["location"]) == 2
    report = format_report(problems)
    assert report.splitlines()[0].startswith("共 3 个错误、0 个警告")
    assert "要素 #2（网格 C2）" in report and "100000" in report.replace(",", "").replace(".", "")[:10_000]
    x_block = report[report.index("要素 #3（网格 X）") :]
    assert "missing_value" in x_block and "unknown_parent" in x_block
    assert format_report([]) == "未发现问题 (no problems found)"
    warning = Problem("warning", "overlap", "注意", None, None)
    assert "[警告]" in format_report([warning]) and "数据集" in format_report([warning])


def test_five_thousand_features_validate_quickly():
    rows = []
    for p in range(50):
        px, py = (p % 10) * 1000, (p // 10) * 1000
        rows.append(grid(f"P{p}", 1, None, shapely.segmentize(sq(px, py, px + 1000, py + 1000), 100)))
        rows += [
            grid(
                f"P{p}-{k}",
                2,
                f"P{p}",
                sq(px + k % 10 * 100, py + k // 10 * 100, px + k % 10 * 100 + 100, py + k // 10 * 100 + 100),
            )
            for k in range(100)
        ]
    rows[-1] = grid("P49-99", 2, "P49", sq(9900, 4900, 10000, 5015))  # 100 m × 15 m outside P49
    data = frame(rows)
    started = time.perf_counter()
    problems = validate_grids(data)
    elapsed = time.perf_counter() - started
    assert [(p.kind, p.code) for p in problems] == [("outside_parent", "P49-99")]
    assert problems[0].area_m2 == pytest.approx(1500, rel=0.01)
    assert elapsed < 20, f"validation of {len(data)} features took {elapsed:.1f} s"
    assert np.isfinite(problems[0].location).all()
