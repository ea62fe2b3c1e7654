"""No private grid field reaches a public output: APIs, pages and 公示牌, tiles, open data, OGC, labels, search, batch.

The canary world (tests/public_worlds.py) has a private leader phone, a private staff phone and a
private contact phone; this test also writes canaries into columns the registry does not list as
public at all (``extra``, ``edited_by``) and then reads every public output.
"""

from __future__ import annotations

import json

import pyogrio
import pytest
import shapely
from sqlalchemy import text

from gisgrid.grids import fields
from gisgrid.grids import service as grid_service
from tests import public_worlds, worlds
from tests.routes.test_tiles import decode, enclosing_tile

HIDDEN_VALUES = ("隐藏字段金丝雀", "editor-canary")  # written into grid.extra and grid.edited_by
CANARIES = (*public_worlds.PRIVATE, *HIDDEN_VALUES)
# keys that must never name a property of public output: non-public registry fields and other grid columns
PRIVATE_KEYS = {f.name for f in fields.GRID_FIELDS if not f.public} | {
    "phone_public",
    "extra",
    "edited_by",
    "lock_version",
}


@pytest.fixture()
def world(session, tmp_path):
    result = public_worlds.load(session, tmp_path, publish=False)
    session.execute(
        text("UPDATE grid SET extra = CAST(:extra AS jsonb), edited_by = :editor WHERE version_id = :v"),
        {"extra": json.dumps({"note": HIDDEN_VALUES[0]}), "editor": HIDDEN_VALUES[1], "v": result.version_id},
    )
    grid_service.publish_version(session, result.version_id)
    return result


def assert_clean(blob, where: str) -> str:
    """No canary in ``blob``; returns it as text."""
    data = blob if isinstance(blob, str) else blob.decode("utf-8", errors="replace")
    for canary in CANARIES:
        assert canary not in data, f"private value {canary} leaked in {where}"
    return data


def keys_of(value) -> set[str]:
    """Every object key anywhere in a JSON document."""
    if isinstance(value, dict):
        return set(value) | set().union(*(keys_of(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(set(), *(keys_of(v) for v in value))
    return set()


def test_the_canaries_are_stored(session, world):
    # without this, a world that lost its canaries on import would make every check below pass
    row = session.execute(
        text("SELECT leader_phone, extra ->> 'note', edited_by FROM grid WHERE version_id = :v AND code = 'A1a'"),
        {"v": world.version_id},
    ).one()
    assert tuple(row) == ("199-0000-0000", HIDDEN_VALUES[0], HIDDEN_VALUES[1])


def test_json_apis_pages_and_ogc_show_no_private_field(client, world):
    lon, lat = worlds.wgs84(100, 100)
    json_urls = [
        "/api/v1/grids/A1a",
        "/api/v1/grids/A2?crs=gcj02",
        "/api/v1/grids/search?q=监督员乙",  # a staff member whose phone is private
        "/api/v1/grids/search?q=甲",
        f"/api/v1/grids/locate?lon={lon}&lat={lat}",
        f"/api/v1/lookup?lon={lon}&lat={lat}",
        "/api/v1/grids/labels?bbox=100,30,130,50&level=3",
        "/ogc/collections/grids/items?limit=1000",
        "/ogc/collections/grids/items/A1a",
    ]
    seen = ""
    for url in json_urls:
        resp = client.get(url)
        assert resp.status_code == 200, url
        seen += assert_clean(resp.data, url)
        assert not keys_of(resp.get_json()) & PRIVATE_KEYS, url
    for url in ("/", "/grids/A1a", "/grids/A1a/notice", "/grids/A2/notice"):
        resp = client.get(url, headers={"Accept": "text/html"})
        assert resp.status_code == 200, url
        seen += assert_clean(resp.data, url)
    assert all(phone in seen for phone in public_worlds.PUBLIC)  # public phones still shown


def test_open_data_files_show_no_private_field(client, world, tmp_path):
    geojson = client.get("/open-data/grids.geojson")
    assert_clean(geojson.data, "grids.geojson")
    assert not keys_of(geojson.get_json()) & PRIVATE_KEYS
    csv = client.get("/open-data/grids.csv")
    header = assert_clean(csv.data, "grids.csv").lstrip("\ufeff").splitlines()[0].split(",")
    assert not set(header) & PRIVATE_KEYS and "leader_phone" in header
    gpkg = client.get("/open-data/grids.gpkg")
    path = tmp_path / "grids.gpkg"
    path.write_bytes(gpkg.data)
    frame = pyogrio.read_dataframe(str(path), layer="grids")
    assert len(frame) == 8 and not set(frame.columns) & PRIVATE_KEYS
    assert_clean(frame.drop(columns="geometry").to_csv(), "grids.gpkg attributes")
    assert_clean(gpkg.data, "grids.gpkg bytes")


@pytest.mark.parametrize("crs", ["wgs84", "gcj02"])
def test_tiles_carry_code_name_level_only(client, world, session, tmp_path, crs):
    geom = session.execute(
        text("SELECT ST_AsText(ST_Envelope(ST_Collect(geom))) FROM grid WHERE version_id = :v"), {"v": world.version_id}
    ).scalar()
    z, x, y = enclosing_tile(shapely.from_wkt(geom))
    for level in (1, 2, 3):
        resp = client.get(f"/tiles/{z}/{x}/{y}.pbf?level={level}&crs={crs}")
        assert resp.status_code == 200 and resp.data
        assert_clean(resp.data, f"tile level {level}")
        frame = decode(resp.data, z, x, y, tmp_path / f"{crs}{level}")
        assert set(frame.columns) - {"mvt_id"} == {"code", "name", "level", "geometry"}
        assert set(frame["level"]) == {level}
        assert_clean(frame.drop(columns="geometry").to_csv(), f"decoded tile level {level}")


def test_batch_lookup_output_has_no_private_field(client, world):
    lon, lat = worlds.wgs84(100, 100)
    resp = client.post(
        "/api/v1/lookup/batch", data=f"id,lon,lat\np,{lon!r},{lat!r}\n".encode(), content_type="text/csv"
    )
    body = assert_clean(resp.data, "batch CSV")
    assert resp.status_code == 200 and "A1a" in body


def test_the_public_view_lists_exactly_the_public_registry_fields(session):
    columns = session.execute(
        text("SELECT column_name FROM information_schema.columns WHERE table_name = :t ORDER BY ordinal_position"),
        {"t": "public_grid"},
    ).scalars()
    structural = {"id", "version_id", "parent_id", "ancestor_ids", "geom", "area_m2", "staff"}
    assert [c for c in columns if c not in structural] == list(fields.PUBLIC_COLUMNS)
    stored = set(
        session.execute(text("SELECT column_name FROM information_schema.columns WHERE table_name = 'grid'")).scalars()
    )
    assert set(fields.GRID_COLUMNS) <= stored  # every registry field is a column of grid
    staff = session.execute(
        text("SELECT column_name FROM information_schema.columns WHERE table_name = 'public_grid_staff'")
    ).scalars()
    assert "phone_public" not in set(staff)


# 信息公开 (issue 24): nothing marked private reaches the public register, hazards, case status, Open311, open data
DISCLOSURE_CANARIES = {
    "reporter_name": "举报人金丝雀",
    "reporter_phone": "137-5555-0101",
    "internal_note": "内部备注金丝雀-不予立案",
    "hidden_source": "未公开企业金丝雀",
    "source_contacts": "联系人金丝雀 136-7777-0202",
    "source_permits": "许可证金丝雀-91110",
    "station_password": "pw-canary-9d2e",
    "hazard_notes": "隐患内部备注金丝雀",
    "hidden_hazard": "未公开隐患金丝雀",
    "inspection_findings": "检查发现金丝雀",
}


@pytest.fixture()
def disclosure_world(app, client, session, world, make_user):
    """A public source (with private contacts, permits, findings, a station password), a hidden one, hazards
    public and hidden (with internal notes), and a case with a reporter, an internal note and a public reply."""
    from datetime import date

    from gisgrid.hazards import service as hazards
    from gisgrid.incidents import matrix
    from gisgrid.monitoring import service as monitoring
    from gisgrid.sources import service as sources
    from gisgrid.sources.models import Inspection
    from tests.incident_support import As, _ok, _report

    c = DISCLOSURE_CANARIES
    matrix.load_demo(session)
    lon, lat = worlds.wgs84(100, 100)
    shown = {"code": "P1", "name": "公开企业", "kind": "enterprise", "lon": lon, "lat": lat}
    shown |= {"contacts": c["source_contacts"], "permits": c["source_permits"]}
    public = sources.create_source(session, shown, by="t")
    hidden = sources.create_source(session, shown | {"code": "P2", "name": c["hidden_source"]}, by="t")
    public.public = True
    session.add(
        Inspection(
            source_id=public.id, inspected_on=date(2026, 5, 1), inspector_name="x", findings=c["inspection_findings"]
        )
    )
    row = {"source_code": "P1", "mn": "MNPRIV1", "name": "排口", "password": c["station_password"], "medium": "gas"}
    row |= {"lon": lon, "lat": lat, "public": "1", "pollutant": "a21026", "period": "hour", "limit": 100}
    monitoring.register(session, None, [row, row | {"source_code": "P2", "mn": "MNPRIV2"}])
    leader = make_user("grid_leader", grids=("A",))
    body = {"kind": "chemicals", "lon": lon, "lat": lat}
    hazards.record(session, leader, body | {"description": "公开隐患", "notes": c["hazard_notes"], "public": True})
    hazards.record(session, leader, body | {"description": c["hidden_hazard"]})
    case = _ok(_report(client, name=c["reporter_name"], contact=c["reporter_phone"]), 201)["id"]
    dispatcher = As(app, make_user("dispatcher", grids=("A",)))
    _ok(dispatcher.act(case, "reject", reason=c["internal_note"]))
    resp = dispatcher.client.post(
        f"/incidents/{case}/public-reply", data={"body": "已核实，不属于环境问题。", "csrf_token": dispatcher.token}
    )
    assert resp.status_code == 302
    session.flush()
    return {"public": public, "hidden": hidden, "case": case}


def test_the_disclosure_canaries_are_stored(session, disclosure_world):
    # without this, canaries lost on the way in would make the next test pass
    dump = session.execute(
        text(
            "SELECT concat_ws('|', (SELECT string_agg(name || contacts || permits, '') FROM pollution_source),"
            " (SELECT string_agg(reporter_name || reporter_contact, '') FROM incident),"
            " (SELECT string_agg(reason, '') FROM incident_event),"
            " (SELECT string_agg(coalesce(notes, '') || description, '') FROM hazard),"
            " (SELECT string_agg(findings, '') FROM source_inspection),"
            " (SELECT string_agg(password, '') FROM monitor_station))"
        )
    ).scalar()
    missing = [k for k, v in DISCLOSURE_CANARIES.items() if v not in dump]
    assert missing == []


def test_no_private_value_in_any_public_disclosure_output(client, session, world, disclosure_world, tmp_path):
    public, case = disclosure_world["public"].id, disclosure_world["case"]
    geom = session.execute(
        text("SELECT ST_AsText(ST_Envelope(ST_Collect(geom))) FROM grid WHERE version_id = :v"), {"v": world.version_id}
    ).scalar()
    z, x, y = enclosing_tile(shapely.from_wkt(geom))
    urls = [
        "/public/sources",
        f"/public/sources/{public}",
        "/api/v1/public/sources",
        f"/api/v1/public/sources/{public}",
        "/public/hazards",
        "/api/v1/public/hazards",
        f"/report/status?id={case}",
        f"/open311/v2/requests/{case}.json",
        f"/open311/v2/requests/{case}.xml",
        "/open311/v2/requests.json",
        "/",
        "/ogc/collections",
        # the OGC collections of the public views (ogc/points.py): JSON, HTML, queryables, one item
        *[f"/ogc/collections/{c}/items?limit=1000{f}" for c in ("sources", "hazards") for f in ("", "&f=html")],
        *[f"/ogc/collections/{c}/queryables" for c in ("sources", "hazards")],
        f"/ogc/collections/sources/items/{public}",
        f"/ogc/collections/sources/items/{public}?f=html",
        "/api/openapi.json",
        f"/tiles/{z}/{x}/{y}.pbf?level=3",
        *[f"/open-data/{name}.{fmt}" for name in ("sources", "hazards", "emissions") for fmt in ("geojson", "csv")],
    ]
    seen = ""
    for url in urls:
        resp = client.get(url)
        assert resp.status_code == 200, url
        seen += _disclosure_clean(resp.data, url)
    for name in ("sources", "hazards", "emissions"):
        path = tmp_path / f"{name}.gpkg"
        path.write_bytes(client.get(f"/open-data/{name}.gpkg").data)
        _disclosure_clean(pyogrio.read_dataframe(str(path), layer=name).to_csv(), f"{name}.gpkg attributes")
        _disclosure_clean(path.read_bytes(), f"{name}.gpkg bytes")
    assert client.get(f"/public/sources/{disclosure_world['hidden'].id}").status_code == 404
    assert client.get(f"/ogc/collections/sources/items/{disclosure_world['hidden'].id}").status_code == 404
    private_columns = {"contacts", "permits", "class_reason", "notes", "created_by", "public", "active", "grid_codes"}
    for coll in ("sources", "hazards"):  # no private column is a property or a queryable of the OGC collections
        items = client.get(f"/ogc/collections/{coll}/items").get_json()
        assert items["numberMatched"] == 1 and not keys_of(items) & private_columns, coll
        assert not keys_of(client.get(f"/ogc/collections/{coll}/queryables").get_json()) & private_columns, coll
    assert (
        "公开企业" in seen and "公开隐患" in seen and "已核实，不属于环境问题。" in seen
    )  # the public values are shown


def _disclosure_clean(blob, where: str) -> str:
    data = blob if isinstance(blob, str) else blob.decode("utf-8", errors="replace")
    for what, canary in DISCLOSURE_CANARIES.items():
        assert canary not in data, f"{what} ({canary}) leaked in {where}"
    return assert_clean(data, where)
