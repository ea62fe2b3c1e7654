"""JSON API of 考评: rounds, forms (self-evaluation and review), the ranking and 监督员绩效考核."""

from __future__ import annotations

from flask_login import current_user

from gisgrid.auth.capabilities import capability_required
from gisgrid.clock import today_in_china
from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.deployment import current_profile
from gisgrid.evaluation import queries, schemas, service, supervisors, trend, views
from gisgrid.evaluation.indicators import Period

bp = Blueprint("evaluation_api", __name__, description="考评 (evaluation rounds, self-evaluation, review, ranking)")
_SESSION, _CSRF = [{"session": []}], [{"session": [], "csrf": []}]


@bp.get("/api/v1/evaluation/rounds")
@capability_required("evaluate_grids")
@bp.alt_response(200, schema=schemas.Round(many=True), success=True, description="rounds, newest first")
@bp.doc(security=_SESSION)
def rounds_api():
    """Every round with the number of forms in the caller's scope and how many are reviewed."""
    return [views.round_json(r["round"], r["forms"], r["reviewed"]) for r in queries.rounds(db.session(), current_user)]


@bp.post("/api/v1/evaluation/rounds")
@capability_required("open_evaluation")
@bp.arguments(schemas.RoundBody, location="json")
@bp.alt_response(201, schema=schemas.Round, success=True, description="the round, its forms pre-filled")
@bp.doc(security=_CSRF)
def open_round_api(body: dict):
    """Open a round (default: the profile's period that ended last); one form per grid, pre-filled from the data."""
    rnd = service.open_round(db.session(), current_user, current_profile(), body, today_in_china())
    return views.round_json(rnd, len(rnd.forms), 0), 201


@bp.get("/api/v1/evaluation/rounds/<int:round_id>/ranking")
@capability_required("evaluate_grids")
@bp.alt_response(200, schema=schemas.Ranking, success=True, description="ranking per level")
@bp.doc(security=_SESSION)
def ranking_api(round_id: int):
    """The forms in scope ranked per level by the reviewed score, with the mean of each grid's lower grids."""
    return views.ranking_json(queries.ranking(db.session(), current_user, round_id), current_profile())


@bp.get("/api/v1/evaluation/trend")
@capability_required("evaluate_grids")
@bp.arguments(schemas.TrendArgs, location="query")
@bp.alt_response(200, schema=schemas.Trend, success=True, description="rounds oldest first, per grid its series")
@bp.doc(security=_SESSION)
def trend_api(args: dict):
    """Each grid's reviewed score and rank across the rounds of one period kind, in the caller's scope."""
    data = trend.trend(db.session(), current_user, args.get("level"), args.get("period"))
    return views.trend_json(data, current_profile())


@bp.get("/api/v1/evaluation/forms/<int:form_id>")
@capability_required("evaluate_grids")
@bp.alt_response(200, schema=schemas.Form, success=True, description="one form")
@bp.doc(security=_SESSION)
def form_api(form_id: int):
    """One form (403 for a grid outside the caller's scope)."""
    return views.form_json(queries.visible_form(db.session(), current_user, form_id), current_user)


@bp.post("/api/v1/evaluation/forms/<int:form_id>/self")
@capability_required("evaluate_grids")
@bp.arguments(schemas.SelfBody, location="json")
@bp.alt_response(200, schema=schemas.Form, success=True, description="the saved form")
@bp.doc(security=_CSRF)
def self_api(body: dict, form_id: int):
    """The grid's own scores; ``submit: true`` sends the complete form to the upper grid."""
    form = service.save_self(db.session(), current_user, form_id, body)
    return views.form_json(form, current_user)


@bp.post("/api/v1/evaluation/forms/<int:form_id>/review")
@capability_required("evaluate_grids")
@bp.arguments(schemas.ReviewBody, location="json")
@bp.alt_response(200, schema=schemas.Form, success=True, description="the reviewed (or returned) form")
@bp.doc(security=_CSRF)
def review_api(body: dict, form_id: int):
    """An upper grid scores a submitted form, or returns it with a reason."""
    form = service.review(db.session(), current_user, form_id, body)
    return views.form_json(form, current_user)


@bp.get("/api/v1/evaluation/supervisors")
@capability_required("view_supervisor_performance")
@bp.arguments(schemas.SupervisorArgs, location="query")
@bp.alt_response(200, schema=schemas.Supervisors, success=True, description="one row per supervisor")
@bp.doc(security=_SESSION)
def supervisors_api(args: dict):
    """监督员绩效考核 for the period: reports, accepted, verified on time, patrol coverage of their grids."""
    since, until = views.default_span(args.get("since"), args.get("until"))
    rows = supervisors.performance(db.session(), current_user, current_profile(), Period(since, until))
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "verify_working_days": supervisors.VERIFY_WORKING_DAYS,
        "rows": [views.supervisor_json(r) for r in rows],
    }
