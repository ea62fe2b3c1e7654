"""Pages of tracked items: my / raised / all lists with filters and overdue by level, the item page, files."""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from gisgrid import media
from gisgrid.auth.capabilities import capability_required
from gisgrid.auth.models import Department
from gisgrid.clock import today_in_china
from gisgrid.contract.blueprint import Parser
from gisgrid.db import db
from gisgrid.errors import NotFound
from gisgrid.tracking import places, present, queries, rules, schemas, service
from gisgrid.tracking.api import files, level_rows
from gisgrid.tracking.models import TrackedAttachment
from gisgrid.tracking.rules import PRIORITY_LABELS, STATE_LABELS

bp = Blueprint("tracking", __name__)


@bp.app_context_processor
def _template_helpers() -> dict:
    # lower domains' pages (the case page) show the items about their objects without importing this package
    def tracked_about(kind: str, about_id) -> list[dict]:
        today = today_in_china()
        return [present.summary(i, today) for i in queries.for_about(db.session(), current_user, kind, about_id)]

    def department_name(code: str | None) -> str:
        # pages show a department's name, not its code (one query per page, on first use)
        if not code:
            return ""
        if "department_names" not in g:
            g.department_names = dict(db.session().execute(select(Department.code, Department.name)).all())
        return g.department_names.get(code, code)

    return {"tracked_about": tracked_about, "department_name": department_name}


@bp.get("/tracking")
@capability_required("staff_pages")
def list_page():
    """督办事项: my items, items I raised, all in scope; filters; overdue per level."""
    filters = Parser().parse(schemas.ListArgs(), location="query")
    session, today = db.session(), today_in_china()
    items = queries.list_items(session, current_user, filters, today)
    return render_template(
        "tracking/list.html",
        items=[present.summary(i, today) for i in items],
        levels=level_rows(session, current_user, today),
        filters=filters,
        priorities=PRIORITY_LABELS,
        states=STATE_LABELS,
        ran=request.args.get("ran"),
        map_legend=places.LEGEND,
        map_colours=places.COLOURS,
    )


@bp.get("/tracking/<int:item_id>")
@capability_required("staff_pages")
def detail_page(item_id: int):
    """One item: its subject, owner, watcher, notes, files, escalations and the user's actions."""
    item = service.get_item(db.session(), current_user, item_id)
    body = present.detail(item, current_user, today_in_china())
    names = queries.grid_names(db.session(), [*body["chain"], body["watcher_grid_code"] or ""])
    return render_template("tracking/detail.html", item=body, names=names, about_labels=present.ABOUT_LABELS)


@bp.post("/tracking/<int:item_id>/actions/<action>")
@capability_required("staff_pages")
def act_form(item_id: int, action: str):
    """An action from the item page's forms (with attachments), then the item again."""
    body = Parser().parse(schemas.TrackingActionBody(), location="form")
    step = service.Step(action, body.get("text"), files(), body.get("due"))
    service.act(db.session(), current_user, item_id, step, current_app.config["MEDIA_DIR"])
    return redirect(url_for("tracking.detail_page", item_id=item_id))


@bp.get("/tracking/attachments/<int:attachment_id>")
@capability_required("staff_pages")
def attachment(attachment_id: int):
    """A file of an item, for those who may see the item."""
    session = db.session()
    row = session.get(TrackedAttachment, attachment_id)
    if row is None:
        raise NotFound("附件不存在 (no such attachment)")
    service.get_item(session, current_user, row.item_id)
    path = media.resolve(current_app.config["MEDIA_DIR"], row.path)
    if not path.is_file():
        raise NotFound("附件文件缺失 (file missing)")
    return send_file(path, mimetype=row.mime, as_attachment=True, download_name=row.name, max_age=0)


@bp.post("/tracking/escalate")
@capability_required("open_supervision")
def escalate():
    """Run the overdue escalation now over the user's scope, then list the overdue items."""
    made = service.escalate_overdue(db.session(), today_in_china(), rules.from_config(current_app.config), current_user)
    return redirect(url_for("tracking.list_page", overdue="true", ran=len(made)))
