"""Validation of a draft before publishing: the import validator plus 五定 completeness."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gisgrid.grids import fields
from gisgrid.grids.exporter import version_frame
from gisgrid.grids.validation import ERROR, WARNING, Problem, validate_grids

# 五定: each grid names its responsible entity, first responsible person, staff and a contact
# (column of the exported frame, label), both from the field registry
WUDING = (
    *((fields.EXPORT_NAMES[name], fields.LABELS[name]) for name in ("entity", "leader_name")),
    ("staff", fields.STAFF_LABEL),
    (fields.EXPORT_NAMES["contact_phone"], fields.LABELS["contact_phone"]),
)


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or str(value).strip() in ("", "[]")


def wuding_problems(frame, points) -> list[Problem]:
    """A warning per grid that lacks one of the 五定 items."""
    problems = []
    for i, record in enumerate(frame[["code", *(key for key, _ in WUDING)]].to_dict("records")):
        missing = [label for key, label in WUDING if _blank(record[key])]
        if missing:
            problems.append(
                Problem(
                    WARNING,
                    "incomplete_wuding",
                    f"“五定”不完整，缺少：{'、'.join(missing)}",
                    record["code"],
                    i,
                    location=points[i],
                )
            )
    return problems


def validate_version(session: Session, version_id: int, tolerance_m2: float = 1.0) -> dict:
    """Every problem of a version (errors block publishing, warnings do not), as a JSON-ready report."""
    return build_report(session, version_id, tolerance_m2)


def build_report(session: Session, version_id: int, tolerance_m2: float = 1.0) -> dict:
    """``validate_version`` inside the caller's transaction (publication validates under its lock)."""
    frame = version_frame(session, version_id)
    problems = validate_grids(frame, tolerance_m2=tolerance_m2)
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
