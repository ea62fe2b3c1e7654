"""Campaign results per participating department: what the data shows plus the figures the department entered."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid import sqlfiles
from gisgrid.auth import capabilities, roles
from gisgrid.auth.service import in_scope, sees_all
from gisgrid.campaigns.models import Campaign, CampaignResult
from gisgrid.clock import china_iso
from gisgrid.db import unit_of_work
from gisgrid.errors import Forbidden, InvalidInput
from gisgrid.tracking.service import now

FIGURES = ("inspections", "findings", "cases")


def may_enter(user, campaign: Campaign, department: str) -> bool:
    """The department's handlers enter its figures; so does whoever runs campaigns at the lead grid or above."""
    if sees_all(user):
        return True
    if getattr(user, "role", None) == roles.HANDLER:
        return user.department_code == department
    return capabilities.can(user, "run_campaigns") and in_scope(user, campaign.chain)


def by_department(session: Session, campaign: Campaign, user=None) -> dict:
    """Rows per department (computed, entered, total) and the totals over the departments."""
    computed = session.execute(sqlfiles.statement("gisgrid.campaigns", "department_results.sql"), {"id": campaign.id})
    entered = {
        r.department_code: r
        for r in session.scalars(select(CampaignResult).where(CampaignResult.campaign_id == campaign.id))
    }
    rows = [_row(dict(c._mapping), entered.get(c.department_code), campaign, user) for c in computed]
    totals = {f: sum(r["total"][f] for r in rows) for f in FIGURES}
    return {"departments": rows, "totals": totals}


def _row(computed: dict, entered: CampaignResult | None, campaign: Campaign, user) -> dict:
    code = computed.pop("department_code")
    own = {f: getattr(entered, f) if entered else 0 for f in FIGURES}
    return {
        "department_code": code,
        "computed": computed,
        "entered": own,
        "total": {f: computed[f] + own[f] for f in FIGURES},
        "note": entered.note if entered else None,
        "entered_by": entered.entered_by if entered else None,
        "entered_at": china_iso(entered.entered_at) if entered else None,
        "may_enter": user is not None and may_enter(user, campaign, code),
    }


def enter(session: Session, user, campaign: Campaign, department: str, body: dict) -> CampaignResult:
    """Store a department's entered figures (replacing earlier ones); 400 for a department not taking part."""
    if department not in campaign.departments:
        raise InvalidInput(f"department: 部门 {department!r} 未参与该专项行动 (not a participating department)")
    if not may_enter(user, campaign, department):
        raise Forbidden("只有该部门或牵头网格可以填报成果 (the department or the lead grid only)")
    with unit_of_work(session):
        row = session.scalar(
            select(CampaignResult).where(
                CampaignResult.campaign_id == campaign.id, CampaignResult.department_code == department
            )
        )
        if row is None:
            row = CampaignResult(campaign_id=campaign.id, department_code=department)
            session.add(row)
        for f in FIGURES:
            setattr(row, f, int(body.get(f) or 0))
        row.note = (body.get("note") or "").strip() or None
        row.entered_by = user.username
        row.entered_at = now()
    return row
