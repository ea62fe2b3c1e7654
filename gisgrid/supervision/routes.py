"""Pages of 督办, 督查 (with the public 通报) and 联席会议 (with 会议决定事项的落实情况)."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_login import current_user

from gisgrid.auth.capabilities import capability_required
from gisgrid.clock import today_in_china
from gisgrid.db import db
from gisgrid.deployment import current_profile
from gisgrid.supervision import bulletin, forms, present, queries, service
from gisgrid.supervision.api import rules
from gisgrid.supervision.checks import TEMPLATE
from gisgrid.supervision.models import TOPIC_TYPES
from gisgrid.tracking import present as item_present
from gisgrid.tracking import queries as tracking_queries
from gisgrid.tracking.rules import PRIORITY_LABELS, STATE_LABELS

bp = Blueprint("supervision", __name__)


@bp.post("/supervision/duban")
@capability_required("open_supervision")
def open_duban():
    """The 督办 form of a case (or another subject's) page; shows the new item."""
    item = service.open_duban(
        db.session(), current_user, forms.duban(request.form), current_profile(), rules(), today_in_china()
    )
    return redirect(url_for("tracking.detail_page", item_id=item.id))


@bp.get("/supervision/checks")
@capability_required("staff_pages")
def checks_page():
    """督查 records in scope, and the form for a new check of a lower grid."""
    session, today = db.session(), today_in_china()
    rows = queries.list_checks(session, current_user)
    return render_template(
        "supervision/checks.html", checks=[present.check(session, current_user, r, today) for r in rows],
        template=TEMPLATE, today=today,
    )  # fmt: skip


@bp.post("/supervision/checks")
@capability_required("run_checks")
def create_check():
    """Record a check from the form, then show it."""
    row = service.create_check(db.session(), current_user, forms.check(request.form), rules(), today_in_china())
    return redirect(url_for("supervision.check_page", check_id=row.id))


@bp.get("/supervision/checks/<int:check_id>")
@capability_required("staff_pages")
def check_page(check_id: int):
    """One check: items, findings, rectification items, the 通报 (HTML; PDF link; publish control)."""
    session = db.session()
    row = service.get_check(session, current_user, check_id)
    return render_template("supervision/check.html", check=present.check(session, current_user, row, today_in_china()))


@bp.get("/supervision/checks/<int:check_id>/bulletin.pdf")
@capability_required("staff_pages")
def bulletin_pdf(check_id: int):
    """The 通报 as PDF (staff who may see the check)."""
    session = db.session()
    row = service.get_check(session, current_user, check_id)
    return _pdf(session, row)


def _pdf(session, row) -> Response:
    name = tracking_queries.grid_names(session, [row.grid_code]).get(row.grid_code, row.grid_code or "")
    headers = {"Content-Disposition": f"inline; filename=bulletin-{row.id}.pdf"}
    return Response(bulletin.to_pdf(row, name), mimetype="application/pdf", headers=headers)


@bp.post("/supervision/checks/<int:check_id>/publish")
@capability_required("run_checks")
def publish_check(check_id: int):
    """Publish or withdraw the 通报 on the public site."""
    service.set_public(db.session(), current_user, check_id, request.form.get("public") == "1")
    return redirect(url_for("supervision.check_page", check_id=check_id))


@bp.get("/bulletins")
def bulletins_page():
    """Public: the 督查通报 marked public."""
    session = db.session()
    rows = queries.public_bulletins(session)
    return render_template(
        "supervision/bulletins.html", bulletins=[present.check(session, None, r, today_in_china()) for r in rows]
    )


@bp.get("/bulletins/<int:check_id>")
def bulletin_page(check_id: int):
    """Public: one published 通报 (HTML; ``?format=pdf`` for the PDF)."""
    session = db.session()
    row = queries.public_bulletin(session, check_id)
    if request.args.get("format") == "pdf":
        return _pdf(session, row)
    return render_template("supervision/bulletin.html", check=present.check(session, None, row, today_in_china()))


@bp.get("/supervision/meetings")
@capability_required("staff_pages")
def meetings_page():
    """联席会议 in scope, the next meeting due by the profile's period, and the form for a new one."""
    session, today, profile = db.session(), today_in_china(), current_profile()
    rows = queries.list_meetings(session, current_user)
    next_due = queries.next_meeting_due(rows[0].held_on if rows else None, profile.joint_meeting_period, today)
    return render_template(
        "supervision/meetings.html", meetings=[present.meeting(session, current_user, r, today) for r in rows],
        next_due=next_due, period=queries.PERIOD_LABELS[profile.joint_meeting_period], topics=TOPIC_TYPES,
        group=profile.leading_group, today=today,
    )  # fmt: skip


@bp.post("/supervision/meetings")
@capability_required("run_meetings")
def create_meeting():
    """Record a meeting and its decisions from the form, then show it."""
    profile = current_profile()
    body = forms.meeting(request.form, profile)
    row = service.create_meeting(db.session(), current_user, body, profile, rules(), today_in_china())
    return redirect(url_for("supervision.meeting_page", meeting_id=row.id))


@bp.get("/supervision/meetings/<int:meeting_id>")
@capability_required("staff_pages")
def meeting_page(meeting_id: int):
    """One meeting: attendees, 议题, minutes and its decisions with their state."""
    session = db.session()
    row = queries.get_meeting(session, current_user, meeting_id)
    return render_template(
        "supervision/meeting.html", meeting=present.meeting(session, current_user, row, today_in_china())
    )


@bp.get("/supervision/decisions")
@capability_required("staff_pages")
def decisions_page():
    """会议决定事项的落实情况: every decision in scope with its meeting, owner, deadline and state."""
    session, today = db.session(), today_in_china()
    items = [item_present.summary(i, today) for i in queries.decisions(session, current_user)]
    counts = {s: sum(1 for i in items if i["state"] == s) for s in STATE_LABELS}
    return render_template(
        "supervision/decisions.html", items=items, counts=counts, states=STATE_LABELS,
        overdue=sum(1 for i in items if i["overdue"]), priorities=PRIORITY_LABELS,
    )  # fmt: skip
