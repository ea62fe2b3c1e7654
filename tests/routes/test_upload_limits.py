"""Every route that takes a file refuses an oversize one the same way: 413, the field and limit named, nothing stored."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from gisgrid.incidents.models import Incident, IncidentCategory, IncidentPhoto
from gisgrid.patrols import tracks
from gisgrid.patrols.models import PatrolTrack
from gisgrid.sources import dossier
from gisgrid.sources.models import PollutionSource, SourceDocument
from tests.helpers import login
from tests.incident_support import As, _report
from tests.integration.test_media_store import png_header
from tests.routes.test_editor_routes import API, open_draft, planner, world  # noqa: F401 (fixtures)
from tests.routes.test_hostile_uploads import dossier_client  # noqa: F401 (fixture)
from tests.routes.test_patrol_routes import gpx, walk_points
from tests.routes.test_sources_routes import GOOD, admin_client, csv_bytes, upload  # noqa: F401 (fixture)


def _refused(resp, field: str, limit: int) -> None:
    # the one refusal: 413 too_large, naming the form field (message and details) and the limit
    assert resp.status_code == 413, resp.get_data(as_text=True)
    error = resp.get_json()["error"]
    assert error["code"] == "too_large" and f"字段 {field}" in error["message"] and "上限" in error["message"]
    assert error["details"] == {"field": field, "limit_bytes": limit}


def _stored(media_dir) -> list[Path]:
    root = Path(media_dir)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_oversize_report_photo(app, client, case_world, session):
    app.config["PHOTO_MAX_BYTES"] = 2048
    big = png_header(10, 10) + b"\x00" * 4096
    resp = _report(client, photos=[(io.BytesIO(png_header(10, 10)), "ok.png"), (io.BytesIO(big), "big.png")])
    _refused(resp, "photos", 2048)
    assert session.query(Incident).count() == 0 and session.query(IncidentPhoto).count() == 0
    assert _stored(app.config["MEDIA_DIR"]) == []


def test_oversize_workflow_photo_names_its_field(app, case_world, session):
    case = _report(app.test_client()).get_json()["id"]
    staff = As(app, case_world["dispatcher"])
    app.config["PHOTO_MAX_BYTES"] = 2048
    resp = staff.client.post(
        f"/api/v1/incidents/{case}/actions/register",
        data={"photos_after": (io.BytesIO(b"\xff\xd8\xff" + b"\x00" * 4096), "after.jpg")},
        headers={"X-CSRFToken": staff.token},
        content_type="multipart/form-data",
    )
    _refused(resp, "photos_after", 2048)
    assert session.get(Incident, case).state == "reported" and session.query(IncidentPhoto).count() == 0


def test_oversize_document(dossier_client, session, monkeypatch):  # noqa: F811 (fixture)
    client, token, source = dossier_client
    monkeypatch.setattr(dossier, "MAX_DOCUMENT_BYTES", 4096)
    resp = client.post(
        f"/sources/{source.id}/documents",
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
        data={"csrf_token": token, "title": "许可证", "file": (io.BytesIO(b"%PDF-1.4 " + b"x" * 5000), "p.pdf")},
    )
    _refused(resp, "file", 4096)
    assert session.query(SourceDocument).count() == 0 and _stored(client.application.config["MEDIA_DIR"]) == []


def test_oversize_track(client, world_ab, make_user, session, monkeypatch):
    make_user("grid_staff", grids=["A"], username="walker")
    token = login(client, "walker")
    monkeypatch.setattr(tracks, "MAX_FILE_BYTES", 1024)
    resp = client.post(
        "/patrols/upload",
        data={"csrf_token": token, "file": (io.BytesIO(gpx(walk_points(100, 400))), "walk.gpx")},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    _refused(resp, "file", 1024)
    assert session.query(PatrolTrack).count() == 0


def test_oversize_source_import(admin_client, session):  # noqa: F811 (fixture)
    client, token = admin_client
    data = csv_bytes(GOOD)
    client.application.config["IMPORT_MAX_BYTES"] = len(data) - 1
    _refused(upload(client, token, data), "file", len(data) - 1)
    assert session.query(PollutionSource).count() == 0
    client.application.config["IMPORT_MAX_BYTES"] = len(data)
    assert upload(client, token, data).get_json() == {"imported": 2}  # exactly at the limit is fine


def test_oversize_draft_geopackage(client, planner, session):  # noqa: F811 (fixture)
    draft = open_draft(client, planner)
    before = client.get(f"{API}/versions/{draft}/grids").get_json()
    client.application.config["IMPORT_MAX_BYTES"] = 10_000
    resp = client.post(
        f"{API}/drafts/{draft}/import",
        headers={"X-CSRFToken": planner},
        data={"file": (io.BytesIO(b"SQLite format 3\x00" + b"\x00" * 20_000), "draft.gpkg")},
        content_type="multipart/form-data",
    )
    _refused(resp, "file", 10_000)
    assert client.get(f"{API}/versions/{draft}/grids").get_json() == before


def test_oversize_matrix_file(client, case_world, make_user, session, monkeypatch):
    from gisgrid.incidents import matrix

    make_user("admin", username="matrix_admin")
    token = login(client, "matrix_admin")
    data = "code,name,departments,deadline_days\nnew_noise,新的噪声类别,gongan,7\n".encode()

    def post():
        return client.post(
            "/incidents/matrix",
            data={"csrf_token": token, "file": (io.BytesIO(data), "m.csv")},
            content_type="multipart/form-data",
            headers={"Accept": "application/json"},
        )

    monkeypatch.setattr(matrix, "MAX_FILE_BYTES", len(data) - 1)
    _refused(post(), "file", len(data) - 1)
    assert session.get(IncidentCategory, "new_noise") is None
    monkeypatch.setattr(matrix, "MAX_FILE_BYTES", len(data))  # the whole file, never a silently cut one
    assert post().status_code == 302 and session.get(IncidentCategory, "new_noise").deadline_days == 7


@pytest.mark.parametrize("field", ["file", "photos"])
def test_a_missing_required_file_names_the_field(dossier_client, field):  # noqa: F811 (fixture)
    client, token, source = dossier_client
    resp = client.post(
        f"/sources/{source.id}/documents",
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
        data={"csrf_token": token, "title": "t", field: (io.BytesIO(b"%PDF-1.4"), "p.pdf")},
    )
    if field == "file":
        assert resp.status_code == 302  # control: the same post with the right field is stored
    else:
        assert resp.status_code == 400 and resp.get_json()["error"]["details"] == {"field": "file"}
