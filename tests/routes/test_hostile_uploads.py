"""Hostile photos and dossier documents over HTTP: clear errors, nothing stored, no file left behind."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from gisgrid.incidents.models import Incident, IncidentPhoto
from gisgrid.sources import dossier
from gisgrid.sources.models import PollutionSource, SourceDocument
from tests.incident_support import _report
from tests.integration.test_media_store import png_header
from tests.routes.test_sources_routes import GOOD, csv_bytes, upload


def _files(media_dir) -> list:
    root = Path(media_dir)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    "photo, message",
    [
        (b"<script>alert(1)</script>", "JPEG"),  # a .jpg that is not an image
        (b"MZ\x90\x00" + b"\x00" * 64, "JPEG"),  # an executable
        (png_header(60_000, 60_000), "过大"),  # a decompression bomb's header
    ],
)
def test_fake_or_bomb_photo_is_refused(app, client, case_world, session, photo, message):
    before = session.query(Incident).count()
    resp = _report(client, photos=(io.BytesIO(photo), "a.jpg"))
    assert resp.status_code == 400 and message in resp.get_json()["error"]["message"]
    assert session.query(Incident).count() == before and session.query(IncidentPhoto).count() == 0
    assert _files(app.config["MEDIA_DIR"]) == []


def test_oversize_photo_is_refused(app, client, case_world, session):
    app.config["PHOTO_MAX_BYTES"] = 1024
    resp = _report(client, photos=(io.BytesIO(png_header(10, 10) + b"\x00" * 4096), "a.png"))
    error = resp.get_json()["error"]
    assert resp.status_code == 413 and "超过 1 KB 上限" in error["message"] and "photos" in error["message"]
    assert error["details"] == {"field": "photos", "limit_bytes": 1024}
    assert session.query(Incident).count() == 0 and _files(app.config["MEDIA_DIR"]) == []


@pytest.fixture()
def dossier_client(client, world_ab, make_user, session, tmp_path):
    from tests.helpers import login

    make_user("admin", username="boss")
    token = login(client, "boss")
    client.application.config["MEDIA_DIR"] = str(tmp_path / "media")
    upload(client, token, csv_bytes(GOOD))
    return client, token, session.query(PollutionSource).filter_by(code="R1").one()


def _post_document(client, token, source, data, name):
    return client.post(
        f"/sources/{source.id}/documents",
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
        data={"csrf_token": token, "title": "<script>alert(1)</script>", "file": (io.BytesIO(data), name)},
    )


@pytest.mark.parametrize(
    "data, name, status, message",
    [
        (b"<html><script>alert(1)</script></html>", "permit.pdf", 400, "不支持"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "../../../etc/cron.d/x", 400, "不支持"),
        (b"", "empty.pdf", 400, "为空"),
        (b"%PDF-1.4 " + b"x" * 5000, "big.pdf", 413, "超过"),
    ],
)
def test_hostile_document_is_refused(dossier_client, session, monkeypatch, data, name, status, message):
    client, token, source = dossier_client
    monkeypatch.setattr(dossier, "MAX_DOCUMENT_BYTES", 4096)
    resp = _post_document(client, token, source, data, name)
    assert resp.status_code == status and message in resp.get_json()["error"]["message"]
    assert session.query(SourceDocument).count() == 0
    assert _files(client.application.config["MEDIA_DIR"]) == []


def test_document_file_does_not_outlive_a_failed_commit(dossier_client, session, monkeypatch):
    from sqlalchemy.orm import Session

    client, token, source = dossier_client
    real_commit = Session.commit

    def failing_commit(self):
        if any(isinstance(o, SourceDocument) for o in self.new):
            raise RuntimeError("disk full")
        return real_commit(self)

    monkeypatch.setattr(Session, "commit", failing_commit)
    assert _post_document(client, token, source, b"%PDF-1.4 ok", "p.pdf").status_code == 500
    assert _files(client.application.config["MEDIA_DIR"]) == []


def test_document_title_with_script_is_stored_verbatim_and_escaped(dossier_client, session):
    client, token, source = dossier_client
    assert _post_document(client, token, source, b"%PDF-1.4 ok", "<img src=x onerror=alert(1)>.pdf").status_code == 302
    doc = session.query(SourceDocument).one()
    assert doc.title == "<script>alert(1)</script>" and "<" not in doc.filename
    assert doc.stored_path.startswith(f"sources/{source.id}/") and doc.stored_path.count("/") == 2
    page = client.get(f"/sources/{source.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
