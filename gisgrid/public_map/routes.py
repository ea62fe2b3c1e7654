"""Public pages (no login). The full disclosure map arrives with its own issue; this is the landing page."""
from __future__ import annotations

from flask import Blueprint, render_template

from gisgrid.db import db
from gisgrid.public_map import service

bp = Blueprint("public_map", __name__)


@bp.get("/")
def index():
    """Landing page: the published boundary version and a coordinate lookup form."""
    return render_template("public_map/index.html", summary=service.published_summary(db.session()))
