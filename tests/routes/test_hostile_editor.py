"""Hostile planner input: files that are not GeoPackages, invalid or huge geometries, broken edits.

Each is refused with a clear 4xx and the draft stays exactly as it was.
"""

from __future__ import annotations

import io
import sqlite3
import tempfile
import zipfile

import geopandas as gpd
import pytest
from shapely.geometry import MultiPolygon, Polygon

from gisgrid.grids import reader
from tests.routes.test_editor_routes import API, base, open_draft, planner, world  # noqa: F401 (fixtures)


@pytest.fixture()
def draft(client, planner):
    return open_draft(client, planner)


def _grids(client, draft):
    return client.get(f"{API}/versions/{draft}/grids").get_json()


def _import(client, token, draft, data, name="draft.gpkg", **form):
    return client.post(
        f"{API}/drafts/{draft}/import",
        headers={"X-CSRFToken": token},
        data={"file": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
    )


def _sqlite_not_gpkg(tmp_path):
    path = tmp_path / "x.gpkg"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (a)")
    return path.read_bytes()


def _zip_renamed():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.shp", b"x")
    return buf.getvalue()


NOT_GEOPACKAGES = {
    "empty": lambda tmp: b"",
    "text": lambda tmp: b"not a geopackage",
    "zip renamed": lambda tmp: _zip_renamed(),
    "plain SQLite": _sqlite_not_gpkg,
    "truncated GeoPackage": None,
}


@pytest.mark.parametrize("kind", list(NOT_GEOPACKAGES))
def test_files_that_are_not_geopackages_are_refused(client, planner, draft, tmp_path, kind):
    before = _grids(client, draft)
    data = (
        NOT_GEOPACKAGES[kind](tmp_path)
        if NOT_GEOPACKAGES[kind]
        else client.get(f"/editor/drafts/{draft}/export.gpkg").data[:4096]
    )
    resp = _import(client, planner, draft, data)
    assert resp.status_code == 400, resp.get_data(as_text=True)
    message = resp.get_json()["error"]["message"]
    assert "无法读取" in message or "GeoPackage" in message, message
    assert tempfile.gettempdir() not in message, f"the server's temp path leaks: {message}"
    assert _grids(client, draft) == before


def _edited(client, draft, tmp_path, change):
    """The draft exported, changed by ``change(frame)`` and written back as GeoPackage bytes."""
    path = tmp_path / "in.gpkg"
    path.write_bytes(client.get(f"/editor/drafts/{draft}/export.gpkg").data)
    layer = gpd.list_layers(path)["name"][0]
    frame = gpd.read_file(path, layer=layer)
    change(frame)
    out = tmp_path / "out.gpkg"
    frame.to_file(out, layer=layer, driver="GPKG")
    return out.read_bytes()


def _bow_tie(frame):
    i = frame.index[frame["code"] == "V11"][0]
    x0, y0, x1, y1 = frame.geometry[i].bounds
    frame.loc[i, "geometry"] = MultiPolygon([Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])])


def test_a_self_intersecting_grid_in_an_import_is_listed_and_never_applied(client, planner, draft, tmp_path):
    before = _grids(client, draft)
    data = _edited(client, draft, tmp_path, _bow_tie)
    preview = _import(client, planner, draft, data)
    assert preview.status_code == 200
    body = preview.get_json()
    assert body["errors"] >= 1 and any("V11" in str(p) for p in body["problems"])
    applied = _import(client, planner, draft, data, apply="1", stamp=body["stamp"])
    assert applied.status_code == 422 and "未导入" in applied.get_json()["error"]["message"]
    assert _grids(client, draft) == before


def test_a_geopackage_with_too_many_vertices_is_refused(client, planner, draft, tmp_path, monkeypatch):
    before = _grids(client, draft)
    data = _edited(client, draft, tmp_path, lambda frame: None)
    monkeypatch.setattr(reader, "MAX_VERTICES", 10)
    resp = _import(client, planner, draft, data)
    assert resp.status_code == 400 and "顶点" in resp.get_json()["error"]["message"]
    assert _grids(client, draft) == before


def test_an_upload_over_the_request_limit_is_413(client, planner, draft):
    client.application.config["MAX_CONTENT_LENGTH"] = 10_000
    resp = _import(client, planner, draft, b"\x00" * 20_000)
    assert resp.status_code == 413


def _line(n):
    return [[116.005 + 0.00001 * (i % 2), 38.99 + 0.05 * i / n] for i in range(n)]


HOSTILE_EDITS = [
    (
        {
            "op": "split",
            "code": "V11",
            "line": [[116.005, 38.99], [116.015, 39.03], [116.015, 38.99], [116.005, 39.03]],
        },
        (400, 422),
    ),  # a self-crossing cut
    ({"op": "split", "code": "V11", "line": _line(200_000)}, (400, 413, 422)),  # a huge coordinate list
    ({"op": "split", "code": "V11", "line": [[float("nan"), 39.0], [116.01, 39.03]]}, (400,)),
    ({"op": "split", "code": "V11", "line": [[1e308, 1e308], [-1e308, -1e308]]}, (400, 422)),
    ({"op": "split", "code": "V11", "line": [["116", "39"], [None, True]]}, (400,)),
    ({"op": "move_vertex", "old": [116.01, 39.01], "new": [1e308, 39.01]}, (400, 422)),
    ({"op": "move_vertex", "old": [116.01, 39.01], "new": ["x", {}]}, (400,)),
    ({"op": "attributes", "code": "V11", "values": {"name": "x" * 100_000}}, (400, 422)),
    ({"op": "attributes", "code": "V11", "values": {"geom": "POINT(0 0)", "version_id": 1}}, (400, 422)),
    ({"op": "merge", "codes": "V11"}, (400, 404)),
    ({"op": ["split"]}, (400,)),
]


@pytest.mark.parametrize("payload,statuses", HOSTILE_EDITS, ids=[str(p)[:50] for p, _ in HOSTILE_EDITS])
def test_hostile_edits_are_refused_and_change_nothing(client, planner, draft, payload, statuses):
    before = _grids(client, draft)
    payload = {**payload, "base": base(client, draft)}
    resp = client.post(f"{API}/drafts/{draft}/edits", json=payload, headers={"X-CSRFToken": planner})
    assert resp.status_code in statuses, resp.get_data(as_text=True)[:300]
    assert resp.get_json()["error"]["message"]
    assert _grids(client, draft) == before
