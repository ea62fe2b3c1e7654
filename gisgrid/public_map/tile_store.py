"""Built vector tiles kept in the database (``tile_cache``): read before building, written once built.

The fill job (public_map/tile_fill.py) writes a published version's tiles right after publication; a tile
nobody filled is built on its first request and stored here too, so every worker and server (and a
replica, by replication) reads it afterwards instead of building it again.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gisgrid.db import db, unit_of_work
from gisgrid.sqlfiles import statement

log = logging.getLogger(__name__)
_PKG = "gisgrid.public_map"
_READ_ONLY = "25006"  # SQLSTATE read_only_sql_transaction: a hot standby
_read_only_urls: set[str] = set()  # binds (replicas) that refused a write once: not asked again
_NO_FLUSH_WAIT = text("SET LOCAL synchronous_commit TO off")


def read(session: Session, version_id: int, variant: str, schema: str, level: int, z: int, x: int, y: int):
    """The stored bytes of a tile, or None when it was never stored."""
    params = {"version_id": version_id, "variant": variant, "schema": schema, "level": level, "z": z, "x": x, "y": y}
    body = session.execute(statement(_PKG, "tile_cache_get.sql"), params).scalar()
    return None if body is None else bytes(body)


def put(session: Session, rows: list[dict]) -> None:
    """Store built tiles in the caller's transaction (dicts of tile_cache_put.sql's parameters).

    Its commit does not wait for the WAL to reach the disk (``synchronous_commit`` off for this
    transaction only): the rows are a cache, and a crash loses at most the last ones, built again on
    request. Measured under bench_load's write phase, a tile request that stored its tile waited on the
    WAL flush (``IO/WALSync``) like a publication does. Callers' transactions hold only tile rows.
    """
    if rows:
        session.execute(_NO_FLUSH_WAIT)
        session.execute(statement(_PKG, "tile_cache_put.sql"), rows)


def keep(session: Session, row: dict) -> None:
    """Store one tile built during a request and commit (the request only read before: nothing else commits).

    A replica cannot write: the tile is then left to the fill job on the primary, whose rows it receives.
    An anonymous read on the primary runs on its read-only pool (``db.read_engine``): the tile is stored
    through a session of its own on the primary instead, never tried there (the refusal would mark the
    primary's URL as read-only for every later session).
    """
    bind = session.get_bind()
    if bind is db.read_engine:
        with db.new_session() as primary:
            _put_one(primary, row, str(db.engine.url))
        return
    _put_one(session, row, str(getattr(bind, "url", "")))


def _put_one(session: Session, row: dict, url: str) -> None:
    if url in _read_only_urls:
        return
    try:
        with unit_of_work(session):
            put(session, [row])
    except DBAPIError as err:  # the answer is built: a tile that could not be kept is built again next time
        if getattr(err.orig, "pgcode", None) == _READ_ONLY:
            _read_only_urls.add(url)
        log.warning("could not keep tile %s/%s/%s: %s", row["z"], row["x"], row["y"], err.orig)


def stored_keys(session: Session, version_id: int, variant: str, schema: str) -> set[tuple[int, int, int, int]]:
    """(level, z, x, y) of the tiles of a version already stored."""
    params = {"version_id": version_id, "variant": variant, "schema": schema}
    return {tuple(r) for r in session.execute(statement(_PKG, "tile_cache_keys.sql"), params)}


def changed_boxes(session: Session, old_id: int, new_id: int, max_rows: int, grow: float = 0.01):
    """Boxes of the grids that differ between two versions in what a tile draws; None when more than ``max_rows``."""
    params = {"old_id": old_id, "new_id": new_id, "max_rows": max_rows, "grow": grow}
    rows = session.execute(statement(_PKG, "tile_changed_boxes.sql"), params).all()
    return None if len(rows) > max_rows else [tuple(float(v) for v in r) for r in rows]


def carry_over(session: Session, old_id: int, new_id: int, schema: str, levels: list[int], boxes) -> int:
    """Copy the old version's stored tiles that no changed box touches to the new version; → rows copied."""
    w, s, e, n = (list(col) for col in zip(*boxes)) if boxes else ([], [], [], [])
    params = {"old_id": old_id, "new_id": new_id, "schema": schema, "levels": levels, "w": w, "s": s, "e": e, "n": n}
    return session.execute(statement(_PKG, "tile_cache_carry.sql"), params).rowcount


def prune(session: Session, keep_id: int) -> int:
    """Drop stored tiles of superseded versions other than ``keep_id``; → rows dropped."""
    return session.execute(statement(_PKG, "tile_cache_prune.sql"), {"keep_id": keep_id}).rowcount
