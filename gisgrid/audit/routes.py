"""The audit administrator's page: filters, a per-day chart, the entries and their CSV export (JSON: audit.api)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from gisgrid.audit import security, service
from gisgrid.audit.models import ACTIONS
from gisgrid.auth.capabilities import capability_required
from gisgrid.db import db

bp = Blueprint("audit", __name__)


@bp.get("/admin/audit")
@capability_required("read_audit")
def audit_page():
    """The audit page for the audit administrator (same filters as the API)."""
    data = service.changes(db.session(), request.args.to_dict())
    return render_template(
        "audit/index.html",
        data=data,
        args=request.args,
        entities=service.LABELS,
        sources=service.SOURCES,
        actions={a: service.ACTION_LABELS[a] for a in ACTIONS},
        chart=_chart(data["per_day"]),
    )


@bp.get("/admin/audit.csv")
@capability_required("read_audit")
def audit_csv():
    """The filtered entries as CSV; the export is itself recorded in the trail."""
    args = request.args.to_dict()
    body, count = service.export_csv(db.session(), args)
    security.record(
        "export", current_user, request.remote_addr, "audit_log", "success",
        detail={"rows": count, "filters": args}, session=db.session(),
    )  # fmt: skip
    headers = {"Content-Disposition": "attachment; filename=audit.csv"}
    return Response("\ufeff" + body, mimetype="text/csv", headers=headers)  # BOM: Excel reads UTF-8


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
