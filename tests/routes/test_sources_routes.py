"""Source pages and APIs over HTTP: guards, CSRF, import all-or-nothing, dossier actions, export, lottery."""

from __future__ import annotations

import io
from datetime import UTC

import pytest

from gisgrid.sources.models import Inspection, PollutionSource, SourceDocument
from tests import worlds
from tests.helpers import anonymous_token, assert_login_required, login


def csv_bytes(rows):
    lines = ["code,name,kind,lon,lat,class"] + [
        f"{c},示例·{c},{kind},{lon!r},{lat!r},{cls}" for c, (lon, lat), kind, cls in rows
    ]
    return "\n".join(lines).encode("utf-8")


GOOD = [("R1", worlds.wgs84(100, 100), "enterprise", "A"), ("R2", worlds.wgs84(3500, 500), "catering", "B")]


@pytest.fixture()
def admin_client(client, world_ab, make_user):
    make_user("admin", username="boss")
    return client, login(client, "boss")


def upload(client, token, data, name="s.csv", json=True):
    headers = {"X-CSRFToken": token}
    if json:
        headers["Accept"] = "application/json"
    return client.post(
        "/sources/import", data={"file": (io.BytesIO(data), name)}, headers=headers, content_type="multipart/form-data"
    )


def test_guards(client, world_ab, make_user):
    assert client.get("/api/v1/sources.geojson").status_code == 401
    assert client.get("/sources", headers={"Accept": "text/html"}).status_code == 302  # to the login page
    make_user("public", username="citizen")
    token = login(client, "citizen")
    assert client.get("/api/v1/sources.geojson").status_code == 403
    assert upload(client, token, csv_bytes(GOOD)).status_code == 403


def test_import_needs_csrf_and_a_bad_row_imports_nothing(admin_client, session):
    client, token = admin_client
    resp = client.post(
        "/sources/import",
        data={"file": (io.BytesIO(csv_bytes(GOOD)), "s.csv")},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert resp.status_code == 400 and resp.json["error"]["code"] == "csrf_failed"
    bad = GOOD + [("R3", (999, 39.9), "enterprise", "A")]
    resp = upload(client, token, csv_bytes(bad))
    assert resp.status_code == 422 and resp.json["error"]["details"][0]["row"] == 4
    assert session.query(PollutionSource).count() == 0
    page = upload(client, token, csv_bytes(bad), json=False)
    assert page.status_code == 422 and "R3" in page.get_data(as_text=True)
    assert upload(client, token, b"\x00\x01garbage", name="s.xlsx").status_code == 400
    assert upload(client, token, csv_bytes(GOOD), name="s.txt").status_code == 400
    resp = upload(client, token, csv_bytes(GOOD))
    assert resp.status_code == 200 and resp.json == {"imported": 2}


def test_geojson_is_limited_to_the_users_grids(admin_client, client, make_user, session):
    _, token = admin_client
    upload(client, token, csv_bytes(GOOD))
    all_codes = {f["properties"]["code"] for f in client.get("/api/v1/sources.geojson").json["features"]}
    assert all_codes == {"R1", "R2"}
    make_user("grid_staff", grids=["B"], username="staff_b")
    login(client, "staff_b")
    body = client.get("/api/v1/sources.geojson").json
    assert [f["properties"]["code"] for f in body["features"]] == ["R2"]
    assert body["features"][0]["properties"]["status"] in ("ok", "due_soon", "overdue")
    r1 = session.query(PollutionSource).filter_by(code="R1").one()
    assert client.get(f"/sources/{r1.id}", headers={"Accept": "application/json"}).status_code == 403


def test_dossier_actions(admin_client, session, tmp_path):
    from gisgrid.incidents import matrix

    matrix.load_demo(session)  # the violation below opens a case of the duty matrix's categories
    client, token = admin_client
    client.application.config["MEDIA_DIR"] = str(tmp_path)
    upload(client, token, csv_bytes(GOOD))
    r1 = session.query(PollutionSource).filter_by(code="R1").one()
    page = client.get(f"/sources/{r1.id}").get_data(as_text=True)
    assert "示例·R1" in page and "类别变更记录" in page
    form = {"csrf_token": token}
    assert (
        client.post(
            f"/sources/{r1.id}/inspections",
            data={**form, "inspected_on": "2026-11-01", "violation": "1", "findings": "示例·超标"},
        ).status_code
        == 302
    )
    session.refresh(r1)
    assert r1.supervision_class == "C" and session.query(Inspection).count() == 1
    assert (
        client.post(
            f"/sources/{r1.id}/class",
            data={**form, "to_class": "A", "reason": "x"},
            headers={"Accept": "application/json"},
        ).status_code
        == 400
    )  # rules keep it in C
    resp = client.post(
        f"/sources/{r1.id}/documents",
        content_type="multipart/form-data",
        data={**form, "title": "许可证", "file": (io.BytesIO(b"%PDF-1.4 sample"), "../../许可证.pdf")},
    )
    assert resp.status_code == 302
    doc = session.query(SourceDocument).one()
    assert ".." not in doc.stored_path and (tmp_path / doc.stored_path).read_bytes() == b"%PDF-1.4 sample"
    got = client.get(f"/sources/{r1.id}/documents/{doc.id}")
    assert got.status_code == 200 and got.data == b"%PDF-1.4 sample"
    assert client.post(f"/sources/{r1.id}/conflicts", data={**form, "reason": "示例·亲属"}).status_code == 302


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "gpkg"])
def test_export_downloads(admin_client, fmt):
    client, token = admin_client
    upload(client, token, csv_bytes(GOOD))
    resp = client.get(f"/sources/export.{fmt}")
    assert resp.status_code == 200 and len(resp.data) > 100
    assert client.get("/sources/export.pdf", headers={"Accept": "application/json"}).status_code == 400


def test_export_is_limited_to_the_users_grids(admin_client, make_user):
    client, token = admin_client
    upload(client, token, csv_bytes(GOOD))
    make_user("grid_staff", grids=["B"], username="staff_b")
    login(client, "staff_b")
    lines = client.get("/sources/export.csv").get_data(as_text=True).strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("R2,")


def test_lottery_is_public_and_rerunnable(admin_client, make_user, tmp_path):
    client, token = admin_client
    upload(client, token, csv_bytes(GOOD))
    make_user("handler", department="D9")
    resp = client.post(
        "/lottery",
        data={
            "csrf_token": token,
            "quarter": "2026Q4",
            "override_reason": "测试：补抽",
            "seed": "种子-1",
            "p_A": "1",
            "p_B": "1",
            "p_C": "1",
            "per_source": "1",
        },
    )
    assert resp.status_code == 302
    assert (
        client.post(
            "/lottery",
            data={"csrf_token": token, "quarter": "2026Q4", "override_reason": "再抽"},
            headers={"Accept": "application/json"},
        ).status_code
        == 409
    )
    client.post("/logout", data={"csrf_token": token})
    listing = client.get("/api/v1/lottery").json
    body = client.get(listing[0]["url"]).json
    assert body["seed"] == "种子-1" and body["rerun_matches"] is True
    # anyone can check the published JSON with lottery.py alone (stdlib only), run as a script
    import json
    import subprocess
    import sys
    from pathlib import Path

    import gisgrid.sources.lottery as lottery_module

    script = tmp_path / "lottery.py"
    script.write_text(Path(lottery_module.__file__).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "draw.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run([sys.executable, str(script), str(tmp_path / "draw.json")], capture_output=True, text=True)
    assert run.returncode == 0 and "matches" in run.stdout
    body["results"]["picks"][0]["inspector_ids"] = [424242]
    (tmp_path / "draw.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run([sys.executable, str(script), str(tmp_path / "draw.json")], capture_output=True, text=True)
    assert run.returncode == 1 and "MISMATCH" in run.stdout
    assert {p["source"].split()[0] for p in body["results"]["picks"]} == {"R1", "R2"}
    page = client.get(f"/lottery/{listing[0]['id']}").get_data(as_text=True)
    assert "种子-1" in page and "结果一致" in page
    refused = client.post("/lottery", data={"quarter": "2026Q1"}, headers={"Accept": "application/json"})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"  # admin, no token
    assert len(client.get("/api/v1/lottery").json) == len(listing)  # no draw was made
    anonymous = client.application.test_client()
    headers = {"Accept": "application/json", "X-CSRFToken": anonymous_token(anonymous)}
    assert_login_required(anonymous.post("/lottery", data={"quarter": "2026Q1"}, headers=headers))


def test_dashboard_and_overdue_pages(admin_client):
    client, token = admin_client
    upload(client, token, csv_bytes(GOOD))
    assert "检查提醒" in client.get("/sources/dashboard").get_data(as_text=True)
    assert client.get("/inspections/overdue").status_code == 200
    assert client.post("/inspections/frequency", data={"csrf_token": token, "months_B": "2"}).status_code == 302
    assert client.get("/api/v1/inspections/due").json["frequencies"]["B"] == 2


def test_editing_a_source_and_the_rules(admin_client, session, make_user):
    client, token = admin_client
    upload(client, token, csv_bytes(GOOD))
    r1 = session.query(PollutionSource).filter_by(code="R1").one()
    form = {"csrf_token": token, "name": "示例·改名印刷厂", "industry": "印刷", "key_source": "1"}
    assert client.post(f"/sources/{r1.id}/edit", data=form).status_code == 302
    session.refresh(r1)
    assert r1.name == "示例·改名印刷厂" and r1.key_source and r1.supervision_class == "C"
    assert r1.history[-1].from_class == "A" and r1.history[-1].reason.startswith("信息变更")
    assert (
        client.post(
            f"/sources/{r1.id}/edit", data={"csrf_token": token, "name": " "}, headers={"Accept": "application/json"}
        ).status_code
        == 400
    )
    make_user("grid_staff", grids=["A1"], username="staff_a1")
    staff_token = login(client, "staff_a1")
    assert (
        client.post(
            f"/sources/{r1.id}/edit", data={**form, "csrf_token": staff_token}, headers={"Accept": "application/json"}
        ).status_code
        == 403
    )


def test_dashboard_reminds_of_sources_no_patrol_came_near(admin_client, session):
    from datetime import datetime, timedelta

    from gisgrid.auth.models import User
    from gisgrid.patrols import service as patrols

    client, token = admin_client
    upload(client, token, csv_bytes(GOOD))
    boss = session.query(User).filter_by(username="boss").one()
    now = datetime.now(UTC) - timedelta(hours=1)
    track = [(*worlds.wgs84(3000 + 20 * i, 520), now + timedelta(seconds=20 * i)) for i in range(51)]  # past R2
    patrols.save_track(session, boss, track, "api")
    page = client.get("/sources/dashboard").get_data(as_text=True)
    listed = page.split('id="unpatrolled"')[1].split("</ul>")[0]
    assert "示例·R1" in listed and "示例·R2" not in listed


def test_bad_input_is_a_4xx_never_a_500(admin_client, session):
    client, token = admin_client
    upload(client, token, csv_bytes(GOOD))
    sid = session.query(PollutionSource).filter_by(code="R1").one().id
    h = {"X-CSRFToken": token, "Accept": "application/json"}
    posts = [
        (f"/sources/{sid}/inspections", {"inspected_on": "yesterday"}),
        (f"/sources/{sid}/inspections", {"inspected_on": "2999-01-01"}),
        (f"/sources/{sid}/class", {"to_class": "Z", "reason": "x"}),
        (f"/sources/{sid}/documents", {"title": "no file"}),
        (f"/sources/{sid}/conflicts", {"reason": ""}),
        ("/sources/999999/inspections", {}),
        ("/lottery", {"quarter": "2026Q4", "p_A": "nan"}),
        ("/lottery", {"quarter": "2026Q4", "per_source": "many"}),
        ("/lottery", {"quarter": "2026Q9"}),
        ("/inspections/frequency", {"months_A": "0"}),
        ("/inspections/frequency", {"months_A": "x"}),
        ("/sources/import", {}),
    ]
    for url, data in posts:
        status = client.post(url, data=data, headers=h).status_code
        assert 400 <= status < 500, (url, data, status)
    gets = [
        "/sources/999999",
        f"/sources/{sid}/documents/999",
        "/api/v1/lottery/999",
        "/lottery/999",
        "/api/v1/patrols/coverage?since=x",
        "/api/v1/patrols/coverage?distance=1e400",
        "/api/v1/patrols/coverage?distance=-5",
    ]
    for url in gets:
        status = client.get(url, headers={"Accept": "application/json"}).status_code
        assert 400 <= status < 500, (url, status)
    for body in (
        None,
        [],
        {"points": "x"},
        {"points": [None, 1, "a"]},
        {"points": [{"lon": 1, "lat": 2, "t": True}]},
        {"points": [], "crs": "nonsense"},
    ):
        resp = client.post("/api/v1/patrols/tracks", json=body, headers=h)
        assert resp.status_code == 400, (body, resp.status_code)
