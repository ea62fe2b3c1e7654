"""Cleaning noisy GPS tracks: invalid points, out-of-order points, duplicates and impossible jumps."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

EARTH_RADIUS_M = 6_371_008.8
DEFAULT_MAX_SPEED_MPS = 40.0  # 144 km/h: faster than any patrol on foot, by bike or by car in town
DUPLICATE_M = 0.5  # closer than this to the previous kept point: the phone stood still
# GPS times outside this window are clock faults (week rollover, unset clocks), not patrols
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)


@dataclass
class Cleaned:
    """Kept points ``(lon, lat, time)`` in time order and how many of each kind were removed."""

    points: list[tuple[float, float, datetime]]
    report: dict = field(default_factory=dict)


def distance_m(a: tuple, b: tuple) -> float:
    """Great-circle distance in metres between two (lon, lat, ...) points (haversine)."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def _speed(a: tuple, b: tuple) -> float:
    seconds = (b[2] - a[2]).total_seconds()
    return math.inf if seconds <= 0 else distance_m(a, b) / seconds


def _valid(p, latest: datetime) -> bool:
    lon, lat, t = p
    return (
        isinstance(t, datetime)
        and EARLIEST <= t <= latest
        and all(isinstance(v, (int, float)) and math.isfinite(v) for v in (lon, lat))
        and -180 <= lon <= 180
        and -90 <= lat <= 90
    )


def _count_out_of_order(points: list) -> int:
    latest, late = None, 0
    for p in points:
        if latest is not None and p[2] < latest:
            late += 1
        latest = p[2] if latest is None or p[2] > latest else latest
    return late


def _drop_duplicates(points: list) -> tuple[list, int]:
    kept = []
    for p in points:
        if kept and (p[2] == kept[-1][2] or distance_m(kept[-1], p) < DUPLICATE_M):
            continue
        kept.append(p)
    return kept, len(points) - len(kept)


def _drop_jumps(points: list, max_speed: float) -> tuple[list, int]:
    # a wrong first fix would make every later point look like a jump: drop it when the
    # second and third points agree with each other but not with it
    start = 0
    if len(points) >= 3 and _speed(points[0], points[1]) > max_speed >= _speed(points[1], points[2]):
        start = 1
    kept = [points[start]] if points else []
    for p in points[start + 1 :]:
        if _speed(kept[-1], p) <= max_speed:
            kept.append(p)
    return kept, len(points) - len(kept)


def clean(
    points: list[tuple[float, float, datetime]],
    max_speed_mps: float = DEFAULT_MAX_SPEED_MPS,
    now: datetime | None = None,
) -> Cleaned:
    """Remove invalid points, sort by time, drop duplicates and points reached faster than ``max_speed_mps``."""
    latest = (now or datetime.now(UTC)) + FUTURE_SLACK
    valid = [p for p in points if _valid(p, latest)]
    out_of_order = _count_out_of_order(valid)
    ordered = sorted(valid, key=lambda p: p[2])
    unique, duplicates = _drop_duplicates(ordered)
    kept, jumps = _drop_jumps(unique, max_speed_mps)
    report = {
        "input": len(points),
        "invalid": len(points) - len(valid),
        "out_of_order": out_of_order,
        "duplicates": duplicates,
        "jumps": jumps,
        "kept": len(kept),
        "max_speed_mps": max_speed_mps,
    }
    return Cleaned(kept, report)
