"""Pages of 环境安全隐患: the staff list and form (scoped by grid) and the public list with its map."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from gisgrid.auth.capabilities import capability_required
from gisgrid.contract.blueprint import Parser
from gisgrid.db import db
from gisgrid.hazards import schemas, service
from gisgrid.hazards.models import KIND_LABELS, STATUS_LABELS

bp = Blueprint("hazards", __name__)
_ARGS = Parser()


@bp.get("/hazards")
@capability_required("staff_pages")
def list_page():
    """Hazards of the user's grids, a form to record one and per row a form to change its status."""
    rows = service.staff_list(db.session(), current_user)
    return render_template("hazards/list.html", rows=rows, kinds=KIND_LABELS, statuses=STATUS_LABELS)


@bp.post("/hazards")
@capability_required("record_hazards")
def record():
    """The page's form → a recorded hazard."""
    body = _ARGS.parse(schemas.HazardForm(), location="form")
    service.record(db.session(), current_user, body)
    return redirect(url_for("hazards.list_page"))


@bp.post("/hazards/<int:hazard_id>")
@capability_required("record_hazards")
def update(hazard_id: int):
    """A row's form → status, deadline and public flag changed (an unticked box means not public)."""
    body = _ARGS.parse(schemas.HazardPatchForm(), location="form")
    body.setdefault("public", False)
    service.update(db.session(), current_user, hazard_id, body)
    return redirect(url_for("hazards.list_page"))


@bp.get("/public/hazards")
def public_page():
    """区域环境安全隐患 (no login): the list and a map of the hazards marked public."""
    return render_template("hazards/public.html", rows=service.public_list(db.session()))
