"""Request bodies and responses of the jurisdiction JSON API (declared once: validation and OpenAPI).

Bodies are checked here for their shape (an object with these keys of these JSON types); the geometry and
derivation rules (types, vertices, ranges, WGS84) stay in geoinput/areas, which name the field in their errors.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from gisgrid.contract.fields import BBox, Code, Crs, QueryArgs
from gisgrid.contract.schemas import FeatureCollection
from gisgrid.jurisdiction import rules
from gisgrid.jurisdiction.models import DISPUTE_STATES

_GEOMETRY = {"description": "GeoJSON geometry (or a Feature, for its geometry) in WGS84 or ``crs``"}
_ID = {"type": ["integer", "string"], "description": "case number"}


class _Body(Schema):
    class Meta:
        unknown = INCLUDE  # the map page sends its form state along; the service reads only its keys


class PlaceBody(_Body):
    """Where the act occurs (``act``), observed harm (``harm``) and the derivations asked for (``derive``)."""

    act = fields.Dict(required=True, metadata=_GEOMETRY)
    harm = fields.Raw(allow_none=True, metadata={"description": "GeoJSON geometry, Feature(Collection) or a list"})
    derive = fields.Dict(
        allow_none=True,
        metadata={"example": {"buffer": {"radius_m": 500}, "wind": {"from_deg": 270, "distance_m": 2000}}},
    )
    crs = Crs(allow_none=True)


class RecordBody(PlaceBody):
    """PUT a case's event."""

    title = fields.String(allow_none=True, metadata={"description": "kept to its first 200 characters"})


class ResolveBody(PlaceBody):
    """An ad-hoc resolution: in the published version, the one in force ``at`` a day, or the case's."""

    at = fields.String(allow_none=True, metadata={"format": "date"})
    incident_id = fields.Raw(allow_none=True, metadata=_ID)


class LinkBody(_Body):
    """The case to link."""

    incident_id = fields.Raw(required=True, metadata=_ID)


class DisputeBody(_Body):
    """The parties (grid codes holding jurisdiction) and why."""

    parties = fields.List(Code(), allow_none=True)
    reason = fields.String(required=True)


class DecisionBody(_Body):
    """The designated grid and why."""

    designated = Code(required=True)
    reason = fields.String(required=True)


class RiverArgs(QueryArgs):
    """``?bbox=minlon,minlat,maxlon,maxlat`` limits the network to the reaches meeting it."""

    bbox = BBox()


# --- responses ---------------------------------------------------------------------------------------


class GridRef(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.Integer(required=True, allow_none=True)


class Claim(Schema):
    at = fields.String(required=True, allow_none=True)
    incident_id = fields.Integer(required=True)
    how = fields.String(required=True)


class Hit(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.Integer(required=True)
    chain = fields.List(fields.String(), required=True)
    names = fields.List(fields.String(), required=True)
    measure = fields.Float(required=True)
    share = fields.Float(required=True)
    kinds = fields.List(fields.String())
    first_claim = fields.Nested(Claim, allow_none=True)


class Resolution(Schema):
    """Who holds jurisdiction, by which rule, and who is affected or notified."""

    version_id = fields.Integer(required=True)
    act_type = fields.String(required=True)
    rule = fields.String(required=True, validate=validate.OneOf(list(rules.RULE_LABELS)))
    rule_label = fields.String(required=True)
    holder = fields.Nested(GridRef, required=True, allow_none=True)
    deciding = fields.Nested(GridRef, required=True, allow_none=True)
    jurisdiction = fields.List(fields.Nested(Hit), required=True)
    affected = fields.List(fields.Nested(Hit), required=True)
    notified = fields.List(fields.String(), required=True)
    outside_share = fields.Float(required=True)


class Resolved(Resolution):
    """An ad-hoc resolution with its map."""

    map = fields.Nested(FeatureCollection, required=True)


class EventArea(Schema):
    kind = fields.String(required=True)
    params = fields.Dict(required=True)


class EventCase(Schema):
    incident_id = fields.Integer(required=True)
    received_chain = fields.List(fields.String(), required=True)
    received_at = fields.String(required=True, allow_none=True)
    channel = fields.String(required=True)
    state = fields.String(required=True)
    grid_codes = fields.List(fields.String(), required=True)


class Dispute(Schema):
    id = fields.Integer(required=True)
    parties = fields.List(fields.String(), required=True)
    deciding = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True)
    raised_by = fields.String(required=True)
    raised_at = fields.String(required=True, allow_none=True)
    state = fields.String(required=True, validate=validate.OneOf(DISPUTE_STATES))
    designated = fields.String(required=True, allow_none=True)
    decision_reason = fields.String(required=True, allow_none=True)
    decided_by = fields.String(required=True, allow_none=True)
    decided_at = fields.String(required=True, allow_none=True)


class Allowed(Schema):
    record = fields.Boolean(required=True)
    link = fields.Boolean(required=True)
    dispute = fields.Boolean(required=True)
    decide = fields.Boolean(required=True)
    route = fields.Boolean(required=True)


class PollutionEvent(Schema):
    """One event: resolution, linked cases, disputes, map and the actions allowed to the user."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    version_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["disputed", "undetermined", "settled"]))
    created_by = fields.String(required=True)
    created_at = fields.String(required=True, allow_none=True)
    updated_by = fields.String(required=True, allow_none=True)
    updated_at = fields.String(required=True, allow_none=True)
    act = fields.Dict(required=True, metadata=_GEOMETRY)
    areas = fields.List(fields.Nested(EventArea), required=True)
    cases = fields.List(fields.Nested(EventCase), required=True)
    disputes = fields.List(fields.Nested(Dispute), required=True)
    resolution = fields.Nested(Resolution, required=True)
    allowed = fields.Nested(Allowed, required=True)
    map = fields.Nested(FeatureCollection, required=True)


class Routed(PollutionEvent):
    """The event after its open cases were sent to the holder; ``routed``: how many moved."""

    routed = fields.Integer(required=True)


class CasePanel(Schema):
    """A case's event (null when none was recorded), where the case lies and whether the user may record one."""

    event = fields.Nested(PollutionEvent, required=True, allow_none=True)
    incident_id = fields.Integer(required=True)
    may_record = fields.Boolean()
    case_point = fields.Dict(required=True)
    case_level = fields.Integer(required=True)


class EventSummary(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    holder = fields.String(required=True, allow_none=True)
    rule = fields.String(required=True)
    rule_label = fields.String(required=True)
    act = fields.Dict(required=True)
    disputed = fields.Boolean(required=True)
    jurisdiction = fields.List(fields.String(), required=True)
    notified = fields.List(fields.String(), required=True)
    cases = fields.List(fields.Integer(), required=True)


class RiverProperties(Schema):
    id = fields.Integer(required=True)
    river = fields.String(required=True, allow_none=True)
    code = fields.String(required=True, allow_none=True)
    source = fields.String(required=True, allow_none=True)
    sample_data = fields.Boolean(required=True)


class River(Schema):
    type = fields.String(required=True, validate=validate.Equal("Feature"))
    id = fields.Integer(required=True)
    geometry = fields.Dict(required=True)
    properties = fields.Nested(RiverProperties, required=True)


class Rivers(Schema):
    """The river network (reaches) as a GeoJSON FeatureCollection."""

    type = fields.String(required=True, validate=validate.Equal("FeatureCollection"))
    features = fields.List(fields.Nested(River), required=True)


class Events(Schema):
    events = fields.List(fields.Nested(EventSummary), required=True)
