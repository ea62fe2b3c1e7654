"""OGC API – Features Part 4 on a draft's 重点监管单元网格 (``draft-{id}-unit-grids``): listed and in the
OpenAPI for planners, written through the web editor's unit-grid service with the grid writes' token auth,
scope (the designating grid), ETag/If-Match (412), validation (400/422, nothing written) and audit."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from gisgrid.editor import drafts
from tests import unit_grid_world as uw
from tests import worlds
from tests.helpers import bearer_header

ITEMS = "/ogc/collections/{}/items"


@pytest.fixture()
def draft(session, tmp_path):
    uw.import_world(session, tmp_path)
    return drafts.open_draft(session, "setup")


@pytest.fixture()
def planner(session, make_user, draft):
    """A planner of town A1 (it designates A1-U1; the county A designates A-U2)."""
    return bearer_header(session, make_user("planner", grids=("A1",), username="planner_a1"))


def _url(draft, code=None) -> str:
    url = ITEMS.format(f"draft-{draft}-unit-grids")
    return f"{url}/{code}" if code else url


def outline(x1, y1, x2, y2) -> dict:
    """A box in world metres as a WGS84 GeoJSON polygon."""
    corners = [worlds.wgs84(x, y) for x, y in ((x1, y1), (x2, y1), (x2, y2), (x1, y2), (x1, y1))]
    return {"type": "Polygon", "coordinates": [[list(c) for c in corners]]}


def _feature(props: dict, geometry: dict) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _units(session, draft) -> dict:
    rows = session.execute(
        text(
            "SELECT code, parent_code, level, lock_version, leader_name, ST_AsText(geom) FROM unit_grid WHERE version_id = :v"
        ),
        {"v": draft},
    )
    return {code: tuple(rest) for code, *rest in rows}


def test_listed_and_advertised_for_planners_only(client, draft, planner):
    coll = f"draft-{draft}-unit-grids"
    assert coll not in {c["id"] for c in client.get("/ogc/collections").get_json()["collections"]}
    assert coll in {c["id"] for c in client.get("/ogc/collections", headers=planner).get_json()["collections"]}
    paths = client.get("/ogc/api", headers=planner).get_json()["paths"]
    assert "post" in paths[f"/collections/{coll}/items"]
    assert {"put", "patch", "delete"} <= set(paths[f"/collections/{coll}/items/{{fid}}"])
    one = client.get(_url(draft, "A1-U1"), headers=planner)
    assert one.status_code == 200 and one.headers["ETag"] == f'"v{draft}-0"' and one.headers["Last-Modified"]
    props = one.get_json()["properties"]
    assert props["parent_code"] == "A1" and props["leader_phone"] == "199-1111-0001" and "staff" not in props
    assert client.get(_url(draft, "A1-U1")).status_code == 401
    assert client.options(_url(draft), headers=planner).headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert "PATCH" in client.options(_url(draft, "A1-U1"), headers=planner).headers["Allow"]
    assert "PATCH" not in client.options(_url(draft, "A-U2"), headers=planner).headers["Allow"]


def test_create_patch_and_delete_with_etags_and_audit(client, session, draft, planner):
    props = {"code": "A1-U9", "name": "新划定单元", "parent_code": "A1", "leader_name": "张三"}
    created = client.post(_url(draft), json=_feature(props, outline(100, 500, 300, 700)), headers=planner)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.headers["Location"].endswith(_url(draft, "A1-U9")) and created.headers["ETag"] == f'"v{draft}-1"'
    assert created.get_json()["properties"]["level"] == 2  # the designating town's level
    patch = {"properties": {"leader_name": "李四"}}
    tags = f'W/"v{draft}-1", "v{draft}-1"'
    assert client.patch(_url(draft, "A1-U9"), json=patch, headers={**planner, "If-Match": tags}).status_code == 204
    stale = client.patch(
        _url(draft, "A1-U9"),
        json={"properties": {"leader_name": "王五"}},
        headers={**planner, "If-Match": f'"v{draft}-1"'},
    )
    assert stale.status_code == 412 and _units(session, draft)["A1-U9"][2:4] == (2, "李四")
    audited = session.execute(
        text("SELECT action, actor_name FROM audit_log WHERE entity = 'unit_grid' AND entity_key = 'A1-U9'")
    ).all()
    assert {tuple(r) for r in audited} >= {("insert", "planner_a1")}
    gone = client.delete(_url(draft, "A1-U9"), headers={**planner, "If-Match": f'"v{draft}-2"'})
    assert gone.status_code == 204 and "A1-U9" not in _units(session, draft)
    assert client.get(_url(draft, "A1-U9"), headers=planner).status_code == 404


def test_put_replaces_every_field(client, session, draft, planner):
    tag = client.get(_url(draft, "A1-U1"), headers=planner).headers["ETag"]
    body = _feature({"name": "甲一镇化工园", "parent_code": "A1"}, outline(430, 430, 690, 690))
    resp = client.put(_url(draft, "A1-U1"), json=body, headers={**planner, "If-Match": tag})
    assert resp.status_code == 204 and resp.headers["ETag"] == f'"v{draft}-1"'
    got = client.get(_url(draft, "A1-U1"), headers=planner).get_json()["properties"]
    assert got["name"] == "甲一镇化工园" and got["leader_phone"] is None and got["entity"] is None  # absent: cleared


def test_foreign_planner_and_the_county_unit_are_403(client, session, make_user, draft, planner):
    before = _units(session, draft)
    foreign = bearer_header(session, make_user("planner", grids=("B",), username="planner_b"))
    patch = {"properties": {"leader_name": "外人"}}
    assert client.patch(_url(draft, "A1-U1"), json=patch, headers=foreign).status_code == 403
    assert client.patch(_url(draft, "A-U2"), json=patch, headers=planner).status_code == 403  # designated by A
    post = _feature({"code": "B-U1", "name": "乙", "parent_code": "A1"}, outline(100, 500, 300, 700))
    assert client.post(_url(draft), json=post, headers=foreign).status_code == 403
    move = client.patch(_url(draft, "A1-U1"), json={"properties": {"parent_code": "A"}}, headers=planner)
    assert move.status_code == 403  # a new designating grid must be theirs too
    assert _units(session, draft) == before


@pytest.mark.parametrize(
    ("props", "geometry", "status", "words"),
    [
        ({"code": "A1-U9", "name": "外"}, outline(100, 500, 300, 700), 400, "parent_code"),
        ({"code": "A1-U1", "name": "重", "parent_code": "A1"}, outline(100, 500, 300, 700), 400, "code:"),
        ({"code": "A1-U9", "name": "远", "parent_code": "A1"}, outline(1200, 100, 1400, 300), 422, "geometry"),
        (
            {"code": "A1-U9", "name": "人", "parent_code": "A1", "staff": "[]"},
            outline(100, 500, 300, 700),
            400,
            "staff",
        ),
        ({"code": "A1-U9", "name": "", "parent_code": "A1"}, outline(100, 500, 300, 700), 400, "name"),
    ],
)
def test_bad_unit_grids_are_refused_and_nothing_is_written(
    client, session, draft, planner, props, geometry, status, words
):
    before = _units(session, draft)
    resp = client.post(_url(draft), json=_feature(props, geometry), headers=planner)
    assert resp.status_code == status and words in resp.get_json()["error"]["message"], resp.get_data(as_text=True)
    assert _units(session, draft) == before
