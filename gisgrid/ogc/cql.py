"""CQL2 filters (OGC API – Features Part 3): pygeofilter parses, this module turns its AST into SQLAlchemy.

pygeofilter's own SQLAlchemy backend resolves unknown names to NULL and leaves geometry CRS and LIKE's
single-character wildcard to chance, so a small evaluator over its AST is kept here instead: every property
must be a queryable of the collection (400 otherwise), every literal becomes a bound parameter (SQLAlchemy
``literal``), geometry literals are read in the filter CRS and transformed to the storage CRS in PostGIS.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import shapely
import shapely.geometry
from lark.exceptions import UnexpectedInput
from pygeofilter import ast, values
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text import parse as parse_text
from sqlalchemy import Boolean, Float, Integer, Numeric, String, and_, between, func, literal, not_, null, or_
from sqlalchemy.sql import ColumnElement

from gisgrid.errors import InvalidInput
from gisgrid.ogc.crs import STORAGE_SRID, Crs, check_extent

LANGS = ("cql2-text", "cql2-json", "cql-text")  # cql-text: the draft's name, which GDAL 3.6 sends
MAX_CHARS = 20_000  # a filter longer than this is refused before the parser sees it
_COMPARE = {
    ast.Equal: "__eq__",
    ast.NotEqual: "__ne__",
    ast.LessThan: "__lt__",
    ast.LessEqual: "__le__",
    ast.GreaterThan: "__gt__",
    ast.GreaterEqual: "__ge__",
}
_SPATIAL = {
    ast.GeometryIntersects: "ST_Intersects",
    ast.GeometryDisjoint: "ST_Disjoint",
    ast.GeometryContains: "ST_Contains",
    ast.GeometryWithin: "ST_Within",
    ast.GeometryTouches: "ST_Touches",
    ast.GeometryCrosses: "ST_Crosses",
    ast.GeometryOverlaps: "ST_Overlaps",
    ast.GeometryEquals: "ST_Equals",
}


def parse(text: str, lang: str | None):
    """The pygeofilter AST of ``text`` in ``lang`` (cql2-text by default); a 400 with the position if it fails."""
    lang = lang or "cql2-text"
    if lang not in LANGS:
        raise InvalidInput(f"filter-lang: 不支持 {lang[:40]} (supported: {', '.join(LANGS)})")
    if len(text) > MAX_CHARS:
        raise InvalidInput(f"filter: 过滤条件过长 (longer than {MAX_CHARS} characters)")
    try:
        return parse_json(json.loads(text)) if lang == "cql2-json" else parse_text(text)
    except UnexpectedInput as err:  # lark knows where it stopped: line, column and the offending text
        near = text[max(0, err.pos_in_stream or 0) :][:20]
        raise InvalidInput(
            f"filter: 第 {err.line} 行第 {err.column} 列无法解析 (cannot parse CQL2 at line {err.line}, "
            f"column {err.column}, near '{near}')",
            details={"filter": [f"line {err.line} column {err.column}"]},
        ) from None
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as err:
        raise InvalidInput(f"filter: 无法解析的 {lang} (cannot parse {lang}: {str(err)[:200]})") from None


@dataclass
class Translator:
    """Turns one AST into a WHERE clause over ``columns`` (queryable name → column; ``geometry`` the geometry)."""

    columns: dict
    crs: Crs

    def where(self, node) -> ColumnElement:
        """The SQL condition of a predicate node."""
        for kind, method in _COMPARE.items():
            if isinstance(node, kind):
                lhs, rhs = _alike(self.value(node.lhs), self.value(node.rhs))
                return getattr(lhs, method)(rhs)
        for kind, name in _SPATIAL.items():
            if isinstance(node, kind):
                return getattr(func, name)(self.geometry(node.lhs), self.geometry(node.rhs))
        return self._logical(node)

    def _logical(self, node) -> ColumnElement:
        if isinstance(node, ast.And):
            return and_(self.where(node.lhs), self.where(node.rhs))
        if isinstance(node, ast.Or):
            return or_(self.where(node.lhs), self.where(node.rhs))
        if isinstance(node, ast.Not):
            return not_(self.where(node.sub_node))
        return self._predicate(node)

    def _predicate(self, node) -> ColumnElement:
        if isinstance(node, ast.Like):  # CQL2 LIKE is SQL's: % and _, backslash escapes
            lhs, pattern = _alike(self.value(node.lhs), self.value(node.pattern), "text")
            clause = lhs.like(pattern, escape="\\")
        elif isinstance(node, ast.In):
            lhs = self.value(node.lhs)
            clause = lhs.in_([_alike(lhs, self.value(v))[1] for v in node.sub_nodes])
        elif isinstance(node, ast.IsNull):
            clause = self.value(node.lhs).is_(None)
        elif isinstance(node, ast.Between):
            lhs = self.value(node.lhs)
            clause = between(lhs, _alike(lhs, self.value(node.low))[1], _alike(lhs, self.value(node.high))[1])
        elif isinstance(node, bool):
            return literal(node, Boolean)
        else:
            raise InvalidInput(f"filter: 不支持的条件 {type(node).__name__} (unsupported CQL2 operation)")
        return not_(clause) if getattr(node, "not_", False) else clause

    def value(self, node) -> ColumnElement:
        """A scalar operand: a queryable property, a literal (bound), or CASEI/lower of one."""
        if isinstance(node, ast.Attribute):
            if node.name not in self.columns or node.name == "geometry":
                raise InvalidInput(f"filter: {node.name[:40]} 不是可查询字段 (not a queryable; see /queryables)")
            return self.columns[node.name]
        if isinstance(node, ast.Function) and node.name.lower() in ("lower", "casei") and len(node.arguments) == 1:
            return func.lower(self.value(node.arguments[0]))
        if node is None:
            return null()
        if isinstance(node, str | int | float | bool):
            return literal(node)
        raise InvalidInput(f"filter: 不支持的操作数 {type(node).__name__} (unsupported operand)")

    def geometry(self, node) -> ColumnElement:
        """A spatial operand: the geometry property, or a literal geometry / BBOX in the filter CRS."""
        if isinstance(node, ast.Attribute):
            if node.name != "geometry":
                raise InvalidInput(f"filter: {node.name[:40]} 不是几何字段 (the spatial queryable is 'geometry')")
            return self.columns["geometry"]
        if isinstance(node, ast.Function) and node.name.lower() == "bbox" and len(node.arguments) in (4, 6):
            shape = shapely.geometry.box(*_box(node.arguments))
        elif isinstance(node, values.Envelope):
            shape = shapely.geometry.box(node.x1, node.y1, node.x2, node.y2)
        elif isinstance(node, values.Geometry):
            shape = _shape(node.geometry)
        else:
            raise InvalidInput(
                "filter: 空间谓词需要 geometry 与几何字面量 (spatial predicates take geometry and a literal)"
            )
        return self._stored(shape)

    def _stored(self, shape) -> ColumnElement:
        if shape.is_empty:
            raise InvalidInput("filter: 空几何 (empty geometry literal)")
        if self.crs.swap:  # literals come in the filter CRS's axis order (lat,lon for EPSG:4326/4490)
            shape = shapely.transform(shape, lambda xy: xy[:, ::-1])
        check_extent(self.crs, *shape.bounds, "filter")
        geom = func.ST_GeomFromText(literal(shape.wkt), self.crs.srid)
        return geom if self.crs.srid == STORAGE_SRID else func.ST_Transform(geom, STORAGE_SRID)


def _kind(expr) -> str | None:
    kind = expr.type
    if isinstance(kind, Boolean):
        return "boolean"
    if isinstance(kind, Integer | Float | Numeric):
        return "number"
    return "text" if isinstance(kind, String) else None  # NULL and untyped literals go with anything


def _alike(lhs: ColumnElement, rhs: ColumnElement, want: str | None = None) -> tuple[ColumnElement, ColumnElement]:
    """The two operands, or a 400 when their kinds differ (PostgreSQL would fail on text = integer)."""
    kinds = {k for k in (_kind(lhs), _kind(rhs), want) if k}
    if len(kinds) > 1:
        raise InvalidInput(f"filter: 类型不匹配 ({' / '.join(sorted(kinds))} compared; see /queryables for types)")
    return lhs, rhs


def _box(numbers) -> tuple[float, float, float, float]:
    nums = [float(n) for n in numbers]
    return (nums[0], nums[1], nums[3], nums[4]) if len(nums) == 6 else tuple(nums)


def _shape(geometry: dict):
    try:
        shape = shapely.geometry.shape(geometry)
    except (ValueError, TypeError, KeyError, AttributeError) as err:
        raise InvalidInput(f"filter: 无效的几何 (invalid geometry literal: {str(err)[:100]})") from None
    if not shape.is_valid and shape.geom_type in ("Polygon", "MultiPolygon"):
        raise InvalidInput("filter: 无效的多边形 (invalid polygon literal)")
    return shape


def translate(text: str, lang: str | None, columns: dict, crs: Crs) -> ColumnElement:
    """The WHERE clause of a CQL2 filter over ``columns``; any problem is a 400 naming ``filter``."""
    return Translator(columns, crs).where(parse(text, lang))
