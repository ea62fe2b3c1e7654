"""Exceedances and silences: alerts (episodes) from new values, and the one case a sustained episode opens.

An exceedance episode of a (station, pollutant, period) opens with the first value over its limit
and closes with the first value at or under it; a case is opened when the episode has lasted
``case_after_values`` values (or ``case_after_minutes``), once: the alert keeps the case's id, and the
case's client request id is the alert's, so even a concurrent writer cannot open a second one.
Only values flagged N (normal) or T (超测上限, over the instrument's range) are judged: F/M/S/D/C/B
values are not measurements of normal operation.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gisgrid.db import unit_of_work
from gisgrid.errors import DomainError
from gisgrid.incidents import intake, matrix
from gisgrid.incidents.report import MAX_LENGTHS, Report
from gisgrid.monitoring import settings as monitor_settings
from gisgrid.monitoring import store
from gisgrid.monitoring.models import Alert, Station
from gisgrid.sources import queries as source_queries
from gisgrid.sources.models import PollutionSource

log = logging.getLogger("gisgrid.monitoring")
JUDGED_FLAGS = (None, "N", "T")
CLIENT_SCOPE = "monitoring"  # the intake client scope of cases opened by the receiver
WATER_CATEGORY = "wastewater"  # a water station's case category when the duty matrix has it


def evaluate(session: Session, new_rows: list[tuple], limits: dict, settings) -> list[Alert]:
    """Update exceedance episodes from newly stored values; open the case of each sustained one."""
    series = _series(new_rows, limits)
    if not series:
        return []
    station_ids = sorted({key[0] for key in series})
    open_alerts = {
        (a.station_id, a.pollutant, a.period): a
        for a in session.scalars(
            select(Alert)
            .where(Alert.kind == "exceedance", Alert.ended_at.is_(None), Alert.station_id.in_(station_ids))
            .with_for_update()
        )
    }
    touched = []
    for key, points in series.items():
        alert = _walk(session, open_alerts.get(key), key, points, limits[key[0]][key[1:]])
        if alert is not None and alert.ended_at is None:
            touched.append(alert)
    session.flush()
    for alert in touched:
        if alert.incident_id is None and _sustained(alert, settings):
            _open_case(session, alert)
    return touched


def _series(rows: list[tuple], limits: dict) -> dict[tuple, list]:
    series: dict[tuple, list] = defaultdict(list)
    for station_id, pollutant, cn, data_time, rtd, avg, flag in rows:
        period, value = store.period_value(cn, rtd, avg)
        if value is None or flag not in JUDGED_FLAGS or (pollutant, period) not in limits.get(station_id, {}):
            continue
        series[(station_id, pollutant, period)].append((data_time, value))
    for points in series.values():
        points.sort()
    return series


def _walk(session: Session, alert: Alert | None, key: tuple, points: list, limit: float) -> Alert | None:
    for when, value in points:
        if value > limit:
            if alert is None:
                alert = Alert(station_id=key[0], kind="exceedance", pollutant=key[1], period=key[2])
                alert.started_at, alert.count, alert.max_value, alert.limit_value = when, 0, value, limit
                session.add(alert)
            alert.count += 1
            alert.last_at = max(when, alert.last_at or when)
            alert.max_value = max(value, alert.max_value)
        elif alert is not None and when >= alert.last_at:
            alert.ended_at = when  # back under the limit: the episode is over
            alert = None
    return alert


def _sustained(alert: Alert, settings) -> bool:
    if alert.count >= settings.case_after_values:
        return True
    minutes = settings.case_after_minutes
    return minutes > 0 and alert.last_at - alert.started_at >= timedelta(minutes=minutes)


def _open_case(session: Session, alert: Alert) -> None:
    station = session.get(Station, alert.station_id)
    source = session.get(PollutionSource, station.source_id)
    try:
        with session.begin_nested():  # a refused case (no grid, no category) must not lose the values
            case, _ = intake.report(session, _report(session, alert, station, source), None, client_scope=CLIENT_SCOPE)
            alert.incident_id = case.id
            session.flush()
    except DomainError as err:
        log.warning("alert %s: no case opened (%s); will retry with the next value", alert.id, err)


def category_of(session: Session, station: Station) -> str:
    """The duty-matrix category of a station's cases: its own, else 废水 for water when the matrix has it."""
    wanted = [station.case_category] if station.case_category else []
    if station.medium == "water":
        wanted.append(WATER_CATEGORY)
    for code in [*wanted, matrix.FINDING_DEFAULT]:
        try:
            return matrix.category(session, code).code
        except DomainError:
            continue
    return matrix.FINDING_DEFAULT


def _report(session: Session, alert: Alert, station: Station, source: PollutionSource) -> Report:
    lon, lat = source_queries.source_lonlat(session, source.id)
    text_ = (
        f"在线监测超标：{source.name}（{source.code}）监控点 {station.name}（MN {station.mn}）"
        f" {alert.pollutant} {_PERIOD_LABELS[alert.period]}值自 {_local(alert.started_at)} 起连续 {alert.count} 次"
        f"超过排放限值 {alert.limit_value:g}，最高 {alert.max_value:g}。最近数据：{_recent(session, alert)}"
        f"（监测报警 #{alert.id}）"
    )
    return Report(
        channel="monitoring",
        category=category_of(session, station),
        description=text_[: MAX_LENGTHS["description"]],
        lon=lon,
        lat=lat,
        address=(source.address or "")[: MAX_LENGTHS["address"]] or None,
        reporter_name="在线监测系统",
        client_request_id=f"monitor-alert-{alert.id}",
    )


_PERIOD_LABELS = {"rtd": "实时", "minute": "分钟均", "hour": "小时均", "day": "日均"}
_RECENT = text(
    "SELECT data_time, coalesce(CASE WHEN cn = 2011 THEN rtd ELSE avg END, rtd, avg) AS v, flag FROM monitor_value"
    " WHERE station_id = :s AND pollutant = :p AND cn = :cn AND data_time BETWEEN :a AND :b"
    " ORDER BY data_time DESC LIMIT 12"
)
_CN_OF = {"rtd": 2011, "minute": 2051, "hour": 2061, "day": 2031}


def _recent(session: Session, alert: Alert) -> str:
    params = {"s": alert.station_id, "p": alert.pollutant, "cn": _CN_OF[alert.period]}
    rows = session.execute(_RECENT, {**params, "a": alert.started_at, "b": alert.last_at}).all()
    return "；".join(f"{_local(t)} {v:g}{'' if f in (None, 'N') else f'({f})'}" for t, v, f in reversed(rows))


def _local(moment: datetime) -> str:
    return moment.astimezone(monitor_settings.from_env().zone).strftime("%Y-%m-%d %H:%M")


def check_gaps(session: Session, now: datetime) -> int:
    """Open an offline alert for each active station silent longer than its interval; returns how many."""
    with unit_of_work(session):
        return session.execute(_GAPS, {"now": now}).rowcount


_GAPS = text(
    "INSERT INTO monitor_alert (station_id, kind, started_at, last_at, count)"
    " SELECT s.id, 'offline', coalesce(t.last_seen_at, s.created_at), :now, 0 FROM monitor_station s"
    " LEFT JOIN monitor_station_state t ON t.station_id = s.id"
    " WHERE s.active AND coalesce(t.last_seen_at, s.created_at) < :now - make_interval(secs => s.interval_s)"
    " AND NOT EXISTS (SELECT 1 FROM monitor_alert a WHERE a.station_id = s.id AND a.kind = 'offline'"
    " AND a.ended_at IS NULL)"
    " ON CONFLICT DO NOTHING"
)
