"""Every read engine runs its sessions without JIT: the primary's read engine and each replica's
(``replicas.READ_PLANNER``; compiling lookup.sql's plan cost ~45 ms per lookup at 640,000 grids)."""

from sqlalchemy import text

from gisgrid import create_app
from gisgrid.db import db


def _settings(engine) -> tuple[str, str]:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT current_setting('jit'), current_setting('default_transaction_read_only')")
        ).one()


def test_the_read_engine_and_every_replica_engine_run_without_jit(database_url):
    # the test database stands in for two replicas: what is checked is each engine's session settings
    application = create_app(
        {"DATABASE_URL": database_url, "TESTING": True, "DATABASE_REPLICA_URLS": f"{database_url},{database_url}"}
    )
    try:
        state = application.extensions["gisgrid_db"]
        assert len(state.replicas.engines) == 2
        assert _settings(state.read_engine) == ("off", "on")  # no JIT, and a write fails as on a standby
        for engine in state.replicas.engines:
            assert _settings(engine)[0] == "off"
        assert _settings(state.engine)[0] == "on"  # the primary's write engine keeps the server's default
    finally:
        db.dispose(application)
