"""GDAL's OAPIF driver reads the ``sources`` collection (公开污染源) of a live /ogc: fields, points, a filter.

Two sources, one public: GDAL must see that one only, with its public columns and none of the private ones.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests import public_worlds, worlds
from tests.conftest import fresh_database
from tests.servers import serve

SECRET = "13911112222"  # the contacts of both sources: never public


@pytest.fixture(scope="module")
def ogc_url(tmp_path_factory):
    from gisgrid import create_app
    from gisgrid.db import db
    from gisgrid.sources import service as sources

    if shutil.which("ogrinfo") is None:
        pytest.fail("ogrinfo not found: run scripts/dev setup (installs Debian's gdal-bin)")
    with fresh_database("gisgrid_test_ogc_points") as url:
        app = create_app({"DATABASE_URL": url})
        with app.app_context(), db.new_session() as session:
            public_worlds.load(session, tmp_path_factory.mktemp("ogc_points"))
            lon, lat = worlds.wgs84(100, 100)
            for code, public in (("P1", True), ("P2", False)):
                raw = {"code": code, "name": f"企业{code}", "kind": "enterprise", "lon": lon, "lat": lat}
                source = sources.create_source(session, raw | {"contacts": SECRET}, by="t")
                source.public = public
            session.commit()
        with serve(app) as base:
            yield f"{base}/ogc"


def _run(*cmd) -> str:
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_ogrinfo_reads_the_public_sources_only(ogc_url):
    summary = _run("ogrinfo", "-ro", "-so", f"OAPIF:{ogc_url}", "sources")
    assert "Feature Count: 1" in summary and "Geometry: Point" in summary
    for field in ("code", "name", "supervision_class", "grid_name", "last_inspected_on"):
        assert f"{field}:" in summary
    assert "contacts" not in summary and "permits" not in summary
    listing = _run("ogrinfo", "-ro", "-q", f"OAPIF:{ogc_url}", "sources")
    assert "code (String) = P1" in listing and "P2" not in listing and SECRET not in listing
    point = [line.strip() for line in listing.splitlines() if line.strip().startswith("POINT (")]
    assert len(point) == 1
    x, y = (float(v) for v in point[0][len("POINT (") : -1].split())
    assert (x, y) == pytest.approx(worlds.wgs84(100, 100), abs=1e-6)  # OAPIF reads CRS84: lon, lat


def test_ogr2ogr_reads_cgcs2000_with_a_filter(ogc_url, tmp_path):
    # GDAL 3.6's OAPIF driver evaluates a -where on text fields itself ("Full filter will be evaluated on client
    # side"), so the server's filter and crs are read through its GeoJSON driver, as for the grids
    url = f"{ogc_url}/collections/sources/items?crs=http://www.opengis.net/def/crs/EPSG/0/4490&filter=code%3D%27P1%27"
    out = tmp_path / "p1.geojson"
    _run("ogr2ogr", "-f", "GeoJSON", str(out), url, "-a_srs", "EPSG:4490")
    body = json.loads(out.read_text(encoding="utf-8"))
    assert [f["properties"]["code"] for f in body["features"]] == ["P1"]
    lon, lat = worlds.wgs84(100, 100)
    assert body["features"][0]["geometry"]["coordinates"] == pytest.approx([lat, lon], abs=1e-6)  # lat first
    assert SECRET not in out.read_text(encoding="utf-8")
