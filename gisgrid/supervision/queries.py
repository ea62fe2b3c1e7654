"""Reads of checks, meetings and decision follow-up, scoped like the tracked items."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gisgrid.auth.service import sees_all
from gisgrid.errors import Forbidden, NotFound
from gisgrid.supervision.models import Meeting, SupervisionCheck
from gisgrid.tracking.models import TrackedItem
from gisgrid.tracking.queries import scope_filter

PERIOD_MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}
PERIOD_LABELS = {"month": "每月", "quarter": "每季度", "half_year": "每半年", "year": "每年", "unset": "未规定"}


def _scoped(model, user):
    if sees_all(user):
        return True
    codes = list(user.grid_codes)
    return or_(model.created_by_id == user.id, model.chain.overlap(codes) if codes else False)


def list_checks(session: Session, user, grid_code: str | None = None) -> list[SupervisionCheck]:
    """督查 records the user may see (the checked grid and above), newest first."""
    stmt = select(SupervisionCheck).where(_scoped(SupervisionCheck, user))
    if grid_code:
        stmt = stmt.where(SupervisionCheck.grid_code == grid_code)
    return list(session.scalars(stmt.order_by(SupervisionCheck.checked_on.desc(), SupervisionCheck.id.desc())))


def public_bulletins(session: Session) -> list[SupervisionCheck]:
    """The 通报 marked public, newest first (the public site lists them)."""
    stmt = select(SupervisionCheck).where(SupervisionCheck.public, SupervisionCheck.bulletin_title.is_not(None))
    return list(session.scalars(stmt.order_by(SupervisionCheck.published_at.desc())))


def public_bulletin(session: Session, check_id: int) -> SupervisionCheck:
    """One public 通报 (404 for anything not published, so nothing private is revealed)."""
    check = session.get(SupervisionCheck, check_id)
    if check is None or not check.public or not check.bulletin_title:
        raise NotFound(f"通报 {check_id} 不存在或未公开 (no such public bulletin)")
    return check


def list_meetings(session: Session, user) -> list[Meeting]:
    """Meetings of the user's grids and above, newest first."""
    stmt = select(Meeting).where(_scoped(Meeting, user))
    return list(session.scalars(stmt.order_by(Meeting.held_on.desc(), Meeting.id.desc())))


def get_meeting(session: Session, user, meeting_id: int) -> Meeting:
    """A meeting the user may see (404/403)."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(f"会议 {meeting_id} 不存在 (no such meeting)")
    if not session.scalar(select(Meeting.id).where(Meeting.id == meeting_id, _scoped(Meeting, user))):
        raise Forbidden("该会议不在您的网格范围内 (meeting outside your grids)")
    return meeting


def decisions(session: Session, user, meeting_id: int | None = None) -> list[TrackedItem]:
    """Meeting decisions the user may see (所有会议, or one meeting), by due date."""
    stmt = select(TrackedItem).where(TrackedItem.kind == "decision", scope_filter(user))
    if meeting_id is not None:
        stmt = stmt.where(TrackedItem.about_kind == "meeting", TrackedItem.about_id == str(meeting_id))
    return list(session.scalars(stmt.order_by(TrackedItem.due, TrackedItem.id)))


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    import calendar

    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_meeting_due(last: date | None, period: str, today: date) -> date | None:
    """When the next 联席会议 is due by the profile's period (None when the plan fixes none)."""
    months = PERIOD_MONTHS.get(period)
    if months is None:
        return None
    return add_months(last, months) if last else today
