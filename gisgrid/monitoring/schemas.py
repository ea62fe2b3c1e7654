"""Request and response declarations of the monitoring JSON API (stations, series, alerts, summaries)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gisgrid.contract.fields import Day, FiniteNumber, QueryArgs
from gisgrid.monitoring.models import MEDIA, PERIODS

_STATUS = ("normal", "exceeding", "offline", "inactive")


class StationLimitBody(Schema):
    pollutant = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9]{1,20}$"))
    name = fields.String(validate=validate.Length(max=100), allow_none=True)
    unit = fields.String(validate=validate.Length(max=40), allow_none=True)
    period = fields.String(required=True, validate=validate.OneOf(PERIODS))
    limit = FiniteNumber(allow_none=True, validate=validate.Range(min=0))


class StationBody(Schema):
    """A station to register (or update, by MN) with its pollutants and limits; the password is write-only."""

    source_code = fields.String(required=True, validate=validate.Length(min=1, max=200))
    mn = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9]{1,24}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=64))
    medium = fields.String(required=True, validate=validate.OneOf(MEDIA))
    lon = FiniteNumber(required=True, validate=validate.Range(min=-180, max=180))
    lat = FiniteNumber(required=True, validate=validate.Range(min=-90, max=90))
    interval_s = fields.Integer(validate=validate.Range(min=10, max=604800))
    public = fields.Boolean()
    case_category = fields.String(validate=validate.Length(max=50), allow_none=True)
    limits = fields.List(fields.Nested(StationLimitBody), validate=validate.Length(max=100))


class StationLimit(Schema):
    pollutant = fields.String(required=True)
    name = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    period = fields.String(required=True)
    limit = fields.Float(allow_none=True)


class MonitoringStation(Schema):
    """A station as every API shows it (never its password)."""

    id = fields.Integer(required=True)
    mn = fields.String(required=True)
    name = fields.String(required=True)
    medium = fields.String(required=True)
    interval_s = fields.Integer(required=True)
    public = fields.Boolean(required=True)
    active = fields.Boolean(required=True)
    source_id = fields.Integer(required=True)
    source_code = fields.String()
    source_name = fields.String()
    grid_codes = fields.List(fields.String())
    lon = fields.Float()
    lat = fields.Float()
    status = fields.String(validate=validate.OneOf(_STATUS))
    status_label = fields.String()
    last_seen_at = fields.String(allow_none=True)
    case_category = fields.String(allow_none=True)
    limits = fields.List(fields.Nested(StationLimit))


class StationMap(Schema):
    """Stations in scope as GeoJSON points with their status, and the count per status."""

    type = fields.String(required=True, validate=validate.Equal("FeatureCollection"))
    features = fields.List(fields.Dict(), required=True)
    counts = fields.Dict(keys=fields.String(validate=validate.OneOf(_STATUS)), values=fields.Integer())


class ValueSeriesArgs(QueryArgs):
    hours = fields.Integer(validate=validate.Range(min=1, max=24 * 31))


class ValueSeries(Schema):
    pollutant = fields.String(required=True)
    name = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    cn = fields.Integer(required=True)
    cn_label = fields.String()
    period = fields.String(required=True)
    limit = fields.Float(allow_none=True)
    times = fields.List(fields.Integer(), required=True)
    values = fields.List(fields.Float(allow_none=True), required=True)
    flags = fields.List(fields.String(allow_none=True), required=True)


class StationSeries(Schema):
    station_id = fields.Integer(required=True)
    mn = fields.String(required=True)
    name = fields.String(required=True)
    series = fields.List(fields.Nested(ValueSeries), required=True)


class MonitoringAlertArgs(QueryArgs):
    open = fields.Boolean()
    source_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class MonitoringAlert(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("exceedance", "offline")))
    station_id = fields.Integer(required=True)
    mn = fields.String(required=True)
    station_name = fields.String(required=True)
    source_id = fields.Integer(required=True)
    source_code = fields.String(required=True)
    source_name = fields.String(required=True)
    pollutant = fields.String(allow_none=True)
    period = fields.String(allow_none=True)
    started_at = fields.String(required=True)
    last_at = fields.String(required=True)
    ended_at = fields.String(allow_none=True)
    open = fields.Boolean(required=True)
    count = fields.Integer(required=True)
    max_value = fields.Float(allow_none=True)
    limit_value = fields.Float(allow_none=True)
    incident_id = fields.Integer(allow_none=True)


class EmissionSummaryArgs(QueryArgs):
    period = fields.String(validate=validate.OneOf(("day", "month")))
    cn = fields.Integer(validate=validate.OneOf((2011, 2051, 2061, 2031)))
    since = Day()
    until = Day()


class EmissionSummaryRow(Schema):
    bucket = fields.String(required=True)
    station_id = fields.Integer(required=True)
    mn = fields.String(required=True)
    station_name = fields.String(required=True)
    pollutant = fields.String(required=True)
    pollutant_name = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    limit = fields.Float(allow_none=True)
    values = fields.Integer(required=True)
    mean = fields.Float(allow_none=True)
    min = fields.Float(allow_none=True)
    max = fields.Float(allow_none=True)
    over = fields.Integer(required=True)


class EmissionSummary(Schema):
    """Per day or month, station and pollutant: count, mean, min, max and values over the limit."""

    source_id = fields.Integer(required=True)
    period = fields.String(required=True)
    cn = fields.Integer(required=True)
    since = fields.String(required=True)
    until = fields.String(required=True)
    rows = fields.List(fields.Nested(EmissionSummaryRow), required=True)
