"""Pages of the source registry, inspections and the public 双随机 results (JSON API: sources.api)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from gisgrid import web
from gisgrid.audit import security
from gisgrid.auth.capabilities import capability_required
from gisgrid.db import db
from gisgrid.deployment import current_profile
from gisgrid.errors import InvalidInput, ValidationFailed
from gisgrid.incidents import matrix
from gisgrid.sources import dossier, draws, fields, inspections, io, registration, schedule, service
from gisgrid.sources.fields import KIND_LABELS
from gisgrid.sources.rules import CLASS_LABELS, today_in_china

bp = Blueprint("sources", __name__)


@bp.context_processor
def _labels():
    return {"CLASS_LABELS": CLASS_LABELS, "KIND_LABELS": KIND_LABELS}


def _date(name: str, default: date | None = None) -> date:
    raw = (request.values.get(name) or "").strip()
    if not raw and default is not None:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{name} 应为日期 YYYY-MM-DD") from None


@bp.get("/sources")
@capability_required("staff_pages")
def map_page():
    """Map of sources by class and inspection status, with a legend."""
    return render_template("sources/map.html", mode="sources")


@bp.get("/inspections/overdue")
@capability_required("staff_pages")
def overdue_page():
    """Map and table of overdue inspections per grid."""
    return render_template("sources/overdue.html", data=dossier.reminders(db.session(), current_user))


@bp.get("/sources/dashboard")
@capability_required("staff_pages")
def dashboard():
    """Staff dashboard: inspection reminders in the user's grids."""
    return render_template("sources/dashboard.html", data=dossier.reminders(db.session(), current_user))


@bp.get("/sources/new")
@capability_required("register_sources")
def register_page():
    """The 登记污染源 form; ``?incident=N`` pre-fills it from a 新增污染源 case."""
    raw = request.args.get("incident", "").strip()
    if raw and not raw.isdigit():
        raise InvalidInput("incident: 应为案件编号 (must be a case number)", {"field": "incident"})
    values = registration.prefill(db.session(), current_user, int(raw)) if raw else {}
    return render_template("sources/register.html", values=values)


@bp.post("/sources/new")
@capability_required("register_sources")
def register_form():
    """Register the source of the form, then show its page (a bad field: the form again, naming it)."""
    values = request.form.to_dict()
    try:
        source = registration.register(db.session(), current_user, values)
    except InvalidInput as err:
        if request.accept_mimetypes.best == "application/json":
            raise
        return render_template("sources/register.html", values=values, error=err), 400
    return redirect(url_for("sources.detail", source_id=source.id))


@bp.get("/sources/<int:source_id>")
@capability_required("staff_pages")
def detail(source_id: int):
    """一企一档: the source's page."""
    session = db.session()
    return render_template(
        "sources/detail.html",
        d=dossier.dossier(session, current_user, source_id),
        today=today_in_china(),
        categories=matrix.categories(session),  # a violation found on inspection opens a case of one of them
    )


@bp.post("/sources/<int:source_id>/class")
@capability_required("set_source_class")
def change_class(source_id: int):
    """Change the class with a reason (recorded in the history)."""
    service.change_class(
        db.session(), current_user, source_id, request.form.get("to_class", ""), request.form.get("reason", "")
    )
    return redirect(url_for("sources.detail", source_id=source_id))


@bp.post("/sources/<int:source_id>/edit")
@capability_required("edit_sources")
def edit(source_id: int):
    """Edit the source's data (the class follows the rules)."""
    service.update_source(db.session(), current_user, source_id, request.form.to_dict())
    return redirect(url_for("sources.detail", source_id=source_id))


@bp.post("/sources/<int:source_id>/public")
@capability_required("disclose_sources")
def set_public(source_id: int):
    """信息公开: the source into the public register (public=1) or out of it."""
    public = fields.to_bool(request.form.get("public"), "public")
    service.set_public(db.session(), current_user, source_id, public)
    return redirect(url_for("sources.detail", source_id=source_id))


@bp.post("/sources/<int:source_id>/inspections")
@capability_required("inspect_sources")
def add_inspection(source_id: int):
    """Record an inspection."""
    inspections.record_inspection(
        db.session(),
        source_id,
        current_user,
        inspected_on=_date("inspected_on", today_in_china()),
        violation=request.form.get("violation") == "1",
        findings=request.form.get("findings"),
        category=request.form.get("category"),
    )
    return redirect(url_for("sources.detail", source_id=source_id))


@bp.post("/sources/<int:source_id>/conflicts")
@capability_required("inspect_sources")
def declare_conflict(source_id: int):
    """The current user declares a conflict of interest with this source (excluded from draws)."""
    inspections.declare_conflict(db.session(), current_user.id, source_id, request.form.get("reason", ""))
    return redirect(url_for("sources.detail", source_id=source_id))


@bp.post("/sources/<int:source_id>/documents")
@capability_required("inspect_sources")
def upload_document(source_id: int):
    """Add a file to the dossier."""
    filename, data = web.read_upload("file", dossier.MAX_DOCUMENT_BYTES, "档案文件")
    dossier.add_document(
        db.session(),
        current_user,
        source_id,
        request.form.get("title", ""),
        filename,
        data,
        current_app.config["MEDIA_DIR"],
    )
    return redirect(url_for("sources.detail", source_id=source_id))


@bp.get("/sources/<int:source_id>/documents/<int:doc_id>")
@capability_required("staff_pages")
def download_document(source_id: int, doc_id: int):
    """Download one dossier file."""
    path, name = dossier.document_file(db.session(), current_user, source_id, doc_id, current_app.config["MEDIA_DIR"])
    return send_file(path, as_attachment=True, download_name=name)


@bp.route("/sources/import", methods=["GET", "POST"])
@capability_required("edit_sources")
def import_page():
    """Upload a CSV/XLSX/GeoPackage of sources: all rows or none, with every bad row listed."""
    if request.method == "GET":
        return render_template("sources/import.html")
    suffix = io.format_of(web.upload_name("file", "导入文件"))
    with web.upload_to_temp("file", current_app.config["IMPORT_MAX_BYTES"], "导入文件", suffix) as path:
        try:
            count = service.import_file(
                db.session(), str(path), by=current_user.username, crs=request.form.get("crs") or None
            )
        except ValidationFailed as err:
            if request.accept_mimetypes.best == "application/json":
                raise
            return render_template("sources/import.html", errors=err.details, message=err.message), 422
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"imported": count})
    return render_template("sources/import.html", imported=count)


@bp.get("/sources/export.<fmt>")
@capability_required("staff_pages")
def export(fmt: str):
    """Download the sources in the user's grids as CSV, XLSX or GeoPackage (the import format)."""
    suffix = io.format_of(f"x.{fmt}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"sources{suffix}"
        count = service.export_file(db.session(), str(path), current_user)
        data = path.read_bytes()
    # the rows carry enterprises' contacts (personal information): every download is in the audit trail
    detail = {"rows": count, "format": fmt}
    security.record(
        "export", current_user, request.remote_addr, "污染源", "success", detail=detail, session=db.session()
    )
    return current_app.response_class(
        data,
        headers={"Content-Disposition": f"attachment; filename=sources{suffix}"},
        mimetype="application/octet-stream",
    )


@bp.get("/lottery")
def lottery_index():
    """Public: every 双随机 draw and the years' planned/drawn counts; admins also see the form for the next draw."""
    today = today_in_china()
    quarter = schedule.next_quarter(today)
    window = schedule.window_or_none(quarter)
    return render_template(
        "sources/lottery_index.html",
        draws=draws.list_draws(db.session()),
        quarter=quarter,
        window=window,
        in_window=schedule.in_window(quarter, today),
        years=draws.year_counts(db.session(), today),
        defaults=current_profile().draw_proportions,
        pool=draws.pool_options(db.session()),
    )


def _whole(value, label: str, key: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(
            f"{key}: {label}须为整数 ({key} must be an integer)", details={key: ["not an integer"]}
        ) from None


@bp.post("/lottery/plan")
@capability_required("run_lottery")
def lottery_plan():
    """Set a year's planned number of inspected sources."""
    draws.set_plan(
        db.session(),
        _whole(request.form.get("year"), "年份", "year"),
        _whole(request.form.get("planned_count"), "计划抽查数量", "planned_count"),
        by=current_user.username,
    )
    return redirect(url_for("sources.lottery_index"))


@bp.post("/lottery")
@capability_required("run_lottery")
def lottery_run():
    """Run the next quarter's draw (or the one named) with the published seed; outside the window with a reason."""
    shares = current_profile().draw_proportions
    props = {c: web.finite_number(request.form.get(f"p_{c}", shares[c]), f"{c} 类比例", f"p_{c}") for c in "ABC"}
    try:
        per_source = int(request.form.get("per_source", 2))
    except ValueError:
        raise InvalidInput("每个污染源的检查人数须为整数 (per_source must be an integer)") from None
    draw = draws.run_draw(
        db.session(),
        request.form.get("quarter", ""),
        by=current_user.username,
        seed=request.form.get("seed"),
        proportions=props,
        per_source=per_source,
        pool_roles=request.form.getlist("pool_role"),
        departments=request.form.getlist("pool_department"),
        override_reason=request.form.get("override_reason"),
    )
    return redirect(url_for("sources.lottery_page", draw_id=draw.id))


@bp.get("/lottery/<int:draw_id>")
def lottery_page(draw_id: int):
    """Public page of one draw: seed, algorithm, inputs, results."""
    return render_template("sources/lottery.html", d=draws.published(db.session(), draw_id))


@bp.post("/inspections/frequency")
@capability_required("set_inspection_frequency")
def set_frequency():
    """Set the inspection interval (months) of each class."""
    try:
        months = {c: int(request.form[f"months_{c}"]) for c in "ABC" if request.form.get(f"months_{c}")}
    except ValueError:
        raise InvalidInput("检查周期必须是整数月") from None
    inspections.set_frequencies(db.session(), months)
    return redirect(url_for("sources.dashboard"))
