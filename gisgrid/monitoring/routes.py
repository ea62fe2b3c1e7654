"""Pages of online monitoring (Chinese UI): station registry and import, the map, alerts, a source's data."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_login import current_user

from gisgrid import web
from gisgrid.auth.capabilities import capability_required
from gisgrid.db import db
from gisgrid.errors import ValidationFailed
from gisgrid.monitoring import service, views

bp = Blueprint("monitoring", __name__)
CSV_LIMIT = 20 * 1024 * 1024


@bp.context_processor
def _labels():
    return {"STATUS_LABELS": views.STATUS_LABELS, "PERIOD_LABELS": views.PERIOD_LABELS, "CN_LABELS": views.CN_LABELS}


@bp.get("/monitoring")
@capability_required("staff_pages")
def index():
    """监控点登记: the stations of the sources in the user's grids, with status; CSV import."""
    return render_template("monitoring/index.html", stations=views.station_list(db.session(), current_user))


@bp.post("/monitoring/import")
@capability_required("edit_sources")
def import_csv():
    """Import stations and limits from a CSV file: all rows or none, every bad row listed."""
    _name, data = web.read_upload("file", CSV_LIMIT, "监控点 CSV 文件")
    session = db.session()
    try:
        count = service.import_csv(session, data, current_user)
    except ValidationFailed as err:
        if request.accept_mimetypes.best == "application/json":
            raise
        stations = views.station_list(session, current_user)
        return render_template("monitoring/index.html", stations=stations, errors=err.details, message=err.message), 422
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"imported": count})
    return render_template("monitoring/index.html", stations=views.station_list(session, current_user), imported=count)


@bp.get("/monitoring/map")
@capability_required("staff_pages")
def map_page():
    """The monitoring map: stations coloured by status (normal / exceeding / offline)."""
    return render_template("monitoring/map.html")


@bp.get("/monitoring/alerts")
@capability_required("staff_pages")
def alerts_page():
    """超标与离线报警: alerts of the stations in scope, open ones first."""
    open_only = request.args.get("open") == "1"
    alerts = views.alert_list(db.session(), current_user, open_only)
    return render_template("monitoring/alerts.html", alerts=alerts, open_only=open_only)


@bp.get("/monitoring/sources/<int:source_id>")
@capability_required("staff_pages")
def source_page(source_id: int):
    """A source's monitoring: its stations with charts of recent data and limits, daily and monthly summaries."""
    session = db.session()
    source = views.visible_source(session, current_user, source_id)
    stations = views.station_list(session, current_user, source.id)
    charts = [views.station_series(session, current_user, s["id"], 48) for s in stations]
    daily = views.summary(session, current_user, source.id, "day")
    monthly = views.summary(session, current_user, source.id, "month")
    alerts = views.alert_list(session, current_user, source_id=source.id)[:20]
    return render_template(
        "monitoring/source.html",
        source=source,
        stations=stations,
        charts=charts,
        daily=daily,
        monthly=monthly,
        alerts=alerts,
        upload_limit=current_app.config.get("IMPORT_MAX_BYTES"),
    )
