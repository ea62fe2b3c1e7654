"""Request and response contract of the OGC API at /ogc: unknown query parameters are refused (Part 1)."""

from __future__ import annotations

import re

from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, validate

from gisgrid.contract.fields import Day, FiniteNumber, QueryArgs
from gisgrid.ogc import cql, crs

FORMATS = ["json", "html"]
# the one CRS list (ogc/crs.py) documented as the enum; EPSG:nnnn CURIEs are accepted as well
_CRS_META = {"description": "坐标系 URI (CRS84 by default)", "example": crs.CRS84, "enum": crs.uris()}
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$")


class OgcBBox(fields.String):
    """``x1,y1,x2,y2`` (or 6 numbers with heights) in the axis order of ``bbox-crs``; checked by the CRS later."""

    def __init__(self, **kwargs) -> None:
        meta = {"pattern": r"^[^,]+(,[^,]+){3}$|^[^,]+(,[^,]+){5}$", "example": "116.3,39.9,116.4,40.0"}
        super().__init__(metadata=meta, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        parts = super()._deserialize(value, attr, data, **kwargs).split(",")
        if len(parts) not in (4, 6):
            raise ValidationError("需要 4 或 6 个数 (4 or 6 comma-separated numbers)")
        return tuple(FiniteNumber()._deserialize(p.strip(), attr, data) for p in parts)


class DateTimeDay(fields.String):
    """``datetime``: a date or an RFC 3339 instant → the day whose boundary version is wanted (no intervals)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        match = _DATETIME.match(text)
        if not match:
            raise ValidationError("需要日期或时刻，不支持区间 (a date or an instant; intervals are not supported)")
        return Day()._deserialize(match.group(1), attr, data)


class OgcArgs(QueryArgs):
    """``?f=json|html`` and the boundary version of a day: ``?at=`` or ``datetime``; nothing else."""

    class Meta:
        unknown = RAISE

    f = fields.String(validate=validate.OneOf(FORMATS))
    at = Day()
    datetime = DateTimeDay(metadata={"description": "边界版本的日期 (the version in force on this day)"})


class ItemArgs(OgcArgs):
    """One feature: its CRS too."""

    crs = fields.String(validate=validate.Length(max=200), metadata=_CRS_META)


class ItemsArgs(ItemArgs):
    """Paging, bbox (in bbox-crs), level and a CQL2 filter; a limit over the maximum is lowered to it."""

    f = fields.String(validate=validate.OneOf([*FORMATS, "geojson"]))
    limit = fields.Integer(validate=validate.Range(1, 2**31 - 1), metadata={"default": 100, "maximum": 10000})
    offset = fields.Integer(validate=validate.Range(0, 2**53))
    # keyset cursors of the next/prev links (ogc/pages.py): the key of a feature, ``level:code`` or a point's id
    after = fields.String(validate=validate.Length(min=1, max=300), metadata={"description": "下一页游标 (next page)"})
    before = fields.String(validate=validate.Length(min=1, max=300), metadata={"description": "上一页游标 (prev page)"})
    bbox = OgcBBox()
    bbox_crs = fields.String(data_key="bbox-crs", validate=validate.Length(max=200), metadata=_CRS_META)
    level = fields.Integer(validate=validate.Range(1, 99))
    filter = fields.String(validate=validate.Length(max=cql.MAX_CHARS), metadata={"example": "level = 3"})
    filter_lang = fields.String(data_key="filter-lang", validate=validate.OneOf(cql.LANGS))
    filter_crs = fields.String(data_key="filter-crs", validate=validate.Length(max=200), metadata=_CRS_META)


class DocArgs(QueryArgs):
    """Documents without a version: ``?f=`` only."""

    class Meta:
        unknown = RAISE

    f = fields.String(validate=validate.OneOf(FORMATS))


class TileArgs(QueryArgs):
    """A tile: the version of a day, and ``f=mvt`` (the only encoding)."""

    class Meta:
        unknown = RAISE

    f = fields.String(validate=validate.OneOf(["mvt"]))
    at = Day()
    datetime = DateTimeDay()


class OgcDocument(Schema):
    """An OGC JSON document (landing page, conformance, collections, queryables, tile sets...)."""

    class Meta:
        unknown = INCLUDE

    links = fields.List(fields.Dict())


class OgcConformance(Schema):
    """The conformance classes implemented."""

    conformsTo = fields.List(fields.String(), required=True)  # noqa: N815 — the OGC name


class OgcItems(Schema):
    """A GeoJSON FeatureCollection page with the OGC counts and links."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, validate=validate.Equal("FeatureCollection"))
    features = fields.List(fields.Dict(), required=True)
    numberMatched = fields.Integer()  # noqa: N815
    numberReturned = fields.Integer()  # noqa: N815
    links = fields.List(fields.Dict())


class OgcFeature(Schema):
    """One GeoJSON feature (public fields only)."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, validate=validate.Equal("Feature"))
    id = fields.String()
    geometry = fields.Dict(allow_none=True)
    properties = fields.Dict(allow_none=True)


class TileSetArgs(TileArgs):
    """A tile set document: ``f=json|html|tilejson``."""

    f = fields.String(validate=validate.OneOf([*FORMATS, "tilejson"]))


class FeatureBody(Schema):
    """A GeoJSON Feature to create or replace a draft grid (Part 4); the service names any bad or missing member
    (after the caller's rights: an anonymous caller is 401 whatever the body)."""

    class Meta:
        unknown = INCLUDE

    type = fields.Raw(metadata={"example": "Feature"})
    id = fields.Raw()
    geometry = fields.Raw(metadata={"description": "Polygon/MultiPolygon，坐标系见 Content-Crs"})
    properties = fields.Raw(metadata={"description": "code, name, parent_code 与可编辑字段"})


class FeaturePatch(Schema):
    """A JSON merge patch (RFC 7396) of a draft grid: ``properties`` members (null clears) and/or ``geometry``."""

    class Meta:
        unknown = INCLUDE

    properties = fields.Raw()
    geometry = fields.Raw()
