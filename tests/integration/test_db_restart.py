"""PostgreSQL stopped and started under a running gunicorn: clean 503s, then recovery without an app restart.

Played on a PRIVATE throwaway cluster (scripts/bench/cluster.py), never on the shared one.
"""

import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from bench import cluster, load  # noqa: E402

DEMO = ROOT / "data" / "boundaries" / "xicheng_demo.geojson"
LOOKUP = "/api/v1/lookup?lon=116.3760&lat=39.9208"  # inside grid 110102001004 of the demo
PAGE = "/grids/110102001004"
ORM_API = "/api/v1/incidents/categories"  # served through the ORM session (pre-pinged engine)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pg():
    """A private cluster with the demo boundaries published; removed afterwards."""
    reason = cluster.available()
    if reason:
        pytest.skip(f"no private PostgreSQL cluster possible: {reason}")
    pg = cluster.PrivateCluster(free_port())
    try:
        pg.start()
        url = pg.create_database("gisgrid_restart")
        subprocess.run(
            [sys.executable, "-c", "from gisgrid.cli import main; main()", "grids", "import", str(DEMO), "--publish"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            env={**os.environ, "GISGRID_DATABASE_URL": url},
        )
        pg.database_url = url
        yield pg
    finally:
        pg.destroy()


@pytest.fixture(scope="module")
def server(pg, tmp_path_factory):
    """gunicorn (2 sync workers, the production setup) on the private cluster; yields its port."""
    port, logdir = free_port(), tmp_path_factory.mktemp("gunicorn")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GISGRID_RATELIMIT_ENABLED", "0")
        with load.gunicorn(pg.database_url, "gisgrid.wsgi:app", port, 2, 1, logdir):
            yield port
    log = (logdir / "gunicorn.log").read_text()
    assert "Traceback" not in log and "WORKER TIMEOUT" not in log, log[-3000:]
    assert log.count("Booting worker") == 2, "a worker was restarted:\n" + log[-3000:]


@pytest.fixture
def running(pg):
    """Whatever a test does to the cluster, it is running again for the next one."""
    yield pg
    try:
        pg.start()
    except RuntimeError:
        pass  # it was already running


def get(port: int, path: str, html: bool = False) -> tuple[int, str, bytes]:
    """One GET on a fresh connection: (status, content type, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("GET", path, headers={"Accept": "text/html"} if html else {})
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        conn.close()


def wait_for_200(port: int, path: str, tries: int = 40) -> int:
    """GET ``path`` until it answers 200; the number of tries it took (fails after ``tries``)."""
    for attempt in range(1, tries + 1):
        status, _, _ = get(port, path)
        assert status in (200, 503), f"{path} answered {status} while the database came back"
        if status == 200:
            return attempt
        time.sleep(0.25)
    pytest.fail(f"{path} still not 200 after {tries} tries")


def test_stopped_database_gives_clean_503s_and_recovers_without_restarting_the_app(server, running):
    for path in (LOOKUP, ORM_API):
        status, _, body = get(server, path)
        assert status == 200, body[:300]
    assert get(server, PAGE, html=True)[0] == 200

    running.stop()
    for _ in range(4):  # both workers, each with pooled connections that just died
        for path in (LOOKUP, ORM_API, "/tiles/14/13486/6207.pbf"):
            status, ctype, body = get(server, path)
            assert status == 503 and ctype.startswith("application/json"), (path, status, body[:300])
            assert json.loads(body)["error"]["code"] == "database_unavailable"
        status, ctype, body = get(server, PAGE, html=True)
        assert status == 503 and ctype.startswith("text/html")
        assert "数据库暂时不可用" in body.decode() and "Traceback" not in body.decode()

    running.start()
    for path in (LOOKUP, ORM_API):
        wait_for_200(server, path)
    assert get(server, PAGE, html=True)[0] == 200


def test_restart_between_requests_is_invisible(server, running):
    """Pooled connections die in a quick restart; the next requests reconnect instead of failing."""
    for _ in range(6):  # fill both workers' pools
        assert get(server, LOOKUP)[0] == 200 and get(server, ORM_API)[0] == 200
    running.stop()
    running.start()
    statuses = [get(server, path)[0] for _ in range(6) for path in (LOOKUP, ORM_API)]
    assert statuses == [200] * len(statuses)


def test_connection_checked_out_when_the_server_dies_is_not_reused(pg, running):
    """In process: a session and a raw read connection lose their server mid-use; the pools recover."""
    from gisgrid import create_app
    from gisgrid.db import db
    from gisgrid.errors import DatabaseUnavailable

    app = create_app({"DATABASE_URL": pg.database_url, "TESTING": True})
    invalidated = []
    try:
        with app.app_context():
            for engine in (db.engine, db.read_engine):
                event.listen(engine, "invalidate", lambda *_a, e=engine: invalidated.append(e))
            session = db.session()
            assert session.execute(text("SELECT 1")).scalar() == 1  # a connection is now checked out
            running.stop()
            with pytest.raises(OperationalError):
                session.execute(text("SELECT 1"))
            session.close()
            assert invalidated == [db.engine]  # the dead connection is dropped, not returned to the pool
            with pytest.raises(DatabaseUnavailable):
                db.read(lambda raw: raw.cursor().execute("SELECT 1"))
            running.start()
            assert db.engine.pool.checkedout() == 0 and db.read_engine.pool.checkedout() == 0
            with db.new_session() as fresh:
                assert fresh.execute(text("SELECT 2")).scalar() == 2
            assert db.read(_select_one) == 1

            restarts = []

            def dies_mid_query(raw):  # the server goes away while this connection is in use
                if not restarts:
                    restarts.append(1)
                    running.stop()
                    running.start()
                return _select_one(raw)

            invalidated.clear()
            assert db.read(dies_mid_query) == 1  # retried once on a fresh connection
            assert invalidated == [db.read_engine]
            assert db.read(_select_one) == 1
    finally:
        db.dispose(app)


def test_connection_closed_under_a_request_gives_503_not_500(pg):
    """psycopg2's "connection already closed" (InterfaceError, not OperationalError) is a 503 too."""
    from gisgrid import create_app
    from gisgrid.db import db

    app = create_app({"DATABASE_URL": pg.database_url, "TESTING": True})

    @app.get("/_closed_under_me")
    def closed_under_me():
        session = db.session()
        session.execute(text("SELECT 1"))
        session.connection().connection.dbapi_connection.close()  # as when the socket died earlier
        session.execute(text("SELECT 1"))
        return "unreachable"

    try:
        resp = app.test_client().get("/_closed_under_me")
        assert resp.status_code == 503 and resp.get_json()["error"]["code"] == "database_unavailable"
        with app.app_context():
            assert db.engine.pool.checkedout() == 0
            with db.new_session() as fresh:  # the closed connection was invalidated, not pooled again
                assert fresh.execute(text("SELECT 3")).scalar() == 3
    finally:
        db.dispose(app)


def _select_one(raw) -> int:
    with raw.cursor() as cur:
        cur.execute("SELECT 1")
        return cur.fetchone()[0]


def test_cluster_is_private(pg):
    """Guard: the fault is never played on the shared cluster."""
    assert pg.port != 5432
    conn = psycopg2.connect(host="127.0.0.1", port=pg.port, user="postgres", dbname="postgres")
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW data_directory")
            assert cur.fetchone()[0].startswith(str(pg.dir))
    finally:
        conn.close()


@pytest.mark.parametrize("invalidated, status", [(True, 503), (False, 500)])
def test_any_database_error_on_a_lost_connection_is_503(pg, invalidated, status):
    """Whatever class libpq gives a dropped connection, a disconnect SQLAlchemy recognised is a 503; others 500."""
    import psycopg2
    from sqlalchemy.exc import DatabaseError

    from gisgrid import create_app
    from gisgrid.db import db

    app = create_app({"DATABASE_URL": pg.database_url, "TESTING": True})

    @app.get("/_lost")
    def lost():
        orig = psycopg2.DatabaseError("error with status PGRES_TUPLES_OK and no message from the libpq")
        raise DatabaseError("SELECT 1", {}, orig, connection_invalidated=invalidated)

    try:
        resp = app.test_client().get("/_lost")
        assert resp.status_code == status
        assert resp.get_json()["error"]["code"] == ("database_unavailable" if invalidated else "internal_error")
    finally:
        db.dispose(app)


def test_a_connection_lost_after_the_answer_does_not_fail_the_request(pg):
    """Reads end their transaction at teardown: a server gone by then is dropped, not a 500."""
    from gisgrid import create_app
    from gisgrid.db import db

    app = create_app({"DATABASE_URL": pg.database_url, "TESTING": True})

    @app.get("/_answered_then_lost")
    def answered_then_lost():
        session = db.session()
        value = session.execute(text("SELECT 41 + 1")).scalar()
        session.connection().connection.dbapi_connection.close()  # the server dies before teardown
        return str(value)

    try:
        resp = app.test_client().get("/_answered_then_lost")  # TESTING: a teardown error would raise here
        assert resp.status_code == 200 and resp.get_data(as_text=True) == "42"
        with app.app_context():
            assert db.engine.pool.checkedout() == 0
            with db.new_session() as fresh:  # the dead connection was not pooled again
                assert fresh.execute(text("SELECT 3")).scalar() == 3
    finally:
        db.dispose(app)
