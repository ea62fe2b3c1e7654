"""年度日常监管工作计划: save a grid's plan for a year, file it upward, compute its execution from the data.

"每年12月底前…报上级政府备案" (the seeds' 双随机 rule): the plan records the 双随机 checks planned for the next
year; filing a top grid's plan stores that number as the next year's planned count of the 双随机 draws
(``sources.draws.set_plan``), so the draw page shows the planned number the plan filed.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from sqlalchemy import any_, extract, func, select
from sqlalchemy.orm import Session

from gisgrid import media
from gisgrid.auth.capabilities import require
from gisgrid.auth.service import in_scope, sees_all
from gisgrid.db import unit_of_work
from gisgrid.errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge
from gisgrid.grids.models import BoundaryVersion, Grid
from gisgrid.patrols.models import PatrolTrack
from gisgrid.plans import lines
from gisgrid.plans.models import SupervisionPlan
from gisgrid.reports.service import grid_with_chain
from gisgrid.sources import draws
from gisgrid.sources.models import Inspection, PollutionSource

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_ITEMS = 100
CHINA_ZONE = "Asia/Shanghai"  # UTC+8 without daylight saving, as gisgrid.clock
_SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def _own(user, code: str) -> None:
    if not (sees_all(user) or code in user.grid_codes):
        raise Forbidden("只有本网格可以编制本网格的计划 (only the grid itself writes its plan)")


def save(session: Session, user, body: dict) -> SupervisionPlan:
    """Create or update the draft plan of a grid and year (items replace the previous ones)."""
    with unit_of_work(session, conflict="该网格该年度的计划已存在 (plan exists)"):
        require(user, "file_reports")
        grid, chain = grid_with_chain(session, body["grid"])
        _own(user, grid.code)
        plan = session.scalar(
            select(SupervisionPlan).where(SupervisionPlan.grid_code == grid.code, SupervisionPlan.year == body["year"])
        )
        if plan is None:
            plan = SupervisionPlan(grid_code=grid.code, grid_name=grid.name, level=grid.level, chain=chain,
                                   year=body["year"], created_by=user.username)  # fmt: skip
            session.add(plan)
        elif plan.state == "filed":
            raise Conflict("计划已备案，不能再修改 (plan already filed)")
        if len(body.get("items", [])) > MAX_ITEMS:
            raise InvalidInput(f"items: 最多 {MAX_ITEMS} 项 (too many items)", {"items": ["too many"]})
        plan.items = [lines.structured(dict(i)) for i in body.get("items", [])]
        plan.patrols_planned = body.get("patrols_planned", 0)
        plan.random_checks_next_year = body.get("random_checks_next_year", 0)
    return plan


def file(session: Session, user, plan_id: int, body: dict, document: tuple[str, bytes] | None, media_dir: str):
    """备案: record when and to whom the plan was filed, with the document; a top grid's plan sets the draws."""
    with unit_of_work(session):
        require(user, "file_reports")
        plan = visible(session, user, plan_id)
        _own(user, plan.grid_code)
        if plan.state == "filed":
            raise Conflict("计划已备案 (plan already filed)")
        plan.state, plan.filed_on, plan.filed_to = "filed", body["filed_on"], body["filed_to"].strip()
        plan.filed_by = user.username
        if document and document[1]:
            if len(document[1]) > MAX_DOCUMENT_BYTES:
                raise TooLarge.upload("document", MAX_DOCUMENT_BYTES, "计划文件")
            media.sniff_document(document[1])
            safe = _SAFE_NAME.sub("_", Path(document[0] or "plan").name).strip("._")[:100] or "plan"
            plan.document_path = media.save(session, media_dir, "plans", document[1], "_" + safe)
            plan.document_name = safe
        if len(plan.chain) == 1:  # a top grid: its number is the next year's 双随机 plan
            draws.set_plan(session, plan.year + 1, plan.random_checks_next_year, by=user.username)
    return plan


def visible(session: Session, user, plan_id: int) -> SupervisionPlan:
    """A plan of the user's grids or below (404 unknown, 403 foreign)."""
    plan = session.get(SupervisionPlan, plan_id)
    if plan is None:
        raise NotFound(f"计划 {plan_id} 不存在 (no such plan)")
    if not in_scope(user, plan.chain):
        raise Forbidden("该计划不在您的管辖范围内 (plan outside your scope)")
    return plan


def listing(session: Session, user, year: int | None = None) -> list[SupervisionPlan]:
    """Plans the user sees, newest year first, in code order."""
    query = select(SupervisionPlan).order_by(SupervisionPlan.year.desc(), SupervisionPlan.grid_code)
    if year:
        query = query.where(SupervisionPlan.year == year)
    if not sees_all(user):
        query = query.where(SupervisionPlan.chain.overlap(sorted(user.grid_codes)))
    return list(session.scalars(query))


def _monthly(rows) -> list[int]:
    counts = [0] * 12
    for month, n in rows:
        counts[int(month) - 1] = n
    return counts


def execution(session: Session, plan: SupervisionPlan) -> dict:
    """Inspections and patrols done in the plan's year against the plan, per month and in total."""
    month = extract("month", Inspection.inspected_on).label("month")
    inspections = session.execute(
        select(month, func.count())
        .join(PollutionSource, PollutionSource.id == Inspection.source_id)
        .where(
            any_(PollutionSource.grid_codes) == plan.grid_code, extract("year", Inspection.inspected_on) == plan.year
        )
        .group_by(month)
    ).all()
    started = func.timezone(CHINA_ZONE, PatrolTrack.started_at)  # the month in China
    walked = extract("month", started).label("month")
    patrols = session.execute(
        select(walked, func.count(PatrolTrack.id))
        .where(extract("year", started) == plan.year, _crosses(plan.grid_code))
        .group_by(walked)
    ).all()
    planned = sum(int(i.get("planned_checks", 0)) for i in plan.items)
    return {
        "inspections": {"planned": planned, "done": sum(n for _, n in inspections), "monthly": _monthly(inspections)},
        "patrols": {"planned": plan.patrols_planned, "done": sum(n for _, n in patrols), "monthly": _monthly(patrols)},
        "lines": lines.execution(session, plan),
    }


def _crosses(code: str):
    return (
        select(Grid.id)
        .join(BoundaryVersion, BoundaryVersion.id == Grid.version_id)
        .where(
            BoundaryVersion.status == "published", Grid.code == code, func.ST_Intersects(Grid.geom, PatrolTrack.geom)
        )
        .exists()
    )


def today_year(today: date) -> int:
    """The year a new plan defaults to: next year from October (plans are due by the end of December)."""
    return today.year + 1 if today.month >= 10 else today.year
