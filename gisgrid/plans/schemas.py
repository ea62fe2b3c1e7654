"""Request and response declarations of the 年度日常监管工作计划 JSON API."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from gisgrid.contract.blueprint import _flatten
from gisgrid.contract.fields import Code, Day, PageForm, QueryArgs
from gisgrid.errors import InvalidInput
from gisgrid.plans.lines import OBJECT_KINDS, PERIODS


class PlanItem(Schema):
    """One line of the plan: a class of supervision objects, what is checked, how often, how many checks."""

    object_class = fields.String(required=True, validate=validate.Length(min=1, max=100))
    content = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    frequency = fields.String(required=True, validate=validate.Length(min=1, max=100))
    planned_checks = fields.Integer(required=True, validate=validate.Range(0, 100000))
    # structured (migration 0016_supervise2); left out, they are read from object_class and frequency
    object_kind = fields.String(validate=validate.OneOf(OBJECT_KINDS))
    period = fields.String(allow_none=True, validate=validate.OneOf(PERIODS))
    times = fields.Integer(allow_none=True, validate=validate.Range(1, 1000), metadata={"description": "per period"})


class PlanLine(PlanItem):
    """A line with its execution: what the data shows done in the plan's year (null: not countable)."""

    object_kind = fields.String(required=True, validate=validate.OneOf(OBJECT_KINDS))
    object_kind_label = fields.String(required=True)
    period = fields.String(required=True, allow_none=True)
    times = fields.Integer(required=True, allow_none=True)
    done = fields.Integer(required=True, allow_none=True)
    share = fields.Float(required=True, allow_none=True)


class PlanBody(Schema):
    grid = Code(required=True)
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    items = fields.List(fields.Nested(PlanItem), load_default=list)
    patrols_planned = fields.Integer(load_default=0, validate=validate.Range(0, 100000))
    random_checks_next_year = fields.Integer(load_default=0, validate=validate.Range(0, 100000))


class PlanFilingBody(Schema):
    filed_on = Day(required=True)
    filed_to = fields.String(required=True, validate=validate.Length(min=1, max=200))


class FilingForm(PageForm, PlanFilingBody):
    """The filing form of the plan page (the document comes as a file beside it)."""


class PlanListArgs(QueryArgs):
    year = fields.Integer(validate=validate.Range(2000, 2100))


class PlanCounts(Schema):
    planned = fields.Integer(required=True)
    done = fields.Integer(required=True)
    monthly = fields.List(fields.Integer(), required=True)


class PlanExecution(Schema):
    inspections = fields.Nested(PlanCounts, required=True)
    patrols = fields.Nested(PlanCounts, required=True)
    lines = fields.List(fields.Nested(PlanLine), required=True, metadata={"description": "per plan line"})


class Plan(Schema):
    id = fields.Integer(required=True)
    grid_code = fields.String(required=True)
    grid_name = fields.String(required=True)
    year = fields.Integer(required=True)
    items = fields.List(fields.Nested(PlanItem), required=True)
    patrols_planned = fields.Integer(required=True)
    random_checks_next_year = fields.Integer(required=True)
    state = fields.String(required=True)
    filed_on = fields.String(required=True, allow_none=True)
    filed_to = fields.String(required=True, allow_none=True)
    filed_by = fields.String(required=True, allow_none=True)
    execution = fields.Nested(PlanExecution, required=True)
    url = fields.String(required=True)


def load_plan(data: dict) -> dict:
    """The page form's rows as a PlanBody, or the contract's 400 naming the first bad field (items.0.planned_checks)."""
    try:
        return PlanBody().load(data)
    except ValidationError as err:
        details = _flatten(err.messages)
        field, why = next(iter(details.items()))
        raise InvalidInput(f"{field}: {why[0]}", details=details) from None
