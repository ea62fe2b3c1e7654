"""Request and response contract of OGC API – Features at /ogc."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gisgrid.contract.fields import BBox, Day, QueryArgs


class OgcArgs(QueryArgs):
    """``?f=json`` (or geojson; the only encodings served) and ``?at=`` for a past version."""

    f = fields.String(validate=validate.OneOf(["json", "geojson"]))
    at = Day()


class ItemsArgs(OgcArgs):
    """Paging and filters of the items; a limit over the maximum is lowered to it (OGC API – Features)."""

    limit = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    offset = fields.Integer(validate=validate.Range(0, 2**53))
    bbox = BBox()
    level = fields.Integer(validate=validate.Range(1, 99))


class Link(Schema):
    """A link of an OGC document."""

    href = fields.String(required=True)
    rel = fields.String(required=True)
    type = fields.String(required=True)
    title = fields.String(required=True)


class Landing(Schema):
    """The landing page."""

    title = fields.String(required=True)
    description = fields.String(required=True)
    links = fields.List(fields.Nested(Link), required=True)


class Conformance(Schema):
    """The conformance classes implemented."""

    conformsTo = fields.List(fields.String(), required=True)  # noqa: N815 — the OGC name


class Extent(Schema):
    """Spatial extent (empty when the version has no grids)."""

    spatial = fields.Dict(required=True)


class Collection(Schema):
    """The grids collection."""

    id = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    itemType = fields.String(required=True)  # noqa: N815
    crs = fields.List(fields.String(), required=True)
    extent = fields.Nested(Extent, required=True)
    links = fields.List(fields.Nested(Link), required=True)


class Collections(Schema):
    """The one collection."""

    links = fields.List(fields.Nested(Link), required=True)
    collections = fields.List(fields.Nested(Collection), required=True)


class GridProperties(Schema):
    """The public fields of a grid; ``staff`` is JSON text so that GIS clients get a plain string."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.Integer(required=True)
    parent_code = fields.String(required=True, allow_none=True)
    entity = fields.String(required=True, allow_none=True)
    leader_name = fields.String(required=True, allow_none=True)
    leader_title = fields.String(required=True, allow_none=True)
    leader_phone = fields.String(required=True, allow_none=True)
    contact_phone = fields.String(required=True, allow_none=True)
    duties = fields.String(required=True, allow_none=True)
    staff = fields.String(required=True)
    tasks = fields.String(required=True, allow_none=True)
    rewards_penalties = fields.String(required=True, allow_none=True)
    sample_data = fields.Boolean(required=True)
    area_m2 = fields.Float(required=True, allow_none=True)
    label_lon = fields.Float(required=True, allow_none=True)
    label_lat = fields.Float(required=True, allow_none=True)


class GridFeature(Schema):
    """One grid as a GeoJSON feature."""

    type = fields.String(required=True, validate=validate.Equal("Feature"))
    id = fields.String(required=True)
    geometry = fields.Dict(required=True)
    properties = fields.Nested(GridProperties, required=True)
    links = fields.List(fields.Nested(Link))


class Items(Schema):
    """A page of features with the counts and next/prev links."""

    type = fields.String(required=True, validate=validate.Equal("FeatureCollection"))
    features = fields.List(fields.Nested(GridFeature), required=True)
    numberMatched = fields.Integer(required=True)  # noqa: N815
    numberReturned = fields.Integer(required=True)  # noqa: N815
    timeStamp = fields.String(required=True)  # noqa: N815
    links = fields.List(fields.Nested(Link), required=True)
