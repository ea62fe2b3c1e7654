"""Request and response declarations of the source-registry JSON API: map, due inspections, 双随机 draws."""

from __future__ import annotations

from datetime import UTC

from marshmallow import EXCLUDE, INCLUDE, Schema, fields, validate

from gisgrid.contract.fields import Crs, Day, FiniteNumber, QueryArgs
from gisgrid.contract.schemas import FeatureCollection
from gisgrid.sources.models import CLASSES, KINDS

_CLASS = {"validate": validate.OneOf(CLASSES)}
_STATUS = ("overdue", "due_soon", "ok")


class MapArgs(QueryArgs):
    """``?levels=all``: outlines of every grid level (default: the deepest grids only)."""

    levels = fields.String(validate=validate.OneOf(["all"]))


class SourceProperties(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, allow_none=True)
    # "class" is a Python keyword: the attribute gets another name, the JSON key stays
    class_ = fields.String(required=True, data_key="class", **_CLASS)
    status = fields.String(required=True, validate=validate.OneOf(_STATUS))
    due_on = fields.Date(required=True)
    last_inspected = fields.Date(required=True, allow_none=True)
    days_overdue = fields.Integer(required=True, allow_none=True)
    grid_code = fields.String(required=True, allow_none=True)
    grid_codes = fields.List(fields.String(), required=True)
    sample_data = fields.Boolean(required=True)


class SourceFeature(Schema):
    type = fields.String(required=True, validate=validate.Equal("Feature"))
    geometry = fields.Dict(required=True)
    properties = fields.Nested(SourceProperties, required=True)


class SourceMap(Schema):
    """Sources in scope as a FeatureCollection, with the grid outlines as a foreign member ``grids``."""

    type = fields.String(required=True, validate=validate.Equal("FeatureCollection"))
    features = fields.List(fields.Nested(SourceFeature), required=True)
    grids = fields.Nested(FeatureCollection, required=True)


class DueSource(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    supervision_class = fields.String(required=True, **_CLASS)
    grid_codes = fields.List(fields.String(), required=True, allow_none=True)
    last_on = fields.Date(required=True, allow_none=True)
    due_on = fields.Date(required=True)
    status = fields.String(required=True, validate=validate.OneOf(_STATUS))
    days_overdue = fields.Integer(required=True, allow_none=True)


class GridCount(Schema):
    grid_code = fields.String(required=True)
    parent_code = fields.String(required=True, allow_none=True)
    depth = fields.Integer(required=True)
    leaf = fields.Boolean(required=True)
    overdue = fields.Integer(required=True)
    due_soon = fields.Integer(required=True)
    ok = fields.Integer(required=True)


class Due(Schema):
    """Overdue and due-soon inspections in scope, counts per grid, and each class's interval in months."""

    overdue = fields.List(fields.Nested(DueSource), required=True)
    due_soon = fields.List(fields.Nested(DueSource), required=True)
    by_grid = fields.List(fields.Nested(GridCount), required=True)
    frequencies = fields.Dict(keys=fields.String(**_CLASS), values=fields.Integer(), required=True)


class DrawSummary(Schema):
    id = fields.Integer(required=True)
    quarter = fields.String(required=True)
    seed = fields.String(required=True)
    algorithm = fields.String(required=True)
    picks = fields.Integer(required=True)
    override_reason = fields.String(required=True, allow_none=True)
    url = fields.String(required=True)


class Outcome(Schema):
    inspected_on = fields.Date(required=True)
    violation = fields.Boolean(required=True)


class Pick(Schema):
    class Meta:
        unknown = INCLUDE

    source_id = fields.Integer(required=True)
    class_ = fields.String(required=True, data_key="class", **_CLASS)
    inspector_ids = fields.List(fields.Integer(), required=True)
    source = fields.String(required=True, allow_none=True)
    inspectors = fields.List(fields.String(allow_none=True), required=True)
    outcome = fields.Nested(Outcome, required=True, allow_none=True)


class DrawResults(Schema):
    class Meta:
        unknown = INCLUDE

    picks = fields.List(fields.Nested(Pick), required=True)
    shortfall_source_ids = fields.List(fields.Integer(), required=True)


class Draw(Schema):
    """One published draw: enough to re-run it (inputs, seed, algorithm) and its results."""

    id = fields.Integer(required=True)
    quarter = fields.String(required=True)
    seed = fields.String(required=True)
    algorithm = fields.String(required=True)
    drawn_at = fields.DateTime(required=True, allow_none=True)
    override_reason = fields.String(
        required=True, allow_none=True, metadata={"description": "why it ran outside the draw window; null inside"}
    )
    window = fields.List(fields.Date(), required=True, metadata={"description": "first and last day of the window"})
    inputs = fields.Dict(required=True)
    results = fields.Nested(DrawResults, required=True)
    rerun_matches = fields.Boolean(required=True)


class Proportions(Schema):
    A = fields.Float(validate=validate.Range(0, 1), metadata={"description": "share of class A drawn"})
    B = fields.Float(validate=validate.Range(0, 1))
    C = fields.Float(validate=validate.Range(0, 1))


class DrawRequest(Schema):
    """Run a draw: the quarter defaults to the next one; outside its window ``override_reason`` is required."""

    quarter = fields.String(
        validate=validate.Regexp(r"^\d{4}Q[1-4]$", error="季度格式应为 YYYYQn (e.g. 2027Q1)"),
        metadata={"description": "default: the next quarter (虎林: 确定下一季度被抽查排污单位名单)"},
    )
    seed = fields.String(validate=validate.Length(max=200))
    proportions = fields.Nested(Proportions)
    per_source = fields.Integer(load_default=2, validate=validate.Range(1, 5))
    pool_roles = fields.List(fields.String(), load_default=list)
    departments = fields.List(fields.String(), load_default=list)
    override_reason = fields.String(
        validate=validate.Length(max=1000),
        metadata={"description": "required outside the last 5 working days of the quarter before; published"},
    )


class RegisterBody(Schema):
    """登记污染源: one source; ``incident_id`` links it to the 新增污染源 case it was reported in.

    The class is not set here: the rules classify (default B, C when forced); the environment
    department changes it afterwards (capability ``set_source_class``).
    """

    code = fields.String(
        validate=validate.Length(min=1, max=100), allow_none=True, metadata={"description": "blank: XZyyyymmdd-nnn"}
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    lon = FiniteNumber(required=True)
    lat = FiniteNumber(required=True)
    crs = Crs(allow_none=True)
    industry = fields.String(validate=validate.Length(max=200), allow_none=True)
    address = fields.String(validate=validate.Length(max=500), allow_none=True)
    permits = fields.String(validate=validate.Length(max=500), allow_none=True)
    contacts = fields.String(validate=validate.Length(max=500), allow_none=True)
    key_source = fields.Boolean(load_default=False)
    large_polluter = fields.Boolean(load_default=False)
    incident_id = fields.Integer(allow_none=True, validate=validate.Range(min=1))


class Registered(Schema):
    """The registered source: its code (generated when none was given), class, grid chain and page."""

    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    class_ = fields.String(required=True, data_key="class", **_CLASS)
    class_reason = fields.String(required=True)
    grid_codes = fields.List(fields.String(), required=True)
    reported_incident_id = fields.Integer(required=True, allow_none=True)
    url = fields.String(required=True)


class OnsiteBody(Schema):
    """现场检查 from the phone app (JSON, or multipart with ``photos``); ``client_id`` makes a retry harmless."""

    class Meta:
        unknown = EXCLUDE  # a form also posts csrf_token

    client_id = fields.String(required=True, validate=validate.Length(1, 100))
    inspected_on = Day()
    violation = fields.Boolean(load_default=False)
    findings = fields.String(allow_none=True, validate=validate.Length(max=4000))
    category = fields.String(
        allow_none=True, metadata={"description": "duty-matrix code of the case a violation opens"}
    )
    arrived_at = fields.AwareDateTime(default_timezone=UTC, allow_none=True, metadata={"description": "GPS fix time"})
    arrival_lon = FiniteNumber(allow_none=True)
    arrival_lat = FiniteNumber(allow_none=True)
    arrival_accuracy_m = FiniteNumber(allow_none=True)
    checklist = fields.Raw(
        allow_none=True,
        metadata={"description": "{item: true|false} of the source kind's checklist (JSON text in a form)"},
    )


class OnsiteForm(OnsiteBody):
    """The same as multipart/form-data with up to five photos."""

    photos = fields.Raw(metadata={"type": "array", "items": {"type": "string", "format": "binary"}})


class Onsite(Schema):
    """The stored inspection."""

    id = fields.Integer(required=True)
    source_id = fields.Integer(required=True)
    inspected_on = fields.Date(required=True)
    violation = fields.Boolean(required=True)
    incident_id = fields.Integer(required=True, allow_none=True)
    client_id = fields.String(required=True, allow_none=True)
    arrived_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    checklist = fields.Dict(keys=fields.String(), values=fields.Boolean(), required=True)


class PublicFlagBody(Schema):
    """信息公开: the source into the public register (true) or out of it (false)."""

    public = fields.Boolean(required=True)


class PublicFlag(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    public = fields.Boolean(required=True)
