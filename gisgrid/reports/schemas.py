"""Request and response declarations of the 信息报告 JSON API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gisgrid.contract.fields import Code, PageForm, QueryArgs
from gisgrid.reports.service import KINDS, MAX_BODY


class ReportPeriodArgs(QueryArgs):
    """A grid and a period (month, quarter or year; its number 1..12 / 1..4 / 1)."""

    grid = Code(required=True)
    period = fields.String(required=True, validate=validate.OneOf(KINDS))
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    number = fields.Integer(load_default=1, validate=validate.Range(1, 12))


class IndexArgs(QueryArgs):
    """The reports page's filters, each optional (default: the user's first grid, the last month)."""

    grid = Code()
    period = fields.String(validate=validate.OneOf(KINDS))
    year = fields.Integer(validate=validate.Range(2000, 2100))
    number = fields.Integer(validate=validate.Range(1, 12))


class GenerateBody(Schema):
    grid = Code(required=True)
    period = fields.String(required=True, validate=validate.OneOf(KINDS))
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    number = fields.Integer(load_default=1, validate=validate.Range(1, 12))


class GenerateForm(PageForm, GenerateBody):
    """The generate form of the reports page."""


class SaveBody(Schema):
    body = fields.String(validate=validate.Length(min=1, max=MAX_BODY))
    submit = fields.Boolean(load_default=False)


class Report(Schema):
    id = fields.Integer(required=True)
    grid_code = fields.String(required=True)
    grid_name = fields.String(required=True)
    label = fields.String(required=True)
    period = fields.String(required=True)
    year = fields.Integer(required=True)
    number = fields.Integer(required=True)
    starts_on = fields.String(required=True)
    ends_on = fields.String(required=True)
    figures = fields.Dict(required=True)
    body = fields.String(required=True)
    state = fields.String(required=True)
    submitted_by = fields.String(required=True, allow_none=True)
    submitted_at = fields.String(required=True, allow_none=True)
    url = fields.String(required=True)


class LowerGrid(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    state = fields.String(required=True, metadata={"description": "missing, draft or submitted"})
    submitted_by = fields.String(required=True, allow_none=True)
    submitted_at = fields.String(required=True, allow_none=True)
    report_id = fields.Integer(required=True, allow_none=True)
