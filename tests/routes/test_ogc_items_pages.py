"""Items pages built whole in PostgreSQL (ogc/pages.py): keyset next/prev links, and the same documents as the
per-feature Python serialisation (still the single-item path) in every CRS offered. Real PostGIS, Flask client."""

from __future__ import annotations

import json
from urllib.parse import quote

import orjson
import pytest

from gisgrid.grids import versions
from gisgrid.ogc import collections as colls
from gisgrid.ogc import crs, points, queries, service
from tests import public_worlds, worlds

ITEMS = "/ogc/collections/{}/items"


@pytest.fixture()
def world(session, tmp_path):
    return public_worlds.load(session, tmp_path)


def _get(client, url: str, status: int = 200) -> dict:
    resp = client.get(url.replace("http://localhost", ""))
    assert resp.status_code == status, resp.get_data(as_text=True)
    return resp.get_json()


def _rel(body: dict, rel: str) -> str | None:
    return next((x["href"] for x in body["links"] if x["rel"] == rel), None)


def _walk(client, url: str, rel: str) -> list[list[str]]:
    """The ids of every page reached from ``url`` by following ``rel`` links, page by page."""
    pages = []
    while url:
        body = _get(client, url)
        pages.append([f["id"] for f in body["features"]])
        assert body["numberReturned"] == len(pages[-1])
        url = _rel(body, rel)
    return pages


def _bbox() -> str:
    w, s = worlds.wgs84(1100, 100)
    e, n = worlds.wgs84(3900, 200)
    return f"{w},{s},{e},{n}"


@pytest.mark.parametrize("query", ["", "&filter=" + quote("level >= 2"), "&bbox=" + _bbox(), "&level=3"])
@pytest.mark.parametrize("limit", [1, 3, 100])
def test_next_then_prev_links_walk_the_collection_once(client, world, query, limit):
    everything = [f["id"] for f in _get(client, ITEMS.format("grids") + "?limit=1000" + query)["features"]]
    assert everything  # the world has features for every case
    forward = _walk(client, ITEMS.format("grids") + f"?limit={limit}{query}", "next")
    assert [fid for page in forward for fid in page] == everything  # no duplicate, none missing, in order
    assert all(len(page) == limit for page in forward[:-1]) and 0 < len(forward[-1]) <= limit
    last = _get(client, ITEMS.format("grids") + f"?limit={limit}{query}&offset={len(everything) - 1}")
    assert _rel(last, "next") is None and last["numberMatched"] == len(everything)
    backward = _walk(client, _rel(last, "prev"), "prev") if _rel(last, "prev") else []
    assert [fid for page in reversed(backward) for fid in page] == everything[:-1]
    for link in ("next", "prev"):
        assert "offset=" not in (_rel(last, link) or "")  # the cheap form only


def test_cursor_pages_keep_count_and_links_both_ways(client, world):
    first = _get(client, ITEMS.format("grids") + "?limit=3")
    second = _get(client, _rel(first, "next"))
    assert second["numberMatched"] == 8 and [f["id"] for f in second["features"]] == ["A2", "A1a", "A1b"]
    back = _get(client, _rel(second, "prev"))
    assert [f["id"] for f in back["features"]] == ["A", "B", "A1"] and _rel(back, "prev") is None
    assert _get(client, _rel(back, "next"))["features"] == second["features"]
    assert "after=2%3AA1" in _rel(second, "self")  # self repeats the cursor the client sent


def test_cursor_past_either_end(client, world):
    past = _get(client, ITEMS.format("grids") + "?after=9%3AZ")
    assert (past["numberMatched"], past["numberReturned"], _rel(past, "next")) == (8, 0, None)
    assert [f["id"] for f in _get(client, _rel(past, "prev"))["features"]][-1] == "A2b"
    before = _get(client, ITEMS.format("grids") + "?before=1%3AA")
    assert before["numberReturned"] == 0 and _rel(before, "prev") is None
    assert len(_get(client, _rel(before, "next"))["features"]) == 8
    beyond = _get(client, ITEMS.format("grids") + "?limit=3&offset=20")  # an offset past the end keeps an offset
    assert beyond["numberReturned"] == 0 and "offset=17" in _rel(beyond, "prev")
    middle = _get(client, ITEMS.format("grids") + "?limit=2&offset=3")
    assert [f["id"] for f in middle["features"]] == ["A2", "A1a"] and "after=3%3AA1a" in _rel(middle, "next")


def test_points_walk_by_id(client, world_e, session):
    from gisgrid.sources import service as sources
    from tests.monitor_support import IN_E1

    for n in range(5):
        raw = {"code": f"S-{n}", "name": f"源{n}", "kind": "enterprise", "lon": IN_E1[0], "lat": IN_E1[1] + n * 1e-4}
        sources.create_source(session, raw, by="t").public = True
    session.flush()
    everything = [f["id"] for f in _get(client, ITEMS.format("sources"))["features"]]
    assert len(everything) >= 5 and everything == sorted(everything)
    forward = _walk(client, ITEMS.format("sources") + "?limit=2", "next")
    assert [fid for page in forward for fid in page] == everything
    assert _rel(_get(client, ITEMS.format("sources") + f"?after={everything[-1]}"), "prev").endswith(
        f"before={everything[-1]}"
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [("after=x", "after"), ("after=0%3AA", "after"), ("before=3", "before"), ("after=" + "1%3A" + "x" * 400, "after")],
)
def test_bad_cursor_is_a_400_naming_it(client, world, query, field):
    body = _get(client, ITEMS.format("grids") + "?" + query, 400)
    assert field in json.dumps(body, ensure_ascii=False)


def test_after_and_before_together_are_a_400(client, world):
    body = _get(client, ITEMS.format("grids") + "?after=1%3AA&before=3%3AA2b", 400)
    assert "before" in json.dumps(body, ensure_ascii=False)
    assert "after" in json.dumps(_get(client, ITEMS.format("sources") + "?after=a", 400), ensure_ascii=False)


@pytest.mark.parametrize("out", crs.supported(), ids=lambda c: c.uri.rsplit("/", 1)[-1])
def test_same_features_as_the_python_serialisation_in_every_crs(client, world, session, out):
    """Byte for byte: the features of a page equal the per-feature dicts (the serialisation before this change,
    still that of one item) encoded by orjson, staff string and float digits included."""
    version = versions.resolve(session, None)
    rows, _ = queries.features(session, colls.GRIDS, version.id, [], out, 100, 0)
    expected = orjson.dumps([service.feature(colls.GRIDS, row) for row in rows])
    resp = client.get(ITEMS.format("grids") + "?crs=" + quote(out.uri))
    assert resp.status_code == 200 and resp.headers["Content-Crs"] == f"<{out.uri}>"
    body = orjson.loads(resp.get_data())
    assert orjson.dumps(body["features"]) == expected
    assert any(f["properties"]["staff"] != "[]" for f in body["features"])  # the staff string was compared


def test_same_point_features_as_the_python_serialisation(client, world_e, session):
    from gisgrid.sources import service as sources
    from tests.monitor_support import IN_E1

    raw = {"code": "S-1", "name": '源"引号\\', "kind": "enterprise", "lon": IN_E1[0], "lat": IN_E1[1]}
    sources.create_source(session, raw | {"address": "路\n1 号"}, by="t").public = True
    session.flush()
    for out in (crs.by_uri(None), crs.by_uri("EPSG:4490"), crs.by_uri("EPSG:4528")):
        rows, _ = points.features(session, points.SOURCES, [], out, 100, 0)
        expected = service.encode([service._feature(points.SOURCES, row) for row in rows])
        body = orjson.loads(client.get(ITEMS.format("sources") + "?crs=" + quote(out.uri)).get_data())
        assert orjson.dumps(body["features"]) == expected


def test_items_html_page_still_draws_the_features(client, world):
    page = client.get(ITEMS.format("grids") + "?limit=2&f=html").get_data(as_text=True)
    assert page.count("/ogc/collections/grids/items/") >= 2 and "MultiPolygon" in page
