"""年度日常监管工作计划 pages: the list (filter year), a plan with its execution chart, filing with the document."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from gisgrid import media, periods, web
from gisgrid.auth.capabilities import capability_required
from gisgrid.auth.service import sees_all
from gisgrid.clock import today_in_china
from gisgrid.contract.blueprint import Parser
from gisgrid.db import db
from gisgrid.errors import NotFound
from gisgrid.plans import lines, schemas, service

bp = Blueprint("plans", __name__)
_ARGS = Parser()


@bp.get("/plans")
@capability_required("staff_pages")
def list_page():
    """Plans in scope with planned vs done; a leader creates one through the API form on the plan page."""
    args = _ARGS.parse(schemas.PlanListArgs(), location="query")
    session = db.session()
    rows = [(p, service.execution(session, p)) for p in service.listing(session, current_user, args.get("year"))]
    return render_template("plans/list.html", rows=rows, args=args, year=service.today_year(today_in_china()))


@bp.context_processor
def _labels():
    return {"object_kinds": lines.OBJECT_KINDS, "PERIOD_LABELS": periods.KIND_LABELS}


ROWS = 5  # item rows the page's form offers; the API takes any number up to service.MAX_ITEMS


@bp.post("/plans")
@capability_required("file_reports")
def save():
    """The page's form: a grid, a year, up to ROWS item rows (a row without a class is left out), targets."""
    f = request.form
    items = [
        {k: f.get(f"{k}.{i}", "") for k in ("object_class", "content", "frequency", "planned_checks")}
        | ({"object_kind": f[f"object_kind.{i}"]} if f.get(f"object_kind.{i}") else {})
        for i in range(ROWS)
        if f.get(f"object_class.{i}", "").strip()
    ]
    raw = {k: f.get(k) for k in ("grid", "year", "patrols_planned", "random_checks_next_year") if f.get(k)}
    body = schemas.load_plan({**raw, "items": items})
    plan = service.save(db.session(), current_user, body)
    return redirect(url_for("plans.plan_page", plan_id=plan.id))


@bp.get("/plans/<int:plan_id>")
@capability_required("staff_pages")
def plan_page(plan_id: int):
    """A plan: items, targets, filing record, execution per month as bars."""
    session = db.session()
    plan = service.visible(session, current_user, plan_id)
    mine = sees_all(current_user) or plan.grid_code in current_user.grid_codes
    return render_template("plans/plan.html", p=plan, ex=service.execution(session, plan), mine=mine)


@bp.post("/plans/<int:plan_id>/filing")
@capability_required("file_reports")
def file(plan_id: int):
    """The filing form (with the filed document) → the plan page."""
    body = _ARGS.parse(schemas.FilingForm(), location="form")
    document = (
        web.read_upload("document", service.MAX_DOCUMENT_BYTES, "计划文件") if request.files.get("document") else None
    )
    service.file(db.session(), current_user, plan_id, body, document, current_app.config["MEDIA_DIR"])
    return redirect(url_for("plans.plan_page", plan_id=plan_id))


@bp.get("/plans/<int:plan_id>/document")
@capability_required("staff_pages")
def document(plan_id: int):
    """Download the filed document."""
    plan = service.visible(db.session(), current_user, plan_id)
    if not plan.document_path:
        raise NotFound("该计划没有备案文件 (no document)")
    path = media.resolve(current_app.config["MEDIA_DIR"], plan.document_path)
    return send_file(path, as_attachment=True, download_name=plan.document_name)
