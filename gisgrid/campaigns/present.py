"""A campaign as a plain dict (the shape of campaigns.schemas.CampaignOut)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from gisgrid.campaigns import queries, results
from gisgrid.campaigns.models import Campaign
from gisgrid.tracking import present as items


def campaign(session: Session, user, row: Campaign, today: date) -> dict:
    """A campaign with its rolled-up results and the department tasks the user may see."""
    return {
        "id": row.id, "title": row.title, "kind": row.kind, "starts_on": row.starts_on.isoformat(),
        "ends_on": row.ends_on.isoformat(), "lead_grid_code": row.lead_grid_code, "organiser": row.organiser,
        "departments": list(row.departments), "area_codes": list(row.area_codes),
        "has_drawn_area": row.area is not None, "plan_text": row.plan_text,
        "plan_url": f"/campaigns/{row.id}/plan" if row.plan_path else None,
        "results": queries.results(session, row.id),
        "department_results": results.by_department(session, row, user),
        "tasks": [items.summary(t, today) for t in queries.tasks(session, user, row.id)],
    }  # fmt: skip
