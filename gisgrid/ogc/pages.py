"""An items page of /ogc built whole in PostgreSQL (sql/items_page.sql), read by offset or by keyset cursor.

The page's features come back as one JSON array text, spliced into the answer as it is: no Python dict per
feature. A page is read after a cursor (``after``: the key of the last feature seen) or before one (``before``),
so following next/prev links costs an index range, not a skipped ``offset``; ``offset`` stays accepted.
The key is the order of the collection: grids by (level, code), cursor ``level:code``; points by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Integer, Text, func, literal, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql import TableClause

from gisgrid.errors import InvalidInput
from gisgrid.ogc import points
from gisgrid.ogc.crs import Crs
from gisgrid.sqlfiles import statement

_MAX_ID = 2**31 - 1
_MAX_CURSOR = 300


@dataclass(frozen=True)
class Page:
    """A page: the features as JSON array text, numberMatched, and what the links need."""

    features: str  # "[...]"
    returned: int
    matched: int
    first_key: str | None  # cursors of the first and last feature, in key order
    last_key: str | None
    more: bool  # rows follow the page in the direction it was read


def _is_point(coll) -> bool:
    return isinstance(coll, points.PointCollection)


def cursor(coll, text: str, param: str) -> tuple:
    """The key named by a cursor (``level:code`` for grids, an id for points), else a 400 naming ``param``."""
    if len(text) > _MAX_CURSOR:
        raise InvalidInput(f"{param}: 游标过长 (cursor too long)")
    if _is_point(coll):
        if not text.isdigit() or int(text) > _MAX_ID:
            raise InvalidInput(f"{param}: 游标应为要素编号 (a feature id)")
        return (int(text),)
    level, sep, code = text.partition(":")
    if not sep or not level.isdigit() or not 0 < int(level) < 100:
        raise InvalidInput(f"{param}: 游标应为 层级:编码 (level:code)")
    return int(level), code


def _keys(coll, view) -> list:
    """The columns of the collection's order (the key of a cursor)."""
    return [view.c.id] if _is_point(coll) else [view.c.level, view.c.code]


@cache
def _fills(kind: str, source: str, with_staff: bool, fields: tuple[str, ...]) -> dict:
    """The per-collection text of items_page.sql: its view, feature id, cursor and property list."""
    if kind == "point":
        return {"source": source, "fid": "g.id", "key": "g.id::text", "props": ", ".join(f"g.{f}" for f in fields)}
    props = [f"g.{f}" for f in fields]
    # the order the answer has always had: fields, area, label point, then staff as a plain string (GIS
    # clients); jsonb text is ", "/": " spaced like json.dumps and keeps the staff keys' order
    props += ["round(g.area_m2::numeric) AS area_m2", "ST_X(ST_PointOnSurface(g.geom)) AS label_lon"]
    props.append("ST_Y(ST_PointOnSurface(g.geom)) AS label_lat")
    if with_staff:
        props.append("g.staff::jsonb::text AS staff")
    return {"source": source, "fid": "g.code", "key": "g.level::text || ':' || g.code", "props": ", ".join(props)}


def _source(coll) -> str:
    """The collection's view in items_page.sql: a view's name, else ``src`` (a CTE ``fetch`` adds)."""
    return coll.view.name if isinstance(coll.view, TableClause) else "src"


def _statement(coll, crs: Crs, limit: int, backward: bool):
    """items_page.sql for ``coll`` with the page's own values bound."""
    names = tuple(p.name for p in coll.props) if _is_point(coll) else tuple(f.name for f in coll.fields)
    if _is_point(coll):
        names = ("id", *names)
    fills = _fills("point" if _is_point(coll) else "grid", _source(coll), coll.with_staff, names)
    return statement("gisgrid.ogc", "items_page.sql", **fills).bindparams(
        page_limit=limit,
        page_step=-1 if backward else 1,
        page_flip=crs.swap,
        page_srid=crs.srid,
        page_decimals=crs.decimals,
    )


def fetch(session: Session, coll, where: list, crs: Crs, limit: int, offset: int, after=None, before=None) -> Page:
    """One page of ``coll`` matching ``where`` (version included), after or before a cursor key, in one statement."""
    view = coll.view
    # the matching rows' ids and keys once (MATERIALIZED): the page and numberMatched both read them, so the
    # conditions (an exact ST_Intersects per candidate, a LIKE) are evaluated once, not twice
    keys = _keys(coll, view)
    matched = select(*{c.name: c for c in (view.c.id, *keys)}.values()).where(*where)
    matched = matched.cte("matched").prefix_with("MATERIALIZED")
    keys = [matched.c[k.name] for k in keys]
    keyset = []
    if after is not None:
        keyset.append(tuple_(*keys) > tuple_(*(literal(v) for v in after)))
    if before is not None:
        keyset.append(tuple_(*keys) < tuple_(*(literal(v) for v in before)))
    backward = before is not None and after is None
    order = [k.desc() for k in keys] if backward else keys
    # rn 1 is the page's first row: the window numbers rows before OFFSET skips them
    rn = (func.row_number().over(order_by=order) - literal(offset)).label("rn")
    ids = select(matched.c.id, rn).where(*keyset).order_by(*order).limit(limit + 1).offset(offset).cte("ids")
    total = select(func.count().label("n")).select_from(matched).cte("total")
    text = _statement(coll, crs, limit, backward)
    cols = text.columns(matched=Integer, fetched=Integer, features=Text, first_key=Text, last_key=Text)
    stmt = select(cols.subquery("items_page")).add_cte(matched).add_cte(ids).add_cte(total)
    if not isinstance(view, TableClause):  # a subquery view (drafts, point collections' .sql files), inlined by
        stmt = stmt.add_cte(view.element.cte("src"))  # PostgreSQL: a CTE read once is not materialised
    row = session.execute(stmt).one()
    return Page(
        features=f"[{row.features or ''}]",
        returned=min(row.fetched, limit),
        matched=row.matched,
        first_key=row.first_key,
        last_key=row.last_key,
        more=row.fetched > limit,
    )
