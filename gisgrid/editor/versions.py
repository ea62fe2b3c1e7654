"""Publication, rollback, history and diff of boundary versions."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from gisgrid.db import unit_of_work
from gisgrid.editor import drafts, queries
from gisgrid.editor.validate import build_report
from gisgrid.errors import Conflict, InvalidInput, ValidationFailed
from gisgrid.grids import assignments
from gisgrid.grids import queries as grid_queries
from gisgrid.grids import versions as grid_versions


def publish_draft(session: Session, version_id: int, user: str, tolerance_m2: float = 1.0, unit_depths=()) -> dict:
    """Validate a draft and publish it in one transaction; errors block, warnings do not.

    The draft row is locked first, so no edit can slip in between validation and the switch.
    """
    with unit_of_work(session):
        queries.lock_version_row(session, version_id)
        draft = drafts.get_draft(session, version_id)
        _check_based_on_published(session, draft)
        report = build_report(session, version_id, tolerance_m2, unit_depths)
        if not report["ok"]:
            raise ValidationFailed(
                f"校验发现 {report['errors']} 个错误，不能发布 (validation errors block publishing)",
                details=report["problems"],
            )
        queries.rebuild_parts(session, version_id)
        grid_versions.publish(session, version_id)
    return {"version_id": version_id, "warnings": report["warnings"], "moved": moved_items(session, version_id)}


def _check_based_on_published(session: Session, draft) -> None:
    # a draft copied from an older publication would silently undo what was published since
    published = grid_versions.find_published(session)
    if published is not None and draft.based_on_id is not None and draft.based_on_id != published.id:
        raise Conflict(
            f"草稿 {draft.id} 基于版本 {draft.based_on_id}，但当前发布的是版本 {published.id}：发布它会撤销"
            f"之后的修改，请重新打开草稿 (the draft is based on an older publication)"
        )


def rollback_to(session: Session, version_id: int, user: str) -> int:
    """Publish a copy of an earlier version as a new version (history is never deleted)."""
    old = grid_versions.by_id(session, version_id)
    if old.status != "superseded":
        raise Conflict(
            f"只能回滚到已停用的历史版本，版本 {version_id} 的状态为 {old.status} (roll back to a superseded version)"
        )
    with unit_of_work(session):
        new_id = queries.new_version(
            session,
            f"回滚：恢复版本 {version_id}（{old.label}）",
            f"rollback to version {version_id}",
            version_id,
            user,
        )
        queries.copy_grids(session, version_id, new_id)
        grid_versions.publish(session, new_id)
    return new_id


def moved_items(session: Session, version_id: int) -> list[dict]:
    """Open items (cases, sources, ...) whose grid differs in ``version_id``, from every registered provider."""
    grid_versions.by_id(session, version_id)  # NotFound for an unknown id
    labels = {p.kind: p.label for p in assignments.providers()}
    items = [{**m.__dict__, "kind_label": labels.get(m.kind, m.kind)} for m in assignments.moved(session, version_id)]
    return items


def preview_moved(session: Session, version_id: int) -> list[dict]:
    """Before publishing: what would move (read only: every edit keeps the draft's lookup parts current)."""
    drafts.get_draft(session, version_id)
    return moved_items(session, version_id)


def moved_for(session: Session, version_id: int) -> list[dict]:
    """A draft's preview or a published version's list of moved items: the same query for both
    (the status was looked up only to check again, in ``preview_moved``, that a draft is a draft)."""
    return moved_items(session, version_id)


def reassign(session: Session, version_id: int, choices: dict) -> dict:
    """Move the chosen items to their grid in a published version (a person confirmed each)."""
    version = grid_queries.get_version(session, version_id)
    if version is None or version.status != "published":
        raise Conflict("只能按当前发布版本重新分派 (reassign to the published version only)")
    try:
        chosen = {str(k): [int(i) for i in v] for k, v in choices.items()}
    except (TypeError, ValueError):
        raise InvalidInput("应为 {类型: [编号, …]} (choices must map kinds to lists of ids)") from None
    return assignments.reassign(session, version_id, chosen)


def history(session: Session) -> list[dict]:
    """Every version with its dates, newest first."""
    rows = [
        {
            "id": v.id,
            "label": v.label,
            "status": v.status,
            "grids": n,
            "based_on": v.based_on_id,
            "created_by": v.created_by,
            "created_at": _iso(v.created_at),
            "published_at": _iso(v.published_at),
            "superseded_at": _iso(v.superseded_at),
        }
        for v, n in grid_queries.list_versions(session)
    ]
    return rows


def version_on(session: Session, day) -> dict:
    """The version that was published at the end of ``day`` (history map)."""
    version = grid_versions.on_day(session, day)
    result = {
        "id": version.id,
        "label": version.label,
        "published_at": _iso(version.published_at),
        "superseded_at": _iso(version.superseded_at),
    }
    return result


def _iso(value):
    return value.isoformat(timespec="seconds") if value else None


def diff(session: Session, a: int, b: int, tolerance_m2: float = 1.0) -> dict:
    """Grids added, removed, reshaped (with area change) and re-parented from version ``a`` to ``b``."""
    for vid in (a, b):
        grid_versions.by_id(session, vid)  # NotFound for an unknown id
    features, counts = [], {"added": 0, "removed": 0, "reshaped": 0, "reparented": 0}
    for row in queries.diff_rows(session, a, b):
        changes = _changes(row, tolerance_m2)
        for change in changes:
            counts[change] += 1
        if changes:
            props = {k: row[k] for k in ("code", "name", "level", "old_parent", "new_parent", "old_area", "new_area")}
            props.update(
                changes=changes,
                changed_m2=round(row["changed_m2"], 1),
                area_change_m2=round((row["new_area"] or 0) - (row["old_area"] or 0), 1),
            )
            features.append({"type": "Feature", "geometry": json.loads(row["geometry"]), "properties": props})
    return {"a": a, "b": b, "counts": counts, "type": "FeatureCollection", "features": features}


def _changes(row: dict, tolerance_m2: float) -> list[str]:
    if not row["in_a"]:
        return ["added"]
    if not row["in_b"]:
        return ["removed"]
    changes = ["reshaped"] if row["changed_m2"] > tolerance_m2 else []
    return changes + (["reparented"] if row["old_parent"] != row["new_parent"] else [])
