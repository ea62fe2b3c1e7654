"""JSON API of 信息报告: generate a grid's report, edit and submit it, the lower grids' reporting state."""

from __future__ import annotations

from flask import url_for
from flask_login import current_user

from gisgrid.auth.capabilities import capability_required
from gisgrid.clock import china_iso
from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.reports import schemas, service

bp = Blueprint("reports_api", __name__, description="信息报告 (periodic work reports)")
_SESSION, _CSRF = [{"session": []}], [{"session": [], "csrf": []}]


def as_json(r) -> dict:
    """A report for the API."""
    keys = ("id", "grid_code", "grid_name", "label", "period", "year", "number", "figures", "body", "state")
    return {
        **{k: getattr(r, k) for k in keys},
        "starts_on": r.starts_on.isoformat(),
        "ends_on": r.ends_on.isoformat(),
        "submitted_by": r.submitted_by,
        "submitted_at": china_iso(r.submitted_at),
        "url": url_for("reports.report_page", report_id=r.id),
    }


def lower_json(row: dict) -> dict:
    """One lower grid's state for the period."""
    r = row["report"]
    return {
        "code": row["code"],
        "name": row["name"],
        "state": r.state if r else "missing",
        "submitted_by": r.submitted_by if r else None,
        "submitted_at": china_iso(r.submitted_at) if r else None,
        "report_id": r.id if r else None,
    }


@bp.post("/api/v1/reports")
@capability_required("file_reports")
@bp.arguments(schemas.GenerateBody, location="json")
@bp.alt_response(201, schema=schemas.Report, success=True, description="the report (generated or existing)")
@bp.doc(security=_CSRF)
def generate_api(body: dict):
    """The grid's report for the period, generated from the data if it does not exist yet."""
    report = service.generate(db.session(), current_user, body["grid"], body["period"], body["year"], body["number"])
    return as_json(report), 201


@bp.get("/api/v1/reports/<int:report_id>")
@capability_required("file_reports")
@bp.alt_response(200, schema=schemas.Report, success=True, description="one report")
@bp.doc(security=_SESSION)
def report_api(report_id: int):
    """A report of the caller's grids or below."""
    return as_json(service.visible(db.session(), current_user, report_id))


@bp.post("/api/v1/reports/<int:report_id>")
@capability_required("file_reports")
@bp.arguments(schemas.SaveBody, location="json")
@bp.alt_response(200, schema=schemas.Report, success=True, description="the saved report")
@bp.doc(security=_CSRF)
def save_api(body: dict, report_id: int):
    """Edit a draft's text; ``submit: true`` sends it upward (who and when are recorded)."""
    return as_json(service.save(db.session(), current_user, report_id, body.get("body"), body["submit"]))


@bp.get("/api/v1/reports/status")
@capability_required("file_reports")
@bp.arguments(schemas.ReportPeriodArgs, location="query")
@bp.alt_response(200, schema=schemas.LowerGrid(many=True), success=True, description="the lower grids' state")
@bp.doc(security=_SESSION)
def status_api(args: dict):
    """Which grids directly below ``grid`` have reported for the period (missing / draft / submitted)."""
    rows = service.lower_status(db.session(), current_user, args["grid"], args["period"], args["year"], args["number"])
    return [lower_json(r) for r in rows]
