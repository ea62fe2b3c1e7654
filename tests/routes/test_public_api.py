"""Public map APIs: grid detail, search, point lookup in history, labels, pages; only public fields."""

from __future__ import annotations

import math

import pytest

from tests import public_worlds, worlds


@pytest.fixture()
def world(session, tmp_path):
    return public_worlds.load(session, tmp_path)


def test_grid_detail_has_chain_children_and_public_contacts_only(client, world):
    body = client.get("/api/v1/grids/A1a").get_json()
    assert [g["code"] for g in body["chain"]] == ["A", "A1", "A1a"]
    grid = body["grid"]
    assert grid["name"] == "甲一镇东村" and grid["entity"] == "甲一镇东村责任主体"
    assert grid["leader"] == {"name": "示例·甲一镇东村负责人", "title": "主任", "phone": None}
    assert grid["contact_phone"] is None  # marked private
    assert grid["staff"] == [
        {"name": "示例·网格员甲", "role": "网格员", "phone": "199-0000-0001"},
        {"name": "示例·监督员乙", "role": "监督员", "phone": None},
    ]
    assert grid["geometry"]["type"] == "MultiPolygon" and len(grid["bbox"]) == 4
    parent = client.get("/api/v1/grids/A2").get_json()
    assert parent["grid"]["leader"]["phone"] == "010-6666-0002"  # leader phone marked public
    assert [c["code"] for c in parent["children"]] == ["A2a", "A2b"]


def test_every_public_api_hides_private_phones(client, world):
    lon, lat = worlds.wgs84(100, 100)
    urls = [
        "/api/v1/grids/A1a",
        "/api/v1/grids/A",
        "/api/v1/grids/A2",
        "/api/v1/grids/A1a?crs=gcj02",
        "/api/v1/grids/search?q=甲",
        f"/api/v1/grids/locate?lon={lon}&lat={lat}",
        f"/api/v1/lookup?lon={lon}&lat={lat}",
        "/api/v1/grids/labels?bbox=100,30,130,50&level=3",
        "/grids/A1a",
        "/grids/A1a/notice",
        "/",
    ]
    seen_public = ""
    for url in urls:
        resp = client.get(url)
        assert resp.status_code == 200, url
        public_worlds.assert_no_private(resp.data, url)
        seen_public += resp.get_data(as_text=True)
    assert all(phone in seen_public for phone in public_worlds.PUBLIC)


def test_search_by_name_code_entity_and_person(client, world):
    def codes(q):
        return [r["code"] for r in client.get("/api/v1/grids/search", query_string={"q": q}).get_json()["results"]]

    assert codes("飞地") == ["A2b"]
    assert codes("A1") == ["A1", "A1a", "A1b"]  # code prefix
    assert codes("甲二镇本村责任主体") == ["A2a"]  # entity
    assert codes("示例·甲一镇负责人") == ["A1"]  # first responsible person
    assert codes("网格员甲") == ["A1a"]  # a staff member
    assert codes("%") == [] and codes("_") == []  # LIKE wildcards are literal
    assert client.get("/api/v1/grids/search?q=").status_code == 400


def test_unknown_grid_and_bad_parameters_are_clean_errors(client, world):
    assert client.get("/api/v1/grids/NOPE").status_code == 404
    assert client.get("/grids/NOPE", headers={"Accept": "text/html"}).status_code == 404
    assert client.get("/api/v1/grids/A?at=yesterday").status_code == 400
    assert client.get("/api/v1/grids/A?crs=bd09").status_code == 400
    assert client.get("/api/v1/grids/labels?bbox=1,2,3&level=1").status_code == 400
    assert client.get("/api/v1/grids/locate?lon=x&lat=1").status_code == 400
    assert client.get("/api/v1/grids/locate?lon=1e300&lat=0").status_code == 400
    assert client.get("/api/v1/grids/A?at=9999-12-31").status_code == 200
    assert client.get("/api/v1/grids/search?q=" + "甲" * 101).status_code == 400


def test_nothing_published_is_404_not_500(client):
    for url in ("/api/v1/grids/search?q=a", "/api/v1/grids/levels"):
        resp = client.get(url)
        assert resp.status_code == 404, url
        err = resp.get_json()["error"]
        assert err["code"] == "not_found" and "published" in err["message"], url


def test_history_at_date_uses_the_version_of_that_day(client, session, world, tmp_path):
    from sqlalchemy import text

    from gisgrid.grids import service

    session.execute(
        text("UPDATE boundary_version SET published_at = '2024-01-01' WHERE id = :v"), {"v": world.version_id}
    )
    newer = service.import_file(session, worlds.write(worlds.world_e_frame(), tmp_path / "e.geojson"), publish=True)
    assert client.get("/api/v1/grids/A1a").status_code == 404  # superseded today
    old = client.get("/api/v1/grids/A1a?at=2024-06-01").get_json()
    assert old["version"]["id"] == world.version_id
    assert client.get("/api/v1/grids/E1").get_json()["version"]["id"] == newer.version_id
    assert client.get("/api/v1/grids/A1a?at=2023-01-01").status_code == 404  # nothing published then
    lon, lat = worlds.wgs84(1500, 500)
    chain = client.get(f"/api/v1/grids/locate?lon={lon}&lat={lat}&at=2024-06-01").get_json()["chain"]
    assert [g["code"] for g in chain] == ["A", "A2", "A2a"]
    assert client.get("/api/v1/grids/search?q=甲&at=2024-06-01").get_json()["results"]


def test_gcj02_detail_geometry_is_offset(client, world):
    from gisgrid import coords

    plain = client.get("/api/v1/grids/B").get_json()["grid"]
    shifted = client.get("/api/v1/grids/B?crs=gcj02").get_json()["grid"]
    lon, lat = plain["geometry"]["coordinates"][0][0][0]
    glon, glat = coords.wgs84_to_gcj02(lon, lat)
    assert shifted["geometry"]["coordinates"][0][0][0] == pytest.approx([float(glon), float(glat)], abs=1e-9)
    blon, _ = coords.wgs84_to_gcj02(plain["bbox"][0], plain["bbox"][1])
    assert shifted["bbox"][0] == pytest.approx(float(blon), abs=1e-9)
    east_m = (float(glon) - lon) * 111_320 * math.cos(math.radians(lat))
    assert 300 < east_m < 800  # GCJ-02 moves points near Beijing by several hundred metres


def test_labels_and_levels(client, world):
    levels = client.get("/api/v1/grids/levels").get_json()["levels"]
    assert [(lv["level"], lv["count"]) for lv in levels] == [(1, 2), (2, 2), (3, 4)]
    assert levels[0]["auto_min_zoom"] <= levels[2]["auto_min_zoom"]
    labels = client.get("/api/v1/grids/labels?bbox=100,30,130,50&level=2").get_json()["labels"]
    assert {lab["code"] for lab in labels} == {"A1", "A2"}
    communities = client.get("/api/v1/grids/labels?bbox=100,30,130,50&level=3").get_json()["labels"]
    assert [lab["code"] for lab in communities] == ["A2a", "A1b", "A1a", "A2b"]  # largest first: kept first on screen


def test_map_page_and_deep_link(client, world):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and 'id="map"' in page
    assert "/static/vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js" in page
    deep = client.get("/grids/A2b").get_data(as_text=True)
    assert '"code": "A2b"' in deep and "甲二镇飞地村" in deep
    notice = client.get("/grids/A1a/notice").get_data(as_text=True)
    assert "公示牌" in notice and "甲一镇东村责任主体" in notice and "199-0000-0001" in notice
    # the print layout lives in the page's stylesheet (no inline <style> under the CSP)
    assert "/static/css/pages/public_map_notice.css" in notice
    assert "@media print" in client.get("/static/css/pages/public_map_notice.css").get_data(as_text=True)


def test_labels_follow_the_base_map_datum(client, world):
    from gisgrid import coords

    plain = {
        lab["code"]: lab for lab in client.get("/api/v1/grids/labels?bbox=100,30,130,50&level=1").get_json()["labels"]
    }
    shifted = client.get("/api/v1/grids/labels?bbox=100,30,130,50&level=1&crs=gcj02").get_json()["labels"]
    for label in shifted:
        lon, lat = coords.wgs84_to_gcj02(plain[label["code"]]["lon"], plain[label["code"]]["lat"])
        assert (label["lon"], label["lat"]) == pytest.approx((float(lon), float(lat)), abs=1e-9)
    for bad in ("nan", "1e300", "1.5", "0"):
        assert client.get(f"/api/v1/grids/labels?bbox=100,30,130,50&level={bad}").status_code == 400
        assert client.get(f"/tiles/3/0/0.pbf?level={bad}").status_code == 400


def test_history_lookup_has_the_same_near_boundary_as_the_current_mode(client, session, world):
    from sqlalchemy import text

    session.execute(
        text("UPDATE boundary_version SET published_at = '2024-01-01' WHERE id = :v"), {"v": world.version_id}
    )
    lon, lat = worlds.wgs84(1010, 500)  # 10 m inside A2a, east of A1b's edge
    now = client.get(f"/api/v1/lookup?lon={lon}&lat={lat}").get_json()
    for url in (
        f"/api/v1/lookup?lon={lon}&lat={lat}&at=2024-06-01",
        f"/api/v1/grids/locate?lon={lon}&lat={lat}&at=2024-06-01",
    ):
        past = client.get(url).get_json()
        assert past.keys() == now.keys()
        assert past["near_boundary_m"] == now["near_boundary_m"] == 30.0
        assert [g["code"] for g in past["near_boundary"]] == ["A1b", "A1"]
        assert past["near_boundary"] == now["near_boundary"] and past["chain"] == now["chain"]
        assert 9 < past["near_boundary"][0]["distance_m"] < 11
    far = client.get(f"/api/v1/grids/locate?lon={lon}&lat={lat}&at=2024-06-01").get_json()
    assert far["near_boundary"] and far["version"]["id"] == world.version_id
    lon, lat = worlds.wgs84(1500, 500)  # 500 m from every other grid
    assert client.get(f"/api/v1/grids/locate?lon={lon}&lat={lat}&at=2024-06-01").get_json()["near_boundary"] == []
