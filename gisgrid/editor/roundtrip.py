"""Round trip with desktop GIS: a draft out to GeoPackage, an edited GeoPackage back in after a change preview."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from gisgrid.db import unit_of_work
from gisgrid.editor import drafts, queries
from gisgrid.editor.workset import area_m2
from gisgrid.errors import Conflict, ValidationFailed
from gisgrid.grids import service as grid_service
from gisgrid.grids.exporter import export_version, version_gpkg
from gisgrid.grids.fields import COMPARED  # the attributes whose change the preview lists
from gisgrid.grids.reader import read_grids
from gisgrid.grids.validation import validate_grids


def export_draft(session: Session, version_id: int) -> bytes:
    """The version as GeoPackage bytes (layer ``grids``, the standard import schema)."""
    return version_gpkg(session, version_id)


def _frame_of_draft(session: Session, version_id: int):
    # the draft goes through the same writer and reader as the upload, so both sides compare alike
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "current.gpkg"
        export_version(session, str(path), version_id)
        return read_grids(str(path))


def _value(v):
    if isinstance(v, float) and v != v:
        return None
    return json.dumps(v, ensure_ascii=False, sort_keys=True) if isinstance(v, (list, dict)) else v


def compare(current, edited, tolerance_m2: float) -> list[dict]:
    """Per grid code: added, removed, reshaped (with areas) and the attributes that changed."""
    old = {r["code"]: (r, g) for r, g in zip(current.to_dict("records"), current.geometry)}
    new = {r["code"]: (r, g) for r, g in zip(edited.to_dict("records"), edited.geometry)}
    changes = []
    for code in sorted(set(old) | set(new), key=str):
        if code not in old or code not in new:
            record, geom = new.get(code) or old[code]
            changes.append(
                {
                    "code": code,
                    "name": record["name"],
                    "change": "added" if code in new else "removed",
                    "area_m2": round(area_m2(geom), 1),
                }
            )
            continue
        (o, og), (n, ng) = old[code], new[code]
        moved = _moved_area(og, ng)
        fields = [f for f in COMPARED if f in o and _value(o[f]) != _value(n.get(f))]
        if moved > tolerance_m2 or fields:
            changes.append(
                {
                    "code": code,
                    "name": n["name"],
                    "change": "changed",
                    "fields": fields,
                    "reshaped_m2": round(moved, 1),
                    "area_before_m2": round(area_m2(og), 1),
                    "area_after_m2": round(area_m2(_valid(ng)), 1),
                }
            )
    return changes


def _valid(geom):
    # an invalid shape in the file is reported by validation; the preview still needs an area for it
    return shapely.make_valid(geom) if geom is not None and not shapely.is_valid(geom) else geom


def _moved_area(old, new) -> float:
    """Area between the stored and the edited shape (m²); a missing edited shape counts all of the old one."""
    if new is None or shapely.is_empty(new):
        return area_m2(old)
    if old.equals_exact(new, 1e-10):
        return 0.0
    return area_m2(shapely.symmetric_difference(old, _valid(new)))


def import_upload(
    session: Session,
    version_id: int,
    path: Path,
    user: str,
    stamp: str | None = None,
    tolerance_m2: float = 1.0,
    repair: grid_service.RepairLimits | None = None,
    unit_depths: tuple[int, ...] = (),
) -> dict:
    """Preview what an edited GeoPackage (at ``path``) changes in a draft; with the preview's ``stamp``, apply it.

    With ``repair`` (修复) the file is repaired first (gisgrid.grids.repair); the preview then carries the
    repair report as GeoJSON (before/after outlines, slivers) and applying records the limits on the draft.
    """
    drafts.get_draft(session, version_id)
    edited = read_grids(str(path))
    report = None
    if repair is not None:
        edited, report = grid_service.repair_frame(edited, repair)
    digest = grid_service.file_digest(str(path))
    problems = [p.to_dict() for p in validate_grids(edited, tolerance_m2=tolerance_m2, unit_depths=unit_depths)]
    errors = sum(p["severity"] == "error" for p in problems)
    changes = compare(_frame_of_draft(session, version_id), edited, tolerance_m2)
    # the limits are part of the stamp: a preview repaired with other limits cannot be applied
    limits = f"{repair.snap_m!r}:{repair.max_gap_width_m!r}" if repair else "as-is"
    current = hashlib.sha256(f"{queries.touch_stamp(session, version_id)}:{digest}:{limits}".encode()).hexdigest()
    result = {
        "version_id": version_id,
        "changes": changes,
        "errors": errors,
        "problems": problems,
        "stamp": current,
        "applied": False,
        "repair": report.geojson() if report else None,
    }
    if stamp is None:
        return result
    if stamp != current:
        raise Conflict("草稿在预览之后已被修改（或文件不同），请重新预览 (the draft changed since the preview)")
    if errors:
        raise ValidationFailed(
            f"文件校验有 {errors} 个错误，未导入 (validation failed: nothing was written)", details=problems
        )
    _replace(session, version_id, edited, user, report.metadata() if report else None)
    return {**result, "applied": True}


def _replace(session: Session, version_id: int, frame, user: str, repair: dict | None) -> None:
    with unit_of_work(session):
        queries.lock_version_row(session, version_id)
        if repair is not None:  # nothing is repaired silently: the draft says so until it is published
            session.execute(
                text("UPDATE boundary_version SET repair = CAST(:r AS jsonb) WHERE id = :v"),
                {"r": json.dumps(repair, ensure_ascii=False), "v": version_id},
            )
        counter = session.scalar(
            text("SELECT coalesce(max(lock_version), 0) + 1 FROM grid WHERE version_id = :v"), {"v": version_id}
        )
        session.execute(text("DELETE FROM grid WHERE version_id = :v"), {"v": version_id})
        session.execute(text("DELETE FROM unit_grid WHERE version_id = :v"), {"v": version_id})
        grid_service.write_grids(session, version_id, frame)
        # every planner's counters become stale: an edit based on the pre-import draft must be redone
        session.execute(
            text("UPDATE grid SET lock_version = :n, edited_by = :u, edited_at = now() WHERE version_id = :v"),
            {"n": counter, "u": user, "v": version_id},
        )
