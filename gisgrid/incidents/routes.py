"""Pages of the case workflow: report forms, case list/map/detail, form actions, photos, duty matrix, KPIs.

Their JSON API is in incidents.api."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from gisgrid.auth.access import login_required
from gisgrid.auth.capabilities import capability_required
from gisgrid.db import db, row_id
from gisgrid.deployment import current_profile
from gisgrid.errors import NotFound
from gisgrid.incidents import access, citizen, intake, kpi, matrix, photos, public_reply, service, transfer, workflow
from gisgrid.incidents.api import upload
from gisgrid.incidents.models import IncidentPhoto
from gisgrid.web import parse_day, read_uploads

bp = Blueprint("incidents", __name__)


def _params() -> dict:
    if request.is_json:
        return dict(request.get_json(silent=True) or {})
    data = request.form.to_dict()
    if "departments" in request.form:
        data["departments"] = request.form.getlist("departments")
    return data


def _listed_cases() -> list[dict]:
    # ?state= and ?escalated=1 filter the cases in the user's scope
    return service.summaries(
        service.list_cases(
            db.session(), current_user, request.args.get("state") or None, request.args.get("escalated") == "1"
        )
    )


@bp.get("/report")
def report_form():
    """Public report form (map pin or phone location); staff get hotline/patrol intake with ?channel=."""
    channel = request.args.get("channel", "web")
    if channel in intake.STAFF_CHANNELS and not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path))
    return render_template("incidents/report.html", categories=matrix.categories(db.session()), channel=channel)


@bp.get("/report/status")
def report_status():
    """Public progress of a case by its number: state, deadline and the steps taken (no names, no contacts)."""
    number = request.args.get("id", "").strip()
    reply = request.args.get("t", "")
    case = service.public_status(db.session(), number, current_app.config["REOPEN_DAYS"]) if number else None
    return render_template(
        "incidents/status.html",
        case=case,
        number=number,
        reply=reply,
        reopened=request.args.get("reopened") == "1",
        labels=workflow.LABELS,
        states=workflow.STATE_LABELS,
    )


@bp.post("/report/status/reopen")
def report_reopen():
    """没有解决: the reporter's answer through the signed link of the closing notice; the case reopens."""
    form = request.form
    cfg = current_app.config
    case = citizen.reopen(
        db.session(),
        cfg["SECRET_KEY"],
        cfg["REOPEN_DAYS"],
        row_id(form.get("id")),
        form.get("t", ""),
        form.get("words"),
    )
    return redirect(url_for("incidents.report_status", id=case.id, reopened=1))


@bp.get("/incidents")
@login_required
def list_page():
    """Case list and map of the user's grids and department."""
    return render_template("incidents/list.html", cases=_listed_cases(), states=workflow.STATE_LABELS, me=current_user)


@bp.post("/incidents/escalate")
@capability_required("escalate_cases")
def escalate():
    """Run the overdue escalation (督办) for the user's grids now, then list the escalated cases."""
    cases = service.escalate_now(db.session(), current_user)
    return redirect(url_for("incidents.list_page", escalated=1, ran=len(cases)))


@bp.get("/incidents/<int:incident_id>")
@login_required
def detail_page(incident_id: int):
    """Case detail page with the actions the user may take."""
    session = db.session()
    incident = service.get_case(session, current_user, incident_id)
    case = service.detail(incident, current_user)
    case["public_reply"] = public_reply.for_case(session, incident.id)
    depts = {d.code: d.name for d in matrix.departments(session)}
    return render_template(
        "incidents/detail.html",
        case=case,
        labels=workflow.LABELS,
        states=workflow.STATE_LABELS,
        departments=depts,
        kinds=transfer.KINDS,
        may_transfer=transfer.may_transfer(current_user, incident),
        me=current_user,
    )


@bp.post("/incidents/<int:incident_id>/actions/<action>")
@login_required
def act_form(incident_id: int, action: str):
    """Perform a workflow action from the detail page's forms, then show the case again."""
    incident = service.act(db.session(), current_user, incident_id, action, _params(), upload(), current_profile())
    if not access.can_view(current_user, incident):
        # e.g. a receiving unit that returned a transfer: the case is no longer theirs to open
        return redirect(url_for("incidents.list_page", done=incident_id))
    return redirect(url_for("incidents.detail_page", incident_id=incident_id))


@bp.post("/incidents/<int:incident_id>/public-reply")
@capability_required("reply_public")
def public_reply_form(incident_id: int):
    """The handler's reply marked public (shown on /report/status and in Open311), apart from internal notes."""
    public_reply.write(db.session(), current_user, incident_id, request.form.get("body", ""))
    return redirect(url_for("incidents.detail_page", incident_id=incident_id))


@bp.get("/incidents/photos/<int:photo_id>")
def photo(photo_id: int):
    """A photo: public when published, otherwise only for users who may see the case."""
    session = db.session()
    item = session.get(IncidentPhoto, photo_id)
    if item is None:
        raise NotFound("照片不存在 (no such photo)")
    if not item.published:
        access.require_view(current_user, service.load(session, item.incident_id))
    path = photos.resolve(current_app.config["MEDIA_DIR"], item.path)
    if not path.is_file():
        raise NotFound("照片文件缺失 (photo file missing)")
    return send_file(path, mimetype=item.mime, max_age=0)


@bp.get("/incidents/matrix")
@capability_required("edit_duty_matrix")
def matrix_page():
    """The duty matrix, editable by admins, with a CSV/JSON import."""
    session = db.session()
    return render_template(
        "incidents/matrix.html",
        categories=matrix.categories(session, active_only=False),
        departments=matrix.departments(session),
    )


@bp.post("/incidents/matrix")
@capability_required("edit_duty_matrix")
def matrix_save():
    """Insert or update one category from the matrix page's form, or import an uploaded CSV/JSON file."""
    sent = read_uploads("file", matrix.MAX_FILE_BYTES, "职责矩阵文件")
    if sent:
        rows = matrix.parse_file(sent[0][0], sent[0][1].decode("utf-8-sig", errors="replace"))
    else:
        row = request.form.to_dict()
        row["departments"] = request.form.getlist("departments")
        row["active"] = "true" if request.form.get("active") else "false"
        rows = [row]
    matrix.upsert(db.session(), rows)
    return redirect(url_for("incidents.matrix_page"))


@bp.get("/incidents/kpi")
@capability_required("view_kpi")
def kpi_page():
    """KPI tables (per grid and per department) and the choropleth map."""
    start, end = kpi.span(parse_day(request.args.get("from"), "from"), parse_day(request.args.get("to"), "to"))
    session = db.session()
    return render_template(
        "incidents/kpi.html",
        start=start,
        end=end,
        by_grid=kpi.compute(session, start, end, "grid", 2),
        by_dept=kpi.compute(session, start, end, "department"),
    )
