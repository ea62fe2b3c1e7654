"""Codes sort the same everywhere: the edge tie-break of single lookups, batch lookups and leaf_codes_at.

Five level-2 grids with codes that sort differently under a linguistic collation (``A-1`` vs ``a-1``,
Han characters, ``10`` vs ``9``) meet at shared edges and vertices. The rule is "deepest level, then
the smallest code in code-point order" (Python's order of str). The test runs once with the test
database's own collation and once with the lookup parts' code column switched to an ICU collation
(inside the test's rolled-back transaction), as a database created with zh_CN/en_US would sort.
"""

from __future__ import annotations

import csv
import io

import geopandas as gpd
import pytest
from shapely.geometry import box
from sqlalchemy import text

from gisgrid.grids import queries
from gisgrid.grids import service as grid_service
from tests import worlds

# (code, west, south, east, north) in degrees; 9 spans both rows
CELLS = [
    ("A-1", 116.00, 39.00, 116.01, 39.01),
    ("a-1", 116.01, 39.00, 116.02, 39.01),
    ("甲1", 116.00, 39.01, 116.01, 39.02),
    ("10", 116.01, 39.01, 116.02, 39.02),
    ("9", 116.02, 39.00, 116.03, 39.02),
]
# points on shared edges and vertices, each with the codes of the level-2 grids covering it
POINTS = {
    (116.01, 39.005): {"A-1", "a-1"},
    (116.005, 39.01): {"A-1", "甲1"},
    (116.01, 39.01): {"A-1", "a-1", "甲1", "10"},
    (116.015, 39.01): {"a-1", "10"},
    (116.02, 39.005): {"a-1", "9"},
    (116.02, 39.015): {"10", "9"},
    (116.02, 39.01): {"a-1", "10", "9"},
    (116.005, 39.015): {"甲1"},
}


def frame():
    rows = [worlds.grid("R", "根区", 1, None, box(116.0, 39.0, 116.03, 39.02))]
    rows += [worlds.grid(code, f"网格{code}", 2, "R", box(w, s, e, n)) for code, w, s, e, n in CELLS]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


@pytest.fixture(params=[None, "en-x-icu"], ids=["database-collation", "icu-collation"])
def world(request, session, tmp_path):
    result = grid_service.import_file(session, worlds.write(frame(), tmp_path / "order.geojson"), publish=True)
    collation = request.param
    if collation is not None:
        if not session.scalar(text("SELECT count(*) FROM pg_collation WHERE collname = :c"), {"c": collation}):
            pytest.skip(f"PostgreSQL has no collation {collation}")
        session.execute(text(f'ALTER TABLE grid_part ALTER COLUMN code TYPE text COLLATE "{collation}"'))
        session.commit()
        # the collation really disagrees with Python here, so the test cannot pass by accident
        first = session.scalar(text("SELECT min(code) FROM grid_part WHERE code IN ('A-1', 'a-1')"))
        assert first == "a-1" and min(["A-1", "a-1"]) == "A-1"
    return result


def test_python_order_of_the_codes():
    assert sorted(code for code, *_ in CELLS) == ["10", "9", "A-1", "a-1", "甲1"]


def test_single_batch_and_leaf_codes_agree_at_edges_and_vertices(client, session, world):
    want = [min(codes) for codes in POINTS.values()]
    single = []
    for lon, lat in POINTS:
        resp = client.get("/api/v1/lookup", query_string={"lon": repr(lon), "lat": repr(lat)})
        assert resp.status_code == 200
        single.append(resp.json["grid"]["code"])
        assert [g["code"] for g in resp.json["chain"]] == ["R", single[-1]]
    body = "lon,lat\n" + "".join(f"{lon!r},{lat!r}\n" for lon, lat in POINTS)
    resp = client.post("/api/v1/lookup/batch", data=body.encode("utf-8"), content_type="text/csv")
    assert resp.status_code == 200
    batch = [r["grid_code"] for r in csv.DictReader(io.StringIO(resp.get_data(as_text=True)))]
    chains = queries.leaf_codes_at(session, world.version_id, [(i, lon, lat) for i, (lon, lat) in enumerate(POINTS)])
    at = [chains[i][-1] for i in range(len(POINTS))]
    assert single == want
    assert batch == want
    assert at == want
    assert want[0] == "A-1" and want[2] == "10" and want[4] == "9"


def test_near_boundary_ties_in_code_point_order(client, world):
    # on the vertex of four grids: 10 wins, the other three are 0 m away at the same level, so the code decides
    resp = client.get("/api/v1/lookup", query_string={"lon": "116.01", "lat": "39.01"})
    assert resp.json["grid"]["code"] == "10"
    assert [g["code"] for g in resp.json["near_boundary"]] == ["A-1", "a-1", "甲1"]
