"""The 西城区 (110102) demo grid set in data/boundaries/ (built by scripts/build_demo_data.py)."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "boundaries" / "xicheng_demo.geojson"
DIVISIONS = ROOT / "data" / "boundaries" / "sources" / "xicheng_divisions_2023.csv"
COUNTY = "110102000000"
EQUAL_AREA = "+proj=laea +lat_0=39.92 +lon_0=116.36 +datum=WGS84 +units=m +no_defs"
TOLERANCE_M2 = 1.0
SAMPLE_PHONE = re.compile(r"^010-0\d{3}-\d{4}$")  # a Beijing number starting with 0 cannot exist
ROLES = {"网格员", "监督员", "执法人员"}


@pytest.fixture(scope="module")
def grids() -> gpd.GeoDataFrame:
    return gpd.read_file(DATA)


@pytest.fixture(scope="module")
def metric(grids) -> gpd.GeoDataFrame:
    return grids.to_crs(EQUAL_AREA).set_index("code")


def _staff(value) -> list:
    return json.loads(value) if isinstance(value, str) else list(value)


def _tiling_error(parent, children) -> dict:
    union = shapely.union_all(list(children))
    return {
        "gap": parent.difference(union).area,
        "overlap": sum(c.area for c in children) - union.area,
        "outside": union.difference(parent).area,
    }


def test_counts_levels_and_codes(grids):
    assert len(grids) == 279
    assert grids["code"].is_unique
    assert all(re.fullmatch(r"\d{12}", c) for c in grids["code"])
    assert Counter(grids["level"]) == {1: 1, 2: 15, 3: 263}


def test_every_parent_exists_one_level_up(grids):
    level = dict(zip(grids["code"], grids["level"]))
    county = grids[grids["level"] == 1].iloc[0]
    assert county["code"] == COUNTY and county["name"] == "西城区"
    assert pd.isna(county["parent_code"])
    for code, lvl, parent in zip(grids["code"], grids["level"], grids["parent_code"]):
        if lvl > 1:
            assert level.get(parent) == lvl - 1, code
            digits = 6 if lvl == 2 else 9  # county 110102 / street 110102xxx prefix
            assert code[:digits] == parent[:digits], code


def test_names_and_codes_match_the_statistical_codes(grids):
    with DIVISIONS.open(encoding="utf-8") as handle:
        rows = {r["code"]: r for r in csv.DictReader(handle)}
    by_code = grids.set_index("code")
    assert by_code.loc["110102003000", "name"] == "新街口街道"
    assert by_code.loc["110102003000", "entity"] == "新街口街道办事处"
    assert set(rows) == set(grids["code"]) - {COUNTY}
    for code, row in rows.items():
        assert by_code.loc[code, "parent_code"] == row["parent_code"]
        if row["level"] == "3":
            assert by_code.loc[code, "entity"] == row["name"]  # official 居委会 name
            assert row["name"].startswith(by_code.loc[code, "name"].removesuffix("社区"))


def test_everything_is_marked_sample_data(grids):
    assert grids["sample_data"].astype(bool).all()
    assert (grids["illustrative_geometry"].astype(bool) == (grids["level"] > 1)).all()
    assert grids["leader"].str.startswith("示例·").all()
    assert not grids["leader_phone_public"].astype(bool).any()
    assert grids["contact_phone_public"].astype(bool).all()
    assert grids["leader_phone"].str.match(SAMPLE_PHONE).all()
    assert grids["contact_phone"].str.match(SAMPLE_PHONE).all()
    assert dict(zip(grids["level"], grids["leader_title"])) == {1: "区长", 2: "街道办事处主任", 3: "社区党委书记"}
    assert grids["duties"].str.len().gt(50).all()
    for value in grids["staff"]:
        staff = _staff(value)
        assert 1 <= len(staff) <= 3
        for person in staff:
            assert person["name"].startswith("示例·")
            assert person["role"] in ROLES
            assert SAMPLE_PHONE.match(person["phone"])
            assert isinstance(person["phone_public"], bool)


def test_geometries_are_valid_multipolygons(grids):
    assert (grids.geom_type == "MultiPolygon").all()
    assert grids.is_valid.all()
    assert not grids.is_empty.any()
    assert grids.crs.to_epsg() == 4326


def test_streets_tile_the_county(grids, metric):
    streets = metric[metric["level"] == 2]
    error = _tiling_error(metric.loc[COUNTY, "geometry"], streets.geometry)
    assert max(error.values()) < TOLERANCE_M2, error


def test_communities_tile_each_street(metric):
    streets = metric[metric["level"] == 2]
    communities = metric[metric["level"] == 3]
    for code, street in streets.iterrows():
        children = communities[communities["parent_code"] == code].geometry
        assert len(children) > 0, code
        error = _tiling_error(street.geometry, children)
        assert max(error.values()) < TOLERANCE_M2, (code, street["name"], error)


def test_county_is_wgs84_not_gcj02(grids):
    # the 西城/东城 boundary along 地安门外大街 follows the central axis: lon ≈ 116.391 in
    # WGS84 (鼓楼 ≈ 116.3917, 39.9405) but ≈ 116.397 in GCJ-02 (+0.006°)
    county = grids[grids["level"] == 1].geometry.iloc[0]
    east = county.intersection(box(116.2, 39.932, 116.5, 39.940)).bounds[2]
    assert abs(east - 116.391) < 0.002, east
    assert east < 116.394, east
    minx, miny, maxx, maxy = county.bounds
    assert 116.30 < minx < 116.32 and 39.86 < miny < 39.87 and 116.39 < maxx < 116.396 and 39.96 < maxy < 39.975


def test_file_is_small_and_rounded():
    assert DATA.stat().st_size < 5_000_000
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for feature in data["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                for x, y in ring:
                    assert round(x, 7) == x and round(y, 7) == y


def test_build_script_reproduces_the_file():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_demo_data.py"), "--check", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
