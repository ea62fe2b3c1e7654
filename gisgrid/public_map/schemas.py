"""Request and response contract of the public map APIs (grid search/labels/detail, tiles, open data)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from gisgrid.contract.fields import BBox, Code, Crs, Day, FiniteNumber, QueryArgs
from gisgrid.contract.schemas import FeatureCollection
from gisgrid.public_map.service import MAP_CRS


class MapCrs(fields.String):
    """The overlay CRS of the map: wgs84 or gcj02 (to sit on an AMap-style base map), any letter case."""

    def __init__(self, **kwargs) -> None:
        super().__init__(load_default="wgs84", metadata={"enum": list(MAP_CRS)}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        crs = super()._deserialize(value, attr, data, **kwargs).lower()
        if crs not in MAP_CRS:
            raise ValidationError("只能是 wgs84 或 gcj02 (must be wgs84 or gcj02)")
        return crs


_LEVEL = {"validate": validate.Range(1, 99)}


class AtArgs(QueryArgs):
    """``?at=YYYY-MM-DD``: the version published on that day instead of the current one."""

    at = Day()


class SearchArgs(AtArgs):
    """``?q=`` (the service refuses an empty or over-long q with its own message)."""

    q = fields.String(load_default="")


class LabelArgs(AtArgs):
    """``?bbox=w,s,e,n&level=[&crs=]``."""

    bbox = BBox(required=True)
    level = fields.Integer(required=True, **_LEVEL)
    crs = MapCrs()


class LocateArgs(AtArgs):
    """``?lon&lat[&crs]``, as /api/v1/lookup."""

    lon = FiniteNumber(required=True)
    lat = FiniteNumber(required=True)
    crs = Crs()


class DetailArgs(AtArgs):
    """``[?crs=wgs84|gcj02]``."""

    crs = MapCrs()


class TileArgs(DetailArgs):
    """``[?level=]`` to draw one level only."""

    level = fields.Integer(**_LEVEL)


class MapVersion(Schema):
    """The boundary version an answer comes from, with its status."""

    id = fields.Integer(required=True)
    label = fields.String(required=True)
    status = fields.String(required=True)
    published_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})


class SearchHit(Schema):
    """A grid found by name, code, entity or person."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.Integer(required=True)
    entity = fields.String(required=True, allow_none=True)
    leader_name = fields.String(required=True, allow_none=True)
    parent_name = fields.String(required=True, allow_none=True)


class Search(Schema):
    """Up to 20 hits, exact ones first."""

    version = fields.Nested(MapVersion, required=True)
    q = fields.String(required=True)
    results = fields.List(fields.Nested(SearchHit), required=True)


class Level(Schema):
    """A level, its grid count, typical width and the zooms from which the map draws it."""

    level = fields.Integer(required=True)
    count = fields.Integer(required=True)
    width_m = fields.Integer(required=True)
    auto_min_zoom = fields.Integer(required=True)
    min_zoom = fields.Integer(required=True)


class Levels(Schema):
    """The levels of the version."""

    version_id = fields.Integer(required=True)
    levels = fields.List(fields.Nested(Level), required=True)


class Label(Schema):
    """A label point."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    lon = fields.Float(required=True)
    lat = fields.Float(required=True)


class Labels(Schema):
    """Label points of the largest grids of a level in the bbox."""

    version = fields.Nested(MapVersion, required=True)
    level = fields.Integer(required=True)
    labels = fields.List(fields.Nested(Label), required=True)


class Person(Schema):
    """Leader or staff member; the phone only when marked public."""

    name = fields.String(required=True, allow_none=True)
    title = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    phone = fields.String(required=True, allow_none=True)


class PublicGrid(Schema):
    """A grid's public fields."""

    code = Code(required=True)
    name = fields.String(required=True)
    level = fields.Integer(required=True)
    parent_code = fields.String(required=True, allow_none=True)
    entity = fields.String(required=True, allow_none=True)
    leader = fields.Nested(Person, required=True)
    contact_phone = fields.String(required=True, allow_none=True)
    staff = fields.List(fields.Nested(Person), required=True)
    duties = fields.String(required=True, allow_none=True)
    tasks = fields.String(required=True, allow_none=True)  # 定任务
    rewards_penalties = fields.String(required=True, allow_none=True)  # 定奖惩: text or a link
    sample_data = fields.Boolean(required=True)
    area_m2 = fields.Float(required=True, allow_none=True, metadata={"description": "m², rounded"})


class DetailGrid(PublicGrid):
    """The grid asked for, with its geometry and bbox (in the requested crs)."""

    geometry = fields.Dict(required=True)
    bbox = fields.List(fields.Float(), required=True, validate=validate.Length(equal=4))


class Child(Schema):
    """A child grid."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.Integer(required=True)
    entity = fields.String(required=True, allow_none=True)


class GridDetail(Schema):
    """One grid with geometry, its parent chain (top → itself) and its children."""

    version = fields.Nested(MapVersion, required=True)
    crs = fields.String(required=True)
    grid = fields.Nested(DetailGrid, required=True)
    chain = fields.List(fields.Nested(PublicGrid), required=True)
    children = fields.List(fields.Nested(Child), required=True)


class UnitGridArgs(DetailArgs):
    """``[?crs=wgs84|gcj02][&at=]`` for the 重点监管单元网格 layer."""


class UnitGridLayer(FeatureCollection):
    """The 重点监管单元网格 of a version (properties: code, name, level, parent_code, contacts, source_count)."""

    version = fields.Nested(MapVersion, required=True)
