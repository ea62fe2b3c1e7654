"""OGC API – Features Part 4 into drafts over the Flask test client: planners write draft grids with an API
token through the editor's rules; ETag/If-Match (412), OPTIONS/Allow, 405 on the published collection, 401 /
403 / foreign-grid 403, and bad input (400, nothing written)."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import box, mapping, shape
from sqlalchemy import text

from gisgrid.editor import drafts
from tests import editor_world
from tests.helpers import anonymous_token, bearer_header, login

ITEMS = "/ogc/collections/{}/items"
GEOJSON = "application/geo+json"


@pytest.fixture()
def world(session, tmp_path):
    editor_world.load(session, tmp_path)
    return drafts.open_draft(session, "setup")


@pytest.fixture()
def planner(session, make_user, world):
    """A planner of town T1 (villages V11, V12) with an API token."""
    return bearer_header(session, make_user("planner", grids=("T1",), username="planner_t1"))


@pytest.fixture()
def foreign(session, make_user, world):
    """A planner of town T2: V11 and V12 are outside their grids."""
    return bearer_header(session, make_user("planner", grids=("T2",), username="planner_t2"))


def _coll(world) -> str:
    return f"draft-{world}-grids"


def _get(client, world, headers, code):
    return client.get(f"{ITEMS.format(_coll(world))}/{code}", headers=headers)


def _feature(props: dict, geom) -> dict:
    return {"type": "Feature", "properties": props, "geometry": mapping(geom)}


def _grids(session, world) -> dict:
    rows = session.execute(
        text("SELECT code, ST_AsText(geom), lock_version, leader_name FROM grid WHERE version_id = :v"), {"v": world}
    )
    return {code: (shapely.from_wkt(wkt), lock, leader) for code, wkt, lock, leader in rows}


def test_drafts_are_listed_and_read_only_for_planners(client, session, world, planner, make_user):
    anonymous = client.get("/ogc/collections").get_json()["collections"]
    assert _coll(world) not in {c["id"] for c in anonymous}
    mine = client.get("/ogc/collections", headers=planner).get_json()["collections"]
    assert _coll(world) in {c["id"] for c in mine}
    assert f"draft-{world}-unit-grids" not in {c["id"] for c in mine}  # world C has no unit grids
    page = client.get(ITEMS.format(_coll(world)), headers=planner)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    assert sorted(f["id"] for f in page.get_json()["features"]) == ["C", "T1", "T2", "V11", "V12", "V21", "V22"]
    one = _get(client, world, planner, "V11")
    assert one.headers["ETag"] == f'"v{world}-0"' and one.get_json()["properties"]["parent_code"] == "T1"
    assert _get(client, world, {}, "V11").status_code == 401
    citizen = bearer_header(session, make_user("public", username="citizen_p4"))
    assert client.get(ITEMS.format(_coll(world)), headers=citizen).status_code == 403


def test_put_reshapes_through_the_editor_and_is_audited(client, session, world, planner):
    tag = _get(client, world, planner, "V11").headers["ETag"]
    wider = box(116.0, 39.0, 116.012, 39.02)  # into V12: V12 gives the strip up, T1 stays the same
    props = {"name": "丙村V11", "parent_code": "T1", "leader_name": "李四", "staff": "[]"}
    resp = client.put(
        f"{ITEMS.format(_coll(world))}/V11", json=_feature(props, wider), headers={**planner, "If-Match": tag}
    )
    assert resp.status_code == 204, resp.get_data(as_text=True)
    assert resp.headers["ETag"] == f'"v{world}-1"'
    grids = _grids(session, world)
    assert grids["V11"][0].equals(wider) and grids["V11"][2] == "李四"
    assert grids["V12"][0].equals(box(116.012, 39.0, 116.02, 39.02)) and grids["V12"][1] == 0  # trimmed, not locked
    assert grids["T1"][0].equals(box(116.0, 39.0, 116.02, 39.02))
    # in this rolled-back test transaction the grid updates fold into the draft copy's entries (one txid);
    # the staff cleared by the PUT is its own entry, and the live-server test checks the grid rows' entries
    actors = session.execute(
        text("SELECT DISTINCT actor_name FROM audit_log WHERE entity = 'grid_staff' AND action = 'delete'")
    ).scalars()
    assert set(actors) == {"planner_t1"}
    edited_by = session.execute(text("SELECT edited_by FROM grid WHERE version_id = :v AND code = 'V11'"), {"v": world})
    assert edited_by.scalar_one() == "planner_t1"
    stale = client.put(
        f"{ITEMS.format(_coll(world))}/V11", json=_feature(props, wider), headers={**planner, "If-Match": tag}
    )
    assert stale.status_code == 412 and stale.get_json()["error"]["code"] == "precondition_failed"


def test_patch_merges_properties_and_a_stale_etag_is_412(client, session, world, planner):
    url = f"{ITEMS.format(_coll(world))}/V12"
    tag = _get(client, world, planner, "V12").headers["ETag"]
    patch = {"properties": {"leader_name": "王五", "duties": None}}
    resp = client.patch(url, json=patch, headers={**planner, "If-Match": tag})
    assert resp.status_code == 204 and resp.headers["ETag"] != tag
    props = _get(client, world, planner, "V12").get_json()["properties"]
    assert props["leader_name"] == "王五" and props["duties"] is None and props["name"] == "丙村V12"
    again = client.patch(url, json={"properties": {"leader_name": "赵六"}}, headers={**planner, "If-Match": tag})
    assert again.status_code == 412
    assert _grids(session, world)["V12"][2] == "王五"


def test_delete_then_create_in_the_gap_with_location(client, session, world, planner):
    url = ITEMS.format(_coll(world))
    tag = _get(client, world, planner, "V12").headers["ETag"]
    assert client.delete(f"{url}/V12", headers={**planner, "If-Match": '"v1-99"'}).status_code == 412
    assert client.delete(f"{url}/V12", headers={**planner, "If-Match": tag}).status_code == 204
    assert _get(client, world, planner, "V12").status_code == 404
    gap = shape(editor_world.V12.__geo_interface__)
    clash = client.post(url, json=_feature({"code": "V11", "name": "重复", "parent_code": "T1"}, gap), headers=planner)
    assert clash.status_code == 400 and clash.get_json()["error"]["message"].startswith("code:")
    props = {"code": "V13", "name": "丙村V13", "parent_code": "T1", "leader_name": "钱七"}
    resp = client.post(url, json=_feature(props, gap), headers={**planner, "Content-Type": GEOJSON})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.headers["Location"].endswith(f"{url}/V13") and resp.headers["ETag"] == f'"v{world}-1"'
    body = resp.get_json()
    assert body["properties"]["level"] == 3 and body["properties"]["leader_name"] == "钱七"
    assert shape(body["geometry"]).symmetric_difference(gap).area < 1e-12


def test_content_crs_cgcs2000_is_lat_lon(client, session, world, planner):
    narrower = box(116.0, 39.0, 116.008, 39.02)  # V11 gives up a strip: a gap inside T1
    latlon = shapely.transform(narrower, lambda xy: xy[:, ::-1])
    headers = {**planner, "Content-Crs": "<http://www.opengis.net/def/crs/EPSG/0/4490>"}
    props = {"name": "丙村V11", "parent_code": "T1"}
    resp = client.put(f"{ITEMS.format(_coll(world))}/V11", json=_feature(props, latlon), headers=headers)
    assert resp.status_code == 204, resp.get_data(as_text=True)
    stored = _grids(session, world)["V11"][0]
    assert stored.symmetric_difference(narrower).area < 1e-12


def test_published_collection_is_405_with_allow(client, world, planner):
    anonymous = {"X-CSRFToken": anonymous_token(client)}
    for method, url in (("POST", ITEMS.format("grids")), ("PUT", f"{ITEMS.format('grids')}/V11")):
        for headers in (anonymous, planner):
            resp = client.open(url, method=method, json=_feature({}, box(0, 0, 1, 1)), headers=headers)
            assert resp.status_code == 405 and resp.headers["Allow"] == "GET, HEAD, OPTIONS", (
                method,
                resp.get_data(as_text=True),
            )
    for method in ("PATCH", "DELETE"):
        resp = client.open(f"{ITEMS.format('grids')}/V11", method=method, json={}, headers=planner)
        assert resp.status_code == 405 and "PUT" not in resp.headers["Allow"]
    assert client.options(ITEMS.format("grids"), headers=planner).headers["Allow"] == "GET, HEAD, OPTIONS"


def test_options_lists_what_this_caller_may_do(client, world, planner, foreign):
    url = ITEMS.format(_coll(world))
    assert client.options(url, headers=planner).headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert client.options(f"{url}/V11", headers=planner).headers["Allow"] == "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"
    assert client.options(f"{url}/V11", headers=foreign).headers["Allow"] == "GET, HEAD, OPTIONS"
    assert client.options(f"{url}/V21", headers=foreign).headers["Allow"].count("PUT") == 1
    assert client.options(f"{url}/nope", headers=planner).status_code == 404


def test_anonymous_401_other_roles_403_foreign_grid_403(client, session, world, planner, foreign, make_user):
    url = f"{ITEMS.format(_coll(world))}/V11"
    before = _grids(session, world)
    patch = {"properties": {"leader_name": "外人"}}
    assert client.patch(url, json=patch, headers={"X-CSRFToken": anonymous_token(client)}).status_code == 401
    handler = bearer_header(session, make_user("handler", grids=("T1",), username="handler_p4"))
    assert client.patch(url, json=patch, headers=handler).status_code == 403
    resp = client.patch(url, json=patch, headers=foreign)
    assert resp.status_code == 403 and "V11" in resp.get_json()["error"]["message"]
    post = _feature({"code": "V14", "name": "外", "parent_code": "T1"}, box(116.0, 39.0, 116.001, 39.001))
    assert client.post(ITEMS.format(_coll(world)), json=post, headers=foreign).status_code == 403
    assert _grids(session, world) == before


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            {"type": "Feature", "properties": {"name": "x"}, "geometry": {"type": "Point", "coordinates": [1, 2]}},
            "Point",
        ),
        (_feature({"name": "x"}, box(116.0, 39.0, 116.01, 39.02)) | {"type": "Thing"}, "Feature"),
        (
            {
                "type": "Feature",
                "properties": {"name": "x"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[116.0, 39.0], [116.01, 39.02], [116.01, 39.0], [116.0, 39.02], [116.0, 39.0]]],
                },
            },
            "Self-intersection",
        ),
        (
            {"type": "Feature", "properties": {"name": "x"}, "geometry": {"type": "Polygon", "coordinates": "x"}},
            "geometry",
        ),
        (_feature({"name": "x", "colour": "red"}, box(116.0, 39.0, 116.01, 39.02)), "colour"),
        (_feature({"name": "x", "level": 2}, box(116.0, 39.0, 116.01, 39.02)), "level"),
        (_feature({"name": ""}, box(116.0, 39.0, 116.01, 39.02)), "name"),
    ],
)
def test_bad_input_is_400_and_nothing_is_written(client, session, world, planner, body, words):
    before = _grids(session, world)
    resp = client.put(f"{ITEMS.format(_coll(world))}/V11", json=body, headers=planner)
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert words in resp.get_json()["error"]["message"]
    assert _grids(session, world) == before


def test_a_client_without_token_or_cookie_gets_401_and_a_session_still_needs_csrf(app, session, world, make_user):
    url = f"{ITEMS.format(_coll(world))}/V12"
    patch = {"properties": {"leader_name": "会话"}}
    assert app.test_client().patch(url, json=patch).status_code == 401  # no cookie: nothing to forge, no CSRF 400
    browser = app.test_client()
    make_user("planner", grids=("T1",), username="planner_session")
    csrf = login(browser, "planner_session")
    refused = browser.patch(url, json=patch)  # the session cookie alone: a forged request would look like this
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    assert browser.patch(url, json=patch, headers={"X-CSRFToken": csrf}).status_code == 204
    assert _grids(session, world)["V12"][2] == "会话"


def test_conformance_and_the_openapi_document_list_the_writes(client, world, planner):
    classes = client.get("/ogc/conformance").get_json()["conformsTo"]
    part4 = "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/"
    assert {part4 + c for c in ("create-replace-delete", "update", "features")} <= set(classes)
    public = client.get("/ogc/api").get_json()["paths"]
    assert "post" in public["/collections/{collection_id}/items"]  # the template, documented for drafts
    assert "post" not in public["/collections/grids/items"] and "put" not in public["/collections/grids/items/{fid}"]
    assert not any(p.startswith("/collections/draft-") for p in public)
    mine = client.get("/ogc/api", headers=planner)
    assert mine.headers["Vary"].count("Authorization") == 1
    paths = mine.get_json()["paths"]
    assert "post" in paths[f"/collections/{_coll(world)}/items"]
    assert {"put", "patch", "delete"} <= set(paths[f"/collections/{_coll(world)}/items/{{fid}}"])


@pytest.mark.parametrize(
    ("code", "outline", "status", "words"),
    [
        ("V12", box(116.01, 39.0, 116.025, 39.02), 422, "重叠"),  # into V21, another town's village
        ("V11", box(115.99, 39.0, 116.01, 39.02), 422, "最外层网格 C"),  # beyond the county's outline
        ("T1", box(116.0, 39.0, 116.02, 39.02), 400, "最底层"),  # towns follow their villages
    ],
)
def test_the_editors_rules_refuse_and_nothing_is_written(client, session, world, planner, code, outline, status, words):
    before = _grids(session, world)
    parent = {"V11": "T1", "V12": "T1", "T1": "C"}[code]
    body = _feature({"name": f"丙{code}", "parent_code": parent}, outline)
    resp = client.put(f"{ITEMS.format(_coll(world))}/{code}", json=body, headers=planner)
    assert resp.status_code == status and words in resp.get_json()["error"]["message"], resp.get_data(as_text=True)
    assert _grids(session, world) == before


def test_a_draft_has_its_html_page_for_planners(client, world, planner):
    page = client.get(f"{ITEMS.format(_coll(world))}?f=html", headers=planner)
    assert page.status_code == 200 and "丙村V11" in page.get_data(as_text=True)


def test_a_top_level_grid_needs_no_parent(client, session, world, foreign, make_user):
    """A county beside county C, POSTed without parent_code: the editor's top-level create (admin only here)."""
    url = ITEMS.format(_coll(world))
    admin = bearer_header(session, make_user("admin", username="admin_p4"))
    county = box(116.04, 39.0, 116.06, 39.02)
    before = _grids(session, world)
    refused = client.post(url, json=_feature({"code": "C2", "name": "丁县"}, county), headers=foreign)
    assert refused.status_code == 403 and "parent_code" in refused.get_json()["error"]["message"]
    village = _feature({"code": "C2", "name": "丁县", "level": 3, "parent_code": None}, county)
    below = client.post(url, json=village, headers=admin)
    assert below.status_code == 400 and below.get_json()["error"]["message"].startswith("parent_code:")
    assert _grids(session, world) == before
    resp = client.post(url, json=_feature({"code": "C2", "name": "丁县", "parent_code": ""}, county), headers=admin)
    assert resp.status_code == 201, resp.get_data(as_text=True)
    props = resp.get_json()["properties"]
    assert (props["level"], props["parent_code"]) == (1, None) and resp.headers["ETag"] == f'"v{world}-1"'
    inserted = session.execute(
        text("SELECT actor_name FROM audit_log WHERE entity = 'grid' AND entity_key = 'C2' AND action = 'insert'")
    ).scalars()
    assert list(inserted) == ["admin_p4"]
    before = _grids(session, world)
    overlap = _feature({"code": "C3", "name": "戊县"}, box(116.05, 39.0, 116.07, 39.02))
    clash = client.post(url, json=overlap, headers=admin)
    assert clash.status_code == 422 and "重叠" in clash.get_json()["error"]["message"]
    assert _grids(session, world) == before


def test_if_match_lists_weak_tags_and_star(client, session, world, planner):
    """RFC 9110 §13.1.1: any tag of the list may match (strong comparison: a weak one never does); * needs the item."""
    url = f"{ITEMS.format(_coll(world))}/V12"

    def patch(if_match, leader, code="V12"):
        body = {"properties": {"leader_name": leader}}
        return client.patch(
            f"{ITEMS.format(_coll(world))}/{code}", json=body, headers={**planner, "If-Match": if_match}
        )

    weak = patch(f'W/"v{world}-0"', "弱")
    assert weak.status_code == 412 and _grids(session, world)["V12"][2] != "弱"
    assert patch(f'"v{world}-7", "x,y", "v{world}-0"', "列表").status_code == 204
    assert _grids(session, world)["V12"][1:] == (1, "列表")
    assert patch(f'"v{world}-0", "v{world}-2"', "旧").status_code == 412
    malformed = patch(f"v{world}-1", "无引号")
    assert malformed.status_code == 400 and malformed.get_json()["error"]["message"].startswith("If-Match:")
    assert patch("*", "星").status_code == 204 and _grids(session, world)["V12"][2] == "星"
    assert patch("*", "无", code="V99").status_code == 404
    assert client.get(url, headers=planner).headers["ETag"] == f'"v{world}-2"'


def test_if_unmodified_since_uses_last_modified(client, session, world, planner):
    """RFC 9110 §13.1.4: a change after the date is 412; ignored beside If-Match and when not one valid date."""
    url = f"{ITEMS.format(_coll(world))}/V12"

    def patch(leader, **headers):
        return client.patch(url, json={"properties": {"leader_name": leader}}, headers={**planner, **headers})

    got = client.get(url, headers=planner)
    stamp = got.headers["Last-Modified"]  # never edited in the draft: when the draft was made
    old = "Sun, 06 Nov 1994 08:49:37 GMT"
    stale = patch("旧", **{"If-Unmodified-Since": old})
    assert stale.status_code == 412 and stale.get_json()["error"]["message"].startswith("If-Unmodified-Since:")
    assert _grids(session, world)["V12"][1] == 0
    assert patch("同时", **{"If-Unmodified-Since": stamp}).status_code == 204
    assert patch("旧", **{"If-Unmodified-Since": old}).status_code == 412  # edited since 1994
    beside = patch("带标签", **{"If-Unmodified-Since": old, "If-Match": f'"v{world}-1"'})
    assert beside.status_code == 204  # If-Match decides; the date is ignored
    for ignored in ("yesterday", f"{old}, {old}"):
        assert patch(ignored, **{"If-Unmodified-Since": ignored}).status_code == 204
    assert _grids(session, world)["V12"][1:] == (4, f"{old}, {old}")
    assert client.get(url, headers=planner).headers["Last-Modified"] != old
