"""Request and response contract of the lookup APIs (validated by webargs, documented by apispec)."""

from __future__ import annotations

from flask import current_app
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from gisgrid.contract.fields import CRS_MAX, Crs, Day, FiniteNumber, QueryArgs
from gisgrid.coords import finite_number
from gisgrid.errors import InvalidInput
from gisgrid.web import parse_day

_MISSING = "缺少参数 (missing)"
_NUMBERS = ("lon", "lat", "x", "y", "near")


class PointArgs(QueryArgs):
    """``?lon&lat`` (or ``?x&y`` in ``crs``) [&near=metres] [&at=YYYY-MM-DD]."""

    lon = FiniteNumber(metadata={"description": "经度 (WGS84 or crs)"})
    lat = FiniteNumber(metadata={"description": "纬度"})
    x = FiniteNumber(metadata={"description": "projected x (with crs), instead of lon"})
    y = FiniteNumber(metadata={"description": "projected y (with crs), instead of lat"})
    crs = Crs()
    near = FiniteNumber(metadata={"description": "near-boundary radius in metres", "minimum": 0})
    at = Day(metadata={"description": "answer from the version published on that day"})

    @validates_schema
    def _pair(self, data, **kwargs):
        # x/y when either is given, else lon/lat: one coordinate pair is required
        names = ("x", "y") if "x" in data or "y" in data else ("lon", "lat")
        missing = {n: [_MISSING] for n in names if n not in data}
        if missing:
            raise ValidationError(missing)

    @validates("near")
    def _near(self, value, **kwargs):
        limit = current_app.config["MAX_NEAR_BOUNDARY_M"]
        if not 0 <= value <= limit:
            raise ValidationError(f"须在 0 到 {limit:g} 米之间 (must be 0..{limit:g} m)")

    @staticmethod
    def lean_load(args, max_near_m: float) -> dict | None:
        """The valid case of ``load`` without marshmallow (the lookup's hot path); None: let ``load`` refuse it.

        Every rule above, applied by the same functions; anything it does not accept goes to the schema,
        so a refusal is exactly the schema's 400. ``max_near_m``: the app's MAX_NEAR_BOUNDARY_M, passed in
        so that it runs outside a request too (the WSGI fast path, ``grids.lookup_wsgi``).
        """
        try:
            data = {key: _lean_value(key, args[key]) for key in args if args[key] != "" and key in _LEAN_KEYS}
        except (ValueError, InvalidInput):
            return None
        names = ("x", "y") if "x" in data or "y" in data else ("lon", "lat")
        if names[0] not in data or names[1] not in data:
            return None
        if "near" in data and not 0 <= data["near"] <= max_near_m:
            return None
        return data

    @classmethod
    def lean_request(cls, args) -> dict | None:
        """``lean_load`` under the current app's settings (what the webargs parser calls)."""
        return cls.lean_load(args, current_app.config["MAX_NEAR_BOUNDARY_M"])


def _lean_value(key: str, value: str):
    if key in _NUMBERS:
        return finite_number(value)
    if key == "at":
        return parse_day(value)
    if len(value) > CRS_MAX:
        raise ValueError(key)
    return value


_LEAN_KEYS = frozenset((*_NUMBERS, "crs", "at"))


class CrsArgs(QueryArgs):
    """``?crs=`` of the batch input points."""

    crs = Crs()


class Version(Schema):
    """The boundary version an answer comes from."""

    id = fields.Integer(required=True)
    label = fields.String(required=True)
    published_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})


class Leader(Schema):
    """A grid's leader; the phone only when marked public."""

    name = fields.String(required=True, allow_none=True)
    title = fields.String(required=True, allow_none=True)
    phone = fields.String(required=True, allow_none=True)


class Staff(Schema):
    """A grid worker; the phone only when marked public."""

    name = fields.String(required=True)
    role = fields.String(required=True, allow_none=True)
    phone = fields.String(required=True, allow_none=True)


class Grid(Schema):
    """One grid of the chain with its public contacts."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.Integer(required=True)
    entity = fields.String(required=True, allow_none=True)
    leader = fields.Nested(Leader, required=True)
    contact_phone = fields.String(required=True, allow_none=True)
    staff = fields.List(fields.Nested(Staff), required=True)
    duties = fields.String(required=True, allow_none=True)
    sample_data = fields.Boolean(required=True)


class NearGrid(Schema):
    """A grid within the near-boundary radius of the point."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.Integer(required=True)
    entity = fields.String(required=True, allow_none=True)
    distance_m = fields.Float(required=True)


class UnitGrid(Schema):
    """A 重点监管单元网格 covering the point: an overlay designated by grid ``parent_code``, supervised at ``level``."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.Equal("unit"))
    level = fields.Integer(required=True)
    parent_code = fields.String(required=True)
    entity = fields.String(required=True, allow_none=True)
    leader = fields.Nested(Leader, required=True)
    contact_phone = fields.String(required=True, allow_none=True)
    duties = fields.String(required=True, allow_none=True)
    sample_data = fields.Boolean(required=True)


class Query(Schema):
    """The point as understood: WGS84 lon/lat, the input CRS and the raw input."""

    lon = fields.Float(required=True)
    lat = fields.Float(required=True)
    crs = fields.String(required=True)
    input = fields.List(fields.Float(), required=True)


class Lookup(Schema):
    """Point → grid chain (the leaf first in ``grid``, the whole chain root-first in ``chain``)."""

    query = fields.Nested(Query, required=True)
    version = fields.Nested(Version, required=True)
    grid = fields.Nested(Grid, required=True)
    chain = fields.List(fields.Nested(Grid), required=True)
    near_boundary_m = fields.Float(required=True)
    near_boundary = fields.List(fields.Nested(NearGrid), required=True)
    unit_grids = fields.List(fields.Nested(UnitGrid), required=True)
