"""Read replicas: anonymous public reads go to PostgreSQL streaming replicas, everything else to the primary.

``GISGRID_DATABASE_REPLICA_URLS`` (comma-separated) names hot standbys (``pg_basebackup -R``). Public
read-only endpoints (lookup, batch, tiles, the public map and its API, OGC, open data) asked by
someone not logged in are served by a replica, round-robin; a replica that fails is skipped for
``REPLICA_RETRY_S`` seconds and the request is answered again from the primary, so stopping a
replica costs no client an error. Logged-in users read the primary: they see their own writes at once.

Without replicas (or when none is healthy) the same anonymous reads use the primary's autocommit,
read-only engine (``db.read_engine``): no pre-ping, BEGIN or ROLLBACK round trips, like a replica's;
a view that writes fails there as on a replica and is answered again on the ordinary session.

A lagging replica is still consistent: a publication is one transaction, which a standby applies
atomically, and a request resolves its boundary version once (``grids.versions``), so an answer
comes from the previous version or the new one as a whole, never a mix.
"""

from __future__ import annotations

import functools
import itertools
import threading
import time

import psycopg2
from flask import Flask, current_app, g, request
from flask_login import current_user
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from gisgrid.errors import DatabaseUnavailable

# blueprints whose GET pages and APIs are public and read-only; plus the batch lookup (a read-only POST)
PUBLIC_BLUEPRINTS = ("grids", "public_api", "public_map", "ogc")
READ_ONLY_POSTS = ("grids.lookup_batch",)
_FLAG = "gisgrid_replica"
_PRIMARY_READ = "gisgrid_primary_read"  # this request may read the primary's read-only engine
_PRIMARY_READ_USED = "gisgrid_primary_read_used"
_LOST = (psycopg2.OperationalError, psycopg2.InterfaceError, DBAPIError, DatabaseUnavailable)


# every read engine's sessions, the primary's (gisgrid.db.READ_OPTIONS) and each replica's: no JIT. A single
# lookup's plan at national scale (640,000 grids, 2.2 million lookup parts) is estimated above jit_above_cost,
# and compiling it took ~45 ms of a lookup that runs in ~1.5 ms (measured on gisgrid_bench_640); no short
# read here gains from JIT.
READ_PLANNER = "-c jit=off"


class ReplicaPool:
    """Engines of the replicas, handed out round-robin, skipping one that failed recently."""

    def __init__(self, urls: tuple[str, ...], pool_size: int, retry_s: float) -> None:
        self.engines: list[Engine] = [
            create_engine(
                url,
                isolation_level="AUTOCOMMIT",
                pool_size=pool_size,
                pool_pre_ping=True,
                connect_args={"options": READ_PLANNER},
            )
            for url in urls
        ]
        self._turn = itertools.count()
        self._down_until: dict[int, float] = {}
        self._lock = threading.Lock()
        self.retry_s = retry_s

    def pick(self) -> Engine | None:
        """The next healthy replica, or None (use the primary)."""
        now = time.monotonic()
        for _ in range(len(self.engines)):
            i = next(self._turn) % len(self.engines)
            if self._down_until.get(i, 0.0) <= now:
                return self.engines[i]
        return None

    def mark_down(self, engine: Engine) -> None:
        """Skip ``engine`` for a while and drop its pooled connections (they are probably dead)."""
        with self._lock:
            self._down_until[self.engines.index(engine)] = time.monotonic() + self.retry_s
        engine.dispose()

    def dispose(self) -> None:
        """Close every pooled replica connection."""
        for engine in self.engines:
            engine.dispose()


def init_app(app: Flask, database) -> ReplicaPool | None:
    """Create the replica pool (if configured) and route the public read-only views through it (or through
    the primary's read-only engine)."""
    urls = tuple(u.strip() for u in (app.config.get("DATABASE_REPLICA_URLS") or "").split(",") if u.strip())
    pool = None
    if urls:
        pool = ReplicaPool(urls, app.config.get("DB_POOL_SIZE", 5), float(app.config.get("REPLICA_RETRY_S", 5.0)))
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.split(".", 1)[0] in PUBLIC_BLUEPRINTS or endpoint in READ_ONLY_POSTS:
            app.view_functions[endpoint] = _public_read(view, pool, database)
    return pool


def current_replica() -> Engine | None:
    """The replica chosen for this request (None: the primary)."""
    return g.get(_FLAG)


def primary_read() -> bool:
    """Whether this request's session may be opened on the primary's read-only engine (marks that it was)."""
    # decided when a session is first wanted: a request that never opens one (a lookup) pays nothing
    if not g.get(_PRIMARY_READ) or not _anonymous_read():
        return False
    g.setdefault(_PRIMARY_READ_USED, True)
    return True


def _anonymous_read() -> bool:
    # without a session cookie or a token nobody can be logged in: decided without loading a user
    read_only = request.method in ("GET", "HEAD") or request.endpoint in READ_ONLY_POSTS
    cookie = current_app.config["SESSION_COOKIE_NAME"]
    return read_only and cookie not in request.cookies and "HTTP_AUTHORIZATION" not in request.environ


def _eligible() -> bool:
    # staff read their own writes: only anonymous read-only requests leave the primary
    read_only = request.method in ("GET", "HEAD") or request.endpoint in READ_ONLY_POSTS
    return read_only and not current_user.is_authenticated


def _public_read(view, pool: ReplicaPool | None, database):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if database.bound_to_connection():
            return view(*args, **kwargs)  # tests: the test's own connection and transaction
        engine = pool.pick() if pool is not None and _eligible() else None
        if engine is not None:
            return _on_replica(view, pool, database, engine, args, kwargs)
        g.setdefault(_PRIMARY_READ, True)
        try:
            return view(*args, **kwargs)
        except _LOST:
            if not g.pop(_PRIMARY_READ_USED, None):
                raise  # the read-only engine was not used: not its failure
            # a write refused by the read-only engine, or a dead pooled connection: once more, on the primary
            g.pop(_PRIMARY_READ, None)
            database.drop_request_session()
            return view(*args, **kwargs)

    return wrapper


def _on_replica(view, pool: ReplicaPool, database, engine: Engine, args, kwargs):
    g.setdefault(_FLAG, engine)
    try:
        return view(*args, **kwargs)
    except _LOST:
        # the replica went away under this request: it is read-only, so answer it again from the primary
        pool.mark_down(engine)
        g.pop(_FLAG, None)
        database.drop_request_session()
        return view(*args, **kwargs)
