"""信息报告 pages: my grids' reports and the lower grids' state for a period; one report to edit and submit."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from gisgrid import periods
from gisgrid.auth.capabilities import capability_required
from gisgrid.auth.service import sees_all
from gisgrid.clock import today_in_china
from gisgrid.contract.blueprint import Parser
from gisgrid.db import db
from gisgrid.reports import schemas, service

bp = Blueprint("reports", __name__)
_ARGS = Parser()


@bp.get("/reports")
@capability_required("file_reports")
def index():
    """My grids' reports; for a grid and period (default: my grid, last month), who below has reported."""
    args = _ARGS.parse(schemas.IndexArgs(), location="query")
    kind = args.get("period", "month")
    year, number = periods.previous(kind, today_in_china())
    args = {"grid": args.get("grid") or min(current_user.grid_codes, default=""), "period": kind,
            "year": args.get("year", year), "number": args.get("number", number)}  # fmt: skip
    lower = service.lower_status(db.session(), current_user, *args.values()) if args["grid"] else []
    mine = service.own_reports(db.session(), current_user)
    return render_template("reports/index.html", mine=mine, lower=lower, args=args, kinds=service.KINDS)


@bp.post("/reports")
@capability_required("file_reports")
def generate():
    """The generate form → the report page (an existing report of that period is opened instead)."""
    body = _ARGS.parse(schemas.GenerateForm(), location="form")
    report = service.generate(db.session(), current_user, body["grid"], body["period"], body["year"], body["number"])
    return redirect(url_for("reports.report_page", report_id=report.id))


@bp.get("/reports/<int:report_id>")
@capability_required("file_reports")
def report_page(report_id: int):
    """A report: its figures, its text (editable while a draft), its submission."""
    report = service.visible(db.session(), current_user, report_id)
    mine = sees_all(current_user) or report.grid_code in current_user.grid_codes
    return render_template("reports/report.html", r=report, editable=mine and report.state == "draft")


@bp.post("/reports/<int:report_id>")
@capability_required("file_reports")
def save(report_id: int):
    """Save the text, or save and submit upward."""
    service.save(db.session(), current_user, report_id, request.form.get("body"), "submit" in request.form)
    return redirect(url_for("reports.report_page", report_id=report_id))
