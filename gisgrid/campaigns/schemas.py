"""Request and response schemas of the campaign API (/api/v1/campaigns*)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gisgrid.campaigns.models import KINDS
from gisgrid.contract.fields import Day, PageForm
from gisgrid.tracking.schemas import Item


class CampaignBody(Schema):
    """A campaign: period, departments, target area (grid codes and/or a drawn GeoJSON polygon), targets, tasks."""

    title = fields.String(required=True, validate=validate.Length(1, 200))
    kind = fields.String(load_default=KINDS[0], validate=validate.OneOf(KINDS))
    starts_on = Day(required=True)
    ends_on = Day(required=True)
    departments = fields.List(fields.String(validate=validate.Length(1, 100)), required=True)
    area_codes = fields.List(fields.String(validate=validate.Length(1, 100)))
    area = fields.Dict()  # a GeoJSON Polygon/MultiPolygon (checked by jurisdiction.geoinput)
    source_ids = fields.List(fields.Integer(validate=validate.Range(1, 2**31 - 1)))
    plan_text = fields.String(validate=validate.Length(max=20000))
    tasks = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.Length(1, 200)))


class Results(Schema):
    targets = fields.Integer(required=True)
    inspections = fields.Integer(required=True)
    sources_inspected = fields.Integer(required=True)
    violations = fields.Integer(required=True)
    cases_from_inspections = fields.Integer(required=True)
    cases = fields.Integer(required=True)


class ResultsBody(Schema):
    """A department's own figures for the campaign (added to what the data shows); each 0 when left out."""

    inspections = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000))
    findings = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000))
    cases = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000))
    note = fields.String(validate=validate.Length(max=2000))


class ResultsForm(PageForm, ResultsBody):
    """The results form of the campaign page (one department per post)."""

    department = fields.String(required=True, validate=validate.Length(1, 100))


class Figures(Schema):
    inspections = fields.Integer(required=True)
    findings = fields.Integer(required=True)
    cases = fields.Integer(required=True)


class DepartmentResult(Schema):
    department_code = fields.String(required=True)
    computed = fields.Nested(Figures, required=True, metadata={"description": "from inspections and cases"})
    entered = fields.Nested(Figures, required=True, metadata={"description": "entered by the department"})
    total = fields.Nested(Figures, required=True)
    note = fields.String(required=True, allow_none=True)
    entered_by = fields.String(required=True, allow_none=True)
    entered_at = fields.String(required=True, allow_none=True)
    may_enter = fields.Boolean(required=True)


class DepartmentResults(Schema):
    departments = fields.List(fields.Nested(DepartmentResult), required=True)
    totals = fields.Nested(Figures, required=True)


class CampaignOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    lead_grid_code = fields.String(required=True)
    organiser = fields.String(required=True, allow_none=True)
    departments = fields.List(fields.String(), required=True)
    area_codes = fields.List(fields.String(), required=True)
    has_drawn_area = fields.Boolean(required=True)
    plan_text = fields.String(required=True, allow_none=True)
    plan_url = fields.String(required=True, allow_none=True)
    results = fields.Nested(Results, required=True)
    department_results = fields.Nested(DepartmentResults, required=True)
    tasks = fields.List(fields.Nested(Item), required=True)


class CampaignList(Schema):
    campaigns = fields.List(fields.Nested(CampaignOut), required=True)
