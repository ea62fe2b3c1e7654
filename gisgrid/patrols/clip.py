"""Clipping a timed track to a period: only the part walked inside the period counts for coverage."""

from __future__ import annotations

from datetime import datetime


def _at(a: tuple, b: tuple, t: datetime) -> tuple:
    """The point on segment a→b at time ``t`` (linear in lon/lat: fixes are metres apart)."""
    span = (b[2] - a[2]).total_seconds()
    f = 0.0 if span <= 0 else (t - a[2]).total_seconds() / span
    return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, t)


def clip(points: list[tuple], start: datetime, end: datetime) -> list[tuple]:
    """The points of a time-ordered track inside [start, end), with the entry/exit points interpolated.

    A segment that crosses a boundary is cut at the boundary's time; fewer than two points
    (the track only touches the period) gives an empty list.
    """
    out: list[tuple] = []
    for a, b in zip(points, points[1:]):
        t0, t1 = max(a[2], start), min(b[2], end)
        if t0 >= t1:
            continue
        for p in (_at(a, b, t0) if t0 > a[2] else a, _at(a, b, t1) if t1 < b[2] else b):
            if not out or out[-1][:2] != p[:2]:
                out.append(p)
    return out if len(out) >= 2 else []


def parse_points(stored: list[list]) -> list[tuple]:
    """A stored track's ``[[lon, lat, iso time], ...]`` as ``(lon, lat, datetime)`` tuples."""
    return [(lon, lat, datetime.fromisoformat(t)) for lon, lat, t in stored]


def ewkt(points: list[tuple]) -> str:
    """A clipped track as an EPSG:4326 LINESTRING in EWKT (a bound parameter for the coverage SQL)."""
    return "SRID=4326;LINESTRING(" + ", ".join(f"{lon!r} {lat!r}" for lon, lat, *_ in points) + ")"
