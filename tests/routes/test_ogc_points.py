"""OGC collections ``sources`` (公开污染源) and ``hazards`` (环境安全隐患): public views only, real PostGIS.

World E with sources S-E1 and S-E2 marked public and S-E3 not; hazards: one public, one not. Each source and
hazard carries private values (contacts, permits, notes) that must never reach /ogc.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import pytest

from gisgrid.hazards import service as hazards
from gisgrid.sources import service as sources
from tests.helpers import anonymous_token
from tests.monitor_support import IN_E1, IN_E2

EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
SECRETS = ("13900001111", "排污许可证-机密-7", "内部备注-勿公开", "未公开的隐患", "示例·S-E3")


@pytest.fixture()
def world(session, world_e, make_user):
    """Sources S-E1, S-E2 (public) and S-E3 (not); hazards: 公开的隐患 (public) and 未公开的隐患."""
    made = {}
    points = {"S-E1": IN_E1, "S-E2": IN_E2, "S-E3": (IN_E1[0] + 0.001, IN_E1[1])}
    for code, (lon, lat) in points.items():
        raw = {"code": code, "name": f"示例·{code}", "kind": "enterprise", "lon": lon, "lat": lat}
        made[code] = sources.create_source(session, raw | {"address": f"{code} 路 1 号"}, by="t")
        made[code].contacts, made[code].permits = "13900001111", "排污许可证-机密-7"
        made[code].public = code != "S-E3"
    leader = make_user("grid_leader", grids=["E1"])
    body = {"kind": "chemicals", "lon": IN_E1[0], "lat": IN_E1[1], "notes": "内部备注-勿公开"}
    shown = hazards.record(
        session, leader, body | {"description": "公开的隐患", "public": True, "deadline": date(2027, 3, 1)}
    )
    hidden = hazards.record(session, leader, body | {"description": "未公开的隐患"})
    session.flush()
    return {"sources": made, "shown": shown, "hidden": hidden}


def _get(client, url: str, status: int = 200):
    resp = client.get(url)
    assert resp.status_code == status, resp.get_data(as_text=True)
    return resp


def test_collections_list_both_with_point_queryables(client, world):
    ids = [c["id"] for c in _get(client, "/ogc/collections").get_json()["collections"]]
    assert {"sources", "hazards"} <= set(ids)
    doc = _get(client, "/ogc/collections/sources").get_json()
    assert doc["title"] == "公开污染源" and len(doc["extent"]["spatial"]["bbox"][0]) == 4
    props = _get(client, "/ogc/collections/sources/queryables").get_json()["properties"]
    assert props["geometry"]["format"] == "geometry-point"
    assert {"code", "name", "supervision_class", "grid_name"} <= set(props)
    assert not {"contacts", "permits", "class_reason", "public", "active"} & set(props)
    hz = _get(client, "/ogc/collections/hazards/queryables").get_json()["properties"]
    assert hz["deadline"] == {"title": "整改期限", "type": "string", "format": "date"} and "notes" not in hz


def test_items_are_the_public_rows_only(client, world):
    resp = _get(client, "/ogc/collections/sources/items")
    assert resp.mimetype == "application/geo+json"
    body = resp.get_json()
    assert [f["properties"]["code"] for f in body["features"]] == ["S-E1", "S-E2"]
    assert (body["numberMatched"], body["numberReturned"]) == (2, 2)
    first = body["features"][0]
    assert first["id"] == world["sources"]["S-E1"].id and first["geometry"]["type"] == "Point"
    assert first["geometry"]["coordinates"] == pytest.approx(list(IN_E1), abs=1e-7)
    assert first["properties"]["grid_name"] == "戊一街道"
    hz = _get(client, "/ogc/collections/hazards/items").get_json()
    assert [f["properties"]["description"] for f in hz["features"]] == ["公开的隐患"]
    assert hz["features"][0]["properties"]["deadline"] == "2027-03-01"


def test_one_item_and_404_for_a_source_that_is_not_public(client, world):
    e1, e3 = world["sources"]["S-E1"], world["sources"]["S-E3"]
    doc = _get(client, f"/ogc/collections/sources/items/{e1.id}").get_json()
    assert (doc["id"], doc["properties"]["name"]) == (e1.id, "示例·S-E1")
    _get(client, f"/ogc/collections/sources/items/{e3.id}", 404)
    _get(client, f"/ogc/collections/hazards/items/{world['hidden'].id}", 404)
    for bad in ("abc", "0", "99999999999"):
        _get(client, f"/ogc/collections/sources/items/{bad}", 404)


@pytest.mark.parametrize("code", [4326, 4490])
def test_crs_epsg_is_lat_lon(client, world, code):
    e1 = world["sources"]["S-E1"]
    resp = _get(client, f"/ogc/collections/sources/items/{e1.id}?crs={EPSG}{code}")
    assert resp.headers["Content-Crs"] == f"<{EPSG}{code}>"
    assert resp.get_json()["geometry"]["coordinates"] == pytest.approx([IN_E1[1], IN_E1[0]], abs=1e-6)
    page = _get(client, f"/ogc/collections/sources/items?crs=EPSG:{code}").get_json()
    assert page["features"][1]["geometry"]["coordinates"] == pytest.approx([IN_E2[1], IN_E2[0]], abs=1e-6)


def test_bbox_in_bbox_crs_and_paging(client, world):
    box = f"{IN_E2[1] - 0.001},{IN_E2[0] - 0.001},{IN_E2[1] + 0.001},{IN_E2[0] + 0.001}"  # lat,lon of EPSG:4490
    body = _get(client, f"/ogc/collections/sources/items?bbox={box}&bbox-crs=EPSG:4490").get_json()
    assert [f["properties"]["code"] for f in body["features"]] == ["S-E2"]
    page = _get(client, "/ogc/collections/sources/items?limit=1").get_json()
    assert (page["numberMatched"], page["numberReturned"]) == (2, 1)
    (nxt,) = [link["href"] for link in page["links"] if link["rel"] == "next"]
    second = _get(client, nxt.split("localhost", 1)[1]).get_json()
    assert [f["properties"]["code"] for f in second["features"]] == ["S-E2"]
    assert [link["rel"] for link in second["links"] if link["rel"] in ("next", "prev")] == ["prev"]
    empty = _get(client, "/ogc/collections/sources/items?offset=5").get_json()
    assert (empty["numberMatched"], empty["numberReturned"]) == (2, 0)


def test_cql2_filter_text_json_and_spatial(client, world):
    def codes(query):
        body = _get(client, f"/ogc/collections/sources/items?{query}").get_json()
        return [f["properties"]["code"] for f in body["features"]]

    assert codes("filter=" + quote("code = 'S-E2'")) == ["S-E2"]
    assert codes("filter=" + quote("grid_name LIKE '戊%' AND code IN ('S-E1','S-E3')")) == ["S-E1"]
    cql_json = '{"op": "=", "args": [{"property": "code"}, "S-E1"]}'
    assert codes(f"filter-lang=cql2-json&filter={quote(cql_json)}") == ["S-E1"]
    square = "POLYGON((116 39, 116.01 39, 116.01 39.01, 116 39.01, 116 39))"  # CRS84: E1's half only
    assert codes("filter=" + quote(f"S_WITHIN(geometry, {square})")) == ["S-E1"]
    flipped = "POLYGON((39 116.01, 39 116.02, 39.01 116.02, 39.01 116.01, 39 116.01))"  # EPSG:4490: lat lon
    assert codes("filter-crs=EPSG:4490&filter=" + quote(f"S_INTERSECTS(geometry, {flipped})")) == ["S-E2"]
    resp = _get(client, "/ogc/collections/sources/items?filter=" + quote("contacts = '13900001111'"), 400)
    assert "contacts" in resp.get_json()["error"]["message"]  # a private column is no queryable
    assert _get(client, "/ogc/collections/sources/items?filter=code%20%3D", 400).get_json()["error"]
    hz = _get(client, "/ogc/collections/hazards/items?filter=" + quote("deadline < '2027-06-01'")).get_json()
    assert [f["properties"]["description"] for f in hz["features"]] == ["公开的隐患"]


def test_at_is_refused_datetime_and_level_are_handled(client, world):
    e1 = world["sources"]["S-E1"]
    resp = _get(client, "/ogc/collections/sources/items?at=2026-01-01", 400)
    assert resp.get_json()["error"]["message"].startswith("at:")
    _get(client, f"/ogc/collections/sources/items/{e1.id}?at=2026-01-01", 400)
    _get(client, "/ogc/collections/hazards?at=2026-01-01", 400)
    body = _get(client, "/ogc/collections/sources/items?datetime=2026-01-01").get_json()
    assert body["numberMatched"] == 2  # no temporal extent: datetime selects nothing out
    assert (
        _get(client, "/ogc/collections/sources/items?level=1", 400).get_json()["error"]["message"].startswith("level:")
    )


def test_not_writable_405_with_allow(client, world):
    e1 = world["sources"]["S-E1"]
    headers = {"X-CSRFToken": anonymous_token(client)}
    point = {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": list(IN_E1)}}
    for method, url in (
        ("POST", "/ogc/collections/sources/items"),
        ("POST", "/ogc/collections/hazards/items"),
        ("PUT", f"/ogc/collections/sources/items/{e1.id}"),
        ("PATCH", f"/ogc/collections/hazards/items/{world['shown'].id}"),
        ("DELETE", f"/ogc/collections/sources/items/{e1.id}"),
    ):
        resp = client.open(url, method=method, json=point, headers=headers)
        assert resp.status_code == 405 and resp.headers["Allow"] == "GET, HEAD, OPTIONS", (method, url)
    for coll in ("sources", "hazards"):
        assert client.options(f"/ogc/collections/{coll}/items").headers["Allow"] == "GET, HEAD, OPTIONS"


def test_html_pages_and_no_private_value_anywhere(client, world):
    e1 = world["sources"]["S-E1"]
    urls = [
        "/ogc/collections/sources/items?f=html",
        f"/ogc/collections/sources/items/{e1.id}?f=html",
        "/ogc/collections/hazards/items?f=html",
        "/ogc/collections/sources/items?limit=1000",
        "/ogc/collections/hazards/items?limit=1000",
        "/ogc/collections/hazards/queryables?f=html",
    ]
    pages = {url: _get(client, url).get_data(as_text=True) for url in urls}
    assert "示例·S-E1" in pages[urls[0]] and "戊一街道" in pages[urls[0]] and "公开的隐患" in pages[urls[2]]
    for url, text in pages.items():
        assert not [s for s in SECRETS if s in text], url


def test_openapi_lists_the_collections_paths(client, world):
    paths = _get(client, "/ogc/api").get_json()["paths"]
    assert "get" in paths["/collections/sources/items"] and "post" not in paths["/collections/hazards/items"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("filter=" + quote("id = 'x'"), "filter"),
        ("filter=" + quote("deadline < 3"), "filter"),
        ("filter=" + quote("notes = 'a'"), "filter"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=0,0,1,1&bbox-crs=EPSG:9999", "bbox-crs"),
        ("crs=EPSG:3857", "crs"),
        ("limit=0", "limit"),
        ("datetime=2026-01-01/2026-02-01", "datetime"),
        ("color=red", "color"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(client, world, query, field):
    resp = _get(client, f"/ogc/collections/hazards/items?{query}", 400)
    assert field in resp.get_data(as_text=True)


def test_empty_pages_and_the_collection_page_in_html(client, world, session):
    page = _get(client, "/ogc/collections/hazards/items?offset=10&f=html").get_data(as_text=True)
    assert "共 1 个，本页 0 个" in page
    assert "公开污染源" in _get(client, "/ogc/collections/sources?f=html").get_data(as_text=True)
    world["shown"].public = False
    session.flush()
    ids = [c["id"] for c in _get(client, "/ogc/collections").get_json()["collections"]]
    assert "hazards" not in ids and "sources" in ids  # listed only when some are public
    assert _get(client, "/ogc/collections/hazards/items").get_json()["numberMatched"] == 0
