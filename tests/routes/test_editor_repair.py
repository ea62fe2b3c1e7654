"""The editor's import with 修复 over HTTP: a preview carrying the repair report, applying it records the
limits on the draft; without 修复 the messy file is refused as before; only planners may import."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import text

from gisgrid.grids import service
from tests import repair_world as rw
from tests.helpers import login

API = "/api/v1/editor"


@pytest.fixture()
def messy_path(tmp_path):
    path = tmp_path / "messy.gpkg"
    rw.messy_county().drop(columns=["source_index"]).to_file(path, driver="GPKG", engine="pyogrio")
    return path


@pytest.fixture()
def messy_gpkg(messy_path):
    return messy_path.read_bytes()


@pytest.fixture()
def published(session, messy_path):
    return service.import_file(session, str(messy_path), publish=True, repair=service.RepairLimits()).version_id


@pytest.fixture()
def planner(client, make_user, published):
    make_user("planner", username="planner_r")
    return login(client, "planner_r")


def _draft(client, token) -> int:
    resp = client.post("/editor/drafts", data={"csrf_token": token})
    return int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _post(client, token, draft, data: bytes, **form):
    return client.post(
        f"{API}/drafts/{draft}/import",
        headers={"X-CSRFToken": token},
        data={"file": (io.BytesIO(data), "messy.gpkg"), **form},
        content_type="multipart/form-data",
    )


def test_repair_preview_then_apply(client, session, planner, messy_gpkg):
    draft = _draft(client, planner)
    plain = _post(client, planner, draft, messy_gpkg).get_json()
    assert plain["errors"] == 5 and plain["repair"] is None

    preview = _post(client, planner, draft, messy_gpkg, repair="1", snap_m="3", max_gap_width_m="10").get_json()
    assert preview["errors"] == 0 and not preview["applied"]
    report = preview["repair"]
    assert report["properties"]["snap_m"] == 3 and report["properties"]["max_gap_width_m"] == 10
    kinds = sorted(f["properties"]["kind"] for f in report["features"] if f["properties"]["record"] == "sliver")
    assert kinds == ["gap", "gap", "gap", "outside_parent", "overlap"]
    outlines = {
        (f["properties"]["code"], f["properties"]["outline"])
        for f in report["features"]
        if "outline" in f["properties"]
    }
    assert outlines == {(c, o) for c in ("210001", "210002") for o in ("before", "after")}
    # the draft holds the same repaired coverage already: nothing to change
    assert preview["changes"] == []

    # a preview repaired with other limits does not apply with this stamp
    other = _post(client, planner, draft, messy_gpkg, repair="1", snap_m="1", apply="1", stamp=preview["stamp"])
    assert other.status_code == 409
    applied = _post(
        client,
        planner,
        draft,
        messy_gpkg,
        repair="1",
        snap_m="3",
        max_gap_width_m="10",
        apply="1",
        stamp=preview["stamp"],
    )
    assert applied.status_code == 200 and applied.get_json()["applied"]
    meta = session.execute(text("SELECT repair FROM boundary_version WHERE id = :v"), {"v": draft}).scalar_one()
    assert meta["snap_m"] == 3 and meta["max_gap_width_m"] == 10 and meta["slivers"]["gap"] == 3


def test_bad_limits_are_400_naming_the_field(client, planner, messy_gpkg):
    draft = _draft(client, planner)
    for form, field in (
        ({"repair": "1", "snap_m": "-1"}, "snap_m"),
        ({"repair": "1", "max_gap_width_m": "nan"}, "max_gap_width_m"),
        ({"snap_m": "3"}, "snap_m"),
        ({"repair": "yes"}, "repair"),
    ):
        resp = _post(client, planner, draft, messy_gpkg, **form)
        assert resp.status_code == 400, form
        assert field in resp.get_json()["error"]["message"] + str(resp.get_json()["error"].get("details"))


def test_only_planners_import_with_repair(client, make_user, published, messy_gpkg):
    make_user("grid_leader", grids=("210001",), username="leader_r")  # the town's own leader: no edit_grids
    token = login(client, "leader_r")
    resp = _post(client, token, published, messy_gpkg, repair="1")
    assert resp.status_code == 403


def test_draft_page_offers_repair(client, planner):
    draft = _draft(client, planner)
    page = client.get(f"/editor/drafts/{draft}").get_data(as_text=True)
    assert 'name="repair"' in page and 'name="snap_m"' in page and 'name="max_gap_width_m"' in page
