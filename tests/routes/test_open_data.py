"""Open-data downloads: GeoJSON, CSV with BOM, GeoPackage of the published grids, public contacts only."""
from __future__ import annotations

import csv
import io
import json

import pyogrio
import pytest

from tests import public_worlds


@pytest.fixture()
def world(session, tmp_path):
    return public_worlds.load(session, tmp_path)


def test_geojson_download(client, world):
    resp = client.get("/open-data/grids.geojson")
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    assert "attachment" in resp.headers["Content-Disposition"]
    body = json.loads(resp.data)
    assert [f["id"] for f in body["features"]] == ["A", "A1", "A1a", "A1b", "A2", "A2a", "A2b", "B"]
    a1a = next(f for f in body["features"] if f["id"] == "A1a")["properties"]
    assert a1a["contact_phone"] is None and a1a["leader_phone"] is None
    assert a1a["staff"][0]["phone"] == "199-0000-0001" and a1a["staff"][1]["phone"] is None
    public_worlds.assert_no_private(resp.data, "grids.geojson")


def test_csv_download_has_bom_and_public_fields_only(client, world):
    resp = client.get("/open-data/grids.csv")
    assert resp.data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.DictReader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert len(rows) == 8 and rows[0]["name"] == "甲县"
    assert {r["code"]: r["leader_phone"] for r in rows}["A2"] == "010-6666-0002"
    public_worlds.assert_no_private(resp.data, "grids.csv")


def test_geopackage_download(client, world, tmp_path):
    resp = client.get("/open-data/grids.gpkg")
    path = tmp_path / "grids.gpkg"
    path.write_bytes(resp.data)
    frame = pyogrio.read_dataframe(path, layer="grids")
    assert len(frame) == 8 and frame.crs.to_epsg() == 4326
    assert set(frame["code"]) == {"A", "B", "A1", "A2", "A1a", "A1b", "A2a", "A2b"}
    assert "甲二镇飞地村" in set(frame["name"])
    public_worlds.assert_no_private(frame.drop(columns="geometry").to_csv(), "grids.gpkg attributes")
    public_worlds.assert_no_private(resp.data, "grids.gpkg bytes")


def test_unknown_format_and_nothing_published(client):
    assert client.get("/open-data/grids.xlsx").status_code == 404
    assert client.get("/open-data/grids.csv").status_code == 404
