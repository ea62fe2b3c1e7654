"""The figures of a work report, read from the data of one grid (and everything inside it) for one period."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import any_, func, select
from sqlalchemy.orm import Session

from gisgrid.clock import CHINA_TZ
from gisgrid.grids import versions as grid_versions
from gisgrid.incidents import queries as incident_queries
from gisgrid.incidents.kpi import _summarise as summarise_cases  # the one definition of the case KPIs
from gisgrid.patrols import queries as patrol_queries
from gisgrid.sources.models import Inspection, PollutionSource
from gisgrid.supervision.models import Meeting
from gisgrid.tracking.models import TrackedItem


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time(), CHINA_TZ), datetime.combine(end + timedelta(days=1), time(), CHINA_TZ)


def compute(session: Session, code: str, start: date, end: date) -> dict:
    """Cases, inspections (双随机 among them), patrols of the grid in [start, end]; unwired parts are None."""
    lo, hi = _bounds(start, end)
    cases = summarise_cases(code, [c for c in incident_queries.kpi_rows(session, lo, hi) if code in c.grid_codes])
    inspections = session.execute(
        select(func.count(Inspection.id), func.count(Inspection.draw_id), func.count().filter(Inspection.violation))
        .join(PollutionSource, PollutionSource.id == Inspection.source_id)
        .where(any_(PollutionSource.grid_codes) == code, Inspection.inspected_on.between(start, end))
    ).one()
    version = grid_versions.find_published(session)
    tracks = patrol_queries.tracks_in(session, lo, hi, version.id, [code]) if version else []
    return {
        "cases_reported": cases["reported"],
        "cases_registered": cases["registered"],
        "cases_handled": cases["handled"],
        "cases_closed": cases["closed"],
        "case_on_time_rate": cases["on_time_rate"],
        "inspections": inspections[0],
        "random_inspections": inspections[1],
        "violations": inspections[2],
        "patrols": len(tracks),
        "patrol_km": round(sum(t.length_m for t, _ in tracks) / 1000, 1),
        "supervision": _supervision(session, code, start, end),
        "meetings": _meetings(session, code, start, end),
    }


def _supervision(session: Session, code: str, start: date, end: date) -> dict:
    """督办 owned in the grid (or below): opened in the period, accepted in it, overdue and open at its end."""
    lo, hi = _bounds(start, end)
    inside = (TrackedItem.kind == "duban", any_(TrackedItem.chain) == code)
    opened, closed, overdue = session.execute(
        select(
            func.count().filter(TrackedItem.opened_on.between(start, end)),
            func.count().filter(
                TrackedItem.state == "accepted", TrackedItem.closed_at >= lo, TrackedItem.closed_at < hi
            ),
            func.count().filter(TrackedItem.state != "accepted", TrackedItem.due < end, TrackedItem.opened_on <= end),
        ).where(*inside)
    ).one()
    return {"opened": opened, "closed": closed, "overdue": overdue}


def _meetings(session: Session, code: str, start: date, end: date) -> dict:
    """联席会议 of the grid held in the period, and the decisions they made (tracked items)."""
    held = session.scalars(select(Meeting.id).where(Meeting.grid_code == code, Meeting.held_on.between(start, end)))
    ids = [str(i) for i in held]
    decisions = (
        session.scalar(
            select(func.count(TrackedItem.id)).where(TrackedItem.about_kind == "meeting", TrackedItem.about_id.in_(ids))
        )
        if ids
        else 0
    )
    return {"held": len(ids), "decisions": decisions}


def draft_text(grid_name: str, label: str, f: dict) -> str:
    """The report's first text, in the words of a 工作总结, for the grid to edit before submitting."""
    rate = "—" if f["case_on_time_rate"] is None else f"{f['case_on_time_rate'] * 100:.1f}%"
    return "\n".join(
        [
            f"{grid_name}{label}网格化环境监管工作报告",
            f"一、案件办理：受理上报 {f['cases_reported']} 件，立案 {f['cases_registered']} 件，"
            f"处置反馈 {f['cases_handled']} 件，结案 {f['cases_closed']} 件，按期处置率 {rate}。",
            f"二、污染源检查：检查 {f['inspections']} 次，其中双随机抽查 {f['random_inspections']} 次，"
            f"发现违法行为 {f['violations']} 起。",
            f"三、网格巡查：巡查 {f['patrols']} 次，累计 {f['patrol_km']} 公里。",
            f"四、督办事项：新开督办 {f['supervision']['opened']} 件，验收办结 {f['supervision']['closed']} 件，"
            f"期末逾期未结 {f['supervision']['overdue']} 件；召开联席会议 {f['meetings']['held']} 次，"
            f"形成决定事项 {f['meetings']['decisions']} 项。",
            "五、存在问题和下一步工作：",
        ]
    )
