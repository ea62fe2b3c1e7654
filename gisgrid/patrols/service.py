"""Patrol services: store cleaned tracks, compute coverage for a period.

Services take plain values and a session, own the transaction, and never touch ``flask.request``.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gisgrid.auth.service import in_scope, sees_all
from gisgrid.clock import CHINA_TZ, today_in_china
from gisgrid.db import unit_of_work
from gisgrid.errors import InvalidInput, NotFound
from gisgrid.grids import versions as grid_versions
from gisgrid.patrols import cleaning, clip, partitions, queries, tracks
from gisgrid.patrols.models import PatrolTrack

DEFAULT_DISTANCE_M = 100.0
MAX_DISTANCE_M = 2000.0


def save_track(
    session: Session,
    user,
    points: list[tuple],
    origin: str,
    max_speed_mps: float = cleaning.DEFAULT_MAX_SPEED_MPS,
    client_id: str | None = None,
) -> PatrolTrack:
    """Clean the points and store the track of ``user``; fewer than two clean points is refused."""
    with unit_of_work(session):
        result = cleaning.clean(points, max_speed_mps)
        if len(result.points) < 2:
            raise InvalidInput(f"清洗后有效轨迹点不足 2 个（需要坐标和时间）: {result.report}", result.report)
        pts = result.points
        wkt = "LINESTRING(" + ", ".join(f"{lon!r} {lat!r}" for lon, lat, _ in pts) + ")"
        length = sum(cleaning.distance_m(a, b) for a, b in zip(pts, pts[1:]))
        track = PatrolTrack(
            user_id=user.id,
            patroller=user.display_name,
            origin=origin,
            started_at=pts[0][2],
            ended_at=pts[-1][2],
            geom=f"SRID=4326;{wkt}",
            points=[[lon, lat, t.isoformat()] for lon, lat, t in pts],
            cleaning=result.report,
            length_m=round(length, 1),
            client_id=client_id,
        )
        partitions.ensure(session, [track.started_at])  # a month's first track (or an old one) makes its partition
        session.add(track)
    return track


def _client_track(session: Session, user, client_id: str) -> PatrolTrack | None:
    return session.scalar(select(PatrolTrack).where(PatrolTrack.user_id == user.id, PatrolTrack.client_id == client_id))


def save_client_track(session: Session, user, points: list[tuple], client_id: str | None) -> tuple[PatrolTrack, bool]:
    """A phone's track, stored once per ``client_id`` of the user; returns (track, created).

    A retry (the phone lost the answer, or sent from its offline queue twice) gets the first track.
    The insert runs in a savepoint, so a concurrent retry that loses the race answers with the winner.
    """
    if not client_id:
        return save_track(session, user, points, "api"), True
    with unit_of_work(session):
        first = _client_track(session, user, client_id)
        if first is not None:
            return first, False
        try:
            with session.begin_nested():  # losing the race undoes only this insert, not the unit
                track = save_track(session, user, points, "api", client_id=client_id)
                session.flush()
        except IntegrityError:
            winner = _client_track(session, user, client_id)
            if winner is None:
                raise
            return winner, False
    return track, True


def upload_track(session: Session, user, filename: str, data: bytes) -> PatrolTrack:
    """A GPX or GeoJSON file → a stored, cleaned track."""
    name = (filename or "").lower()
    if name.endswith(".gpx"):
        return save_track(session, user, tracks.from_gpx(data), "gpx")
    if name.endswith((".geojson", ".json")):
        return save_track(session, user, tracks.from_geojson(data), "geojson")
    raise InvalidInput("请上传 .gpx 或 .geojson 文件")


def period(since: date, until: date) -> tuple[datetime, datetime]:
    """[since 00:00, until+1 00:00) in China time: both days included."""
    if until < since:
        raise InvalidInput("结束日期不能早于开始日期")
    start = datetime.combine(since, time(), CHINA_TZ)
    return start, datetime.combine(until + timedelta(days=1), time(), CHINA_TZ)


def clipped_tracks(session: Session, start: datetime, end: datetime) -> dict[int, list[tuple]]:
    """Track id → its points inside [start, end), entry/exit interpolated; tracks only touching it are left out."""
    out = {}
    for track in queries.tracks_overlapping(session, start, end):
        points = clip.clip(clip.parse_points(track.points), start, end)
        if points:
            out[track.id] = points
    return out


def clipped_wkts(clipped: dict[int, list[tuple]]) -> dict[int, str]:
    """Track id → its clipped points as EWKT (the coverage SQL's parameter)."""
    return {i: clip.ewkt(p) for i, p in clipped.items()}


def visited_sources(
    session: Session, start: datetime, end: datetime, distance_m: float, wkts: dict[int, str] | None = None
) -> list[dict]:
    """Active sources with ``visited``: the part of a track walked in [start, end) passed within the distance.

    ``wkts``: the period's clipped tracks as :func:`clipped_wkts` gives them, when the caller has them already.
    """
    wkts = clipped_wkts(clipped_tracks(session, start, end)) if wkts is None else wkts
    return queries.coverage_sources(session, wkts, distance_m)


def _clipped_layer(
    session: Session, user, start: datetime, end: datetime, version_id: int, clipped: dict[int, list[tuple]]
) -> list[tuple]:
    """The tracks in the user's scope, each drawn as the part walked in the period."""
    grid_codes = None if sees_all(user) else sorted(user.grid_codes)
    return [
        (t, json.dumps({"type": "LineString", "coordinates": [[lon, lat] for lon, lat, _ in clipped[t.id]]}))
        for t, _ in queries.tracks_in(session, start, end, version_id, grid_codes)
        if t.id in clipped
    ]


def default_period(since: date | None, until: date | None) -> tuple[date, date]:
    """The period asked for; ``until`` defaults to today (China), ``since`` to the 30 days up to ``until``."""
    until = until or today_in_china()
    return since or until - timedelta(days=29), until


def coverage(
    session: Session, user, since: date | None, until: date | None, distance_m: float = DEFAULT_DISTANCE_M
) -> dict:
    """Coverage per grid, visited/unvisited sources and never-patrolled grids in the user's scope.

    Only what was walked inside the period (``default_period``) counts: each track is clipped to its time window.
    """
    since, until = default_period(since, until)
    if not 0 < distance_m <= MAX_DISTANCE_M:
        raise InvalidInput(f"距离应在 0 到 {MAX_DISTANCE_M:g} 米之间")
    version = grid_versions.find_published(session)
    if version is None:
        raise NotFound("尚未发布网格边界 (no published boundary version)")
    start, end = period(since, until)
    clipped = clipped_tracks(session, start, end)
    wkts = clipped_wkts(clipped)
    grids = [g for g in queries.coverage_grids(session, version.id, wkts, distance_m) if in_scope(user, g["chain"])]
    for g in grids:
        g["share"] = round(g["covered_m2"] / g["area_m2"], 4) if g["area_m2"] else 0.0
    sources = [s for s in visited_sources(session, start, end, distance_m, wkts) if in_scope(user, s["grid_codes"])]
    return {
        "version_id": version.id,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "distance_m": distance_m,
        "grids": grids,
        "sources": sources,
        "never_patrolled": [g for g in grids if not g["patrolled"]],
        "tracks": _clipped_layer(session, user, start, end, version.id, clipped),
    }


def coverage_geojson(result: dict) -> dict:
    """The coverage result as three GeoJSON FeatureCollections for the map (grids, sources, tracks)."""
    grids = [
        {
            "type": "Feature",
            "geometry": json.loads(g["geojson"]),
            "properties": {k: g[k] for k in ("code", "name", "level", "share", "patrolled", "area_m2", "covered_m2")},
        }
        for g in result["grids"]
    ]
    sources = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
            "properties": {k: s[k] for k in ("id", "code", "name", "supervision_class", "visited")},
        }
        for s in result["sources"]
    ]
    lines = [
        {
            "type": "Feature",
            "geometry": json.loads(geo),
            "properties": {
                "id": t.id,
                "patroller": t.patroller,
                "started_at": t.started_at.isoformat(),
                "length_m": t.length_m,
            },
        }
        for t, geo in result["tracks"]
    ]
    return {
        key: {"type": "FeatureCollection", "features": feats}
        for key, feats in (("grids", grids), ("sources", sources), ("tracks", lines))
    }


def track_summary(track: PatrolTrack) -> dict:
    """What the phone API answers for a stored track."""
    return {
        "id": track.id,
        "started_at": track.started_at.isoformat(),
        "ended_at": track.ended_at.isoformat(),
        "length_m": track.length_m,
        "points": len(track.points),
        "cleaning": track.cleaning,
    }


def my_tracks(session: Session, user, limit: int = 50) -> list[PatrolTrack]:
    """The user's latest tracks."""
    return list(
        session.scalars(
            select(PatrolTrack)
            .where(PatrolTrack.user_id == user.id)
            .order_by(PatrolTrack.started_at.desc())
            .limit(limit)
        )
    )


def coverage_json(result: dict) -> dict:
    """The coverage result for the API: tables plus GeoJSON layers."""
    keys = ("code", "name", "level", "area_m2", "covered_m2", "share", "patrolled")
    return {
        "version_id": result["version_id"],
        "since": result["since"],
        "until": result["until"],
        "distance_m": result["distance_m"],
        "grids": [{k: g[k] for k in keys} for g in result["grids"]],
        "never_patrolled": [g["code"] for g in result["never_patrolled"]],
        "sources": [
            {k: s[k] for k in ("id", "code", "name", "supervision_class", "visited")} for s in result["sources"]
        ],
        "layers": coverage_geojson(result),
    }
