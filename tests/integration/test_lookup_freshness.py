"""The in-memory lookup follows committed changes: publication, a draft (no rebuild), an in-place edit.

A real database with committed data (no test transaction): the app's process LISTENs on
gisgrid_lookup and the triggers of migration 0016_speed NOTIFY at commit.
"""

import select

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from gisgrid import create_app
from gisgrid.grids import resident, service
from tests import worlds
from tests.conftest import fresh_database


@pytest.fixture()
def live(tmp_path):
    """(app, engine, path of world A/B) on a fresh database of its own."""
    with fresh_database("gisgrid_test_fresh") as url:
        app = create_app({"DATABASE_URL": url, "TESTING": True, "RATELIMIT_ENABLED": False})
        engine = create_engine(url)
        yield app, engine, worlds.write(worlds.world_ab_frame(), tmp_path / "ab.gpkg")
        from gisgrid.db import db

        state = resident._state(app)
        if state.listener is not None:
            state.listener.close()
        db.dispose(app)
        engine.dispose()


def _lookup(app, x=100, y=100):
    lon, lat = worlds.wgs84(x, y)
    return app.test_client().get("/api/v1/lookup", query_string={"lon": lon, "lat": lat}).json


def _notified(app) -> None:
    # waits for the NOTIFY to reach this process's listening socket (delivered after the commit returns)
    conn = resident._state(app).listener.conn
    assert select.select([conn], [], [], 30)[0], "no notification arrived"


def _import(engine, path, publish):
    with Session(engine) as session:
        return service.import_file(session, str(path), publish=publish).version_id


def test_publication_draft_and_in_place_edit_reach_the_resident_lookup(live):
    app, engine, path = live
    first = _import(engine, path, publish=True)
    assert _lookup(app)["version"]["id"] == first  # answered by lookup.sql while the version is built
    resident.settle(app)
    held = resident.current(app)
    assert held is not None and held.key.version_id == first

    draft = _import(engine, path, publish=False)  # boundary_version and 8 grids change, all of a draft
    _notified(app)
    with app.app_context():
        assert resident.current(app) is held  # the key was checked again, nothing was rebuilt

    with Session(engine) as session:
        service.publish_version(session, draft)
    _notified(app)
    body = _lookup(app)
    assert body["version"]["id"] == draft and body["grid"]["code"] == "A1a"
    resident.settle(app)
    assert resident.current(app).key.version_id == draft
    assert _lookup(app)["version"]["id"] == draft  # now from memory

    with Session(engine) as session:  # an in-place edit of the published version's public contact
        session.execute(
            text("UPDATE grid SET contact_phone = '010-1234-5678', contact_phone_public = true WHERE version_id = :v"),
            {"v": draft},
        )
        session.commit()
    _notified(app)
    assert _lookup(app)["grid"]["contact_phone"] == "010-1234-5678"
    resident.settle(app)
    assert _lookup(app)["grid"]["contact_phone"] == "010-1234-5678"  # the rebuilt memory has it too


def test_nothing_published_then_published(live):
    app, engine, path = live
    assert app.test_client().get("/api/v1/lookup", query_string={"lon": 116, "lat": 39}).status_code == 404
    version_id = _import(engine, path, publish=True)
    _notified(app)
    assert _lookup(app)["version"]["id"] == version_id
    resident.settle(app)
    assert _lookup(app)["version"]["id"] == version_id
