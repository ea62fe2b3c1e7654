"""The 督查 check template: what an upper grid checks in a lower one, with the items computed from the data.

"上级网格要不定期对下级网格运行情况…进行抽查": 五定 complete, patrols done, inspections on time, cases
handled. The checker confirms or overrides each computed verdict and adds a note; the computed figures
stay stored beside the verdict, so a 通报 shows both.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from gisgrid import sqlfiles
from gisgrid.grids import versions as grid_versions
from gisgrid.sources import queries as source_queries

LOOKBACK_DAYS = 90  # patrols and cases: the last quarter before the check
TEMPLATE = {
    "wuding": "五定信息完整（定人员、定职责、定任务、定奖惩）",
    "patrols": "按要求开展巡查（近一季度巡查覆盖下级网格）",
    "inspections": "污染源按频次检查（无超期未查）",
    "cases": "案件按期办理（无超期未办结案件）",
}


def _indicators(session: Session, code: str, today: date) -> dict:
    version = grid_versions.find_published(session)
    if version is None:
        return {}
    params = {"v": version.id, "code": code, "since": today - timedelta(days=LOOKBACK_DAYS), "today": today}
    row = session.execute(sqlfiles.statement("gisgrid.supervision", "check_indicators.sql"), params).one()
    return dict(row._mapping)


def _inspections(session: Session, code: str, today: date) -> tuple[int, int]:
    rows = [r for r in source_queries.due_rows(session, today, 0) if code in (r["grid_codes"] or ())]
    return len(rows), sum(1 for r in rows if r["status"] == "overdue")


def compute(session: Session, code: str, today: date) -> list[dict]:
    """The template's items for grid ``code`` on ``today``: label, computed text and a proposed verdict."""
    n = _indicators(session, code, today)
    sources, late = _inspections(session, code, today)
    grids, done = n.get("grids", 0), n.get("wuding_complete", 0)
    leaves, covered = n.get("leaves", 0), n.get("leaves_patrolled", 0)
    return [
        _item("wuding", f"{done}/{grids} 个网格五定信息完整", grids > 0 and done == grids),
        _item(
            "patrols",
            f"近{LOOKBACK_DAYS}天巡查 {n.get('patrols', 0)} 次，覆盖 {covered}/{leaves} 个网格",
            leaves > 0 and covered == leaves,
        ),  # fmt: skip
        _item("inspections", f"{sources} 个污染源，{late} 个超期未检查", late == 0),
        _item(
            "cases",
            f"近{LOOKBACK_DAYS}天案件 {n.get('cases', 0)} 件，办结 {n.get('cases_closed', 0)} 件，"
            f"超期未办结 {n.get('cases_overdue', 0)} 件",
            n.get("cases_overdue", 0) == 0,
        ),  # fmt: skip
    ]


def _item(key: str, computed: str, passed: bool) -> dict:
    return {"key": key, "label": TEMPLATE[key], "computed": computed, "passed": passed, "note": None}


def merge(computed: list[dict], verdicts: dict) -> list[dict]:
    """The computed items with the checker's verdicts (key → {passed, note}) laid over them."""
    out = []
    for item in computed:
        given = verdicts.get(item["key"]) or {}
        passed = given.get("passed")
        out.append({**item, "passed": item["passed"] if passed is None else bool(passed), "note": given.get("note")})
    return out
