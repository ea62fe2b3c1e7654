"""信息报告 writes and reads: generate a grid's report for a period, edit, submit upward; who has not reported.

"各单位应及时、准确、全面地报送各项环境监管信息" (站前区 四、第三条): a report is generated from the data
(figures.py), edited by the grid, and submitted with who and when; the upper grid sees its lower grids' state.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid import periods
from gisgrid.auth.capabilities import require
from gisgrid.auth.service import in_scope, sees_all
from gisgrid.db import unit_of_work
from gisgrid.errors import Conflict, Forbidden, InvalidInput, NotFound
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid
from gisgrid.incidents.deadlines import add_working_days
from gisgrid.reports import figures
from gisgrid.reports.models import WorkReport

KINDS = ("month", "quarter", "year")  # 月报、季报、年报 (issue 22)
DUE_WORKING_DAYS = 5  # product default: the seeds say "按照工作要求和时限" without a number
MAX_BODY = 20000
NAMES = {"month": "月报", "quarter": "季报", "year": "年报"}


def grid_with_chain(session: Session, code: str) -> tuple[Grid, list[str]]:
    """The published grid ``code`` and its chain of codes from the top down, or 400 naming ``grid``."""
    version = grid_versions.find_published(session)
    grid = version and session.scalar(select(Grid).where(Grid.version_id == version.id, Grid.code == code))
    if not grid:
        raise InvalidInput(f"grid: 网格 {code!r} 不存在 (unknown grid)", {"grid": ["unknown grid"]})
    chain = list(session.scalars(select(Grid.code).where(Grid.id.in_(grid.ancestor_ids)).order_by(Grid.level)))
    return grid, [*chain, grid.code]


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise InvalidInput(f"period: 应为 {', '.join(KINDS)} 之一", {"period": ["unknown"]})


def generate(session: Session, user, code: str, kind: str, year: int, number: int) -> WorkReport:
    """The grid's report for the period: the existing one, or a new draft generated from the data."""
    _check_kind(kind)
    start, end = periods.bounds(kind, year, number)
    with unit_of_work(session, conflict="该期报告已生成 (report exists)"):
        require(user, "file_reports")
        grid, chain = grid_with_chain(session, code)
        if not (sees_all(user) or code in user.grid_codes):
            raise Forbidden("只有本网格可以编写本网格的报告 (only the grid itself writes its report)")
        found = session.scalar(
            select(WorkReport).where(
                WorkReport.grid_code == code, WorkReport.period == kind,
                WorkReport.year == year, WorkReport.number == number,
            )
        )  # fmt: skip
        if found:
            return found
        label = periods.label(kind, year, number) + NAMES[kind]
        data = figures.compute(session, code, start, end)
        report = WorkReport(
            grid_code=code, grid_name=grid.name, level=grid.level, chain=chain, period=kind, year=year,
            number=number, label=label, starts_on=start, ends_on=end, figures=data,
            body=figures.draft_text(grid.name, label, data), created_by=user.username,
        )  # fmt: skip
        session.add(report)
    return report


def visible(session: Session, user, report_id: int) -> WorkReport:
    """A report of the user's grids or below (404 unknown, 403 foreign)."""
    report = session.get(WorkReport, report_id)
    if report is None:
        raise NotFound(f"报告 {report_id} 不存在 (no such report)")
    if not in_scope(user, report.chain):
        raise Forbidden("该报告不在您的管辖范围内 (report outside your scope)")
    return report


def save(session: Session, user, report_id: int, body: str | None, submit: bool) -> WorkReport:
    """Edit the text of a draft; with ``submit`` it goes upward with who and when and is then fixed."""
    with unit_of_work(session):
        require(user, "file_reports")
        report = visible(session, user, report_id)
        if not (sees_all(user) or report.grid_code in user.grid_codes):
            raise Forbidden("只有本网格可以修改本网格的报告 (only the grid itself edits its report)")
        if report.state == "submitted":
            raise Conflict("报告已上报，不能再修改 (already submitted)")
        if body is not None:
            if not body.strip() or len(body) > MAX_BODY:
                raise InvalidInput(f"body: 报告内容不能为空且不超过 {MAX_BODY} 字 (body empty or too long)")
            report.body = body.strip()
        if submit:
            report.state, report.submitted_by, report.submitted_at = "submitted", user.username, datetime.now(UTC)
    return report


def due_on(kind: str, year: int, number: int) -> date | None:
    """When a period's report is due upward; None when the holiday calendar does not know that year yet."""
    try:
        return add_working_days(periods.bounds(kind, year, number)[1], DUE_WORKING_DAYS)
    except InvalidInput:
        return None


def lower_status(session: Session, user, code: str, kind: str, year: int, number: int) -> list[dict]:
    """The grids directly below ``code`` with their report for the period (None: not reported yet)."""
    _check_kind(kind)
    periods.bounds(kind, year, number)
    _, chain = grid_with_chain(session, code)
    if not in_scope(user, chain):
        raise Forbidden("该网格不在您的管辖范围内 (grid outside your scope)")
    version = grid_versions.find_published(session)
    children = session.scalars(
        select(Grid).where(Grid.version_id == version.id, Grid.parent_code == code).order_by(Grid.code)
    )
    reports = {
        r.grid_code: r
        for r in session.scalars(
            select(WorkReport).where(WorkReport.period == kind, WorkReport.year == year, WorkReport.number == number)
        )
    }
    return [{"code": g.code, "name": g.name, "report": reports.get(g.code)} for g in children]


def own_reports(session: Session, user) -> list[WorkReport]:
    """The reports of the user's own grids, newest period first."""
    query = select(WorkReport).order_by(WorkReport.ends_on.desc(), WorkReport.grid_code)
    if not sees_all(user):
        query = query.where(WorkReport.grid_code.in_(sorted(user.grid_codes)))
    return list(session.scalars(query.limit(200)))


def due_reports(session: Session, user, today: date) -> list[tuple[str, str, int, int, date | None]]:
    """(grid code, kind, year, number, due) of the last complete period of each kind not yet submitted."""
    if sees_all(user) or not getattr(user, "grid_codes", None):
        return []
    out = []
    for code in sorted(user.grid_codes):
        for kind in KINDS:
            year, number = periods.previous(kind, today)
            done = session.scalar(
                select(WorkReport.id).where(
                    WorkReport.grid_code == code, WorkReport.period == kind, WorkReport.year == year,
                    WorkReport.number == number, WorkReport.state == "submitted",
                )
            )  # fmt: skip
            if done is None:
                out.append((code, kind, year, number, due_on(kind, year, number)))
    return out
