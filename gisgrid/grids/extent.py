"""Where the maps open: the published version's extent, so another county's data opens on its own place."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gisgrid.sqlfiles import statement

# nothing published yet: mainland China, so a fresh deployment opens on no particular county
FALLBACK = {"center": [35.0, 104.0], "zoom": 4, "published": False}


def initial_view(session: Session) -> dict:
    """``{"bounds": [[south, west], [north, east]], "published": true}`` or the national FALLBACK."""
    row = session.execute(statement("gisgrid.grids", "published_extent.sql")).one()
    if row.west is None:
        return dict(FALLBACK)
    return {"bounds": [[row.south, row.west], [row.north, row.east]], "published": True}
