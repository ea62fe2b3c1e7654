"""``gisgrid backup`` / ``gisgrid restore``: a full round trip of a demo deployment through the real CLI."""

from __future__ import annotations

import io
import json
import signal
import tarfile

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from gisgrid.db import db
from tests.backup_support import cli_env, fingerprint, media_snapshot, run_cli, start_cli
from tests.conftest import fresh_database
from tests.helpers import csrf_from, login

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
DOCUMENT = "排污许可证 (sample)".encode() * 100
DEMO_PASSWORD = "gisgrid-demo-1"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """A dedicated database with the demo deployment, one incident photo and one source document."""
    with fresh_database("gisgrid_test_backup") as url:
        media = tmp_path_factory.mktemp("deploy") / "media"
        env = cli_env(url, media, tmp_path_factory.mktemp("cache"))
        loaded = run_cli(env, "demo", "load")
        assert loaded.returncode == 0, loaded.stderr[-2000:]
        ids = _add_media(url, media)
        yield {"url": url, "media": media, "env": env, **ids}


def _add_bytes(tar, name: str, data: bytes) -> None:
    """Add a member ``name`` holding ``data`` to an archive being written."""
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _app(url, media):
    from gisgrid import create_app

    return create_app({"DATABASE_URL": url, "MEDIA_DIR": str(media), "TESTING": True})


def _points(url):
    engine = create_engine(url)
    with engine.connect() as conn:
        points = conn.execute(
            text(
                "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(g.geom) AS p FROM grid g "
                "JOIN boundary_version v ON v.id = g.version_id AND v.status = 'published' "
                "ORDER BY g.level DESC, g.code LIMIT 4) s"
            )
        ).all()
    engine.dispose()
    return [tuple(p) for p in points]


def _add_media(url, media):
    from gisgrid.auth.models import User
    from gisgrid.sources import dossier
    from gisgrid.sources.models import PollutionSource

    lon, lat = _points(url)[0]
    app = _app(url, media)
    client = app.test_client()
    token = csrf_from(client.get("/report").get_data(as_text=True))
    resp = client.post(
        "/api/v1/incidents",
        headers={"X-CSRFToken": token},
        data={
            "category": "dust",
            "description": "工地未覆盖，扬尘严重",
            "lon": lon,
            "lat": lat,
            "photos": (io.BytesIO(PNG), "p.png"),
        },
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    engine = create_engine(url)
    with Session(engine) as session:
        admin = session.scalar(select(User).where(User.username == "admin"))
        source_id = session.scalars(select(PollutionSource.id).order_by(PollutionSource.id)).first()
        doc = dossier.add_document(session, admin, source_id, "排污许可证", "permit.pdf", DOCUMENT, str(media))
        ids = {"incident": resp.get_json()["id"], "source": source_id, "document": doc.id}
    engine.dispose()
    db.dispose(app)
    return ids


def _served(deployment):
    """What the app serves over HTTP: lookups at sample points, the photo bytes, the document bytes."""
    app = _app(deployment["url"], deployment["media"])
    client = app.test_client()
    lookups = [client.get(f"/api/v1/lookup?lon={x}&lat={y}").get_json() for x, y in _points(deployment["url"])]
    login(client, "admin", DEMO_PASSWORD)
    case = client.get(f"/api/v1/incidents/{deployment['incident']}").get_json()
    photo = client.get(case["photos"][0]["url"])
    doc = client.get(f"/sources/{deployment['source']}/documents/{deployment['document']}")
    db.dispose(app)  # a restore closes every connection to the database anyway
    return {"lookups": lookups, "photo": (photo.status_code, photo.data), "document": (doc.status_code, doc.data)}


def _state(deployment):
    return fingerprint(deployment["url"]), media_snapshot(deployment["media"])


def test_corrupt_or_truncated_archive_is_refused_and_nothing_is_touched(deployment, tmp_path):
    archive = tmp_path / "good.tar"
    made = run_cli(deployment["env"], "backup", str(archive))
    assert made.returncode == 0, made.stderr[-2000:]
    before = _state(deployment)
    data = archive.read_bytes()
    flipped = bytearray(data)
    flipped[len(data) // 3] ^= 0xFF
    for name, content in (
        ("flipped.tar", bytes(flipped)),
        ("truncated.tar", data[: len(data) // 2]),
        ("empty.tar", b""),
    ):
        (tmp_path / name).write_bytes(content)
        run = run_cli(deployment["env"], "restore", "--force", str(tmp_path / name))
        assert run.returncode == 1, (name, run.stdout, run.stderr[-2000:])
        assert "Traceback" not in run.stderr and (
            "损坏" in run.stderr or "校验和" in run.stderr or "清单" in run.stderr
        ), (name, run.stderr[-1000:])
        assert _state(deployment) == before, name


def test_backup_from_newer_code_is_refused(deployment, tmp_path):
    good, newer = tmp_path / "good.tar", tmp_path / "newer.tar"
    assert run_cli(deployment["env"], "backup", str(good)).returncode == 0
    with tarfile.open(good) as src, tarfile.open(newer, "w") as dst:
        for member in src.getmembers():
            content = src.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(content)
                manifest["alembic_revisions"].append("9999_from_the_future")
                content = json.dumps(manifest).encode()
            _add_bytes(dst, member.name, content)
    before = _state(deployment)
    run = run_cli(deployment["env"], "restore", "--force", str(newer))
    assert run.returncode == 1 and "9999_from_the_future" in run.stderr, run.stderr[-1000:]
    assert _state(deployment) == before


def test_backup_refuses_to_overwrite_and_restore_refuses_a_database_with_data(deployment, tmp_path):
    archive = tmp_path / "b.tar"
    archive.write_bytes(b"keep me")
    run = run_cli(deployment["env"], "backup", str(archive))
    assert run.returncode == 1 and "--force" in run.stderr and archive.read_bytes() == b"keep me"
    assert run_cli(deployment["env"], "backup", "--force", str(archive)).returncode == 0
    before = _state(deployment)
    run = run_cli(deployment["env"], "restore", str(archive))
    assert run.returncode == 1 and "--force" in run.stderr
    assert _state(deployment) == before


def test_sigkilled_backup_leaves_no_file_at_path(deployment, tmp_path):
    media = tmp_path / "big-media"
    (media / "incidents" / "1").mkdir(parents=True)
    for i in range(40):  # 80 MB: enough for the kill to land while files are being archived
        (media / "incidents" / "1" / f"{i}.jpg").write_bytes(bytes([i]) * (2 << 20))
    env = cli_env(deployment["url"], media)
    target = tmp_path / "killed.tar"
    proc = start_cli(env, "backup", str(target))
    seen = b""
    while b"media files" not in seen and proc.poll() is None:
        seen += proc.stderr.read1(4096)
    assert proc.poll() is None, "the backup finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not target.exists()
    again = run_cli(env, "backup", str(target))
    assert again.returncode == 0, again.stderr[-1000:]
    with tarfile.open(target) as tar:
        assert len([m for m in tar.getmembers() if m.name.startswith("media/")]) == 40


def test_full_round_trip_after_damage(deployment, tmp_path):
    before_served = _served(deployment)
    assert before_served["photo"] == (200, PNG) and before_served["document"] == (200, DOCUMENT)
    assert all(answer.get("chain") or answer.get("grid") for answer in before_served["lookups"]), before_served
    archive = tmp_path / "backup.tar"
    made = run_cli(deployment["env"], "backup", str(archive))
    assert made.returncode == 0, made.stderr[-2000:]
    before = _state(deployment)
    assert before[0]["counts"]["grid"] > 0 and before[0]["counts"]["incident_photo"] == 1
    _damage(deployment)
    assert _state(deployment) != before
    restored = run_cli(deployment["env"], "restore", "--force", str(archive))
    assert restored.returncode == 0, restored.stderr[-2000:]
    assert _state(deployment) == before
    assert _served(deployment) == before_served
    _new_case_does_not_collide(deployment)


def _damage(deployment):
    engine = create_engine(deployment["url"])
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE boundary_version, incident, source_document CASCADE"))
    engine.dispose()
    for path in deployment["media"].rglob("*"):
        if path.is_file():
            path.unlink()


def _new_case_does_not_collide(deployment):
    lon, lat = _points(deployment["url"])[1]
    client = _app(deployment["url"], deployment["media"]).test_client()
    token = csrf_from(client.get("/report").get_data(as_text=True))
    resp = client.post(
        "/api/v1/incidents",
        headers={"X-CSRFToken": token},
        data={
            "category": "dust",
            "description": "恢复后的新案件",
            "lon": lon,
            "lat": lat,
            "photos": (io.BytesIO(PNG), "q.png"),
        },
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.get_json()["id"] > deployment["incident"]
    db.dispose(client.application)


def test_sigkilled_restore_leaves_database_and_media_untouched(deployment, tmp_path):
    archive = tmp_path / "b.tar"
    assert run_cli(deployment["env"], "backup", str(archive)).returncode == 0
    before = _state(deployment)
    proc = start_cli(deployment["env"], "restore", "--force", str(archive))
    seen = b""
    while b"pg_restore" not in seen and proc.poll() is None:
        seen += proc.stderr.read1(4096)
    assert proc.poll() is None, "the restore finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _state(deployment) == before
    _drop_scratch(deployment["url"])
    again = run_cli(deployment["env"], "restore", "--force", str(archive))
    assert again.returncode == 0, again.stderr[-2000:]
    assert _state(deployment) == before


def _drop_scratch(url):
    """The killed restore's half-built scratch database (never the live one) is left for the operator: drop it."""
    from sqlalchemy import make_url

    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        names = (
            conn.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                {"p": make_url(url).database + "_restore_%"},
            )
            .scalars()
            .all()
        )
        for name in names:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()
    assert len(names) <= 1


def test_restore_into_a_database_that_does_not_exist_yet(deployment, tmp_path):
    from sqlalchemy import make_url

    archive = tmp_path / "b.tar"
    assert run_cli(deployment["env"], "backup", str(archive)).returncode == 0
    base = make_url(deployment["url"])
    url = base.set(database=base.database + "_copy").render_as_string(hide_password=False)
    media = tmp_path / "elsewhere" / "media"
    try:
        run = run_cli(cli_env(url, media), "restore", str(archive))
        assert run.returncode == 0, run.stderr[-2000:]
        assert fingerprint(url) == fingerprint(deployment["url"])
        assert media_snapshot(media) == media_snapshot(deployment["media"])
    finally:
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{base.database}_copy" WITH (FORCE)'))
        admin.dispose()


def test_archive_member_escaping_the_media_directory_is_refused(deployment, tmp_path):
    import hashlib

    evil = tmp_path / "evil.tar"
    good = tmp_path / "good.tar"
    assert run_cli(deployment["env"], "backup", str(good)).returncode == 0
    payload = b"not a photo"
    with tarfile.open(good) as src, tarfile.open(evil, "w") as dst:
        manifest = json.loads(src.extractfile("manifest.json").read())
        dst.addfile(src.getmember("database.dump"), src.extractfile("database.dump"))
        evil_name = "media/../../outside.txt"
        _add_bytes(dst, evil_name, payload)
        manifest["files"] = [f for f in manifest["files"] if f["name"] == "database.dump"] + [
            {"name": evil_name, "size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
        ]
        _add_bytes(dst, "manifest.json", json.dumps(manifest).encode())
    before = _state(deployment)
    run = run_cli(deployment["env"], "restore", "--force", str(evil))
    assert run.returncode == 1 and "无效" in run.stderr, run.stderr[-1000:]
    assert _state(deployment) == before
    assert not (deployment["media"].parent.parent / "outside.txt").exists()
