"""Validation of a draft before publishing: the import validator plus 五定 completeness."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gisgrid.grids import fields
from gisgrid.grids.exporter import version_frame
from gisgrid.grids.validation import ERROR, WARNING, Problem, validate_grids

# 五定 = 定区域、定人员、定职责、定任务、定奖惩 (the seeds' 网格化 plans): each 定 with the columns of the
# exported frame that fill it and their labels from the field registry. 区域 is the polygon itself.
WUDING = (
    ("定区域", (("geometry", "网格范围"),)),
    ("定人员", ((fields.EXPORT_NAMES["leader_name"], fields.LABELS["leader_name"]), ("staff", fields.STAFF_LABEL))),
    ("定职责", ((fields.EXPORT_NAMES["duties"], fields.LABELS["duties"]),)),
    ("定任务", ((fields.EXPORT_NAMES["tasks"], fields.LABELS["tasks"]),)),
    ("定奖惩", ((fields.EXPORT_NAMES["rewards_penalties"], fields.LABELS["rewards_penalties"]),)),
)
WUDING_COLUMNS = tuple(column for _, parts in WUDING for column, _ in parts)


def _blank(value) -> bool:
    if value is None or (isinstance(value, float) and value != value):
        return True
    if getattr(value, "is_empty", False):  # an empty polygon defines no 区域
        return True
    return isinstance(value, str | list | tuple) and str(value).strip() in ("", "[]")


def missing_wuding(record: dict) -> list[str]:
    """The 定 a grid record lacks, each with the missing parts: ['定人员（网格人员）', …]."""
    missing = []
    for name, parts in WUDING:
        lacking = [label for column, label in parts if _blank(record.get(column))]
        if lacking:
            missing.append(f"{name}（{'、'.join(lacking)}）")
    return missing


def wuding_problems(frame, points) -> list[Problem]:
    """A warning per grid that lacks one of the five 定 (区域、人员、职责、任务、奖惩)."""
    problems = []
    for i, record in enumerate(frame[["code", *WUDING_COLUMNS]].to_dict("records")):
        missing = missing_wuding(record)
        if missing:
            problems.append(
                Problem(
                    WARNING,
                    "incomplete_wuding",
                    f"“五定”不完整，缺少：{'；'.join(missing)}",
                    record["code"],
                    i,
                    location=points[i],
                )
            )
    return problems


def validate_version(session: Session, version_id: int, tolerance_m2: float = 1.0, unit_depths=()) -> dict:
    """Every problem of a version (errors block publishing, warnings do not), as a JSON-ready report."""
    return build_report(session, version_id, tolerance_m2, unit_depths)


def build_report(session: Session, version_id: int, tolerance_m2: float = 1.0, unit_depths=()) -> dict:
    """``validate_version`` inside the caller's transaction (publication validates under its lock)."""
    frame = version_frame(session, version_id)
    problems = validate_grids(frame, tolerance_m2=tolerance_m2, unit_depths=unit_depths)
    reps = frame.geometry.representative_point()
    problems += wuding_problems(frame, [(float(p.x), float(p.y)) for p in reps])
    names = dict(zip(frame["code"], frame["name"]))
    items = [{**p.to_dict(), "name": names.get(p.code)} for p in problems]
    errors = sum(p.severity == ERROR for p in problems)
    return {
        "version_id": version_id,
        "errors": errors,
        "warnings": len(problems) - errors,
        "ok": errors == 0,
        "problems": items,
    }
