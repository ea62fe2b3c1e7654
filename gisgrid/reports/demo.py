"""A demo 信息报告: last month's 月报 of the top grid's first lower grid, generated from the data and submitted."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid import periods
from gisgrid.auth.models import User
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid
from gisgrid.reports import service
from gisgrid.reports.models import WorkReport


def load_demo_report(session: Session, top_code: str, today: date) -> int:
    """One submitted report (if none exists yet); the other lower grids show as not reported."""
    admin = session.scalar(select(User).where(User.username == "admin"))
    version = grid_versions.find_published(session)
    if admin is None or version is None or session.scalar(select(WorkReport.id).limit(1)):
        return 0
    child = session.scalar(
        select(Grid.code).where(Grid.version_id == version.id, Grid.parent_code == top_code).order_by(Grid.code)
    )
    if child is None:
        return 0
    year, number = periods.previous("month", today)
    report = service.generate(session, admin, child, "month", year, number)
    service.save(session, admin, report.id, report.body + "\n（示例报告）", submit=True)
    return 1
