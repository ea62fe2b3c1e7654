"""Admin-only audit trail page: filters, a per-day chart and the changes (the JSON API is audit.api)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from gisgrid.audit import service
from gisgrid.auth.capabilities import capability_required
from gisgrid.db import db

bp = Blueprint("audit", __name__)


@bp.get("/admin/audit")
@capability_required("read_audit")
def audit_page():
    """The audit page for admins (same filters as the API)."""
    data = service.changes(db.session(), request.args.to_dict())
    return render_template(
        "audit/index.html",
        data=data,
        args=request.args,
        entities=service.LABELS,
        sources=service.SOURCES,
        chart=_chart(data["per_day"]),
    )


def _chart(per_day: list[dict]) -> dict:
    """Bars per day (stacked totals only: the entity split is in the tooltip), scaled to 100 px."""
    days: dict[str, dict] = {}
    for item in per_day:
        day = days.setdefault(item["day"], {"day": item["day"], "total": 0, "parts": []})
        day["total"] += item["count"]
        day["parts"].append(f"{service.LABELS.get(item['entity'], item['entity'])} {item['count']}")
    peak = max((d["total"] for d in days.values()), default=0)
    for day in days.values():
        day["height"] = max(2, round(100 * day["total"] / peak)) if peak else 0
    return {"days": list(days.values()), "peak": peak}
