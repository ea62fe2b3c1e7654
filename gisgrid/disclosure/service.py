"""What the public register shows: public sources, a public source's daily and monthly emissions."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from gisgrid.disclosure import queries
from gisgrid.errors import NotFound
from gisgrid.monitoring import settings as monitor_settings
from gisgrid.sources.fields import KIND_LABELS

DAILY_DAYS = 30  # the detail page's chart: the last 30 days
MONTHS = 12  # monthly summaries: the last 12 months


def _source(r) -> dict:
    return {
        **{k: getattr(r, k) for k in ("id", "code", "name", "industry", "address", "grid_code", "grid_name")},
        "kind": r.kind,
        "kind_label": KIND_LABELS.get(r.kind, r.kind),
        "supervision_class": r.supervision_class,
        "last_inspected_on": r.last_inspected_on.isoformat() if r.last_inspected_on else None,
        "last_result": r.last_result,
        "draws": list(r.draws),
        "monitored": r.monitored,
        "sample_data": r.sample_data,
        "lon": r.lon,
        "lat": r.lat,
    }


def register(session: Session) -> list[dict]:
    """Every public source of the register."""
    return [_source(r) for r in queries.sources(session)]


def source(session: Session, source_id: int) -> dict:
    """One public source; a source not marked public is not found (404), as if it did not exist."""
    rows = queries.sources(session, source_id)
    if not rows:
        raise NotFound("没有该公开污染源 (no such public source)")
    return _source(rows[0])


def _window(days: int, today: date | None = None) -> dict:
    zone = monitor_settings.from_env().zone
    until = (today or datetime.now(zone).date()) + timedelta(days=1)
    since = until - timedelta(days=days)
    return {
        "zone": zone.key,
        "since": datetime.combine(since, datetime.min.time(), zone),
        "until": datetime.combine(until, datetime.min.time(), zone),
    }


def daily(session: Session, source_id: int, today: date | None = None) -> list[dict]:
    """Per public station and pollutant: the daily averages of the last DAILY_DAYS days against the limit."""
    series: dict[tuple, dict] = {}
    for r in queries.daily(session, {**_window(DAILY_DAYS, today), "source_id": source_id}):
        head = {"station_id": r.station_id, "station_name": r.station_name, "pollutant": r.pollutant}
        head |= {"pollutant_name": r.pollutant_name, "unit": r.unit, "limit": r.limit_value}
        entry = series.setdefault((r.station_id, r.pollutant), head | {"days": []})
        entry["days"].append({"day": r.day.isoformat(), "mean": r.mean, "max": r.high, "over_hours": r.over})
    return list(series.values())


def monthly(session: Session, source_id: int | None, today: date | None = None) -> list[dict]:
    """Monthly summaries of the last MONTHS months (one public source, or all when ``source_id`` is None)."""
    params = {**_window(MONTHS * 31, today), "source_id": source_id}
    return [_month(r) for r in queries.monthly(session, params)]


def _month(r) -> dict:
    return {
        "month": r.month,
        **{k: getattr(r, k) for k in ("source_id", "source_code", "source_name", "station_id", "station_name")},
        **{k: getattr(r, k) for k in ("pollutant", "pollutant_name", "unit", "lon", "lat")},
        "limit": r.limit_value,
        "mean": r.mean,
        "max": r.high,
        "values": r.n,
        "days": r.days,
        "exceedance_days": r.exceedance_days,
    }


def detail(session: Session, source_id: int, today: date | None = None) -> dict:
    """A public source with its daily averages vs limits and monthly exceedance days."""
    body = source(session, source_id)
    body["daily"] = daily(session, source_id, today)
    body["monthly"] = [
        {k: v for k, v in m.items() if k not in ("lon", "lat")} for m in monthly(session, source_id, today)
    ]
    return body
