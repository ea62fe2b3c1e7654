"""What the monitoring pages and APIs show: stations with status, charts' series, alerts, summaries.

Everything is scoped like the source registry: a user sees the stations of sources in their grids
(department handlers and the admin everywhere). No function here returns a station's password.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from gisgrid.auth.service import sees_all
from gisgrid.errors import Forbidden, InvalidInput
from gisgrid.monitoring import queries, service
from gisgrid.monitoring import settings as monitor_settings
from gisgrid.monitoring.models import PERIOD_OF_CN
from gisgrid.sources.models import PollutionSource
from gisgrid.sources.service import DISTRICT_WIDE, get_source

STATUS_LABELS = {"normal": "正常", "exceeding": "超标", "offline": "离线", "inactive": "停用"}
PERIOD_LABELS = {"rtd": "实时", "minute": "分钟", "hour": "小时", "day": "日"}
CN_LABELS = {2011: "实时数据", 2051: "分钟数据", 2061: "小时数据", 2031: "日数据"}
MAX_HOURS = 24 * 31
MAX_ALERTS = 500


def scope(user) -> dict:
    """The SQL scope parameters of a user (see sql/stations.sql)."""
    everywhere = sees_all(user) or getattr(user, "role", None) in DISTRICT_WIDE
    return {"everywhere": everywhere, "codes": sorted(getattr(user, "grid_codes", ()) or ())}


def station_list(session: Session, user, source_id: int | None = None) -> list[dict]:
    """Stations in scope with status and last contact."""
    now = datetime.now(UTC)
    return [_station(r) for r in queries.stations(session, scope(user), now, source_id)]


def _station(r) -> dict:
    return {
        "id": r.id,
        "mn": r.mn,
        "name": r.name,
        "medium": r.medium,
        "interval_s": r.interval_s,
        "public": r.public,
        "active": r.active,
        "source_id": r.source_id,
        "source_code": r.source_code,
        "source_name": r.source_name,
        "grid_codes": list(r.grid_codes),
        "lon": r.lon,
        "lat": r.lat,
        "status": r.status,
        "status_label": STATUS_LABELS[r.status],
        "last_seen_at": _iso(r.last_seen_at),
    }


def _iso(moment: datetime | None) -> str | None:
    # in the deployment's time zone (HJ 212 DataTime is local), so pages show local wall-clock time
    return moment.astimezone(monitor_settings.from_env().zone).isoformat() if moment else None


def station_map(session: Session, user) -> dict:
    """A GeoJSON FeatureCollection of the stations in scope, coloured by status on the map."""
    features = []
    for s in station_list(session, user):
        geometry = {"type": "Point", "coordinates": [s["lon"], s["lat"]]}
        properties = {k: v for k, v in s.items() if k not in ("lon", "lat")}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    counts = defaultdict(int)
    for f in features:
        counts[f["properties"]["status"]] += 1
    return {"type": "FeatureCollection", "features": features, "counts": dict(counts)}


def station_series(session: Session, user, station_id: int, hours: int = 24) -> dict:
    """A station's recent values per pollutant and command, with the limit of that command's period."""
    if not 1 <= hours <= MAX_HOURS:
        raise InvalidInput(f"hours: 须在 1 到 {MAX_HOURS} 之间 (hours: 1 to {MAX_HOURS})", {"field": "hours"})
    station, _source = service.visible_station(session, user, station_id)
    until = datetime.now(UTC) + timedelta(hours=1)  # a logger's clock a little ahead still shows
    rows = queries.series(session, station.id, until - timedelta(hours=hours + 1), until)
    limits = {(lim.pollutant, lim.period): lim for lim in station.limits}
    series: dict[tuple, dict] = {}
    for r in rows:
        period = PERIOD_OF_CN[r.cn]
        lim = limits.get((r.pollutant, period))
        entry = series.setdefault((r.pollutant, r.cn), _series_head(r.pollutant, r.cn, period, lim, limits))
        entry["times"].append(int(r.data_time.timestamp()))
        entry["values"].append(r.value)
        entry["flags"].append(r.flag)
    return {"station_id": station.id, "mn": station.mn, "name": station.name, "series": list(series.values())}


def _series_head(pollutant: str, cn: int, period: str, lim, limits: dict) -> dict:
    named = next((x for (p, _), x in limits.items() if p == pollutant and x.name), None)
    return {
        "pollutant": pollutant,
        "name": named.name if named else None,
        "unit": (lim or named).unit if (lim or named) else None,
        "cn": cn,
        "cn_label": CN_LABELS[cn],
        "period": period,
        "limit": lim.limit_value if lim else None,
        "times": [],
        "values": [],
        "flags": [],
    }


def alert_list(session: Session, user, open_only: bool = False, source_id: int | None = None) -> list[dict]:
    """Alerts of stations in scope, open ones first (at most MAX_ALERTS)."""
    rows = queries.alerts(session, scope(user), open_only, MAX_ALERTS, source_id)
    return [
        {
            **{k: getattr(r, k) for k in ("id", "kind", "count", "max_value", "limit_value", "incident_id")},
            **{k: getattr(r, k) for k in ("station_id", "mn", "station_name", "source_id", "source_code")},
            "source_name": r.source_name,
            "pollutant": r.pollutant or None,
            "period": r.period or None,
            "started_at": _iso(r.started_at),
            "last_at": _iso(r.last_at),
            "ended_at": _iso(r.ended_at),
            "open": r.ended_at is None,
        }
        for r in rows
    ]


def visible_source(session: Session, user, source_id: int) -> PollutionSource:
    """The source, if its stations are in the user's scope."""
    source = get_source(session, source_id)
    if not service.may_see(user, source):
        raise Forbidden("该污染源不在您的网格范围内 (source outside your grids)")
    return source


def summary(session: Session, user, source_id: int, bucket: str = "day", cn: int = 2061, since=None, until=None):
    """Daily (``bucket`` day) or monthly (month) aggregates of a source's values of command ``cn``."""
    if bucket not in ("day", "month"):
        raise InvalidInput("period: 须为 day 或 month (period: day or month)", {"field": "period"})
    if cn not in PERIOD_OF_CN:
        raise InvalidInput("cn: 须为 2011/2051/2061/2031 (cn: a data command)", {"field": "cn"})
    source = visible_source(session, user, source_id)
    zone = monitor_settings.from_env().zone
    today = datetime.now(zone).date()
    until = until or today + timedelta(days=1)
    since = since or (until - timedelta(days=31) if bucket == "day" else date(until.year - 1, until.month, 1))
    if since >= until:
        raise InvalidInput("since: 须早于 until (since must be before until)", {"field": "since"})
    params = {"bucket": bucket, "zone": zone.key, "cn": cn, "period": PERIOD_OF_CN[cn], "source_id": source.id}
    params |= {"since": datetime.combine(since, datetime.min.time(), zone)}
    params |= {"until": datetime.combine(until, datetime.min.time(), zone)}
    rows = [_summary_row(r, bucket) for r in queries.summary(session, params)]
    return {
        "source_id": source.id,
        "period": bucket,
        "cn": cn,
        "since": since.isoformat(),
        "until": until.isoformat(),
        "rows": rows,
    }


def _summary_row(r, bucket: str) -> dict:
    return {
        "bucket": r.bucket.isoformat()[: 7 if bucket == "month" else 10],
        "station_id": r.station_id,
        "mn": r.mn,
        "station_name": r.station_name,
        "pollutant": r.pollutant,
        "pollutant_name": r.pollutant_name,
        "unit": r.unit,
        "limit": r.limit_value,
        "values": r.n,
        "mean": r.mean,
        "min": r.low,
        "max": r.high,
        "over": r.over,
    }
