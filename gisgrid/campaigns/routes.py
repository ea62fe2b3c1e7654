"""Pages of 专项行动 / 联合执法 campaigns: list and launch form, one campaign with results, tasks and a map."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from gisgrid import media
from gisgrid.auth.capabilities import capability_required
from gisgrid.campaigns import present, queries, results, schemas, service
from gisgrid.campaigns.models import KINDS
from gisgrid.clock import today_in_china
from gisgrid.contract.blueprint import Parser
from gisgrid.db import db
from gisgrid.deployment import current_profile
from gisgrid.errors import InvalidInput, NotFound
from gisgrid.incidents import matrix
from gisgrid.tracking import rules
from gisgrid.web import read_uploads

bp = Blueprint("campaigns", __name__)


@bp.get("/campaigns")
@capability_required("staff_pages")
def list_page():
    """Campaigns in scope with their results, and the launch form."""
    session, today = db.session(), today_in_china()
    rows = queries.list_campaigns(session, current_user)
    return render_template(
        "campaigns/list.html", campaigns=[present.campaign(session, current_user, r, today) for r in rows],
        departments=matrix.departments(session), kinds=KINDS, today=today,
    )  # fmt: skip


def _form() -> dict:
    form = request.form
    codes = [c.strip() for c in (form.get("area_codes") or "").replace("，", ",").split(",") if c.strip()]
    body = {k: form.get(k) or None for k in ("title", "kind", "starts_on", "ends_on", "plan_text")}
    return {**body, "departments": form.getlist("departments"), "area_codes": codes, "area": _drawn(form.get("area"))}


def _drawn(text: str | None):
    # the map's drawn area arrives as GeoJSON text in a hidden field; the service checks the geometry
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise InvalidInput("area: 绘制的区域不是有效的 GeoJSON (area is not valid GeoJSON)") from None


@bp.post("/campaigns")
@capability_required("run_campaigns")
def create():
    """Launch a campaign from the form (with its 行动方案 document), then show it."""
    plan = read_uploads("plan", service.MAX_PLAN_BYTES, "行动方案")
    config = current_app.config
    row = service.create_campaign(
        db.session(), current_user, _form(), current_profile(), rules.from_config(config), today_in_china(),
        plan=plan[0] if plan else None, media_dir=config["MEDIA_DIR"],
    )  # fmt: skip
    return redirect(url_for("campaigns.detail_page", campaign_id=row.id))


@bp.get("/campaigns/<int:campaign_id>")
@capability_required("staff_pages")
def detail_page(campaign_id: int):
    """One campaign: 行动方案, lead grid, departments, results, tasks, and the map of targets and results."""
    session = db.session()
    row = queries.get_campaign(session, current_user, campaign_id)
    return render_template("campaigns/detail.html", c=present.campaign(session, current_user, row, today_in_china()))


@bp.post("/campaigns/<int:campaign_id>/results")
@capability_required("staff_pages")
def enter_results(campaign_id: int):
    """The page's results form: one department's own figures."""
    body = Parser().parse(schemas.ResultsForm(), location="form")
    session = db.session()
    row = queries.get_campaign(session, current_user, campaign_id)
    results.enter(session, current_user, row, body["department"], body)
    return redirect(url_for("campaigns.detail_page", campaign_id=campaign_id) + "#department-results")


@bp.get("/campaigns/<int:campaign_id>/plan")
@capability_required("staff_pages")
def plan(campaign_id: int):
    """The 行动方案 document, for those who may see the campaign."""
    row = queries.get_campaign(db.session(), current_user, campaign_id)
    if not row.plan_path:
        raise NotFound("该行动没有上传行动方案 (no plan document)")
    path = media.resolve(current_app.config["MEDIA_DIR"], row.plan_path)
    if not path.is_file():
        raise NotFound("行动方案文件缺失 (file missing)")
    return send_file(path, mimetype=row.plan_mime, as_attachment=True, download_name=row.plan_name, max_age=0)
