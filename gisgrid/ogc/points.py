"""Point collections of /ogc: public pollution sources and hazards (信息公开), each a SQL file + queryable list.

A point collection reads one commented .sql file (ogc/sql) over a public view (``public_source``,
``public_hazard``: migration 0016_disclose) and declares its public columns; every declared column is a
property and a queryable, nothing else is. These are not boundary versions: they have no ``?at=`` (a 400)
and no temporal extent, so ``datetime`` selects nothing out and is ignored (docs/ogc.md). Never writable.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from geoalchemy2 import Geometry
from sqlalchemy import Integer, Text, column, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import FromClause

from gisgrid.errors import InvalidInput, NotFound
from gisgrid.ogc.crs import Crs
from gisgrid.ogc.queries import output_geometry
from gisgrid.sqlfiles import statement

_SQL_TYPES = {"integer": Integer, "string": Text, "date": Text}  # dates are ISO text in the SQL (see its comment)
_MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Prop:
    """One public column: name, Chinese label, JSON Schema type (``date``: a string of format date)."""

    name: str
    label: str
    kind: str = "string"


@dataclass(frozen=True)
class PointCollection:
    """A collection of public points: id, titles, its SQL file (package ogc/sql) and its public columns."""

    id: str
    title: str
    description: str
    sql: str
    props: tuple[Prop, ...]
    draft_id: None = None  # never a draft: read-only (405 on writes, like the published grids)
    with_staff: bool = False

    @cached_property
    def view(self) -> FromClause:
        """The SQL file as a selectable with typed columns (``id``, the props, ``geom``)."""
        cols = [column("id", Integer), *(column(p.name, _SQL_TYPES[p.kind]) for p in self.props)]
        cols.append(column("geom", Geometry("POINT", srid=4326)))
        return statement("gisgrid.ogc", self.sql).columns(*cols).subquery(self.id.replace("-", "_"))

    def columns(self) -> dict:
        """Queryable name → column (the public columns and ``geometry``)."""
        return {"id": self.view.c.id, **{p.name: self.view.c[p.name] for p in self.props}, "geometry": self.view.c.geom}

    def queryables(self) -> dict:
        """Queryable name → JSON Schema of the property (``title`` the Chinese label)."""
        out = {"id": {"title": "编号", "type": "integer"}}
        for p in self.props:
            out[p.name] = {"title": p.label, "type": "string"}
            out[p.name] |= {"format": "date"} if p.kind == "date" else {"type": p.kind}
        return out


SOURCES = PointCollection(
    "sources",
    "公开污染源",
    "向社会公开的污染源（名称、类别、行业、地址、监管类别、所在网格、最近检查）(public pollution sources)",
    "sources.sql",
    (
        Prop("code", "编码"),
        Prop("name", "名称"),
        Prop("kind", "类别"),
        Prop("industry", "行业"),
        Prop("address", "地址"),
        Prop("supervision_class", "监管类别"),
        Prop("grid_code", "网格编码"),
        Prop("grid_name", "网格名称"),
        Prop("last_inspected_on", "最近检查日期", "date"),
        Prop("last_result", "最近检查结果"),
    ),
)
HAZARDS = PointCollection(
    "hazards",
    "环境安全隐患",
    "向社会公开的环境安全隐患（类别、描述、整改状态与期限、所在网格）(public environmental hazards)",
    "hazards.sql",
    (
        Prop("kind", "类别"),
        Prop("description", "描述"),
        Prop("status", "整改状态"),
        Prop("deadline", "整改期限", "date"),
        Prop("created_on", "登记日期", "date"),
        Prop("grid_code", "网格编码"),
        Prop("grid_name", "网格名称"),
    ),
)
ALL = (SOURCES, HAZARDS)


def feature_id(fid: str) -> int:
    """A point feature's id from the URL; anything but a positive integer names no feature (404)."""
    if not fid.isdigit() or not 0 < int(fid) <= _MAX_ID:
        raise NotFound(f"要素 {fid[:64]} 不存在 (no feature {fid[:64]})")
    return int(fid)


def refuse_at(coll: PointCollection, at) -> None:
    """``?at=`` picks a boundary version; these collections have none (400 naming the parameter)."""
    if at is not None:
        raise InvalidInput(f"at: 集合 {coll.id} 不分边界版本，不支持 at (not a boundary-versioned collection)")


def features(session: Session, coll: PointCollection, where: list, crs: Crs, limit: int, offset: int):
    """A page of features by id (GeoJSON text geometry in ``crs``) and how many match (None on an empty page)."""
    view = coll.view
    cols = [view.c.id, *(view.c[p.name] for p in coll.props)]
    stmt = (
        select(*cols, output_geometry(view.c.geom, crs).label("geometry"), func.count().over().label("matched"))
        .where(*where)
        .order_by(view.c.id)
        .limit(limit)
        .offset(offset)
    )
    rows = [dict(row) for row in session.execute(stmt).mappings()]
    matched = [row.pop("matched") for row in rows]
    return rows, (matched[0] if matched else None)


def extent(session: Session, coll: PointCollection) -> list[float] | None:
    """[w, s, e, n] (CRS84) of the collection's points, or None when it has none."""
    box = func.ST_Extent(coll.view.c.geom)
    row = session.execute(select(func.ST_XMin(box), func.ST_YMin(box), func.ST_XMax(box), func.ST_YMax(box))).first()
    return None if row is None or row[0] is None else [float(v) for v in row]


def geometry_schema() -> dict:
    """The queryable ``geometry`` of a point collection."""
    return {"title": "位置", "format": "geometry-point", "x-ogc-role": "primary-geometry"}
