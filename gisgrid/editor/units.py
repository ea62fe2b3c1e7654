"""Editing a draft's 重点监管单元网格: list, create or change (attributes and outline), delete.

A unit grid is an overlay: it is designated by a grid of the draft (``parent_code``), takes that
grid's level (the level that supervises it) and must lie inside it; it never changes the tiling.
Each change quotes the unit grid's lock counter (``lock_version``; none for a new one), so a change
made by someone else in between is a 409 and nothing is saved.
"""

from __future__ import annotations

import shapely
from shapely.errors import ShapelyError
from shapely.geometry import shape
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gisgrid.db import unit_of_work
from gisgrid.editor import drafts, queries
from gisgrid.editor.edits import ATTRIBUTES, _flag, _text
from gisgrid.errors import Conflict, InvalidInput, NotFound, ValidationFailed
from gisgrid.grids import fields
from gisgrid.grids import queries as grid_queries
from gisgrid.grids import units as grid_units
from gisgrid.grids.models import UnitGrid
from gisgrid.sqlfiles import statement

_PKG = "gisgrid.editor"
# a drawn outline up to this share outside its designating grid (snapped onto its edge) is clipped to it;
# more is a mistake the planner must see
CLIP_SHARE = 0.05


def unit_geojson(session: Session, version_id: int) -> str:
    """Every unit grid of a version with all attributes and its lock counter, as GeoJSON text."""
    if grid_queries.get_version(session, version_id) is None:
        raise NotFound(f"边界版本 {version_id} 不存在 (no boundary version {version_id})")
    return session.execute(
        statement(_PKG, "unit_grids_geojson.sql", **fields.SQL_FILLS), {"version_id": version_id}
    ).scalar_one()


def save_unit(
    session: Session, version_id: int, code: str, user: str, body: dict, tolerance_m2: float = 1.0, unit_depths=()
) -> dict:
    """Create (no ``lock_version``) or change a draft's unit grid; returns its code and new lock counter.

    ``unit_depths``: the levels the profile lets designate unit grids (empty: any).
    """
    with unit_of_work(session, conflict=f"单元网格 {code} 已存在 (unit grid {code} exists)"):
        queries.lock_version_row(session, version_id)
        drafts.get_draft(session, version_id)
        unit = _current(session, version_id, code, body.get("lock_version"))
        values = _values(body, unit)
        wkb = _outline(body.get("geometry")) if "geometry" in body or unit is None else None
        level, wkb = _check_inside(session, version_id, values["parent_code"], wkb, unit, tolerance_m2)
        refused = grid_units.designation_refused(values["parent_code"], level, unit_depths)
        if refused:
            raise ValidationFailed(f"parent_code: {refused}")
        if unit is None:
            grid_units.insert_units(session, version_id, [{**values, "code": code, "level": level, "wkb": wkb}])
            unit = _current(session, version_id, code, 0)
        else:
            _update(session, unit, values, level, wkb)
        unit.lock_version, unit.edited_by = unit.lock_version + 1, user
        session.flush()
        session.refresh(unit)
        return {"code": code, "lock_version": unit.lock_version}


def delete_unit(session: Session, version_id: int, code: str, lock_version) -> None:
    """Remove a unit grid from a draft (quoting its lock counter)."""
    with unit_of_work(session):
        queries.lock_version_row(session, version_id)
        drafts.get_draft(session, version_id)
        unit = _current(session, version_id, code, lock_version)
        if unit is None:
            raise InvalidInput("删除需要 lock_version (lock_version is required to delete)")
        session.execute(delete(UnitGrid).where(UnitGrid.id == unit.id))


def _current(session: Session, version_id: int, code: str, lock_version) -> UnitGrid | None:
    """The unit grid being changed (None for a new one); 409 when its counter moved on, 404 when it is gone."""
    unit = session.scalar(
        select(UnitGrid).where(UnitGrid.version_id == version_id, UnitGrid.code == code).with_for_update()
    )
    if lock_version is None:
        if unit is not None:
            raise Conflict(f"单元网格 {code} 已存在，修改时请给出 lock_version (unit grid exists: give lock_version)")
        return None
    if isinstance(lock_version, bool) or not isinstance(lock_version, int):
        raise InvalidInput("lock_version 应为整数 (lock_version must be an integer)")
    if unit is None:
        raise NotFound(f"草稿中没有单元网格 {code} (no unit grid {code} in the draft)")
    if unit.lock_version != lock_version:
        raise Conflict(
            f"单元网格 {code} 已被 {unit.edited_by or '他人'} 修改，请刷新后重做 (changed by someone else since)"
        )
    return unit


def _values(body: dict, unit: UnitGrid | None) -> dict:
    """The attributes after the change: given ones validated by the registry's rules, others kept."""
    unknown = set(body) - {*ATTRIBUTES, "parent_code", "geometry", "lock_version"}
    if unknown:
        raise InvalidInput(f"未知字段：{'、'.join(sorted(unknown))} (unknown fields)")
    out = {}
    for name in (*ATTRIBUTES, "parent_code"):
        if name in body:
            kind = fields.BY_NAME[name].kind
            out[name] = _flag(body[name], name) if kind == "flag" else _text(body[name], name)
        else:
            out[name] = getattr(unit, name) if unit is not None else fields.BOOL_DEFAULTS.get(name)
    for required in ("name", "parent_code"):
        if not out[required]:
            raise InvalidInput(f"{required}: 必填 (required)")
    return out


def _outline(geometry) -> bytes:
    """A GeoJSON (Multi)Polygon in WGS84 as WKB, refused when it is not one or is invalid."""
    try:
        geom = shape(geometry)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError, ShapelyError):
        raise InvalidInput("geometry: 应为 GeoJSON 多边形 (must be a GeoJSON Polygon or MultiPolygon)") from None
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise InvalidInput("geometry: 应为 GeoJSON 多边形 (must be a GeoJSON Polygon or MultiPolygon)")
    if not geom.is_valid:
        raise InvalidInput(f"geometry: 几何无效 (invalid: {shapely.is_valid_reason(geom)})")
    return shapely.to_wkb(geom)


def _check_inside(session, version_id, parent_code, wkb, unit, tolerance_m2) -> tuple[int, bytes | None]:
    """The designating grid's level and the outline to store (clipped to that grid when it overshoots a little).

    422 when that grid does not exist or the outline lies more than ``CLIP_SHARE`` outside it.
    """
    drawn = (
        wkb if wkb is not None else session.scalar(select(UnitGrid.geom.ST_AsBinary()).where(UnitGrid.id == unit.id))
    )
    row = session.execute(
        statement(_PKG, "unit_outside.sql"), {"version_id": version_id, "parent_code": parent_code, "wkb": bytes(drawn)}
    ).first()
    if row is None:
        raise ValidationFailed(f"parent_code: 草稿中没有网格 {parent_code} (no grid {parent_code} in the draft)")
    if row.outside_m2 <= tolerance_m2:
        return row.level, wkb
    if wkb is None or row.outside_m2 > CLIP_SHARE * row.drawn_m2:
        raise ValidationFailed(
            f"geometry: 单元网格超出划定它的网格 {parent_code} {row.outside_m2:.1f} 平方米 "
            f"(the unit grid must lie inside grid {parent_code})"
        )
    return row.level, bytes(row.clipped)


def _update(session: Session, unit: UnitGrid, values: dict, level: int, wkb: bytes | None) -> None:
    for name, value in values.items():
        setattr(unit, name, value)
    unit.level, unit.edited_at = level, func.now()
    if wkb is not None:
        unit.geom = func.ST_Multi(func.ST_GeomFromWKB(wkb, 4326))
        session.flush()
        grid_units.measure(session, unit.version_id)
