"""Request and response declarations of the hazards JSON API (staff record and list; the public list)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gisgrid.contract.fields import Day, FiniteNumber, PageForm
from gisgrid.hazards.models import KINDS, STATUSES


class HazardBody(Schema):
    """A hazard to record: its point (WGS84) decides its grid; ``notes`` stay internal."""

    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    notes = fields.String(validate=validate.Length(max=4000), allow_none=True)
    lon = FiniteNumber(required=True, validate=validate.Range(min=-180, max=180))
    lat = FiniteNumber(required=True, validate=validate.Range(min=-90, max=90))
    status = fields.String(validate=validate.OneOf(STATUSES))
    deadline = Day(allow_none=True)
    public = fields.Boolean()


class HazardPatch(Schema):
    """What may change on a recorded hazard (its point and grid do not: record a new one)."""

    description = fields.String(validate=validate.Length(min=1, max=2000))
    notes = fields.String(validate=validate.Length(max=4000), allow_none=True)
    status = fields.String(validate=validate.OneOf(STATUSES))
    deadline = Day(allow_none=True)
    public = fields.Boolean()


class HazardForm(PageForm, HazardBody):
    """The staff page's form (a checkbox sends public=1)."""


class HazardPatchForm(PageForm, HazardPatch):
    """The staff page's row form: status, deadline, public."""


class StaffHazard(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    kind_label = fields.String(required=True)
    description = fields.String(required=True)
    notes = fields.String(allow_none=True)
    status = fields.String(required=True)
    status_label = fields.String(required=True)
    deadline = fields.String(allow_none=True)
    public = fields.Boolean(required=True)
    grid_codes = fields.List(fields.String(), required=True)
    created_by = fields.String(required=True)
    created_on = fields.String(allow_none=True)
    lon = fields.Float(required=True)
    lat = fields.Float(required=True)


class PublicHazardProperties(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    kind_label = fields.String(required=True)
    description = fields.String(required=True)
    status = fields.String(required=True)
    status_label = fields.String(required=True)
    deadline = fields.String(allow_none=True)
    grid_code = fields.String(allow_none=True)
    grid_name = fields.String(allow_none=True)
    created_on = fields.String(required=True)
    sample_data = fields.Boolean(required=True)


class _PointGeometry(Schema):
    type = fields.String(required=True)
    coordinates = fields.List(fields.Float(), required=True)


class _PublicHazardFeature(Schema):
    type = fields.String(required=True)
    geometry = fields.Nested(_PointGeometry, required=True)
    properties = fields.Nested(PublicHazardProperties, required=True)


class PublicHazards(Schema):
    """The public hazards as GeoJSON (never the internal notes, never one not marked public)."""

    type = fields.String(required=True)
    features = fields.List(fields.Nested(_PublicHazardFeature), required=True)
