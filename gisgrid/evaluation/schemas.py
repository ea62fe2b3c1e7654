"""Request and response declarations of the 考评 JSON API (rounds, forms, ranking, 监督员绩效考核)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gisgrid.contract.fields import Day, FiniteNumber, PageForm, QueryArgs
from gisgrid.evaluation.models import FORM_STATES, ROUND_STATES
from gisgrid.periods import KINDS


class RoundBody(Schema):
    """Open a round; every field is optional (default: the profile's period that ended last)."""

    period = fields.String(validate=validate.OneOf(KINDS))
    year = fields.Integer(validate=validate.Range(2000, 2100))
    number = fields.Integer(validate=validate.Range(1, 12))
    lowest_depth = fields.Integer(validate=validate.Range(2, 10))
    due_on = Day()


class RoundForm(PageForm, RoundBody):
    """The round form of the 考评 page."""


class Round(Schema):
    id = fields.Integer(required=True)
    label = fields.String(required=True)
    period = fields.String(required=True, validate=validate.OneOf(KINDS))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    due_on = fields.Date(required=True)
    state = fields.String(required=True, validate=validate.OneOf(ROUND_STATES))
    lowest_depth = fields.Integer(required=True)
    forms = fields.Integer(required=True, metadata={"description": "forms in the caller's scope"})
    reviewed = fields.Integer(required=True)
    url = fields.String(required=True)


class ScoreEntry(Schema):
    score = FiniteNumber(allow_none=True, validate=validate.Range(0, 1000))
    note = fields.String(validate=validate.Length(max=2000), load_default="")


class SelfBody(Schema):
    """Save the grid's own scores (item key → score and note); ``submit`` sends it to the upper grid."""

    scores = fields.Dict(keys=fields.String(validate=validate.Length(1, 100)), values=fields.Nested(ScoreEntry))
    note = fields.String(validate=validate.Length(max=2000))
    submit = fields.Boolean(load_default=False)


class ReviewBody(Schema):
    """The upper grid's scores; ``decision`` accept (every item scored) or return (``note`` says why)."""

    scores = fields.Dict(keys=fields.String(validate=validate.Length(1, 100)), values=fields.Nested(ScoreEntry))
    note = fields.String(validate=validate.Length(max=2000))
    decision = fields.String(load_default="accept", validate=validate.OneOf(["accept", "return"]))


class FormItem(Schema):
    key = fields.String(required=True)
    section = fields.String(required=True)
    text = fields.String(required=True)
    max_score = fields.Float(required=True)
    indicators = fields.List(fields.String(), required=True)


class Form(Schema):
    id = fields.Integer(required=True)
    round_id = fields.Integer(required=True)
    round_label = fields.String(required=True)
    grid_code = fields.String(required=True)
    grid_name = fields.String(required=True)
    level = fields.Integer(required=True)
    state = fields.String(required=True, validate=validate.OneOf(FORM_STATES))
    items = fields.List(fields.Nested(FormItem), required=True)
    indicators = fields.Dict(required=True, metadata={"description": "indicator name → share 0..1 or null"})
    self_scores = fields.Dict(required=True)
    self_total = fields.Float(required=True, allow_none=True)
    self_note = fields.String(required=True, allow_none=True)
    submitted_by = fields.String(required=True, allow_none=True)
    submitted_at = fields.String(required=True, allow_none=True)
    review_scores = fields.Dict(required=True)
    review_total = fields.Float(required=True, allow_none=True)
    review_note = fields.String(required=True, allow_none=True)
    reviewed_by = fields.String(required=True, allow_none=True)
    reviewed_at = fields.String(required=True, allow_none=True)
    may_fill = fields.Boolean(required=True)
    may_review = fields.Boolean(required=True)


class RankRow(Schema):
    rank = fields.Integer(required=True, allow_none=True)
    form_id = fields.Integer(required=True)
    grid_code = fields.String(required=True)
    grid_name = fields.String(required=True)
    state = fields.String(required=True)
    self_total = fields.Float(required=True, allow_none=True)
    review_total = fields.Float(required=True, allow_none=True)
    children_mean = fields.Float(required=True, allow_none=True)


class RankLevel(Schema):
    depth = fields.Integer(required=True)
    label = fields.String(required=True)
    rows = fields.List(fields.Nested(RankRow), required=True)


class Ranking(Schema):
    round = fields.Nested(Round, required=True)
    max_total = fields.Float(required=True)
    levels = fields.List(fields.Nested(RankLevel), required=True)


class SupervisorArgs(QueryArgs):
    """The period (default: the last 30 days up to today)."""

    since = Day()
    until = Day()


class Supervisor(Schema):
    username = fields.String(required=True)
    name = fields.String(required=True)
    grids = fields.List(fields.String(), required=True)
    reports = fields.Integer(required=True)
    accepted = fields.Integer(required=True)
    acceptance_rate = fields.Float(required=True, allow_none=True)
    verified = fields.Integer(required=True)
    verified_on_time = fields.Integer(required=True)
    verify_on_time_rate = fields.Float(required=True, allow_none=True)
    coverage = fields.Float(required=True, allow_none=True)


class Supervisors(Schema):
    since = fields.Date(required=True)
    until = fields.Date(required=True)
    verify_working_days = fields.Integer(required=True)
    rows = fields.List(fields.Nested(Supervisor), required=True)


class TrendArgs(QueryArgs):
    """Which level and which period kind (default: the highest level in scope, the latest round's kind)."""

    level = fields.Integer(validate=validate.Range(1, 10), metadata={"description": "grid depth (1 = top)"})
    period = fields.String(validate=validate.OneOf(KINDS))


class TrendRound(Round):
    max_total = fields.Float(required=True)


class TrendGrid(Schema):
    grid_code = fields.String(required=True)
    grid_name = fields.String(required=True)
    scores = fields.List(fields.Float(allow_none=True), required=True, metadata={"description": "per round"})
    ranks = fields.List(fields.Integer(allow_none=True), required=True, metadata={"description": "per round"})


class TrendLevel(Schema):
    depth = fields.Integer(required=True)
    label = fields.String(required=True)


class Trend(Schema):
    period = fields.String(required=True, allow_none=True)
    depth = fields.Integer(required=True, allow_none=True)
    level_label = fields.String(required=True, allow_none=True)
    depths = fields.List(fields.Nested(TrendLevel), required=True)
    rounds = fields.List(fields.Nested(TrendRound), required=True)
    grids = fields.List(fields.Nested(TrendGrid), required=True)
