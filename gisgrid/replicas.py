"""Read replicas: anonymous public reads go to PostgreSQL streaming replicas, everything else to the primary.

``GISGRID_DATABASE_REPLICA_URLS`` (comma-separated) names hot standbys (``pg_basebackup -R``). Public
read-only endpoints (lookup, batch, tiles, the public map and its API, OGC, open data) asked by
someone not logged in are served by a replica, round-robin; a replica that fails is skipped for
``REPLICA_RETRY_S`` seconds and the request is answered again from the primary, so stopping a
replica costs no client an error. Logged-in users read the primary: they see their own writes at once.

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
from flask import Flask, g, request
from flask_login import current_user
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from gisgrid.errors import DatabaseUnavailable

# blueprints whose GET pages and APIs are public and read-only; plus the batch lookup (a read-only POST)
PUBLIC_BLUEPRINTS = ("grids", "public_api", "public_map", "ogc")
READ_ONLY_POSTS = ("grids.lookup_batch",)
_FLAG = "gisgrid_replica"
_LOST = (psycopg2.OperationalError, psycopg2.InterfaceError, DBAPIError, DatabaseUnavailable)


class ReplicaPool:
    """Engines of the replicas, handed out round-robin, skipping one that failed recently."""

    def __init__(self, urls: tuple[str, ...], pool_size: int, retry_s: float) -> None:
        self.engines: list[Engine] = [
            create_engine(url, isolation_level="AUTOCOMMIT", pool_size=pool_size, pool_pre_ping=True) for url in urls
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
    """Create the replica pool (if configured) and route the public read-only views through it."""
    urls = tuple(u.strip() for u in (app.config.get("DATABASE_REPLICA_URLS") or "").split(",") if u.strip())
    if not urls:
        return None
    pool = ReplicaPool(urls, app.config.get("DB_POOL_SIZE", 5), float(app.config.get("REPLICA_RETRY_S", 5.0)))
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.split(".", 1)[0] in PUBLIC_BLUEPRINTS or endpoint in READ_ONLY_POSTS:
            app.view_functions[endpoint] = _on_replica(view, pool, database)
    return pool


def current_replica() -> Engine | None:
    """The replica chosen for this request (None: the primary)."""
    return g.get(_FLAG)


def _eligible() -> bool:
    # staff read their own writes: only anonymous read-only requests leave the primary
    read_only = request.method in ("GET", "HEAD") or request.endpoint in READ_ONLY_POSTS
    return read_only and not current_user.is_authenticated


def _on_replica(view, pool: ReplicaPool, database):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        engine = pool.pick() if _eligible() and not database.bound_to_connection() else None
        if engine is None:
            return view(*args, **kwargs)
        g.setdefault(_FLAG, engine)
        try:
            return view(*args, **kwargs)
        except _LOST:
            # the replica went away under this request: it is read-only, so answer it again from the primary
            pool.mark_down(engine)
            g.pop(_FLAG, None)
            database.drop_request_session()
            return view(*args, **kwargs)

    return wrapper
