"""Storing and publishing the quarterly 双随机 draw (the algorithm itself is in lottery.py)."""

from __future__ import annotations

import re
import secrets
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth import roles
from gisgrid.auth.models import Department, User
from gisgrid.clock import today_in_china
from gisgrid.db import unit_of_work
from gisgrid.deployment import from_env
from gisgrid.errors import Conflict, InvalidInput, NotFound
from gisgrid.sources import lottery, schedule
from gisgrid.sources.models import (
    Inspection,
    InspectorConflict,
    LotteryDraw,
    LotteryPlan,
    PollutionSource,
)

INSPECTOR_ROLES = (roles.GRID_STAFF, roles.GRID_LEADER, roles.HANDLER)  # the default pool
POOL_ROLES = (roles.GRID_STAFF, roles.GRID_LEADER, roles.HANDLER, roles.DISPATCHER)
_QUARTER = re.compile(r"^\d{4}Q[1-4]$")


def _check(quarter: str, proportions: dict, per_source: int) -> None:
    if not _QUARTER.match(quarter or ""):
        raise InvalidInput("季度格式应为 YYYYQn，例如 2026Q4")
    for cls, p in proportions.items():
        if cls not in ("A", "B", "C") or not 0 <= float(p) <= 1:
            raise InvalidInput("抽取比例应为 A/B/C 各 0 到 1 之间的小数")
    if not 1 <= per_source <= 5:
        raise InvalidInput("每个污染源的检查人员数应为 1 到 5")


def check_pool(session: Session, pool_roles=None, departments=None) -> dict:
    """The inspector pool as stored and published: sorted role names and department codes (empty: any)."""
    wanted_roles = sorted(set(pool_roles or ())) or sorted(INSPECTOR_ROLES)
    if not set(wanted_roles) <= set(POOL_ROLES):
        raise InvalidInput("检查人员角色只能是：" + "、".join(roles.LABELS[r] for r in POOL_ROLES))
    codes = sorted(set(departments or ()))
    known = set(session.scalars(select(Department.code).where(Department.code.in_(codes)))) if codes else set()
    if set(codes) - known:
        raise InvalidInput(f"部门不存在: {', '.join(sorted(set(codes) - known))}")
    return {"roles": wanted_roles, "departments": codes}


def _pool_users(session: Session, pool: dict) -> list[User]:
    query = select(User).where(User.active, User.role.in_(pool["roles"])).order_by(User.id)
    if pool["departments"]:
        query = query.join(Department, User.department_id == Department.id).where(
            Department.code.in_(pool["departments"])
        )
    return list(session.scalars(query))


def gather_inputs(session: Session, seed: str, proportions: dict, per_source: int, pool: dict) -> dict:
    """Every input of a draw as plain JSON: candidate sources, the pool and its inspectors, conflicts, labels."""
    sources = list(session.scalars(select(PollutionSource).where(PollutionSource.active).order_by(PollutionSource.id)))
    people = _pool_users(session, pool)
    return {
        "seed": seed,
        "proportions": {k: float(v) for k, v in proportions.items()},
        "per_source": per_source,
        "pool": pool,
        "sources": [{"id": s.id, "class": s.supervision_class, "grid_codes": list(s.grid_codes)} for s in sources],
        "inspectors": [
            {
                "id": u.id,
                "grid_codes": sorted(u.grid_codes),
                "role": u.role,
                "department": u.department.code if u.department else None,
            }
            for u in people
        ],
        "conflicts": [
            [c.user_id, c.source_id]
            for c in session.scalars(
                select(InspectorConflict).order_by(InspectorConflict.user_id, InspectorConflict.source_id)
            )
        ],
        "labels": {
            "sources": {str(s.id): f"{s.code} {s.name}" for s in sources},
            "inspectors": {str(u.id): u.display_name for u in people},
            "roles": {r: roles.LABELS[r] for r in pool["roles"]},
            "departments": dict(
                session.execute(
                    select(Department.code, Department.name).where(Department.code.in_(pool["departments"]))
                ).all()
            ),
        },
    }


def run_draw(
    session: Session,
    quarter: str | None,
    *,
    by: str,
    seed: str | None = None,
    proportions: dict | None = None,  # None: the deployment profile's 双随机 shares
    per_source: int = 2,
    pool_roles=None,
    departments=None,
    override_reason: str | None = None,
    today: date | None = None,
) -> LotteryDraw:
    """Draw a quarter once (a second draw of the same quarter is refused) and store everything.

    ``quarter`` defaults to the next one (虎林: the list is for 下一季度). Outside the window (the last
    5 working days of the quarter before it) ``override_reason`` is required; it is stored and published.
    The inspector pool (``pool_roles``, default grid staff, grid leaders and handlers; ``departments``,
    default any) is stored and published with the draw; re-running applies it again.
    """
    today = today or today_in_china()
    quarter = (quarter or "").strip() or schedule.next_quarter(today)
    with unit_of_work(session, conflict=f"{quarter} 已经抽取过，结果不可更改 (already drawn)"):
        proportions = proportions or dict(from_env().draw_proportions)  # the deployment profile's shares
        _check(quarter, proportions, per_source)
        override_reason = schedule.check_timing(quarter, today, override_reason)
        pool = check_pool(session, pool_roles, departments)
        if session.scalar(select(LotteryDraw.id).where(LotteryDraw.quarter == quarter)):
            raise Conflict(f"{quarter} 已经抽取过，结果不可更改 (already drawn)")
        seed = (seed or "").strip() or secrets.token_hex(16)
        inputs = gather_inputs(session, seed, proportions, per_source, pool)
        draw = LotteryDraw(
            quarter=quarter,
            seed=seed,
            algorithm=lottery.ALGORITHM,
            inputs=inputs,
            results=lottery.rerun(inputs),
            drawn_by=by,
            override_reason=override_reason,
        )
        session.add(draw)
    return draw


def pool_options(session: Session) -> dict:
    """What the draw form offers for the pool: roles (with the default ones marked) and departments."""
    return {
        "roles": [(r, roles.LABELS[r], r in INSPECTOR_ROLES) for r in POOL_ROLES],
        "departments": list(session.execute(select(Department.code, Department.name).order_by(Department.code))),
    }


def list_draws(session: Session) -> list[LotteryDraw]:
    """Every draw, newest quarter first."""
    return list(session.scalars(select(LotteryDraw).order_by(LotteryDraw.quarter.desc())))


def summaries(session: Session) -> list[dict]:
    """Every draw, newest quarter first: quarter, seed, algorithm and the number of picks."""
    return [
        {
            "id": d.id,
            "quarter": d.quarter,
            "seed": d.seed,
            "algorithm": d.algorithm,
            "picks": len(d.results["picks"]),
            "override_reason": d.override_reason,
        }
        for d in list_draws(session)
    ]


def published(session: Session, draw_id: int) -> dict:
    """The public view of one draw with the outcomes of the inspections made under it."""
    return public_view(get_draw(session, draw_id), outcomes(session, draw_id))


def get_draw(session: Session, draw_id: int) -> LotteryDraw:
    """One draw or NotFound."""
    draw = session.get(LotteryDraw, draw_id)
    if draw is None:
        raise NotFound(f"抽查批次 {draw_id} 不存在")
    return draw


def outcomes(session: Session, draw_id: int) -> dict[int, dict]:
    """Source id → the latest inspection made under this draw (date and whether a violation was found)."""
    rows = session.scalars(
        select(Inspection).where(Inspection.draw_id == draw_id).order_by(Inspection.inspected_on, Inspection.id)
    )
    return {i.source_id: {"inspected_on": i.inspected_on.isoformat(), "violation": i.violation} for i in rows}


def public_view(draw: LotteryDraw, results: dict[int, dict] | None = None) -> dict:
    """What is published: seed, algorithm, inputs, results with names and outcomes, whether a re-run agrees."""
    labels = draw.inputs.get("labels", {})
    picks = [
        {
            **p,
            "source": labels.get("sources", {}).get(str(p["source_id"])),
            "inspectors": [labels.get("inspectors", {}).get(str(i)) for i in p["inspector_ids"]],
            "outcome": (results or {}).get(p["source_id"]),
        }
        for p in draw.results["picks"]
    ]
    return {
        "id": draw.id,
        "quarter": draw.quarter,
        "seed": draw.seed,
        "algorithm": draw.algorithm,
        "drawn_at": draw.drawn_at.isoformat() if draw.drawn_at else None,
        "override_reason": draw.override_reason,
        "window": [d.isoformat() for d in schedule.window_or_none(draw.quarter) or ()],
        "inputs": draw.inputs,
        "results": {**draw.results, "picks": picks},
        "rerun_matches": lottery.rerun(draw.inputs) == draw.results,
    }


def set_plan(session: Session, year: int, planned_count: int, *, by: str) -> LotteryPlan:
    """Store how many sources the year's draws are planned to inspect (年度日常监管工作计划)."""
    if not 2000 <= int(year) <= 2100:
        raise InvalidInput("year: 年份应在 2000 到 2100 之间 (year out of range)", {"field": "year"})
    if int(planned_count) < 0:
        raise InvalidInput("planned_count: 计划数量不能为负 (must be >= 0)", {"field": "planned_count"})
    with unit_of_work(session):
        plan = session.get(LotteryPlan, int(year)) or LotteryPlan(year=int(year))
        plan.planned_count, plan.set_by = int(planned_count), by
        session.add(plan)
    return plan


def year_counts(session: Session, today: date | None = None) -> list[dict]:
    """This year and the next, plus any year with a plan or a draw: planned and drawn source counts."""
    today = today or today_in_china()
    plans = {p.year: p.planned_count for p in session.scalars(select(LotteryPlan))}
    drawn: dict[int, int] = {}
    for d in session.scalars(select(LotteryDraw)):
        drawn[int(d.quarter[:4])] = drawn.get(int(d.quarter[:4]), 0) + len(d.results["picks"])
    years = sorted({today.year, today.year + 1, *plans, *drawn}, reverse=True)
    return [{"year": y, "planned": plans.get(y), "drawn": drawn.get(y, 0)} for y in years]
