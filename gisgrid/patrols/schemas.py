"""Request and response declarations of the patrol JSON API (validation and OpenAPI from one place)."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from gisgrid.contract.fields import Crs, Day, FiniteNumber, QueryArgs
from gisgrid.contract.schemas import FeatureCollection
from gisgrid.patrols import service
from gisgrid.sources.models import CLASSES


class CoverageArgs(QueryArgs):
    """``?since=&until=&distance=``: the period (default the 30 days up to today) and the visiting distance."""

    since = Day()
    until = Day()
    distance = FiniteNumber(
        load_default=service.DEFAULT_DISTANCE_M,
        metadata={"description": "米 (metres)", "exclusiveMinimum": 0, "maximum": service.MAX_DISTANCE_M},
    )


# one fix; a point without finite lon/lat or a time is dropped and counted by the cleaning, not refused
_POINT = {
    "type": "object",
    "properties": {
        "lon": {"type": "number"},
        "lat": {"type": "number"},
        "t": {"type": "string", "format": "date-time"},
    },
}


class TrackBody(Schema):
    """Phones: ``{"points": [{"lon", "lat", "t"}], "crs": "wgs84|gcj02|bd09"}``."""

    class Meta:
        unknown = INCLUDE  # app clients add their own metadata; the track keeps only points

    # the points are judged one by one by tracks.from_json_points (bad ones are dropped and counted)
    points = fields.List(fields.Raw(metadata=_POINT), required=True)
    crs = Crs(allow_none=True)
    client_id = fields.String(
        allow_none=True,
        validate=validate.Length(1, 100),
        metadata={"description": "the phone's id of this patrol: a retry with the same id stores nothing new"},
    )


class Csrf(Schema):
    csrf_token = fields.String(required=True)


class Cleaning(Schema):
    """What the cleaning did with the points."""

    input = fields.Integer(required=True)
    invalid = fields.Integer(required=True)
    out_of_order = fields.Integer(required=True)
    duplicates = fields.Integer(required=True)
    jumps = fields.Integer(required=True)
    kept = fields.Integer(required=True)
    max_speed_mps = fields.Float(required=True)


class Track(Schema):
    """A stored track."""

    id = fields.Integer(required=True)
    started_at = fields.String(required=True, metadata={"format": "date-time"})
    ended_at = fields.String(required=True, metadata={"format": "date-time"})
    length_m = fields.Float(required=True)
    points = fields.Integer(required=True)
    cleaning = fields.Nested(Cleaning, required=True)


class GridCoverage(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.Integer(required=True)
    area_m2 = fields.Float(required=True)
    covered_m2 = fields.Float(required=True)
    share = fields.Float(required=True)
    patrolled = fields.Boolean(required=True)


class SourceVisit(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    supervision_class = fields.String(required=True, validate=validate.OneOf(CLASSES))
    visited = fields.Boolean(required=True)


class Layers(Schema):
    grids = fields.Nested(FeatureCollection, required=True)
    sources = fields.Nested(FeatureCollection, required=True)
    tracks = fields.Nested(FeatureCollection, required=True)


class Coverage(Schema):
    """Coverage of the user's grids in the period: tables and the map's GeoJSON layers."""

    version_id = fields.Integer(required=True)
    since = fields.Date(required=True)
    until = fields.Date(required=True)
    distance_m = fields.Float(required=True)
    grids = fields.List(fields.Nested(GridCoverage), required=True)
    never_patrolled = fields.List(fields.String(), required=True)
    sources = fields.List(fields.Nested(SourceVisit), required=True)
    layers = fields.Nested(Layers, required=True)
