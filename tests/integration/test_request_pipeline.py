"""What every public read request pays: the published version from the process's cache, the audit actor
only with a statement, and a write still audited with its actor.

Real commits on a database of its own: the cache is invalidated by the NOTIFY of migration 0016_speed's
triggers, which only a committed change sends.
"""

from __future__ import annotations

import select

import pytest
from sqlalchemy import event, text

from gisgrid import replicas
from gisgrid.db import db, unit_of_work
from gisgrid.grids import resident, service, versions
from gisgrid.incidents import matrix
from tests import worlds
from tests.conftest import committed_app, committed_session

_PUBLISHED_SQL = "WHERE v.status = 'published'"  # grids/sql/version_published.sql


@pytest.fixture(scope="module")
def pipe_app():
    with committed_app("gisgrid_pipe") as application:
        application.config["WTF_CSRF_ENABLED"] = False  # an anonymous JSON client; CSRF has its own tests
        yield application
        state = resident._state(application)
        if state.listener is not None:
            state.listener.close()


@pytest.fixture(scope="module")
def first_version(pipe_app, tmp_path_factory):
    path = worlds.write(worlds.world_ab_frame(), tmp_path_factory.mktemp("ab") / "ab.gpkg")
    with committed_session(pipe_app) as session:
        return service.import_file(session, str(path), publish=True).version_id


def _published_in_get(app):
    with app.test_request_context("/api/v1/grids/A1a", method="GET"), db.new_session() as session:
        return versions.find_published(session)


def _notified(app) -> None:
    conn = resident._state(app).listener.conn
    assert select.select([conn], [], [], 30)[0], "no notification arrived"


def _statements(app):
    seen: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda c, cur, statement, *a: seen.append(statement))
    return seen


def test_a_publication_is_seen_by_the_next_request_through_the_cache(pipe_app, first_version, tmp_path):
    client = pipe_app.test_client()
    assert client.get("/api/v1/grids/A1a").json["version"]["id"] == first_version  # the listener starts
    cached = _published_in_get(pipe_app)
    assert cached.id == first_version and _published_in_get(pipe_app) is cached  # held, not asked again

    path = worlds.write(worlds.world_ab_frame(), tmp_path / "ab2.gpkg")
    with committed_session(pipe_app) as session:
        draft = service.import_file(session, str(path), publish=False).version_id
    _notified(pipe_app)
    assert _published_in_get(pipe_app).id == first_version  # a draft changes nothing, but was checked
    with committed_session(pipe_app) as session:
        service.publish_version(session, draft)
    _notified(pipe_app)
    assert client.get("/api/v1/grids/A1a").json["version"]["id"] == draft
    assert _published_in_get(pipe_app).id == draft


def test_a_cached_read_asks_the_database_nothing_about_the_version(pipe_app, first_version):
    client = pipe_app.test_client()
    client.get("/api/v1/grids/A1a")
    seen = _statements(pipe_app)
    assert client.get("/api/v1/grids/A1a").status_code == 200
    assert not [s for s in seen if _PUBLISHED_SQL in s]
    assert all("set_config('gisgrid.actor_id'" not in s for s in seen if not s.startswith("SELECT set_config"))


def test_a_write_request_asks_the_database_even_before_the_notification(pipe_app, first_version, tmp_path):
    _published_in_get(pipe_app)  # the cache holds the version published now
    path = worlds.write(worlds.world_ab_frame(), tmp_path / "ab3.gpkg")
    with committed_session(pipe_app) as session:
        newest = service.import_file(session, str(path), publish=True).version_id
    # no waiting for the NOTIFY: a POST never reads the cache (it may be publishing in its own transaction)
    with pipe_app.test_request_context("/api/v1/incidents", method="POST"), db.new_session() as session:
        assert versions.find_published(session).id == newest
    with pipe_app.test_request_context("/api/v1/grids/A1a", method="GET"), db.new_session() as session:
        assert versions.find_published(session, fresh=True).id == newest


def test_a_write_on_a_request_still_gets_its_actor_in_the_audit_log(pipe_app, first_version, tmp_path):
    with committed_session(pipe_app) as session:
        matrix.load_demo(session)  # the report categories
        session.commit()
    pipe_app.config["MEDIA_DIR"] = str(tmp_path / "media")
    lon, lat = worlds.wgs84(100, 100)
    answer = pipe_app.test_client().post(
        "/api/v1/incidents", json={"category": "dust", "description": "工地扬尘很严重", "lon": lon, "lat": lat}
    )
    assert answer.status_code == 201, answer.json
    with committed_session(pipe_app) as session:
        row = (
            session.execute(
                text(
                    "SELECT actor_name, actor_source, actor_ip FROM audit_log"
                    " WHERE entity = 'incident' AND action = 'insert' ORDER BY id DESC LIMIT 1"
                )
            )
            .mappings()
            .one()
        )
    assert dict(row) == {"actor_name": "anonymous", "actor_source": "api", "actor_ip": "127.0.0.1"}


def _checkouts(app) -> dict[str, int]:
    counts = {"primary": 0, "read_only": 0}
    with app.app_context():
        for name, engine in (("primary", db.engine), ("read_only", db.read_engine)):
            event.listen(engine.pool, "checkout", lambda *a, name=name: counts.__setitem__(name, counts[name] + 1))
    return counts


def test_an_anonymous_public_read_uses_the_read_only_engine(pipe_app, first_version):
    client = pipe_app.test_client()
    counts = _checkouts(pipe_app)
    assert client.get("/ogc/collections/grids/items?limit=5").status_code == 200
    assert counts == {"primary": 0, "read_only": 1}  # no pre-ping, BEGIN or ROLLBACK on the primary's pool
    client.set_cookie(pipe_app.config["SESSION_COOKIE_NAME"], "someone")  # maybe logged in: their own writes
    assert client.get("/ogc/collections/grids/items?limit=5").status_code == 200
    assert counts["primary"] == 1


def test_a_public_view_that_writes_is_answered_again_on_the_primary(pipe_app, first_version):
    with committed_session(pipe_app) as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS pipe_probe (n int)"))
        session.commit()
    calls = []

    def view():
        calls.append(1)
        with unit_of_work(db.session()) as session:
            session.execute(text("INSERT INTO pipe_probe VALUES (1)"))
        return "ok"

    with pipe_app.test_request_context("/api/v1/grids/A1a", method="GET"):
        assert replicas._public_read(view, None, db)() == "ok"
    assert len(calls) == 2  # refused by the read-only engine, then written on the primary
    with committed_session(pipe_app) as session:
        assert session.execute(text("SELECT count(*) FROM pipe_probe")).scalar_one() == 1


def _stored_tiles(app, z: int) -> int:
    with committed_session(app) as session:
        return session.execute(text("SELECT count(*) FROM tile_cache WHERE z = :z"), {"z": z}).scalar_one()


def test_a_tile_built_for_an_anonymous_read_is_stored_on_the_primary_and_later_ones_too(pipe_app, first_version):
    from gisgrid.public_map import tile_fill, tile_store, tiles

    z = 16
    lon, lat = worlds.wgs84(100, 100)
    ((x, y),) = tile_fill.covering([(lon, lat, lon, lat)], z)
    tiles.TILE_CACHE.clear()
    before = _stored_tiles(pipe_app, z)
    client = pipe_app.test_client()
    assert client.get(f"/tiles/{z}/{x}/{y}.pbf").status_code == 200  # anonymous: the read-only pool
    assert _stored_tiles(pipe_app, z) == before + 1 and not tile_store._read_only_urls
    client.set_cookie(pipe_app.config["SESSION_COOKIE_NAME"], "someone")  # an ordinary session next
    assert client.get(f"/tiles/{z}/{x + 1}/{y}.pbf").status_code == 200
    assert _stored_tiles(pipe_app, z) == before + 2  # the primary was not marked read-only by the first
