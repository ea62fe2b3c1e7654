"""JSON API of online monitoring: stations (registry and map), recent values, alerts, summaries.

The pages (registry, map, alerts, a source's monitoring page) are in monitoring.routes.
"""

from __future__ import annotations

from flask_login import current_user

from gisgrid.auth.capabilities import capability_required
from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.monitoring import schemas, service, views

bp = Blueprint("monitoring_api", __name__, description="在线监测 (online monitoring, HJ 212-2017)")
_SESSION, _CSRF = [{"session": []}], [{"session": [], "csrf": []}]


@bp.get("/api/v1/monitoring/stations")
@capability_required("staff_pages")
@bp.alt_response(200, schema=schemas.MonitoringStation(many=True), success=True, description="stations in scope")
@bp.doc(security=_SESSION)
def stations_api():
    """Stations of the sources in the user's grids, with status (normal / exceeding / offline)."""
    return views.station_list(db.session(), current_user)


@bp.post("/api/v1/monitoring/stations")
@capability_required("edit_sources")
@bp.arguments(schemas.StationBody, location="json")
@bp.alt_response(201, schema=schemas.MonitoringStation, success=True, description="the registered station")
@bp.doc(security=_CSRF)
def register_api(body: dict):
    """登记监控点: register (or update, by MN) a station of a source in scope, with its limits."""
    session = db.session()
    station = service.register_one(session, current_user, body)
    return service.public_view(station, body["lon"], body["lat"]), 201


@bp.get("/api/v1/monitoring/stations.geojson")
@capability_required("staff_pages")
@bp.alt_response(200, schema=schemas.StationMap, success=True, description="stations as points, by status")
@bp.doc(security=_SESSION)
def stations_geojson():
    """The monitoring map's data: stations in scope coloured by status."""
    return views.station_map(db.session(), current_user)


@bp.get("/api/v1/monitoring/stations/<int:station_id>/values")
@capability_required("staff_pages")
@bp.arguments(schemas.ValueSeriesArgs, location="query")
@bp.alt_response(200, schema=schemas.StationSeries, success=True, description="recent values with limits")
@bp.doc(security=_SESSION)
def values_api(args: dict, station_id: int):
    """A station's values of the last ``hours`` (default 24) per pollutant and command, with limits."""
    return views.station_series(db.session(), current_user, station_id, args.get("hours", 24))


@bp.get("/api/v1/monitoring/alerts")
@capability_required("staff_pages")
@bp.arguments(schemas.MonitoringAlertArgs, location="query")
@bp.alt_response(200, schema=schemas.MonitoringAlert(many=True), success=True, description="alerts in scope")
@bp.doc(security=_SESSION)
def alerts_api(args: dict):
    """Exceedance episodes and silences of stations in scope (``?open=true``: open ones only)."""
    return views.alert_list(db.session(), current_user, args.get("open", False), args.get("source_id"))


@bp.get("/api/v1/monitoring/sources/<int:source_id>/summary")
@capability_required("staff_pages")
@bp.arguments(schemas.EmissionSummaryArgs, location="query")
@bp.alt_response(200, schema=schemas.EmissionSummary, success=True, description="daily or monthly summary")
@bp.doc(security=_SESSION)
def summary_api(args: dict, source_id: int):
    """Daily (``period=day``) or monthly summary of a source's values of one command (default hourly, 2061)."""
    return views.summary(
        db.session(),
        current_user,
        source_id,
        args.get("period", "day"),
        args.get("cn", 2061),
        args.get("since"),
        args.get("until"),
    )
