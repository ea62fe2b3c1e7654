"""Where the maps open: the published version's extent, so another county's data opens on its own place.

Every map page (a grid page is 10 % of the public mix) asks for it, so each process keeps the answer
per published ``VersionKey`` and lookup-listener generation (``versions.cache_generation``): a GET on the
primary then costs no query. Where nothing tells of a change (a write request, tests on one connection, a
replica, a command) the extent is asked of the database every time.
"""

from __future__ import annotations

import threading

from flask import current_app
from sqlalchemy.orm import Session

from gisgrid.grids import versions
from gisgrid.sqlfiles import statement

# nothing published yet: mainland China, so a fresh deployment opens on no particular county
FALLBACK = {"center": [35.0, 104.0], "zoom": 4, "published": False}
_KEY = "gisgrid_map_extent"
_lock = threading.Lock()


def initial_view(session: Session) -> dict:
    """``{"bounds": [[south, west], [north, east]], "published": true}`` or the national FALLBACK."""
    generation = versions.cache_generation()  # None outside a GET on the primary with a listener
    if generation is None:
        return _query(session)
    version = versions.find_published(session)  # from the process's cache while nothing changed
    key = (None if version is None else version.key, generation)
    app = current_app._get_current_object()
    with _lock:
        cached = app.extensions.get(_KEY)
    if cached is not None and cached[0] == key:
        return dict(cached[1])
    view = _query(session)
    with _lock:
        app.extensions[_KEY] = (key, view)
    return dict(view)


def _query(session: Session) -> dict:
    row = session.execute(statement("gisgrid.grids", "published_extent.sql")).one()
    if row.west is None:
        return dict(FALLBACK)
    return {"bounds": [[row.south, row.west], [row.north, row.east]], "published": True}
