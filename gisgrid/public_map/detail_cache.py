"""One grid's public detail, built once per boundary version and kept in a bounded per-process LRU.

The detail (geometry, parent chain, children) costs four queries; it changes only with the version,
so it is keyed by the version's ``VersionKey`` (which changes at publication and restore: no
invalidation message is needed, between workers or servers) plus the code and the CRS. The ETag is
derived from the same key, so a client's If-None-Match is answered 304 without building anything.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from datetime import date

from sqlalchemy.orm import Session

from gisgrid.grids import versions as grid_versions
from gisgrid.public_map import service

MAX_BYTES = 64 * 1024 * 1024  # per process: a county's villages, or the busiest grids of a province
DETAIL_SCHEMA = "d1"  # bump when the detail's content changes for the same version

_entries: OrderedDict[tuple, tuple[dict, bytes]] = OrderedDict()  # (detail, its JSON), LRU order
_size = 0
_lock = threading.Lock()


def etag_for(key: grid_versions.VersionKey, code: str, crs: str) -> str:
    """The ETag of a grid's detail in a version (quotes not included)."""
    return hashlib.sha256(f"{DETAIL_SCHEMA}:{key.slug}:{code}:{crs}".encode()).hexdigest()[:32]


def version_of(session: Session, day: date | None) -> grid_versions.Version:
    """The version a request means (one indexed query)."""
    return grid_versions.resolve(session, day)


def grid_detail(session: Session, version: grid_versions.Version, code: str, crs: str) -> dict:
    """``service.grid_detail`` of ``version``, from the cache when it was built before."""
    return _entry(session, version, code, crs)[0]


def grid_json(session: Session, version: grid_versions.Version, code: str, crs: str) -> bytes:
    """The same detail as the API's JSON body, serialised once."""
    return _entry(session, version, code, crs)[1]


def _entry(session: Session, version: grid_versions.Version, code: str, crs: str) -> tuple[dict, bytes]:
    key = (version.key, code, crs)
    with _lock:
        hit = _entries.get(key)
        if hit is not None:
            _entries.move_to_end(key)
            return hit
    detail = service.grid_detail_of(session, version, code, crs)
    entry = (detail, json.dumps(detail, ensure_ascii=False).encode())
    _remember(key, entry)
    return entry


def _remember(key: tuple, entry: tuple[dict, bytes]) -> None:
    global _size
    with _lock:
        if key in _entries:
            return
        _entries[key] = entry
        _size += 2 * len(entry[1])  # the dict costs about as much as its JSON
        while _size > MAX_BYTES and len(_entries) > 1:
            _, (_, old) = _entries.popitem(last=False)
            _size -= 2 * len(old)


def clear() -> None:
    """Forget every cached detail (tests)."""
    global _size
    with _lock:
        _entries.clear()
        _size = 0
