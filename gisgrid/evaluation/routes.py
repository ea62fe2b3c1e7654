"""考评 pages: rounds, the ranking (chart, export), a form to fill or review, 监督员绩效考核 (JSON: evaluation.api)."""

from __future__ import annotations

import io

from flask import Blueprint, current_app, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from gisgrid import media, periods, web
from gisgrid.agreements import service as agreements
from gisgrid.auth.capabilities import capability_required
from gisgrid.clock import today_in_china
from gisgrid.contract.blueprint import Parser
from gisgrid.db import db
from gisgrid.deployment import current_profile
from gisgrid.errors import NotFound
from gisgrid.evaluation import export, indicators, queries, schemas, service, supervisors, templates, trend, views
from gisgrid.evaluation.models import EvaluationEvidence

bp = Blueprint("evaluation", __name__)
_ARGS = Parser()
_FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@bp.context_processor
def _labels():
    return {"STATES": export.STATES, "INDICATORS": indicators.REGISTRY, "PERIOD_LABELS": periods.KIND_LABELS}


@bp.get("/evaluation")
@capability_required("evaluate_grids")
def index():
    """Rounds with progress in the user's scope; the form to open a round."""
    rows = queries.rounds(db.session(), current_user)
    return render_template(
        "evaluation/index.html", rows=rows, kinds=periods.KINDS, default_kind=service.default_kind(current_profile())
    )


@bp.post("/evaluation/rounds")
@capability_required("open_evaluation")
def open_round():
    """The page's form → a new round."""
    body = _ARGS.parse(schemas.RoundForm(), location="form")
    rnd = service.open_round(db.session(), current_user, current_profile(), body, today_in_china())
    return redirect(url_for("evaluation.round_page", round_id=rnd.id))


@bp.get("/evaluation/rounds/<int:round_id>")
@capability_required("evaluate_grids")
def round_page(round_id: int):
    """The ranking per level with a bar chart of reviewed scores."""
    ranking = queries.ranking(db.session(), current_user, round_id)
    return render_template("evaluation/round.html", r=ranking, max_total=templates.max_total(ranking["round"].template))


@bp.get("/evaluation/trend")
@capability_required("evaluate_grids")
def trend_page():
    """Scores and ranks of one level's grids across rounds: two charts and the table behind them."""
    args = _ARGS.parse(schemas.TrendArgs(), location="query")
    data = views.trend_json(
        trend.trend(db.session(), current_user, args.get("level"), args.get("period")), current_profile()
    )
    return render_template("evaluation/trend.html", t=data, kinds=periods.KINDS)


@bp.post("/evaluation/rounds/<int:round_id>/finish")
@capability_required("open_evaluation")
def finish(round_id: int):
    """Finish a round whose forms are all reviewed."""
    service.finish_round(db.session(), current_user, round_id)
    return redirect(url_for("evaluation.round_page", round_id=round_id))


@bp.get("/evaluation/rounds/<int:round_id>/export.<fmt>")
@capability_required("evaluate_grids")
def export_ranking(round_id: int, fmt: str):
    """The ranking in the user's scope as XLSX or PDF."""
    if fmt not in _FORMATS:
        raise NotFound(f"格式 {fmt!r} 不支持，可用 xlsx、pdf (unknown format)")
    ranking = queries.ranking(db.session(), current_user, round_id)
    data = (export.to_xlsx if fmt == "xlsx" else export.to_pdf)(ranking, current_profile())
    name = f"{ranking['round'].label}.{fmt}"
    return send_file(io.BytesIO(data), mimetype=_FORMATS[fmt], as_attachment=True, download_name=name)


@bp.get("/evaluation/forms/<int:form_id>")
@capability_required("evaluate_grids")
def form_page(form_id: int):
    """A form: the items, the data behind them, self scores, review scores, evidence; the user's controls."""
    form = queries.visible_form(db.session(), current_user, form_id)
    # the 责任状 the grid received for the round's year: the tasks and 奖惩 terms the scores answer to
    signed = agreements.for_grid_year(db.session(), form.grid_code, form.round.starts_on.year)
    return render_template("evaluation/form.html", f=views.form_json(form, current_user), form=form, signed=signed)


def _scores(keys: list[str]) -> dict:
    # the page posts score.<item> and note.<item>; an empty score leaves the item unscored
    return {
        k: {"score": request.form.get(f"score.{k}", ""), "note": request.form.get(f"note.{k}", "")}
        for k in keys
        if f"score.{k}" in request.form
    }


@bp.post("/evaluation/forms/<int:form_id>/self")
@capability_required("evaluate_grids")
def save_self(form_id: int):
    """The page's self-evaluation form (save or submit)."""
    form = queries.visible_form(db.session(), current_user, form_id)
    keys = [i["key"] for i in templates.items(form.round.template)]
    body = {"scores": _scores(keys), "note": request.form.get("note"), "submit": "submit" in request.form}
    service.save_self(db.session(), current_user, form_id, body)
    return redirect(url_for("evaluation.form_page", form_id=form_id))


@bp.post("/evaluation/forms/<int:form_id>/review")
@capability_required("evaluate_grids")
def review(form_id: int):
    """The page's review form (accept with scores, or return with a reason)."""
    form = queries.visible_form(db.session(), current_user, form_id)
    keys = [i["key"] for i in templates.items(form.round.template)]
    decision = "return" if "return" in request.form else "accept"
    body = {"scores": _scores(keys), "note": request.form.get("note"), "decision": decision}
    service.review(db.session(), current_user, form_id, body)
    return redirect(url_for("evaluation.form_page", form_id=form_id))


@bp.post("/evaluation/forms/<int:form_id>/evidence")
@capability_required("evaluate_grids")
def add_evidence(form_id: int):
    """Attach a file to one item of the self-evaluation."""
    upload = web.read_upload("file", service.MAX_EVIDENCE_BYTES, "佐证材料")
    item = request.form.get("item", "")
    service.add_evidence(db.session(), current_user, form_id, item, upload, current_app.config["MEDIA_DIR"])
    return redirect(url_for("evaluation.form_page", form_id=form_id))


@bp.get("/evaluation/evidence/<int:evidence_id>")
@capability_required("evaluate_grids")
def evidence_file(evidence_id: int):
    """Download an evidence file of a form in the user's scope."""
    evidence = db.session().get(EvaluationEvidence, evidence_id)
    if evidence is None:
        raise NotFound(f"佐证材料 {evidence_id} 不存在 (no such file)")
    queries.visible_form(db.session(), current_user, evidence.form_id)
    path = media.resolve(current_app.config["MEDIA_DIR"], evidence.stored_path)
    return send_file(path, as_attachment=True, download_name=evidence.filename)


@bp.get("/evaluation/supervisors")
@capability_required("view_supervisor_performance")
def supervisors_page():
    """监督员绩效考核 for a period, for the leaders of the levels the profile names."""
    args = _ARGS.parse(schemas.SupervisorArgs(), location="query")
    since, until = views.default_span(args.get("since"), args.get("until"))
    rows = supervisors.performance(db.session(), current_user, current_profile(), indicators.Period(since, until))
    return render_template(
        "evaluation/supervisors.html", rows=rows, since=since, until=until, days=supervisors.VERIFY_WORKING_DAYS
    )
