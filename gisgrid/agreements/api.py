"""JSON API of 责任状: list those of the caller's grids, record one."""

from __future__ import annotations

from flask import current_app, url_for
from flask_login import current_user

from gisgrid.agreements import schemas, service
from gisgrid.auth.capabilities import capability_required
from gisgrid.contract import Blueprint
from gisgrid.db import db

bp = Blueprint("agreements_api", __name__, description="责任状 (responsibility agreements)")


def as_json(a) -> dict:
    """An agreement for the API."""
    keys = ("id", "year", "title", "upper_code", "upper_name", "party_kind", "party_code", "party_name")
    return {
        **{k: getattr(a, k) for k in keys},
        "tasks": a.tasks,
        "rewards_penalties": a.rewards_penalties,
        "signed_on": a.signed_on and a.signed_on.isoformat(),
        "signed": a.scan_path is not None,
        "url": url_for("agreements.detail_page", agreement_id=a.id),
    }


@bp.get("/api/v1/agreements")
@capability_required("staff_pages")
@bp.arguments(schemas.AgreementListArgs, location="query")
@bp.alt_response(200, schema=schemas.Agreement(many=True), success=True, description="agreements in scope")
@bp.doc(security=[{"session": []}])
def list_api(args: dict):
    """Agreements of the caller's grids (either party) and the grids below them; filters year and grid."""
    rows = service.listing(db.session(), current_user, args.get("year"), args.get("grid"))
    return [as_json(a) for a in rows]


@bp.post("/api/v1/agreements")
@capability_required("manage_agreements")
@bp.arguments(schemas.AgreementBody, location="json")
@bp.alt_response(201, schema=schemas.Agreement, success=True, description="the recorded agreement")
@bp.doc(security=[{"session": [], "csrf": []}])
def create_api(body: dict):
    """Record a 责任状 issued by a grid in the caller's scope (the scan is uploaded from the page)."""
    agreement = service.create(db.session(), current_user, body, None, current_app.config["MEDIA_DIR"])
    return as_json(agreement), 201
