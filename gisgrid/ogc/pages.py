"""An items page of /ogc built whole in PostgreSQL (sql/items_page.sql), read by offset or by keyset cursor.

The page's features come back as one JSON array text, spliced into the answer as it is: no Python dict per
feature. A page is read after a cursor (``after``: the key of the last feature seen) or before one (``before``),
so following next/prev links costs an index range, not a skipped ``offset``; ``offset`` stays accepted.
The key is the order of the collection: grids by (level, code), cursor ``level:code``; points by id.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, Numeric, Text, cast, func, literal, select, tuple_
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from gisgrid.errors import InvalidInput
from gisgrid.ogc import points
from gisgrid.ogc.crs import Crs
from gisgrid.ogc.queries import output_geometry
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


def _key_text(coll, view):
    """A row's cursor as text: what ``cursor`` reads back."""
    if _is_point(coll):
        return cast(view.c.id, Text)
    return cast(view.c.level, Text) + literal(":") + view.c.code


def _props(coll, g) -> list:
    """The property columns of a feature, in the order the answer has always had them."""
    if _is_point(coll):
        return [g.c.id, *(g.c[p.name] for p in coll.props)]
    point = func.ST_PointOnSurface(g.c.geom)
    cols = [g.c[f.name] for f in coll.fields]
    cols += [
        func.round(cast(g.c.area_m2, Numeric)).label("area_m2"),
        func.ST_X(point).label("label_lon"),
        func.ST_Y(point).label("label_lat"),
    ]
    if coll.with_staff:  # a plain string property (GIS clients): jsonb text is ", "/": " spaced like json.dumps
        cols.append(cast(cast(g.c.staff, JSONB), Text).label("staff"))
    return cols


def _page_cte(coll, where: list, keyset: list, crs: Crs, limit: int, offset: int, backward: bool):
    """CTE ``page``: the ids of the page (+1 row) first, so geometry and staff are computed for those rows only."""
    view = coll.view
    order = [k.desc() if backward else k for k in _keys(coll, view)]
    ids = select(view.c.id).where(*where, *keyset).order_by(*order).limit(limit + 1).offset(offset).subquery()
    g = view.alias("g")
    rn = func.row_number().over(order_by=[k.desc() if backward else k for k in _keys(coll, g)])
    fid = g.c.id if _is_point(coll) else g.c.code
    cols = [rn.label("rn"), _key_text(coll, g).label("cursor"), fid.label("fid")]
    cols.append(output_geometry(g.c.geom, crs).label("geometry"))
    return select(*cols, *_props(coll, g)).join(ids, ids.c.id == g.c.id).cte("page")


def fetch(session: Session, coll, where: list, crs: Crs, limit: int, offset: int, after=None, before=None) -> Page:
    """One page of ``coll`` matching ``where`` (version included), after or before a cursor key, in one statement."""
    view = coll.view
    keyset = []
    if after is not None:
        keyset.append(tuple_(*_keys(coll, view)) > tuple_(*(literal(v) for v in after)))
    if before is not None:
        keyset.append(tuple_(*_keys(coll, view)) < tuple_(*(literal(v) for v in before)))
    backward = before is not None and after is None
    page = _page_cte(coll, where, keyset, crs, limit, offset, backward)
    total = select(func.count().label("n")).select_from(view).where(*where).cte("total")
    names = ", ".join(f"p.{c.name}" for c in page.c if c.name not in ("rn", "cursor", "fid", "geometry"))
    text = statement("gisgrid.ogc", "items_page.sql", props=names).bindparams(
        page_limit=limit, page_step=-1 if backward else 1
    )
    cols = text.columns(matched=Integer, fetched=Integer, features=Text, first_key=Text, last_key=Text)
    row = session.execute(select(cols.subquery("items_page")).add_cte(page).add_cte(total)).one()
    return Page(
        features=f"[{row.features or ''}]",
        returned=min(row.fetched, limit),
        matched=row.matched,
        first_key=row.first_key,
        last_key=row.last_key,
        more=row.fetched > limit,
    )
