"""JSON API of 专项行动 / 联合执法 campaigns: list, launch, one campaign with results, the map of targets."""

from __future__ import annotations

import json

from flask import Response, current_app
from flask_login import current_user

from gisgrid.auth.capabilities import capability_required
from gisgrid.campaigns import present, queries, results, service
from gisgrid.campaigns import schemas as s
from gisgrid.clock import today_in_china
from gisgrid.contract import Blueprint
from gisgrid.contract.schemas import FeatureCollection
from gisgrid.db import db
from gisgrid.deployment import current_profile
from gisgrid.tracking import rules

bp = Blueprint("campaigns_api", __name__, description="专项行动与联合执法 (campaigns)")
_SESSION, _CSRF = [{"session": []}], [{"session": [], "csrf": []}]


@bp.get("/api/v1/campaigns")
@capability_required("staff_pages")
@bp.alt_response(200, schema=s.CampaignList, success=True, description="campaigns in scope")
@bp.doc(security=_SESSION)
def list_api():
    """Campaigns of the user's grids (lead and area) and departments, with results and tasks."""
    session, today = db.session(), today_in_china()
    rows = queries.list_campaigns(session, current_user)
    return {"campaigns": [present.campaign(session, current_user, r, today) for r in rows]}


@bp.post("/api/v1/campaigns")
@capability_required("run_campaigns")
@bp.arguments(s.CampaignBody, location="json")
@bp.alt_response(201, schema=s.CampaignOut, success=True, description="the launched campaign")
@bp.doc(security=_CSRF)
def create_api(body: dict):
    """Launch a campaign; its lead grid follows the profile's 联合执法 organiser rule."""
    session, today = db.session(), today_in_china()
    config = current_app.config
    row = service.create_campaign(session, current_user, body, current_profile(), rules.from_config(config), today)
    return present.campaign(session, current_user, row, today), 201


@bp.get("/api/v1/campaigns/<int:campaign_id>")
@capability_required("staff_pages")
@bp.alt_response(200, schema=s.CampaignOut, success=True, description="one campaign")
@bp.doc(security=_SESSION)
def detail_api(campaign_id: int):
    """One campaign: results rolled up from inspections and cases, department tasks."""
    session = db.session()
    row = queries.get_campaign(session, current_user, campaign_id)
    return present.campaign(session, current_user, row, today_in_china())


@bp.put("/api/v1/campaigns/<int:campaign_id>/results/<department>")
@capability_required("staff_pages")
@bp.arguments(s.ResultsBody, location="json")
@bp.alt_response(200, schema=s.DepartmentResults, success=True, description="every department's results")
@bp.doc(security=_CSRF)
def enter_results_api(body: dict, campaign_id: int, department: str):
    """A participating department's own figures (its handlers, or the lead grid); replaces earlier ones."""
    session = db.session()
    row = queries.get_campaign(session, current_user, campaign_id)
    results.enter(session, current_user, row, department, body)
    return results.by_department(session, row, current_user)


@bp.get("/api/v1/campaigns/<int:campaign_id>/map")
@capability_required("staff_pages")
@bp.alt_response(200, schema=FeatureCollection, success=True, description="area and targets",
                 content_type="application/geo+json")  # fmt: skip
@bp.doc(security=_SESSION)
def map_api(campaign_id: int):
    """The target area (grids, drawn polygon) and the targets with their inspections and violations."""
    session = db.session()
    body = queries.map_features(session, queries.get_campaign(session, current_user, campaign_id))
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/geo+json")  # as documented
