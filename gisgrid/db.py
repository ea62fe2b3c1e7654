"""Engine and session wiring; nothing connects until the first query."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
from flask import Flask, current_app, g, has_app_context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from gisgrid import replicas
from gisgrid.errors import Conflict, DatabaseUnavailable

# SQLSTATEs of a lost race: serialization failure, deadlock, lock not available, unique and exclusion violations
_CONFLICT_CODES = {"40001", "40P01", "55P03", "23505", "23P01"}
_DEPTH = "gisgrid_uow_depth"


@contextmanager
def unit_of_work(session: Session, conflict: str | None = None) -> Iterator[Session]:
    """The one way a service writes: commit when the block ends, roll everything back on any exception.

    Nested units (a service calling another service) join the outermost one, which alone commits.
    A lost race (serialization/lock failure, duplicate key) becomes a 409 ``Conflict`` carrying
    ``conflict`` (or a generic message); other errors propagate unchanged after the rollback.
    Files written through ``gisgrid.media`` inside the block are kept or dropped with the commit.
    """
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
        if depth == 0:
            session.commit()
    except BaseException as err:
        if depth == 0:
            session.rollback()
        if isinstance(err, DBAPIError) and getattr(err.orig, "pgcode", None) in _CONFLICT_CODES:
            raise Conflict(conflict or "数据已被他人同时修改，请刷新后重试 (concurrent change, retry)") from err
        raise
    finally:
        session.info[_DEPTH] = depth


def row_id(value) -> int:
    """An id from a URL or a JSON body → a positive bigint, or 0 when it cannot be one (so: not found).

    A larger number would be a database error, not "no such row"."""
    if isinstance(value, bool):  # JSON true is not case 1
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0


# the read engine's sessions: read-only, and the replicas' planner settings (no JIT: replicas.READ_PLANNER)
READ_OPTIONS = f"-c default_transaction_read_only=on {replicas.READ_PLANNER}"


class _AppDatabase:
    """The engines and session factory of one app (several apps may live in one process)."""

    def __init__(self, url: str, pool_size: int) -> None:
        self.engine: Engine = create_engine(url, pool_pre_ping=True, pool_size=pool_size)
        # hot read-only queries: autocommit is set once per connection, so a lookup costs one
        # round trip (no BEGIN/ROLLBACK, no pre-ping); read() retries once on a dead connection. Also the
        # sessions of anonymous public reads (gisgrid.replicas): read-only, so a write fails, as on a replica
        self.read_engine: Engine = create_engine(
            url,
            isolation_level="AUTOCOMMIT",
            pool_reset_on_return=None,
            pool_size=pool_size,
            pool_recycle=1800,
            connect_args={"options": READ_OPTIONS},
        )
        self.sessionmaker = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.replicas = None  # a replicas.ReplicaPool when GISGRID_DATABASE_REPLICA_URLS is set


class Database:
    """Facade over the current app's engines; tests may rebind an app to one connection.

    Each app keeps its own engines in ``app.extensions``, so a test process can serve several
    apps on different databases at once (live servers in threads).
    """

    def __init__(self) -> None:
        self._last: _AppDatabase | None = None

    def init_app(self, app: Flask) -> None:
        """Create the engines lazily from app config and close sessions at teardown."""
        state = _AppDatabase(app.config["DATABASE_URL"], app.config.get("DB_POOL_SIZE", 5))
        app.extensions["gisgrid_db"] = self._last = state
        app.teardown_appcontext(self._close_request_session)

    def init_replicas(self, app: Flask) -> None:
        """Route anonymous public reads to GISGRID_DATABASE_REPLICA_URLS (after the views are registered)."""
        self._state(app).replicas = replicas.init_app(app, self)

    def has_replicas(self, app: Flask) -> bool:
        """Whether ``app`` sends anonymous public reads to read replicas (GISGRID_DATABASE_REPLICA_URLS)."""
        return self._state(app).replicas is not None

    def _state(self, app: Flask | None = None) -> _AppDatabase:
        if app is not None:
            return app.extensions["gisgrid_db"]
        if has_app_context():
            return current_app.extensions["gisgrid_db"]
        if self._last is None:
            raise RuntimeError("gisgrid.db used before create_app()")
        return self._last  # outside any app context (scripts, test teardown): the latest app

    @property
    def engine(self) -> Engine:
        return self._state().engine

    @property
    def read_engine(self) -> Engine:
        return self._state().read_engine

    @property
    def sessionmaker(self) -> sessionmaker:
        return self._state().sessionmaker

    def bind_to(self, connection, app: Flask | None = None, **kwargs) -> None:
        """Bind new sessions of ``app`` (default: current/latest) to one connection (tests: per-test rollback)."""
        self._state(app).sessionmaker.configure(bind=connection, **kwargs)

    def bound_to_connection(self, app: Flask | None = None) -> bool:
        """True when sessions of ``app`` (default: current/latest) are bound to one connection (tests): no
        replica may serve them."""
        return isinstance(self._state(app).sessionmaker.kw.get("bind"), Connection)

    def dispose(self, app: Flask | None = None) -> None:
        """Close every pooled connection of ``app`` (before dropping its database)."""
        state = self._state(app)
        state.engine.dispose()
        state.read_engine.dispose()
        if state.replicas is not None:
            state.replicas.dispose()

    def session(self) -> Session:
        """The session of the current app context, created on first use (on this request's replica, if any)."""
        if "db_session" not in g:
            replica = replicas.current_replica()
            if replica is None and replicas.primary_read():
                replica = self.read_engine  # an anonymous public read on the primary: no BEGIN, no ROLLBACK
            g.db_session = self.sessionmaker(bind=replica) if replica is not None else self.sessionmaker()
        return g.db_session

    def drop_request_session(self) -> None:
        """Forget this request's session (its replica failed); the next ``session()`` opens a new one."""
        session = g.pop("db_session", None)
        if session is not None:
            try:
                session.close()
            except DBAPIError:
                session.invalidate()

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
            return (replicas.current_replica() or self.read_engine).raw_connection()
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
        if session is None:
            return
        try:
            session.close()  # ends the request's read transaction (services leave reads to this)
        except DBAPIError as err:
            # the answer is made; the server went away before its transaction could end. Nothing is
            # left to roll back on it: drop the connection instead of failing the request with a 500
            current_app.logger.warning("request session lost its connection at teardown: %s", err.orig)
            session.invalidate()


db = Database()
