"""Sample monitoring stations and 48 hours of sample hourly data for the demo deployments (all sample).

Four stations on the first demo enterprises: one normal, one whose last three hours exceed the SO₂
limit (an open exceedance alert; no case: the demo's case list stays the one the plans describe),
one water outfall, and one that never reported (offline). Passwords are sample values.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gisgrid.db import unit_of_work
from gisgrid.monitoring import alerts, service, store
from gisgrid.monitoring.models import Station
from gisgrid.monitoring.settings import Settings
from gisgrid.sources.demo import DEMO_PREFIX
from gisgrid.sources.models import PollutionSource

GAS = [
    ("a21026", "二氧化硫", "mg/m3", 100.0),
    ("a21002", "氮氧化物", "mg/m3", 150.0),
    ("a34013", "颗粒物", "mg/m3", 20.0),
]
WATER = [("w01018", "化学需氧量", "mg/L", 50.0), ("w21003", "氨氮", "mg/L", 5.0)]
HOURS = 48


def load_demo_stations(session: Session, now: datetime | None = None) -> int:
    """Register the sample stations and their data, unless any station exists; returns how many."""
    if session.scalar(select(func.count()).select_from(Station)):
        return 0
    sources = session.scalars(
        select(PollutionSource)
        .where(PollutionSource.code.like(f"{DEMO_PREFIX}%"), PollutionSource.kind == "enterprise")
        .order_by(PollutionSource.code)
        .limit(4)
    ).all()
    if len(sources) < 4:
        return 0
    plan = [("gas", GAS), ("gas", GAS), ("water", WATER), ("gas", GAS)]
    rows = []
    for n, (source, (medium, pollutants)) in enumerate(zip(sources, plan, strict=True)):
        rows += _rows(session, n, source, medium, pollutants)
    stations = service.register(session, None, rows)
    _sample_data(session, stations, now or datetime.now(UTC))
    return len(stations)


def _rows(session: Session, n: int, source: PollutionSource, medium: str, pollutants) -> list[dict]:
    lon, lat = session.execute(select(func.ST_X(source.location), func.ST_Y(source.location))).one()
    base = {
        "source_code": source.code,
        "mn": f"DEMO0000000{n + 1}",
        "name": f"示例·{'排气筒' if medium == 'gas' else '废水排放口'}",
    }
    base |= {"password": f"sample-{n + 1}", "medium": medium, "lon": lon, "lat": lat, "interval_s": 3600}
    base["public"] = "1" if n == 0 else "0"
    return [
        base | {"pollutant": code, "pollutant_name": name, "unit": unit, "period": "hour", "limit": limit}
        for code, name, unit, limit in pollutants
    ]


def _sample_data(session: Session, stations: list[Station], now: datetime) -> None:
    last = now.replace(minute=0, second=0, microsecond=0)
    data, seen = [], {stations[3].id: last - timedelta(hours=HOURS)}  # the fourth fell silent two days ago
    for n, station in enumerate(stations[:3]):
        for lim in station.limits:
            for h in range(HOURS):
                when = last - timedelta(hours=HOURS - 1 - h)
                share = (
                    0.45
                    + 0.2 * math.sin(h / 4 + n)
                    + (0.7 if n == 1 and lim.pollutant == "a21026" and h >= HOURS - 3 else 0)
                )
                data.append(
                    (
                        station.id,
                        lim.pollutant,
                        2061,
                        when,
                        None,
                        round(lim.limit_value * share, 2),
                        None,
                        None,
                        None,
                        "N",
                    )
                )
        seen[station.id] = last
    with unit_of_work(session):
        new = store.insert(session, data, store.PartitionCache(Settings().zone))
        store.touch(session, seen)
        limits = {s.id: {(lim.pollutant, lim.period): lim.limit_value for lim in s.limits} for s in stations}
        # the demo shows an open exceedance alert but opens no case (its case list is the plans' samples)
        alerts.evaluate(session, new, limits, replace(Settings(), case_after_values=10**9))
