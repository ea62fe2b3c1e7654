"""Engine and session wiring; nothing connects until the first query."""
from __future__ import annotations

from contextlib import contextmanager

import psycopg2
from flask import Flask, g
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from gisgrid.errors import DatabaseUnavailable


class Database:
    """Holds the engine and session factory of one app; tests may rebind it to a connection."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.read_engine: Engine | None = None
        self.sessionmaker = sessionmaker(expire_on_commit=False)

    def init_app(self, app: Flask) -> None:
        """Create the engine lazily from app config and close sessions at teardown."""
        url, pool_size = app.config["DATABASE_URL"], app.config.get("DB_POOL_SIZE", 5)
        self.engine = create_engine(url, pool_pre_ping=True, pool_size=pool_size)
        # hot read-only queries: autocommit is set once per connection, so a lookup costs one
        # round trip (no BEGIN/ROLLBACK, no pre-ping); read() retries once on a dead connection
        self.read_engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None,
                                         pool_size=pool_size, pool_recycle=1800)
        self.sessionmaker.configure(bind=self.engine)
        app.extensions["gisgrid_db"] = self
        app.teardown_appcontext(self._close_request_session)

    def bind_to(self, connection, **kwargs) -> None:
        """Bind new sessions to one connection (used by tests for per-test rollback)."""
        self.sessionmaker.configure(bind=connection, **kwargs)

    def session(self) -> Session:
        """The session of the current app context, created on first use."""
        if "db_session" not in g:
            g.db_session = self.sessionmaker()
        return g.db_session

    def read(self, work):
        """Run ``work(dbapi_connection)`` for a read-only query on the autocommit pool.

        A pooled connection can be dead (database restarted, backend killed): it is
        dropped and the read retried once on a fresh connection, so clients only see
        an error (503) while the database is really down.
        """
        bind = self.sessionmaker.kw["bind"]
        if isinstance(bind, Connection):  # tests: the test's own transaction
            return work(bind.connection)
        for attempt in (1, 2):
            raw = self._checkout()
            try:
                return work(raw)
            except (psycopg2.OperationalError, psycopg2.InterfaceError) as err:
                raw.invalidate()  # a dead connection must not go back to the pool
                if attempt == 2:
                    raise DatabaseUnavailable() from err
            finally:
                raw.close()

    def _checkout(self):
        try:
            return self.read_engine.raw_connection()
        except (psycopg2.OperationalError, DBAPIError) as err:
            raise DatabaseUnavailable() from err

    @contextmanager
    def new_session(self):
        """A session outside any request (CLI commands, scripts)."""
        session = self.sessionmaker()
        try:
            yield session
        finally:
            session.close()

    @staticmethod
    def _close_request_session(_exc) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()
