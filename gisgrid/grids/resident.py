"""Single lookups answered from memory: the published version held resident in each worker process.

A lookup costs a PostGIS round trip, which is most of its time. The published version is immutable, so
each process keeps what a lookup needs: the batch index's STRtrees of the lookup parts (the leaf, by
the tie rule of lookup.sql), every grid's chain element as the database's own JSON text (built from
``public_grid`` once, ``sql/resident_grids.sql``) and the unit grids. A point is answered from memory
when the answer is exactly what lookup.sql would give: no part of another grid lies within the
near-boundary radius (the same planar ``ST_DWithin`` test lookup.sql applies first, so
``near_boundary`` is empty). A point near another grid — whose distance PostGIS measures on the
spheroid — and every ``?at=`` lookup go to lookup.sql as before.

Freshness without a round trip: each process LISTENs on ``gisgrid_lookup``; triggers (migration
0016_speed) NOTIFY at the commit of any change to ``boundary_version`` or to a published version's
grids, staff or unit grids. A lookup polls the listening socket (a non-blocking read) and, after a
notification, checks the published ``VersionKey`` once by query. Built before gunicorn forks
(``--preload``, ``gisgrid.wsgi``), the texts sit in one bytes object the workers share copy-on-write.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
from dataclasses import dataclass

import numpy as np
import psycopg2
import shapely
from flask import Flask, current_app, has_app_context
from sqlalchemy import make_url
from sqlalchemy.exc import DBAPIError

from gisgrid import replicas
from gisgrid.db import db
from gisgrid.grids import batch, queries, versions
from gisgrid.sqlfiles import statement

_PKG = "gisgrid.grids"
CHANNEL = "gisgrid_lookup"
_KEY = "gisgrid_resident"


@dataclass
class ResidentVersion:
    """One version's lookup answers in memory: parts index, chain texts, unit grids."""

    key: versions.VersionKey
    parts: batch.PartIndex
    tree: shapely.STRtree  # every lookup part of every level; tree index = part number
    version_json: str
    grid_ids: np.ndarray  # sorted grid ids; a grid's row in the arrays below is its position here
    parent_row: np.ndarray  # row of the parent grid, -1 at the top
    blob: bytes  # every grid's chain element, utf-8, back to back
    offsets: np.ndarray  # element of row i = blob[offsets[i]:offsets[i + 1]]
    units: shapely.STRtree | None
    unit_json: list[str]

    def answer(self, lon: float, lat: float, radius_m: float) -> dict | None:
        """lookup.sql's result for a WGS84 point, or None when only the database can answer it exactly."""
        radius = queries.radius_in_degrees(radius_m, lat)
        leaf = self._clear_leaf(lon, lat, radius)
        point = shapely.Point(lon, lat) if leaf is None or self.units is not None else None
        if leaf is None:
            # one query finds every part within the radius (lookup.sql's planar ST_DWithin); those covering
            # the point are among them, because a covering part is at distance 0
            near = self.tree.query(point, predicate="dwithin", distance=radius)
            covering = near[shapely.intersects(self.tree.geometries.take(near), point)].tolist()
            chain_rows = self._chain_rows(self._leaf(covering))
            chain_ids = {int(self.grid_ids[row]) for row in chain_rows}
            if not chain_ids.issuperset(self.parts.grid_ids[near].tolist()):
                return None  # another grid is near: its distance on the spheroid is PostGIS's to measure
        else:
            chain_rows = self._chain_rows(leaf)
        if not chain_rows:
            chain = grid = None
        else:
            elements = [self._element(row) for row in reversed(chain_rows)]  # top → leaf, as ORDER BY level
            chain, grid = "[" + ", ".join(elements) + "]", elements[-1]
        return {
            "version": self.version_json,
            "chain": chain,
            "grid": grid,
            "near_boundary": "[]",
            "unit_grids": self._unit_grids(point),
        }

    def _clear_leaf(self, lon: float, lat: float, radius: float) -> int | None:
        """The leaf grid when the batch cells prove no boundary lies within ``radius`` degrees; else None.

        A cell no part edge touches lies inside one deepest part (``cells.py``). Every boundary within the
        radius crosses the square around the point's radius, so if all cells under that square are such
        cells of one grid, no other grid's part is near: the answer is that grid's chain with
        ``near_boundary`` empty, exactly as the STRtree path finds it, without a point or a tree query.
        """
        grid = self.parts.cells
        if grid is None:
            return None
        rows, cols = grid.cells.shape
        col0, col1 = int((lon - radius - grid.x0) // grid.dx), int((lon + radius - grid.x0) // grid.dx)
        row0, row1 = int((lat - radius - grid.y0) // grid.dy), int((lat + radius - grid.y0) // grid.dy)
        if col0 < 0 or row0 < 0 or col1 >= cols or row1 >= rows or (col1 - col0 + 1) * (row1 - row0 + 1) > 9:
            return None  # beyond the raster, or a radius wider than the cells (the tree is cheaper then)
        parts = grid.cells[row0 : row1 + 1, col0 : col1 + 1].ravel().tolist()
        if min(parts) < 0:
            return None  # an edge touches a cell (EXACT) or a cell lies outside every part
        ids = self.parts.grid_ids
        leaf = int(ids[parts[0]])
        return leaf if all(ids[part] == leaf for part in parts) else None

    def _leaf(self, covering: list[int]) -> int:
        # deepest level first, then the smallest code: the rule of lookup.sql and PartIndex.assign
        if not covering:
            return -1
        levels, ranks = self.parts.levels, self.parts.code_rank
        best = min(covering, key=lambda part: (-levels[part], ranks[part]))
        return int(self.parts.grid_ids[best])

    def _chain_rows(self, grid_id: int) -> list[int]:
        if grid_id < 0:
            return []
        rows, row = [], int(self.grid_ids.searchsorted(grid_id))
        while row >= 0:
            rows.append(row)
            row = int(self.parent_row[row])
        return rows  # leaf → top

    def _element(self, row: int) -> str:
        return self.blob[self.offsets[row] : self.offsets[row + 1]].decode("utf-8")

    def _unit_grids(self, point) -> str:
        if self.units is None:
            return "[]"
        hits = np.sort(self.units.query(point, predicate="intersects"))
        return "[" + ", ".join(self.unit_json[i] for i in hits) + "]"


def build(session, version: versions.Version) -> ResidentVersion:
    """Load a version's lookup answers into memory (shares the batch index of the same key)."""
    parts = batch.index_for(session, version)
    all_parts = shapely.STRtree(_all_parts(parts))
    rows = session.execute(statement(_PKG, "resident_grids.sql"), {"version_id": version.id}).all()
    grid_ids = np.asarray([r.id for r in rows], dtype=np.int64)
    parents = np.asarray([-1 if r.parent_id is None else r.parent_id for r in rows], dtype=np.int64)
    parent_row = np.where(parents < 0, -1, np.searchsorted(grid_ids, parents))
    encoded = [r.body.encode("utf-8") for r in rows]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    units = session.execute(statement(_PKG, "resident_units.sql"), {"version_id": version.id}).all()
    unit_tree = shapely.STRtree(shapely.from_wkb([bytes(u.wkb) for u in units])) if units else None
    version_json = session.execute(statement(_PKG, "resident_version.sql"), {"version_id": version.id}).scalar_one()
    return ResidentVersion(
        key=version.key,
        parts=parts,
        tree=all_parts,
        version_json=version_json,
        grid_ids=grid_ids,
        parent_row=parent_row,
        blob=b"".join(encoded),
        offsets=offsets,
        units=unit_tree,
        unit_json=[u.body for u in units],
    )


def _all_parts(parts: batch.PartIndex) -> np.ndarray:
    geoms = np.empty(len(parts.grid_ids), dtype=object)
    for level_tree, numbers in parts.trees:
        geoms[numbers] = level_tree.geometries
    return geoms


class _Listener:
    """A LISTEN connection of one process: tells, without a round trip, whether lookup data changed."""

    def __init__(self, url: str) -> None:
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.pid = os.getpid()
        self.conn = psycopg2.connect(dsn, connect_timeout=3)  # a server that is down must not hang a request
        self.conn.autocommit = True
        with self.conn.cursor() as cursor:
            cursor.execute(f"LISTEN {CHANNEL}")

    def changed(self) -> set[str]:
        """Payloads arrived since the last call: "version" (boundary_version) or "content" (raises when broken)."""
        if not select.select([self.conn], [], [], 0)[0]:
            return set()  # nothing on the socket: the common case costs one select()
        self.conn.poll()
        if self.conn.closed or not self.conn.notifies:
            # readable without a notification: the server closed it (stopped, restarted, database dropped),
            # often with a FATAL message psycopg2 files as a notice instead of raising
            raise psycopg2.OperationalError("the listening connection was lost")
        payloads = {n.payload for n in self.conn.notifies}
        self.conn.notifies.clear()
        return payloads

    def close(self) -> None:
        """Close the connection (only in the process that opened it)."""
        if self.pid == os.getpid():
            self.conn.close()


class _State:
    """Per app: the resident version, the listener, whether the key was checked since, the builder."""

    def __init__(self) -> None:
        self.resident: ResidentVersion | None = None
        self.listener: _Listener | None = None
        self.checked = False
        self.lock = threading.Lock()
        self.wanted: versions.VersionKey | None = None  # the key being built; a result for another is dropped
        self.builder: threading.Thread | None = None
        self.generation = 0  # bumped at every notification and every new listener (grids.versions' cache)


def _state(app: Flask) -> _State:
    return app.extensions.setdefault(_KEY, _State())


def current(app: Flask, wait: bool = False) -> ResidentVersion | None:
    """The published version resident in this process, checked for freshness; None: ask the database.

    A new version is built in a background thread while lookup.sql answers, so no request waits for a
    build after a publication (``wait``: build it now, as ``warm`` does before the workers fork).
    """
    if db.bound_to_connection(app):
        with _context(app):
            return _fresh_build()  # tests: one connection, uncommitted changes, no notification ever arrives
    state = _state(app)
    with state.lock:
        try:
            _listen(app, state)
            if not state.checked:
                with _context(app):
                    _check(app, state, wait)
                state.checked = True
        except (psycopg2.Error, DBAPIError):
            _drop_listener(state)
            return None  # the database is unreachable: the SQL path reports it (503)
        return state.resident


def _context(app: Flask):
    # the database facade serves the current app: push ``app``'s context unless it is the current one. Only
    # a check or a build needs it, so the common lookup (a select() on the listener) runs without any
    # context, as the WSGI fast path (grids.lookup_wsgi) calls it
    if has_app_context() and current_app._get_current_object() is app:
        return contextlib.nullcontext()
    return app.app_context()


def generation(app: Flask) -> int | None:
    """A number that changes whenever published lookup data may have changed; None: nothing tells (no cache).

    The published-version cache of ``grids.versions`` keys on it: it polls this process's one listener
    (no second LISTEN connection), so a hit costs a select() on the socket and no round trip.
    """
    if db.bound_to_connection():
        return None  # tests: uncommitted changes on one connection, no notification ever arrives
    state = _state(app)
    with state.lock:
        try:
            _listen(app, state)
        except (psycopg2.Error, DBAPIError):
            _drop_listener(state)
            return None
        return state.generation


def settle(app: Flask) -> None:
    """Wait for a background build of this app's resident version to end (tests, benchmarks)."""
    builder = _state(app).builder
    if builder is not None:
        builder.join()


def _check(app: Flask, state: _State, wait: bool) -> None:
    with db.new_session() as session:
        version = versions.find_published(session, fresh=True)  # under state.lock: the cache would wait on it
        if version is None:
            state.resident = state.wanted = None
            return
        if state.resident is not None and state.resident.key == version.key:
            return
        state.resident = None  # until the new version is built, lookup.sql answers
        if wait:
            state.resident, state.wanted = build(session, version), version.key
            return
    if state.wanted != version.key or state.builder is None or not state.builder.is_alive():
        state.wanted = version.key
        state.builder = threading.Thread(
            target=_build_in_background, args=(app, state, version), name="gisgrid-resident-build", daemon=True
        )
        state.builder.start()


def _build_in_background(app: Flask, state: _State, version: versions.Version) -> None:
    try:
        with app.app_context(), db.new_session() as session:
            built = build(session, version)
    except Exception as err:  # any failure: lookups stay on lookup.sql, and the next request tries again
        app.logger.warning("lookup index of version %s not built: %s", version.id, err)
        with state.lock:
            state.checked = False
        return
    with state.lock:
        if state.wanted == version.key:  # not superseded (another publication, an in-place edit) meanwhile
            state.resident = built


def for_public_read() -> ResidentVersion | None:
    """``current`` for this request's app, unless the request reads a replica (whose version may lag)."""
    if replicas.current_replica() is not None:
        return None  # a standby cannot LISTEN, and its answer must come from its own (maybe older) version
    return current(current_app._get_current_object())


def _listen(app: Flask, state: _State) -> None:
    if state.listener is not None and state.listener.pid != os.getpid():
        state.listener, state.checked = None, False  # a forked worker: the parent's socket is not ours
    if state.listener is None:
        state.listener = _Listener(app.config["DATABASE_URL"])
        state.checked = False  # listening from now on: what changed before is seen by the check
        state.generation += 1
    else:
        payloads = state.listener.changed()
        state.generation += bool(payloads)
        if "content" in payloads:
            # a published version's grids changed in place: rebuild under the same key, drop a build under way
            state.resident = state.wanted = None
        state.checked = state.checked and not payloads


def _drop_listener(state: _State) -> None:
    if state.listener is not None:
        try:
            state.listener.close()
        except psycopg2.Error:
            pass
    # the resident version is kept: once a listener is back, one key check tells whether it still holds
    state.listener, state.checked = None, False


def _fresh_build() -> ResidentVersion | None:
    with db.new_session() as session:
        version = versions.find_published(session, fresh=True)
        return None if version is None else build(session, version)


def warm(app: Flask) -> None:
    """Build the published version before gunicorn forks (``--preload``), then close every connection."""
    with app.app_context():
        try:
            built = current(app, wait=True)
            if built is not None:
                built.parts.prepare_writers()
        except (psycopg2.Error, DBAPIError) as err:  # a server that starts before its database still serves (SQL path)
            app.logger.warning("lookup index not prebuilt: %s", err)
        state = _state(app)
        if state.listener is not None:
            state.listener.close()
            state.listener = None  # each worker listens on its own connection and checks the key once
        db.dispose(app)
