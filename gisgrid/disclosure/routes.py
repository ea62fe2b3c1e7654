"""Public pages of 信息公开 (no login): the register of public sources and one source's emission data."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from gisgrid.db import db
from gisgrid.disclosure import service

bp = Blueprint("disclosure", __name__)


@bp.get("/public/sources")
def sources_page():
    """污染源信息公开: the public register with a map and the open-data links."""
    rows = service.register(db.session())
    points = [
        {
            "lon": r["lon"],
            "lat": r["lat"],
            "title": r["name"],
            "text": r["address"] or "",
            "href": url_for("disclosure.source_page", source_id=r["id"]),
        }
        for r in rows
    ]
    return render_template("disclosure/sources.html", rows=rows, points=points)


@bp.get("/public/sources/<int:source_id>")
def source_page(source_id: int):
    """One public source: its register entry, daily averages vs limits (charts), monthly exceedance days."""
    return render_template("disclosure/source.html", s=service.detail(db.session(), source_id))
