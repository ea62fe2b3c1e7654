"""KPIs per grid, department and period (definitions in docs/incidents.md)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth.models import Department
from gisgrid.cells import safe_dict
from gisgrid.clock import CHINA_TZ as CHINA
from gisgrid.clock import today_in_china
from gisgrid.errors import InvalidInput
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid
from gisgrid.incidents import queries
from gisgrid.incidents.deadlines import working_days_between
from gisgrid.incidents.models import OUTCOMES

COLUMNS = (
    "key",
    "name",
    "reported",
    "registered",
    "handled",
    "closed",
    "registration_rate",
    "on_time_rate",
    "closure_rate",
    "rework_rate",
    "mean_handling_days",
    "resolved",
    "partial",
    "unresolved",
    "fix_rate",
)


def period(start: str | None, end: str | None) -> tuple[date, date]:
    """Parse ``from``/``to`` (YYYY-MM-DD, inclusive); default: the last 365 days."""
    try:
        return span(date.fromisoformat(start) if start else None, date.fromisoformat(end) if end else None)
    except ValueError:
        raise InvalidInput("日期格式应为 YYYY-MM-DD (dates must be YYYY-MM-DD)") from None


def span(start: date | None, end: date | None) -> tuple[date, date]:
    """The inclusive days ``start``..``end``; a missing end is today (China), a missing start 364 days before it."""
    end_day = end or today_in_china()
    try:
        start_day = start or end_day - timedelta(days=364)
    except OverflowError:  # ?to=0001-01-01 has no year before it
        raise InvalidInput(
            "to: 日期过早，请同时给出 from (to is too early without from)", {"to": ["too early"]}
        ) from None
    if start_day > end_day:
        raise InvalidInput("开始日期晚于结束日期 (from is after to)")
    return start_day, end_day


def _keys(incident, by: str, at_level: set[tuple[int, str]]) -> list[str]:
    if by == "department":
        return list(incident.department_codes) or ["（未派遣）"]
    # the chain's grid whose stored level is asked for: no assumption about where a chain starts
    return [c for c in incident.grid_codes if (incident.version_id, c) in at_level][:1]


def _at_level(session: Session, rows: list, level: int) -> set[tuple[int, str]]:
    """(version id, code) of the cases' chain grids that sit at ``level``."""
    versions = {r.version_id for r in rows}
    codes = {c for r in rows for c in r.grid_codes}
    if not codes:
        return set()
    stmt = select(Grid.version_id, Grid.code).where(
        Grid.level == level, Grid.version_id.in_(versions), Grid.code.in_(codes)
    )
    return {(v, c) for v, c in session.execute(stmt)}


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _summarise(key: str, cases: list) -> dict:
    registered = [c for c in cases if c.registered_at is not None]
    handled = [c for c in cases if c.handled_at is not None]
    on_time = [c for c in handled if c.deadline and c.handled_at.astimezone(CHINA).date() <= c.deadline]
    closed = [c for c in registered if c.state in ("closed", "evaluated")]
    days = [
        working_days_between(c.dispatched_at.astimezone(CHINA).date(), c.handled_at.astimezone(CHINA).date())
        for c in handled
        if c.dispatched_at
    ]
    return {
        "key": key,
        "reported": len(cases),
        "registered": len(registered),
        "handled": len(handled),
        "closed": len(closed),
        "registration_rate": _ratio(len(registered), len(cases)),
        "on_time_rate": _ratio(len(on_time), len(handled)),
        "closure_rate": _ratio(len(closed), len(registered)),
        "rework_rate": _ratio(sum(1 for c in handled if c.rework_count), len(handled)),
        "mean_handling_days": round(sum(days) / len(days), 2) if days else None,
        **_outcomes(closed),
    }


def _outcomes(closed: list) -> dict:
    # the fix rate counts only 已解决 among closed cases that carry an outcome (cases closed before
    # migration 0015_notify have none): a 部分解决 or 未解决 closure is not a fix
    counts = {key: sum(1 for c in closed if c.outcome == key) for key in OUTCOMES}
    return {**counts, "fix_rate": _ratio(counts["resolved"], sum(counts.values()))}


def compute(session: Session, start: date, end: date, by: str = "grid", level: int = 2) -> list[dict]:
    """One KPI row per grid code (at ``level``) or per department, for cases reported in the period."""
    if by not in ("grid", "department") or not 1 <= level <= 10:
        raise InvalidInput("by 只能是 grid 或 department (by must be grid or department)")
    lo = datetime.combine(start, time.min, CHINA)
    rows = queries.kpi_rows(session, lo, datetime.combine(end + timedelta(days=1), time.min, CHINA))
    at_level = _at_level(session, rows, level) if by == "grid" else set()
    groups: dict[str, list] = defaultdict(list)
    for incident in rows:
        for key in _keys(incident, by, at_level):
            groups[key].append(incident)
    names = _names(session, by, list(groups))
    return [{**_summarise(key, cases), "name": names.get(key, key)} for key, cases in sorted(groups.items())]


def _names(session: Session, by: str, keys: list[str]) -> dict[str, str]:
    if by == "department":
        return {d.code: d.name for d in session.scalars(select(Department).where(Department.code.in_(keys)))}
    version = grid_versions.find_published(session)
    if version is None:
        return {}
    return dict(
        session.execute(select(Grid.code, Grid.name).where(Grid.version_id == version.id, Grid.code.in_(keys))).all()
    )


def to_csv(rows: list[dict]) -> str:
    """The KPI table as CSV (UTF-8 with BOM so that spreadsheet programs show Chinese)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(safe_dict(row) for row in rows)
    return "\ufeff" + out.getvalue()


def choropleth(session: Session, start: date, end: date, level: int = 2) -> dict:
    """A FeatureCollection of the grids of ``level`` with their KPIs in the properties."""
    version = grid_versions.find_published(session)
    if version is None:
        return {"type": "FeatureCollection", "features": []}
    stats = {row["key"]: row for row in compute(session, start, end, "grid", level)}
    features = []
    for shape in queries.grid_shapes(session, version.id, level):
        props = {"code": shape["code"], "name": shape["name"], **(stats.get(shape["code"]) or {"reported": 0})}
        features.append({"type": "Feature", "geometry": shape["geometry"], "properties": props})
    return {"type": "FeatureCollection", "features": features}


def shapes(session: Session, level: int) -> dict:
    """The simplified grids of one level of the published version as a FeatureCollection."""
    version = grid_versions.find_published(session)
    rows = queries.grid_shapes(session, version.id, level) if version else []
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": r["geometry"], "properties": {"code": r["code"], "name": r["name"]}}
            for r in rows
        ],
    }
