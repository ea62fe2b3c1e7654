"""The read engine's connections (single lookups, public reads) run without PostgreSQL's JIT."""

from sqlalchemy import text

from gisgrid.db import _AppDatabase


def test_read_connections_have_jit_off_and_stay_read_only(engine):
    url = engine.url.render_as_string(hide_password=False)
    database = _AppDatabase(url, pool_size=1)
    try:
        with database.read_engine.connect() as conn:
            assert conn.execute(text("SHOW jit")).scalar_one() == "off"
            assert conn.execute(text("SHOW default_transaction_read_only")).scalar_one() == "on"
        with database.engine.connect() as conn:  # writes and staff reads keep the server's setting
            assert conn.execute(text("SHOW default_transaction_read_only")).scalar_one() == "off"
    finally:
        database.read_engine.dispose()
        database.engine.dispose()
