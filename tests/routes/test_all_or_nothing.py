"""One unit of work per request: a step whose photo cannot be stored leaves neither the step nor the file.

The failure is real: PostgreSQL refuses the photo row with SQLSTATE 53100 (disk full), raised by a trigger
inside the test's transaction, after the photo file has already been written to the media directory.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from gisgrid.incidents.models import Incident, IncidentEvent, IncidentPhoto
from tests.incident_support import PNG, As, _ok, _report

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture()
def full_disk(session):
    """From now on the database refuses every photo row as a full disk would (rolled back with the test)."""
    session.execute(
        text(
            "CREATE FUNCTION refuse_photo() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100'; END $$"
        )
    )
    session.execute(
        text("CREATE TRIGGER refuse_photo BEFORE INSERT ON incident_photo FOR EACH ROW EXECUTE FUNCTION refuse_photo()")
    )
    session.commit()


def _stored_files(app) -> list[Path]:
    media = Path(app.config["MEDIA_DIR"])
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def _count(session, *where) -> int:
    return session.scalar(select(func.count()).select_from(where[0]).where(*where[1:]))


def _multipart(user, case, action, data, **files):
    return user.client.post(
        f"/api/v1/incidents/{case}/actions/{action}",
        data={**data, **files},
        headers={"X-CSRFToken": user.token},
        content_type="multipart/form-data",
    )


def test_a_handling_step_whose_photo_row_fails_leaves_neither_the_step_nor_the_files(
    app, client, session, case_world, full_disk
):
    case = _ok(_report(client), 201)["id"]
    d, h = As(app, case_world["dispatcher"]), As(app, case_world["zhujian"])
    _ok(d.act(case, "register"))
    _ok(d.act(case, "dispatch"))
    _ok(h.act(case, "start"))
    photos = {"photos_before": (io.BytesIO(PNG), "b.png"), "photos_after": (io.BytesIO(JPEG), "a.jpg")}
    resp = _multipart(h, case, "handle", {"result": "已覆盖防尘网"}, **photos)
    assert resp.status_code == 503 and resp.get_json()["error"]["code"] == "database_unavailable"
    body = _ok(d.get(f"/api/v1/incidents/{case}"))
    assert body["state"] == "in_progress" and body["photos"] == []
    assert "handle" not in [e["action"] for e in body["events"]]
    assert _count(session, IncidentEvent, IncidentEvent.incident_id == case, IncidentEvent.action == "handle") == 0
    assert _stored_files(app) == []  # both files were written, then dropped with the rolled-back unit


def test_a_report_whose_photo_row_fails_leaves_no_case_no_audit_row_and_no_file(
    app, client, session, case_world, full_disk
):
    before = _count(session, Incident, Incident.id > 0)
    resp = _report(client, photos=(io.BytesIO(PNG), "a.png"))
    assert resp.status_code == 503
    assert _count(session, Incident, Incident.id > 0) == before
    assert _count(session, IncidentEvent, IncidentEvent.action == "report") == before
    assert _count(session, IncidentPhoto, IncidentPhoto.id > 0) == 0
    assert _stored_files(app) == []


def test_the_same_steps_commit_once_the_disk_has_room(app, client, session, case_world):
    # the control: without the failing trigger the very same requests store the case, the step and the files
    body = _ok(_report(client, photos=(io.BytesIO(PNG), "a.png")), 201)
    assert len(_stored_files(app)) == 1
    assert _count(session, IncidentPhoto, IncidentPhoto.incident_id == body["id"]) == 1
