"""责任状 pages: the list (filters year and grid), the form to record one with its signed scan, one agreement."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from gisgrid import media, web
from gisgrid.agreements import schemas, service
from gisgrid.auth.capabilities import capability_required
from gisgrid.auth.models import Department
from gisgrid.clock import today_in_china
from gisgrid.contract.blueprint import Parser
from gisgrid.db import db
from gisgrid.errors import NotFound

bp = Blueprint("agreements", __name__)
_ARGS = Parser()


@bp.get("/agreements")
@capability_required("staff_pages")
def list_page():
    """Agreements of the user's grids; a leader's form to record one."""
    args = _ARGS.parse(schemas.AgreementListArgs(), location="query")
    rows = service.listing(db.session(), current_user, args.get("year"), args.get("grid"))
    departments = db.session().query(Department).order_by(Department.code).all()
    return render_template(
        "agreements/list.html", rows=rows, args=args, year=today_in_china().year, departments=departments
    )


@bp.post("/agreements")
@capability_required("manage_agreements")
def create():
    """The page's form (with an optional signed scan) → a recorded agreement."""
    body = _ARGS.parse(schemas.AgreementForm(), location="form")
    scan = web.read_upload("scan", service.MAX_SCAN_BYTES, "责任状扫描件") if request.files.get("scan") else None
    agreement = service.create(db.session(), current_user, body, scan, current_app.config["MEDIA_DIR"])
    return redirect(url_for("agreements.detail_page", agreement_id=agreement.id))


@bp.get("/agreements/<int:agreement_id>")
@capability_required("staff_pages")
def detail_page(agreement_id: int):
    """One agreement: parties, tasks, 奖惩 terms, signing date, scan."""
    return render_template("agreements/detail.html", a=service.get(db.session(), current_user, agreement_id))


@bp.get("/agreements/<int:agreement_id>/scan")
@capability_required("staff_pages")
def scan(agreement_id: int):
    """Download the signed scan."""
    agreement = service.get(db.session(), current_user, agreement_id)
    if not agreement.scan_path:
        raise NotFound("该责任状尚未上传签署扫描件 (no scan)")
    path = media.resolve(current_app.config["MEDIA_DIR"], agreement.scan_path)
    return send_file(path, as_attachment=True, download_name=agreement.scan_filename)
