"""JSON API of 年度日常监管工作计划: plans in scope with their execution, save a draft, file it."""

from __future__ import annotations

from flask import url_for
from flask_login import current_user

from gisgrid.auth.capabilities import capability_required
from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.plans import schemas, service

bp = Blueprint("plans_api", __name__, description="年度日常监管工作计划 (yearly supervision plans)")
_SESSION, _CSRF = [{"session": []}], [{"session": [], "csrf": []}]


def as_json(session, plan) -> dict:
    """A plan with its execution against the data."""
    keys = ("id", "grid_code", "grid_name", "year", "items", "patrols_planned", "random_checks_next_year", "state")
    return {
        **{k: getattr(plan, k) for k in keys},
        "filed_on": plan.filed_on and plan.filed_on.isoformat(),
        "filed_to": plan.filed_to,
        "filed_by": plan.filed_by,
        "execution": service.execution(session, plan),
        "url": url_for("plans.plan_page", plan_id=plan.id),
    }


@bp.get("/api/v1/plans")
@capability_required("staff_pages")
@bp.arguments(schemas.PlanListArgs, location="query")
@bp.alt_response(200, schema=schemas.Plan(many=True), success=True, description="plans in scope")
@bp.doc(security=_SESSION)
def list_api(args: dict):
    """Plans of the caller's grids and the grids below them (``?year=``), each with its execution."""
    session = db.session()
    return [as_json(session, p) for p in service.listing(session, current_user, args.get("year"))]


@bp.post("/api/v1/plans")
@capability_required("file_reports")
@bp.arguments(schemas.PlanBody, location="json")
@bp.alt_response(200, schema=schemas.Plan, success=True, description="the saved draft")
@bp.doc(security=_CSRF)
def save_api(body: dict):
    """Create or replace the draft plan of one of the caller's grids for a year."""
    return as_json(db.session(), service.save(db.session(), current_user, body))


@bp.post("/api/v1/plans/<int:plan_id>/filing")
@capability_required("file_reports")
@bp.arguments(schemas.PlanFilingBody, location="json")
@bp.alt_response(200, schema=schemas.Plan, success=True, description="the filed plan")
@bp.doc(security=_CSRF)
def file_api(body: dict, plan_id: int):
    """备案: when and to whom (the document is uploaded from the page)."""
    return as_json(db.session(), service.file(db.session(), current_user, plan_id, body, None, ""))
