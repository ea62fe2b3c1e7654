"""Response declarations of the public register's JSON API (no login)."""

from __future__ import annotations

from marshmallow import Schema, fields


class PublicDraw(Schema):
    id = fields.Integer(required=True)
    quarter = fields.String(required=True)


class PublicSource(Schema):
    """A source of the public register: never contacts, permits, notes or phones."""

    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    kind_label = fields.String(required=True)
    industry = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    supervision_class = fields.String(required=True)
    grid_code = fields.String(allow_none=True)
    grid_name = fields.String(allow_none=True)
    last_inspected_on = fields.String(allow_none=True)
    last_result = fields.String(allow_none=True)
    draws = fields.List(fields.Nested(PublicDraw), required=True)
    monitored = fields.Boolean(required=True)
    sample_data = fields.Boolean(required=True)
    lon = fields.Float(required=True)
    lat = fields.Float(required=True)


class DailyValue(Schema):
    day = fields.String(required=True)
    mean = fields.Float(allow_none=True)
    max = fields.Float(allow_none=True)
    over_hours = fields.Integer(required=True)


class DailySeries(Schema):
    station_id = fields.Integer(required=True)
    station_name = fields.String(required=True)
    pollutant = fields.String(required=True)
    pollutant_name = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    limit = fields.Float(allow_none=True)
    days = fields.List(fields.Nested(DailyValue), required=True)


class MonthlySummary(Schema):
    month = fields.String(required=True)
    source_id = fields.Integer(required=True)
    source_code = fields.String(required=True)
    source_name = fields.String(required=True)
    station_id = fields.Integer(required=True)
    station_name = fields.String(required=True)
    pollutant = fields.String(required=True)
    pollutant_name = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    limit = fields.Float(allow_none=True)
    mean = fields.Float(allow_none=True)
    max = fields.Float(allow_none=True)
    values = fields.Integer(required=True)
    days = fields.Integer(required=True)
    exceedance_days = fields.Integer(required=True)


class PublicSourceDetail(PublicSource):
    """A public source with daily averages vs limits (last 30 days) and monthly exceedance days (12 months)."""

    daily = fields.List(fields.Nested(DailySeries), required=True)
    monthly = fields.List(fields.Nested(MonthlySummary), required=True)
