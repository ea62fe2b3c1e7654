"""The one answer to "which boundary version?": published now, in force on a day, or a given id.

Every page, API, cache and command resolves its version here (as mapit resolves generations in one
manager), so the rules and the errors are the same everywhere: a malformed ``?at=`` is a 400
(``gisgrid.web.parse_day``), a day before the first publication, an unknown id or nothing published
is a 404. Each resolved ``Version`` carries its ``VersionKey``, the one key of every cache of
derived data (batch index, tiles, level sizes, open-data files).

Publishing also goes through here: ``publish`` switches the published version and runs the
preparations other domains registered (map tiles' derived geometry), inside the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, has_request_context, request
from sqlalchemy.orm import Session

from gisgrid import replicas
from gisgrid.errors import NotFound
from gisgrid.grids import queries
from gisgrid.sqlfiles import statement

_PKG = "gisgrid.grids"


@dataclass(frozen=True)
class VersionKey:
    """What identifies a version's derived data: database identity, version id, publication time.

    Ids restart in a re-created database and a restore swaps in another database under the same name:
    the database's oid (new at every restore) and the publication time tell such versions apart.
    """

    database: int
    version_id: int
    published_at: datetime | None

    @property
    def slug(self) -> str:
        """The key as a file-name-safe text (on-disk caches)."""
        stamp = self.published_at.strftime("%Y%m%dT%H%M%S%f") if self.published_at else "draft"
        return f"db{self.database}-v{self.version_id}-{stamp}"


@dataclass(frozen=True)
class Version:
    """A boundary version as resolved (a plain value: safe to keep after the session is gone)."""

    id: int
    label: str
    status: str
    created_at: datetime | None
    published_at: datetime | None
    superseded_at: datetime | None
    key: VersionKey


def _version(row) -> Version | None:
    if row is None:
        return None
    key = VersionKey(int(row.database_oid), row.id, row.published_at)
    return Version(row.id, row.label, row.status, row.created_at, row.published_at, row.superseded_at, key)


_CACHE = "gisgrid_published_version"
_READS = ("GET", "HEAD")


def find_published(session: Session, fresh: bool = False) -> Version | None:
    """The published version, or None when nothing is published (``fresh``: ask the database, not the cache).

    A GET on the primary is answered from this process's cache while the lookup listener has heard
    nothing (``resident.generation``); see ``cache_generation`` for who always asks the database.
    """
    generation = None if fresh else cache_generation()
    if generation is None:
        return _query_published(session)
    app = current_app._get_current_object()
    cached = app.extensions.get(_CACHE)
    if cached is not None and cached[0] == generation:
        return cached[1]
    # the generation was read before the query: a publication committed meanwhile bumps it, so a stale
    # answer stored here is dropped at the next request
    version = _query_published(session)
    app.extensions[_CACHE] = (generation, version)
    return version


def _query_published(session: Session) -> Version | None:
    return _version(session.execute(statement(_PKG, "version_published.sql")).first())


def cache_generation() -> int | None:
    """The lookup listener's generation when a read may be cached per process; None: ask the database."""
    # only a read request on the primary: a write request may be publishing in its own transaction, which
    # no notification announces before its commit; a replica answers from its own (maybe older) version;
    # commands and jobs have no listener
    if not has_request_context() or request.method not in _READS or replicas.current_replica() is not None:
        return None
    from gisgrid.grids import resident  # resident imports this module

    return resident.generation(current_app._get_current_object())


def published(session: Session) -> Version:
    """The published version; NotFound when nothing is published."""
    version = find_published(session)
    if version is None:
        raise NotFound("尚未发布任何网格边界 (no boundary version is published)")
    return version


def on_day(session: Session, day: date) -> Version:
    """The version published at the end of ``day``; NotFound for a day before the first publication."""
    version = _version(session.execute(statement(_PKG, "version_at.sql"), {"day": day}).first())
    if version is None:
        raise NotFound(f"{day.isoformat()} 时尚无已发布的网格边界版本 (no version was published by {day})")
    return version


def by_id(session: Session, version_id: int) -> Version:
    """One version of any status by id; NotFound when there is none."""
    row = session.execute(statement(_PKG, "version_by_id.sql"), {"version_id": version_id}).first()
    version = _version(row)
    if version is None:
        raise NotFound(f"边界版本 {version_id} 不存在 (no boundary version {version_id})")
    return version


def resolve(session: Session, day: date | None = None) -> Version:
    """The version a request means: the one in force at the end of ``day``, or the published one."""
    return published(session) if day is None else on_day(session, day)


def id_on_day(dbapi_conn, day: date) -> int:
    """``on_day`` on a raw DBAPI connection (the lookup API's autocommit pool): the version id only."""
    sql = statement(_PKG, "version_at.sql").text.replace(":day", "%(day)s")
    with dbapi_conn.cursor() as cursor:
        cursor.execute(sql, {"day": day})
        row = cursor.fetchone()
    if row is None:
        raise NotFound(f"{day.isoformat()} 时尚无已发布的网格边界版本 (no version was published by {day})")
    return row[0]


_PREPARERS: list[Callable[[Session, int], None]] = []


def on_publish(preparer: Callable[[Session, int], None]) -> None:
    """Register ``preparer(session, version_id)``: derived data another domain builds at publication."""
    if preparer not in _PREPARERS:
        _PREPARERS.append(preparer)


def publish(session: Session, version_id: int) -> None:
    """Prepare ``version_id``'s derived data, then make it the published version (caller's unit of work).

    Preparation runs here, not in a GET: a request only ever reads what publication built. It runs
    before the switch, so the table lock of the switch is held for milliseconds, not for the
    preparation; both commit (or roll back) together.
    """
    for preparer in _PREPARERS:
        preparer(session, version_id)
    queries.publish(session, version_id)
