"""GDAL's OAPIF driver (Debian's gdal-bin) reads /ogc from a live server: feature count, attributes, paging."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests import public_worlds
from tests.conftest import fresh_database
from tests.servers import serve


@pytest.fixture(scope="module", autouse=True)
def _gdal_installed():
    if shutil.which("ogrinfo") is None:
        pytest.fail("ogrinfo not found: run scripts/dev setup (installs Debian's gdal-bin)")


@pytest.fixture(scope="module")
def ogc_url(tmp_path_factory):
    from gisgrid import create_app
    from gisgrid.db import db

    with fresh_database("gisgrid_test_ogc") as url:
        app = create_app({"DATABASE_URL": url})
        with app.app_context(), db.new_session() as session:
            public_worlds.load(session, tmp_path_factory.mktemp("ogc"))
        with serve(app) as base:
            yield f"{base}/ogc"


def _run(*cmd) -> str:
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_ogrinfo_lists_the_layer_and_counts_features(ogc_url):
    summary = _run("ogrinfo", "-ro", "-so", f"OAPIF:{ogc_url}", "grids")
    assert "Feature Count: 8" in summary
    for field in ("code", "name", "entity", "leader_name", "contact_phone", "staff"):
        assert f"{field}:" in summary
    assert "contact_phone" in summary and "leader_phone" in summary


def test_ogr2ogr_round_trip_with_small_pages(ogc_url, tmp_path):
    out = tmp_path / "grids.geojson"
    # PAGE_SIZE=3 makes GDAL follow our rel=next links through three pages
    _run("ogr2ogr", "-f", "GeoJSON", str(out), f"OAPIF:{ogc_url}", "grids", "-oo", "PAGE_SIZE=3")
    body = json.loads(out.read_text(encoding="utf-8"))
    features = {f["properties"]["code"]: f for f in body["features"]}
    assert sorted(features) == sorted(["A", "B", "A1", "A2", "A1a", "A1b", "A2a", "A2b"])
    a2 = features["A2"]["properties"]
    assert a2["name"] == "甲二镇" and a2["leader_phone"] == "010-6666-0002"
    assert features["A2"]["geometry"]["type"] == "MultiPolygon"
    public_worlds.assert_no_private(out.read_bytes(), "ogr2ogr output")


def test_ogrinfo_spatial_filter(ogc_url):
    from tests import worlds

    w, s = worlds.wgs84(3100, 100)
    e, n = worlds.wgs84(3200, 200)
    listing = _run("ogrinfo", "-ro", "-q", f"OAPIF:{ogc_url}", "grids", "-spat", str(w), str(s), str(e), str(n))
    assert "code (String) = B" in listing and "code (String) = A" not in listing


def test_ogrinfo_where_goes_to_the_server_as_a_filter(ogc_url):
    # GDAL 3.6 (Debian 12) finds filter-lang=cql-text (the draft's name, accepted as CQL2 text) in our OpenAPI
    # document and, with OGR_OAPIF_ALLOW_CQL_TEXT, sends what it can of -where as filter=; the rest it checks
    # itself. Its debug log shows the request it made.
    cmd = ["ogrinfo", "-ro", "-q", "--config", "OGR_OAPIF_ALLOW_CQL_TEXT", "YES", "--debug", "ON"]
    run = subprocess.run(
        [*cmd, f"OAPIF:{ogc_url}", "grids", "-where", "level = 3 AND name LIKE '甲二镇%'"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "filter=level%20%3D%203&filter-lang=cql-text" in run.stderr
    codes = sorted(x.split("=")[1].strip() for x in run.stdout.splitlines() if x.strip().startswith("code (String) ="))
    assert codes == ["A2a", "A2b"]


def test_ogr2ogr_reads_cgcs2000_with_a_filter(ogc_url, tmp_path):
    # GDAL 3.6 (Debian 12) has no CRS open option for OAPIF; its GeoJSON driver reads the items URL as any
    # client would, with crs=EPSG:4490 and a CQL2 filter, and the Content-Crs header tells the axis order
    from tests import worlds

    url = f"{ogc_url}/collections/grids/items?crs=http://www.opengis.net/def/crs/EPSG/0/4490&filter=code%3D%27B%27"
    out = tmp_path / "b.geojson"
    _run("ogr2ogr", "-f", "GeoJSON", str(out), url, "-a_srs", "EPSG:4490", "-oo", "ARRAY_AS_STRING=YES")
    body = json.loads(out.read_text(encoding="utf-8"))
    assert [f["properties"]["code"] for f in body["features"]] == ["B"]
    ring = body["features"][0]["geometry"]["coordinates"][0][0]
    lon, lat = worlds.wgs84(3500, 500)
    assert min(p[0] for p in ring) < lat < max(p[0] for p in ring)  # lat first, as EPSG:4490 says
    assert min(p[1] for p in ring) < lon < max(p[1] for p in ring)
