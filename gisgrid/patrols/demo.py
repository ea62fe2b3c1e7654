"""Sample patrol tracks for the 西城区 demo: lawn-mower walks through a few grids, with GPS noise."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gisgrid.auth.models import User
from gisgrid.clock import CHINA_TZ
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid
from gisgrid.patrols import service
from gisgrid.patrols.models import PatrolTrack

# (username, grid code, days ago)
DEMO_TRACKS = (
    ("staff_fuyou", "110102001004", 1),
    ("staff_fuyou", "110102001004", 8),
    ("staff_xinjiekou", "110102003015", 2),
    ("staff_xinjiekou", "110102003020", 3),
    ("staff_xinjiekou", "110102003026", 6),
)


def _walk(geom, start: datetime, rng: random.Random, passes: int = 4) -> list[tuple]:
    minx, miny, maxx, maxy = geom.bounds
    points, t = [], start
    for k in range(passes):  # east-west passes, alternating direction, every ~15 m
        y = miny + (k + 0.5) * (maxy - miny) / passes
        xs = [minx + (maxx - minx) * i / 60 for i in range(61)]
        for x in xs if k % 2 == 0 else xs[::-1]:
            if geom.contains(shapely.Point(x, y)):
                points.append((x, y, t))
                t += timedelta(seconds=15)
    if len(points) > 10:  # noise the cleaner must remove: a repeated fix and a 2 km spike
        points.insert(5, points[4])
        points.insert(9, (points[8][0] + 0.02, points[8][1], points[8][2] + timedelta(seconds=5)))
    return points


def load_demo_tracks(
    session: Session, now: datetime | None = None, tracks: tuple = DEMO_TRACKS, within_deg: float | None = None
) -> int:
    """Store the sample tracks (username, grid code, days ago) once (skipped when the demo staff already have
    tracks); with ``within_deg`` each walk stays in that box around the grid's inner point (large rural grids)."""
    version = grid_versions.find_published(session)
    users = {u.username: u for u in session.scalars(select(User).where(User.username.in_({t[0] for t in tracks})))}
    if (
        version is None
        or not users
        or session.scalar(
            select(PatrolTrack.id).where(PatrolTrack.user_id.in_([u.id for u in users.values()])).limit(1)
        )
    ):
        return 0
    now = now or datetime.now(CHINA_TZ)
    rng, stored = random.Random(5), 0
    for username, code, days in tracks:
        wkb = session.scalar(
            select(func.ST_AsBinary(Grid.geom)).where(Grid.version_id == version.id, Grid.code == code)
        )
        if wkb is None or username not in users:
            continue
        start = (now - timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)
        geom = shapely.from_wkb(bytes(wkb))
        if within_deg:  # a walk of a few hundred metres, not across a 100 km² village
            geom = geom.intersection(geom.point_on_surface().buffer(within_deg, cap_style="square"))
        service.save_track(session, users[username], _walk(geom, start, rng), "api")
        stored += 1
    return stored
