"""The collections of /ogc: which public view each reads, its queryables, and which version it shows.

``grids`` (the tiling, every level; ``level`` is a queryable) and ``unit-grids`` (重点监管单元网格) read the
public views ``public_grid`` / ``public_unit_grid`` (a private phone is NULL there, so it can be neither
returned nor matched by a filter). Both show the published version, or the one in force on ``?at=`` /
``datetime``. A later ``draft-{id}-grids`` collection (editing into drafts, Part 4) is one more entry of
``resolve``: a view, and a version chosen by id for an authorised planner instead of by day.

``sources`` and ``hazards`` (公开污染源, 环境安全隐患) are point collections of ogc/points.py over the views
``public_source`` / ``public_hazard``, with no boundary version; ``PUBLISHED`` lists every read-only collection.

``draft-{id}-grids`` (Part 4, ogc/drafts.py) reads the draft's ``grid`` rows themselves with every field
(planners edit private phones too), the staff with ``phone_public``, and the editor's lock counter (the ETag);
``draft-{id}-unit-grids`` the same of its ``unit_grid`` rows (no staff).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geoalchemy2 import Geometry
from sqlalchemy import JSON, Boolean, Float, Integer, Text, column, func, literal_column, select, table
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql import FromClause, TableClause

from gisgrid.errors import NotFound
from gisgrid.grids import fields
from gisgrid.ogc import points

_TYPES = {"level": Integer, "flag": Boolean}
_JSON_TYPES = {"level": "integer", "flag": "boolean"}
PUBLIC_FIELDS = tuple(f for f in fields.GRID_FIELDS if f.public)


@dataclass(frozen=True)
class Collection:
    """One feature collection: id, titles, the view it reads and whether its rows carry ``staff``."""

    id: str
    title: str
    description: str
    view: FromClause
    with_staff: bool
    fields: tuple = PUBLIC_FIELDS
    draft_id: int | None = None  # a draft's collection (Part 4): the version is this draft, not the day's
    unit: bool = False  # its features are 重点监管单元网格 (table unit_grid), not the tiling's grids

    def columns(self) -> dict:
        """Queryable name → column (the collection's fields and ``geometry``)."""
        cols = {f.name: self.view.c[f.name] for f in self.fields}
        return {**cols, "geometry": self.view.c.geom}

    def queryables(self) -> dict:
        """Queryable name → (JSON Schema type or format, Chinese label)."""
        return {f.name: (_JSON_TYPES.get(f.kind, "string"), f.label) for f in self.fields}


def _view(name: str, with_staff: bool) -> TableClause:
    cols = [column("id", Integer), column("version_id", Integer), column("area_m2", Float)]
    cols += [column(f.name, _TYPES.get(f.kind, Text)) for f in PUBLIC_FIELDS]
    cols.append(column("geom", Geometry("MULTIPOLYGON", srid=4326)))
    if with_staff:
        cols.append(column("staff", JSON))
    return table(name, *cols)


GRIDS = Collection(
    "grids",
    "环境监管网格",
    "网格、责任主体、第一责任人、网格员及公开电话（各层级，level 可查询）(the grids of every level, public fields only)",
    _view("public_grid", True),
    True,
)
UNIT_GRIDS = Collection(
    "unit-grids",
    "重点监管单元网格",
    "由网格指定、在其层级监管的重点监管单元网格 (unit grids designated by a grid; public fields only)",
    _view("public_unit_grid", False),
    False,
)
ALL = (GRIDS, UNIT_GRIDS)  # the boundary-versioned collections
PUBLISHED = (*ALL, *points.ALL)  # every read-only collection: grids, unit grids, public sources and hazards
DRAFT_ID = re.compile(r"draft-([1-9][0-9]{0,9})-(grids|unit-grids)")


def _draft_unit_view() -> FromClause:
    """A draft's unit grids with every field and the lock counter (they have no staff)."""
    from gisgrid.grids.models import UnitGrid

    cols = [UnitGrid.__table__.c[f.name] for f in fields.GRID_FIELDS]
    return select(
        UnitGrid.id, UnitGrid.version_id, UnitGrid.area_m2, *cols, UnitGrid.geom, UnitGrid.lock_version
    ).subquery("draft_unit_grid")


def _draft_view() -> FromClause:
    from gisgrid.grids.models import Grid, GridStaff

    person = func.json_build_object(
        "name", GridStaff.name, "role", GridStaff.role, "phone", GridStaff.phone, "phone_public", GridStaff.phone_public
    )
    staff = (
        select(
            func.coalesce(func.json_agg(aggregate_order_by(person, GridStaff.position)), literal_column("'[]'::json"))
        )
        .where(GridStaff.grid_id == Grid.id)
        .scalar_subquery()
    )
    cols = [Grid.__table__.c[f.name] for f in fields.GRID_FIELDS]
    return select(
        Grid.id, Grid.version_id, Grid.area_m2, *cols, Grid.geom, Grid.lock_version, staff.label("staff")
    ).subquery("draft_grid")


def draft(version_id: int, unit: bool = False) -> Collection:
    """The collection of a draft version's grids, or (``unit``) of its 重点监管单元网格 (whether the draft exists
    and who may see it: ogc/drafts.py)."""
    if unit:
        return Collection(
            f"draft-{version_id}-unit-grids",
            "草稿重点监管单元网格",
            "边界草稿中的重点监管单元网格（规划人员可编辑：OGC API – Features Part 4）(unit grids of a draft, editable)",
            _draft_unit_view(),
            False,
            fields.GRID_FIELDS,
            version_id,
            unit=True,
        )
    return Collection(
        f"draft-{version_id}-grids",
        "草稿网格",
        "边界草稿中的网格（规划人员可编辑：OGC API – Features Part 4）(grids of a boundary draft, editable)",
        _draft_view(),
        True,
        fields.GRID_FIELDS,
        version_id,
    )


def draft_id(collection_id: str) -> int | None:
    """The draft version id named by ``draft-{id}-grids`` or ``draft-{id}-unit-grids``, else None."""
    match = DRAFT_ID.fullmatch(collection_id)
    return int(match.group(1)) if match else None


def is_draft_unit(collection_id: str) -> bool:
    """Whether ``collection_id`` names a draft's unit grids (``draft-{id}-unit-grids``)."""
    match = DRAFT_ID.fullmatch(collection_id)
    return match is not None and match.group(2) == "unit-grids"


def resolve(collection_id: str) -> Collection | points.PointCollection:
    """The published collection named ``collection_id``, else 404."""
    for collection in PUBLISHED:
        if collection.id == collection_id:
            return collection
    raise NotFound(f"没有集合 {collection_id[:60]} (no such collection)")
