"""Engine and session wiring; nothing connects until the first query."""
from __future__ import annotations

from contextlib import contextmanager

from flask import Flask, g
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker


class Database:
    """Holds the engine and session factory of one app; tests may rebind it to a connection."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.sessionmaker = sessionmaker(expire_on_commit=False)

    def init_app(self, app: Flask) -> None:
        """Create the engine lazily from app config and close sessions at teardown."""
        self.engine = create_engine(
            app.config["DATABASE_URL"], pool_pre_ping=False, pool_recycle=1800,
            pool_size=app.config.get("DB_POOL_SIZE", 5), future=True)
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

    @contextmanager
    def connect(self):
        """A Core connection for read-only queries: cheaper than a session; the test binding if any."""
        bind = self.sessionmaker.kw["bind"]
        if isinstance(bind, Connection):
            yield bind
        else:
            # autocommit: a read needs no BEGIN/ROLLBACK round trips
            with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                yield conn

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
