"""Shared schema fields: the one finite number, bbox, day, CRS name and grid code of every JSON endpoint."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from gisgrid.errors import InvalidInput
from gisgrid.web import parse_day

CODE_MAX = 64  # grid codes are short identifiers; longer input is refused before it reaches SQL


class FiniteNumber(fields.Float):
    """A finite float; ``true``/``false`` is refused (float(True) would be 1.0), as are nan and inf."""

    default_error_messages = {
        "invalid": "须为数字 (must be a number)",
        "special": "须为有限数字 (must be finite)",
        "required": "缺少参数 (missing)",
    }

    def __init__(self, **kwargs) -> None:
        super().__init__(allow_nan=False, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def parse_bbox(raw: str) -> tuple[float, float, float, float]:
    """``w,s,e,n`` (or the 3-D ``w,s,low,e,n,high`` of OGC, heights dropped) in WGS84 degrees → (w, s, e, n).

    ValueError naming the problem: not four (or six) numbers, or out of range.
    """
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError:
        raise ValueError("应为 w,s,e,n 四个数字 (must be w,s,e,n)") from None
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4:
        raise ValueError("应为 w,s,e,n 四个数字 (must be w,s,e,n)")
    w, s, e, n = values
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):  # also false for nan and inf
        raise ValueError("超出范围 (out of range: -180 <= w <= e <= 180, -90 <= s <= n <= 90)")
    return w, s, e, n


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
    return fields.String(validate=validate.Length(max=40), metadata={"example": "wgs84"}, **kwargs)


def Code(**kwargs) -> fields.String:  # noqa: N802
    """A grid code."""
    return fields.String(validate=validate.Length(min=1, max=CODE_MAX), **kwargs)


class QueryArgs(Schema):
    """Base of query-string schemas: an empty value (``?at=``) counts as absent, as forms send them."""

    @pre_load
    def _drop_empty(self, data, **kwargs):
        return {key: data[key] for key in data if data[key] != ""}
