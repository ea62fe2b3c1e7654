"""The public page of the deployment's supervision system (网格化环境监管体系): levels, 领导小组, departments, rules."""

from __future__ import annotations

from flask import Blueprint, render_template

from gisgrid.deployment.profile import current_profile

bp = Blueprint("deployment", __name__)

PERIOD_LABELS = {"month": "每月", "quarter": "每季度", "half_year": "每半年", "year": "每年", "unset": "方案未规定"}
ORGANISER_LABELS = {
    "same_level": "同级网格责任主体（承办部门所在层级的网格）",
    "top": "一级网格（本部署最高层级网格）的责任主体",
}


@bp.get("/system")
def system_page():
    """Public: the plan's levels, 领导小组, departments with their duties and the rules this deployment follows."""
    # the plan asks for this to be public: "公开……网格职责和责任人员"
    return render_template(
        "deployment/system.html", p=current_profile(), periods=PERIOD_LABELS, organisers=ORGANISER_LABELS
    )
