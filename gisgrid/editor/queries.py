"""SQL of the editor: copying versions, loading and writing draft grids, diffs."""

from __future__ import annotations

from sqlalchemy import delete, exists, func, insert, select, text, update
from sqlalchemy.orm import Session, aliased

from gisgrid.grids import fields
from gisgrid.grids.models import BoundaryVersion, Grid, GridPart, GridStaff
from gisgrid.sqlfiles import statement, statements

_PKG = "gisgrid.editor"
_BUILD = ("gisgrid.grids", "build_version.sql")  # [link parents, ancestors + areas, subdivided parts]


def new_version(session: Session, label: str, source: str, based_on: int | None, user: str | None) -> int:
    """Insert an empty draft version and return its id."""
    return session.execute(
        insert(BoundaryVersion)
        .values(label=label, source=source, status="draft", based_on_id=based_on, created_by=user)
        .returning(BoundaryVersion.id)
    ).scalar_one()


def copy_grids(session: Session, source_id: int, new_id: int) -> None:
    """Copy grids, staff, lookup parts and unit grids of one version into another, linked as they were."""
    for stmt in statements(_PKG, "copy_version.sql", **fields.SQL_FILLS):
        session.execute(stmt, {"source_id": source_id, "new_id": new_id})


def lock_version_row(session: Session, version_id: int) -> BoundaryVersion | None:
    """The version row locked FOR UPDATE: edits of one draft run one after the other."""
    return session.scalars(
        select(BoundaryVersion)
        .where(BoundaryVersion.id == version_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def drafts(session: Session) -> list[BoundaryVersion]:
    """Every draft version, newest first."""
    return list(
        session.scalars(
            select(BoundaryVersion).where(BoundaryVersion.status == "draft").order_by(BoundaryVersion.id.desc())
        )
    )


def load_grids(session: Session, version_id: int, where) -> list[tuple]:
    """(id, code, name, level, parent_code, lock_version, edited_by, edited_at, wkb, has_children) of some grids."""
    child = aliased(Grid)
    has_children = exists().where(child.parent_id == Grid.id)  # parent_id is indexed and kept current by edits
    return [
        tuple(r)
        for r in session.execute(
            select(
                Grid.id,
                Grid.code,
                Grid.name,
                Grid.level,
                Grid.parent_code,
                Grid.lock_version,
                Grid.edited_by,
                Grid.edited_at,
                func.ST_AsBinary(Grid.geom),
                has_children,
            ).where(Grid.version_id == version_id, where)
        )
    ]


def by_codes(codes: list[str]):
    """Filter for ``load_grids``: these codes."""
    return Grid.code.in_(codes)


def by_parent(version_id: int, code: str | None):
    """Filter for ``load_grids``: the children of ``code`` (top-level grids for None), through indexed parent_id."""
    if code is None:
        return Grid.parent_id.is_(None)
    parent = aliased(Grid)
    return (
        Grid.parent_id
        == select(parent.id).where(parent.version_id == version_id, parent.code == code).scalar_subquery()
    )


def by_bbox(xmin: float, ymin: float, xmax: float, ymax: float):
    """Filter for ``load_grids``: grids whose bounding box meets this one (the index narrows, shapely decides)."""
    return Grid.geom.op("&&")(func.ST_MakeEnvelope(xmin, ymin, xmax, ymax, 4326))


def update_grid(session: Session, grid_id: int, values: dict, wkb: bytes | None) -> None:
    """Write one grid's changed columns (and geometry, when given)."""
    if wkb is not None:
        values = {**values, "geom": func.ST_Multi(func.ST_GeomFromWKB(wkb, 4326))}
    session.execute(update(Grid).where(Grid.id == grid_id).values(**values))


def delete_grids(session: Session, ids: list[int]) -> None:
    """Delete grids (their staff and parts go with them)."""
    if ids:
        session.execute(delete(Grid).where(Grid.id.in_(ids)))


def refresh_edited(session: Session, version_id: int, relink: list[int], reshaped: list[int]) -> None:
    """Parent links and ancestors of new/re-parented grids, areas and lookup parts of reshaped ones."""
    for stmt in statements(_PKG, "edited_grids.sql"):
        session.execute(stmt, {"version_id": version_id, "relink": relink, "reshaped": reshaped})


def rebuild_parts(session: Session, version_id: int) -> None:
    """Subdivide the version's grids anew for point lookups."""
    session.execute(delete(GridPart).where(GridPart.version_id == version_id))
    session.execute(statements(*_BUILD)[2], {"version_id": version_id})


def grids_geojson(session: Session, version_id: int) -> str:
    """The version's grids as a GeoJSON FeatureCollection (text)."""
    return session.scalar(statement(_PKG, "grids_geojson.sql", **fields.SQL_FILLS), {"version_id": version_id})


def diff_rows(session: Session, a: int, b: int) -> list[dict]:
    """Grids of two versions matched by code (see sql/diff.sql)."""
    return [dict(r._mapping) for r in session.execute(statement(_PKG, "diff.sql"), {"a": a, "b": b})]


def replace_staff(session: Session, grid_id: int, people: list[dict]) -> None:
    """Replace a grid's staff list."""
    session.execute(delete(GridStaff).where(GridStaff.grid_id == grid_id))
    if people:
        session.execute(insert(GridStaff), [{"grid_id": grid_id, "position": i, **p} for i, p in enumerate(people)])


def touch_stamp(session: Session, version_id: int) -> str:
    """A fingerprint of every grid's lock counter: changes whenever anything in the draft is edited."""
    return session.scalar(
        text(
            "SELECT md5(coalesce(string_agg(code || ':' || lock_version, ',' ORDER BY code), '') "
            "|| count(*)) FROM grid WHERE version_id = :v"
        ),
        {"v": version_id},
    )
