"""OGC API – Features Part 1 beyond the basics: service-desc (OpenAPI 3.0), service-doc, HTML, negotiation, limits."""

from __future__ import annotations

import pytest

from tests import public_worlds

OPENAPI = "application/vnd.oai.openapi+json;version=3.0"


@pytest.fixture()
def world(session, tmp_path):
    return public_worlds.load(session, tmp_path)


def _link(body, rel, mime=None):
    return next(x for x in body["links"] if x["rel"] == rel and (mime is None or x["type"] == mime))


def test_landing_links_service_desc_and_doc(client, world):
    landing = client.get("/ogc").get_json()
    desc, doc = _link(landing, "service-desc"), _link(landing, "service-doc")
    assert desc["type"] == OPENAPI and doc["type"] == "text/html"
    spec = client.get(desc["href"].replace("http://localhost", ""))
    assert spec.status_code == 200 and spec.headers["Content-Type"] == OPENAPI
    body = spec.get_json()
    assert body["openapi"].startswith("3.0.") and body["servers"][0]["url"] == "http://localhost/ogc"
    items = body["paths"]["/collections/{collection_id}/items"]["get"]
    names = {p["name"] for p in items["parameters"] if p["in"] == "query"}
    assert {"limit", "bbox", "bbox-crs", "crs", "filter", "filter-lang", "filter-crs", "datetime"} <= names
    crs_param = next(p for p in items["parameters"] if p["name"] == "crs")
    assert "http://www.opengis.net/def/crs/EPSG/0/4490" in crs_param["schema"]["enum"]
    page = client.get(doc["href"].replace("http://localhost", ""))
    assert page.mimetype == "text/html" and "/collections/{collection_id}/items" in page.get_data(as_text=True)


def test_openapi_30_has_no_31_forms(client, world):
    spec = client.get("/ogc/api").get_data(as_text=True)
    assert '"type": [' not in spec and '"type":[' not in spec


@pytest.mark.parametrize(
    "path,marker",
    [
        ("", "OGC API"),
        ("/conformance", "ogcapi-features-1/1.0/conf/core"),
        ("/collections", "环境监管网格"),
        ("/collections/grids", "浏览要素"),
        ("/collections/grids/queryables", "leader_name"),
        ("/collections/grids/items?limit=3", "甲县"),
        ("/collections/grids/items/A1a", "甲一镇东村"),
        ("/tiles", "WebMercatorQuad"),
    ],
)
def test_every_resource_has_a_chinese_html_page(client, world, path, marker):
    sep = "&" if "?" in path else "?"
    by_f = client.get(f"/ogc{path}{sep}f=html")
    by_accept = client.get(f"/ogc{path}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    for resp in (by_f, by_accept):
        text = resp.get_data(as_text=True)
        assert resp.status_code == 200 and resp.mimetype == "text/html" and 'lang="zh-CN"' in text and marker in text
    assert "vendor/leaflet/leaflet.js" in client.get("/ogc/collections/grids/items?f=html").get_data(as_text=True)


def test_html_map_only_for_crs84(client, world):
    assert 'id="ogc-map"' in client.get("/ogc/collections/grids/items/A1a?f=html").get_data(as_text=True)
    projected = client.get("/ogc/collections/grids/items/A1a?f=html&crs=EPSG:4528").get_data(as_text=True)
    assert 'id="ogc-map"' not in projected and "甲一镇东村" in projected


def test_html_page_keeps_private_phones_out(client, world):
    page = client.get("/ogc/collections/grids/items?f=html&limit=100").get_data(as_text=True)
    public_worlds.assert_no_private(page, "/ogc items HTML")


def test_json_by_default_and_by_accept(client, world):
    assert client.get("/ogc/collections/grids/items").mimetype == "application/geo+json"
    assert client.get("/ogc", headers={"Accept": "application/json"}).mimetype == "application/json"
    assert client.get("/ogc/collections/grids/items?f=json").mimetype == "application/geo+json"


def test_limit_over_the_maximum_is_lowered_not_refused(client, world):
    body = client.get("/ogc/collections/grids/items?limit=1000000").get_json()
    assert body["numberReturned"] == 8 and "limit=10000" in _link(body, "self")["href"]


def test_links_repeat_the_filter_url_encoded(client, world):
    body = client.get("/ogc/collections/grids/items?limit=1&filter=level%20%3D%203").get_json()
    nxt = _link(body, "next")["href"]
    assert "filter=level+%3D+3" in nxt and "after=3%3AA1a" in nxt
    second = client.get(nxt.replace("http://localhost", "")).get_json()
    assert [f["id"] for f in second["features"]] == ["A1b"] and second["numberMatched"] == 4


def test_datetime_and_at_pick_the_version(client, world):
    assert client.get("/ogc/collections/grids/items?datetime=2000-01-01").status_code == 404
    assert client.get("/ogc/collections/grids/items?datetime=2999-01-01T00:00:00Z").get_json()["numberMatched"] == 8
    assert client.get("/ogc/collections/grids?at=2999-01-01").status_code == 200
