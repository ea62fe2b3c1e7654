"""Shared schema fields: the one finite number, bbox, day, CRS name and grid code of every JSON endpoint."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from gisgrid.coords import finite_number, parse_bbox
from gisgrid.errors import InvalidInput
from gisgrid.web import parse_day

CODE_MAX = 64  # grid codes are short identifiers; longer input is refused before it reaches SQL
CRS_MAX = 40  # the longest coordinate-system name accepted


class FiniteNumber(fields.Float):
    """A finite float by ``coords.finite_number`` (the one rule: no true/false, nan or inf)."""

    default_error_messages = {"required": "缺少参数 (missing)"}

    def __init__(self, **kwargs) -> None:
        super().__init__(allow_nan=False, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return finite_number(value)
        except ValueError as err:
            raise ValidationError(str(err)) from None


class BBox(fields.String):
    """``w,s,e,n`` WGS84 degrees with the range check → a (w, s, e, n) tuple."""

    def __init__(self, **kwargs) -> None:
        meta = {"pattern": r"^[^,]+(,[^,]+){3}$|^[^,]+(,[^,]+){5}$", "example": "116.3,39.9,116.4,40.0"}
        super().__init__(metadata={**meta, **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_bbox(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as err:
            raise ValidationError(str(err)) from None


class Day(fields.String):
    """``YYYY-MM-DD`` → a date, by ``gisgrid.web.parse_day`` (the one day parser)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(metadata={"format": "date", **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_day(super()._deserialize(value, attr, data, **kwargs), attr or "at")
        except InvalidInput as err:
            raise ValidationError(err.message) from None


def Crs(**kwargs) -> fields.String:  # noqa: N802 — reads like the field classes it stands beside
    """A coordinate-system name (wgs84, gcj02, bd09, cgcs2000, EPSG:nnnn); the coords module decides support."""
    return fields.String(validate=validate.Length(max=CRS_MAX), metadata={"example": "wgs84"}, **kwargs)


def Code(**kwargs) -> fields.String:  # noqa: N802
    """A grid code."""
    return fields.String(validate=validate.Length(min=1, max=CODE_MAX), **kwargs)


class QueryArgs(Schema):
    """Base of query-string schemas: an empty value (``?at=``) counts as absent, as forms send them."""

    @pre_load
    def _drop_empty(self, data, **kwargs):
        return {key: data[key] for key in data if data[key] != ""}


class PageForm(Schema):
    """Base of a page form posting a JSON body's fields: csrf_token and buttons are dropped, "" counts as absent."""

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _drop_empty(self, data, **kwargs):
        return {key: data[key] for key in data if data[key] != ""}
