"""Open-data downloads: GeoJSON, CSV with BOM, GeoPackage of the published grids, public contacts only."""

from __future__ import annotations

import csv
import io
import json

import pyogrio
import pytest

from tests import public_worlds, worlds


@pytest.fixture()
def world(session, client, tmp_path):
    client.application.config["CACHE_DIR"] = str(tmp_path / "cache")
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


def test_unknown_format_and_nothing_published(client, tmp_path):
    client.application.config["CACHE_DIR"] = str(tmp_path / "cache")
    for url, says in (("/open-data/grids.xlsx", "xlsx"), ("/open-data/grids.csv", "published")):
        resp = client.get(url)
        assert resp.status_code == 404, url
        err = resp.get_json()["error"]
        assert err["code"] == "not_found" and says in err["message"], url
    assert _cached_files(tmp_path) == []  # nothing half-built was left in the cache


def _cached_files(tmp_path):
    return sorted(p for p in (tmp_path / "cache").rglob("grids.*"))


@pytest.mark.parametrize("fmt", ["geojson", "csv", "gpkg"])
def test_second_download_is_served_from_the_cache(client, world, tmp_path, monkeypatch, fmt):
    from gisgrid.public_map import opendata

    built = []
    writer = opendata.WRITERS[fmt]
    monkeypatch.setitem(opendata.WRITERS, fmt, lambda *args: (built.append(args[1]), writer(*args)))
    first = client.get(f"/open-data/grids.{fmt}")
    second = client.get(f"/open-data/grids.{fmt}")
    assert first.status_code == second.status_code == 200
    assert built == [world.version_id]  # built once, then read from disk
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    assert "Last-Modified" in second.headers and "public" in second.headers["Cache-Control"]
    [path] = _cached_files(tmp_path)
    assert path.read_bytes() == second.data and f"v{world.version_id}-" in path.parent.name
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".building-")]  # no half file left
    again = client.get(f"/open-data/grids.{fmt}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_a_new_publication_gives_a_new_file_without_private_phones(client, session, world, tmp_path):
    from gisgrid.grids import service

    old = client.get("/open-data/grids.csv").data
    newer = service.import_file(session, worlds.write(worlds.world_e_frame(), tmp_path / "e.geojson"), publish=True)
    new = client.get("/open-data/grids.csv")
    assert f"grids-v{newer.version_id}.csv" in new.headers["Content-Disposition"]
    assert new.data != old and b"\nA1a," not in new.data and b"\nE1," in new.data.replace(b"\r", b"")
    assert len(_cached_files(tmp_path)) == 2  # one file per version; the old one is never served as current
    public_worlds.assert_no_private(new.data, "grids.csv of the new version")
    again = public_worlds.load(session, tmp_path, name="pub2.gpkg")  # the canary world published once more
    gpkg = client.get("/open-data/grids.gpkg")
    assert f"grids-v{again.version_id}.gpkg" in gpkg.headers["Content-Disposition"]
    public_worlds.assert_no_private(gpkg.data, "grids.gpkg of a re-publication")


def test_files_written_page_by_page_hold_every_grid(client, world, tmp_path, monkeypatch):
    from gisgrid.public_map import opendata

    monkeypatch.setattr(opendata, "CHUNK", 3)  # 8 grids → 3 pages appended to one file
    path = tmp_path / "paged.gpkg"
    path.write_bytes(client.get("/open-data/grids.gpkg").data)
    frame = pyogrio.read_dataframe(path, layer="grids")
    assert sorted(frame["code"]) == ["A", "A1", "A1a", "A1b", "A2", "A2a", "A2b", "B"]
    assert set(frame.geom_type) == {"MultiPolygon"}
    rows = list(csv.DictReader(io.StringIO(client.get("/open-data/grids.csv").data.decode("utf-8-sig"))))
    assert [r["code"] for r in rows] == ["A", "B", "A1", "A2", "A1a", "A1b", "A2a", "A2b"]
