"""The duty matrix: incident category → responsible departments and deadline (editable, importable)."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth.models import Department
from gisgrid.auth.service import ensure_department
from gisgrid.db import unit_of_work
from gisgrid.deployment import Profile, from_env
from gisgrid.errors import InvalidInput, NotFound
from gisgrid.incidents.models import IncidentCategory

MAX_FILE_BYTES = 1024 * 1024  # a matrix import (CSV/JSON) is a few KB; larger is refused (413)

FINDING_DEFAULT = "other"  # a violation found on inspection whose finding names no category
NEW_SOURCE = "new_source"  # the category whose cases lead to registering a pollution source


def categories(session: Session, active_only: bool = True) -> list[IncidentCategory]:
    """The categories by code."""
    stmt = select(IncidentCategory).order_by(IncidentCategory.code)
    if active_only:
        stmt = stmt.where(IncidentCategory.active)
    return list(session.scalars(stmt))


def category(session: Session, code: str) -> IncidentCategory:
    """One active category or NotFound."""
    found = session.get(IncidentCategory, code or "")
    if found is None or not found.active:
        raise NotFound(f"未知的事件类别 {code!r} (unknown category)")
    return found


def upsert(session: Session, rows: list[dict]) -> int:
    """Insert or update categories from rows {code, name, departments, deadline_days}; all or nothing; commits."""
    with unit_of_work(session):
        known = set(session.scalars(select(Department.code)))
        cleaned = [_clean_row(i, row, known) for i, row in enumerate(rows, 1)]
        for row in cleaned:
            existing = session.get(IncidentCategory, row["code"])
            if existing is None:
                session.add(IncidentCategory(**row))
            else:
                for key, value in row.items():
                    setattr(existing, key, value)
    return len(cleaned)


def _clean_row(number: int, row: dict, known: set[str]) -> dict:
    code, name = str(row.get("code") or "").strip(), str(row.get("name") or "").strip()
    depts = row.get("departments") or row.get("department_codes") or []
    if isinstance(depts, str):
        depts = [d.strip() for d in depts.replace(";", "|").split("|") if d.strip()]
    try:
        days = int(row.get("deadline_days"))
    except (TypeError, ValueError):
        days = 0
    if not code or not name or not depts or days <= 0:
        raise InvalidInput(
            f"第 {number} 行：需要 code、name、departments 和正整数 deadline_days (row {number} invalid)"
        )
    unknown = [d for d in depts if d not in known]
    if unknown:
        raise InvalidInput(f"第 {number} 行：未知部门 {', '.join(unknown)} (unknown department)")
    active = str(row.get("active", "true")).strip().lower() not in ("false", "0", "no")
    return {
        "code": code,
        "name": name,
        "department_codes": list(depts),
        "deadline_days": days,
        "description": row.get("description") or None,
        "active": active,
    }


def parse_file(name: str, text: str) -> list[dict]:
    """Rows from a JSON array or a CSV (departments separated by '|')."""
    if name.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidInput(f"JSON 无法解析: {err}") from None
        if not isinstance(data, list):
            raise InvalidInput("JSON 需要是类别对象的数组 (expected an array)")
        return data
    return list(csv.DictReader(io.StringIO(text)))


def load_demo(session: Session, profile: Profile | None = None) -> int:
    """Create the profile's departments and duty matrix (idempotent); returns the number of categories.

    The departments and categories come from the deployment profile (deployments/<place>.toml), so each
    place gets the departments its plan names; None means the GISGRID_DEPLOYMENT profile.
    """
    profile = profile or from_env()
    with unit_of_work(session):  # departments and categories together
        for dept in profile.departments:
            ensure_department(session, dept.code, dept.name)
        rows = [
            {"code": c.code, "name": c.name, "departments": list(c.departments), "deadline_days": c.deadline_days}
            for c in profile.matrix
        ]
        return upsert(session, rows)


def departments(session: Session) -> list[Department]:
    """Every department by code."""
    return list(session.scalars(select(Department).order_by(Department.code)))
