"""Test fixtures: a fresh PostGIS database per session, a rolled-back transaction per test."""

from __future__ import annotations

import os
import socket
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from gisgrid import config as settings

TEMPLATE = os.environ.get("GISGRID_TEST_TEMPLATE", "gisgrid_template")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin_url(url):
    return url.set(database="postgres")


@contextmanager
def fresh_database(prefix: str = "gisgrid_test"):
    """Create <prefix>_<random> from the PostGIS template, migrate it, yield its URL, drop it."""
    base = make_url(settings.from_env()["DATABASE_URL"])
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(_admin_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        from gisgrid.migrate import upgrade

        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def committed_app(prefix: str):
    """An app on a fresh migrated database of its own, for tests whose work must really commit (the audit
    triggers group by transaction, the hash chain seals at commit)."""
    from gisgrid import create_app
    from gisgrid.db import db

    with fresh_database(prefix) as url:
        application = create_app({"DATABASE_URL": url, "TESTING": True})
        yield application
        db.dispose(application)


@contextmanager
def committed_session(application):
    """A session of ``application`` whose commits are real (not the rolled-back test session)."""
    from gisgrid.db import db

    with application.app_context(), db.new_session() as sess:
        yield sess


@pytest.fixture(scope="session")
def database_url():
    """The session's own fresh database."""
    with fresh_database() as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url):
    eng = create_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture()
def connection(engine):
    """One connection in an outer transaction that is rolled back after the test."""
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture()
def session(connection):
    """A session whose commits become savepoints inside the test's transaction."""
    sess = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield sess
    sess.close()


@pytest.fixture()
def app(database_url, connection):
    """The Flask app with every request session bound to the test's connection."""
    from gisgrid import create_app
    from gisgrid.db import db

    # rate-limit tests enable it on their own app; demo mode: fixtures log in with the demo password whatever
    # GISGRID_SECRET_KEY says (tests/routes/test_auth_security.py turns it off)
    application = create_app(
        {"DATABASE_URL": database_url, "TESTING": True, "RATELIMIT_ENABLED": False, "DEMO_MODE": True}
    )
    db.bind_to(connection, app=application, join_transaction_mode="create_savepoint")
    yield application


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def make_user(session):
    """Factory: make_user(role, grids=(), department=None, username=None) → a committed User.

    The password is tests.helpers.PASSWORD; a department code that does not exist is created.
    """
    from gisgrid.auth import service
    from tests.helpers import PASSWORD

    counter = iter(range(1, 10_000))

    def make(role, grids=(), department=None, username=None):
        if department:
            service.ensure_department(session, department, f"测试部门 {department}")
        name = username or f"{role}_{next(counter)}"
        return service.create_user(session, name, PASSWORD, role, grid_codes=grids, department_code=department)

    return make


@pytest.fixture()
def world_ab(session, tmp_path):
    """World A/B imported from a GeoPackage in EPSG:4528 and published."""
    from gisgrid.grids import service
    from tests import worlds

    path = worlds.write(worlds.world_ab_frame(), tmp_path / "ab.gpkg")
    return service.import_file(session, path, publish=True)


@pytest.fixture()
def world_e(session, tmp_path):
    """World E (WGS84, for exact-edge tests) imported and published."""
    from gisgrid.grids import service
    from tests import worlds

    path = worlds.write(worlds.world_e_frame(), tmp_path / "e.geojson")
    return service.import_file(session, path, publish=True)


@pytest.fixture()
def world_j(session, tmp_path):
    """World J (province, counties, townships, villages, an exclave) imported and published."""
    from gisgrid.grids import service
    from tests import jurisdiction_world, worlds

    path = worlds.write(jurisdiction_world.world_j_frame(), tmp_path / "j.gpkg")
    return service.import_file(session, path, publish=True)
