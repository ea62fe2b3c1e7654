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

# what this codebase cannot count yet: the tracked-item engine (督办) and meetings live on another branch
NOT_WIRED = {"supervision": "督办事项（待接入督办引擎）", "meetings": "联席会议（待接入）"}


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
        "supervision": None,
        "meetings": None,
    }


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
            "四、督办事项与联席会议：（待接入，请手工填写）",
            "五、存在问题和下一步工作：",
        ]
    )
