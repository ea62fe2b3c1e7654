"""Sample 督查督办 data for the demo deployments: a 督办 that escalated, a 联席会议 with decisions, a 督查 with a
public 通报, a 联合执法 campaign — so every page shows something. Idempotent: nothing is added when the sample meeting exists."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth import roles
from gisgrid.auth.models import User, UserGrid
from gisgrid.clock import today_in_china
from gisgrid.deployment.model import Profile
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid
from gisgrid.incidents.models import Incident
from gisgrid.supervision import service
from gisgrid.supervision.models import Meeting
from gisgrid.tracking import service as tracking
from gisgrid.tracking.rules import Rules

MEETING_TITLE = "示例·网格化环境监管联席会议（sample data）"


def _leader(session: Session, top: str) -> User | None:
    stmt = select(User).join(UserGrid, UserGrid.user_id == User.id)
    return session.scalar(stmt.where(User.role == roles.GRID_LEADER, UserGrid.grid_code == top).order_by(User.id))


def _second_level(session: Session, top: str) -> str | None:
    version = grid_versions.find_published(session)
    stmt = select(Grid.code).where(Grid.version_id == version.id, Grid.parent_code == top).order_by(Grid.code)
    return session.scalar(stmt)


def _escalated_duban(session: Session, leader: User, profile: Profile, today: date) -> int:
    case = session.scalar(
        select(Incident).where(Incident.state.in_(("dispatched", "in_progress"))).order_by(Incident.id)
    )
    if case is None or len(case.grid_codes) < 2:
        return 0
    opened = today - timedelta(days=28)  # 迅速督办 three working days, long past: escalated twice since
    params = {"about_kind": "case", "about_id": str(case.id), "owner_grid": case.grid_codes[-1], "priority": "rapid",
              "detail": "示例：请三个工作日内整改到位并报结 (sample data)"}  # fmt: skip
    service.open_duban(session, leader, params, profile, Rules(), opened)
    return len(tracking.escalate_overdue(session, today, Rules()))


def _meeting(session: Session, leader: User, profile: Profile, top: str, street: str, today: date) -> None:
    group = profile.leading_group
    body = {
        "title": MEETING_TITLE, "held_on": (today - timedelta(days=10)).isoformat(), "grid_code": top,
        "attendees": list(group.members[:4]),
        "agenda": [{"type": "通报", "title": "通报上季度网格化监管运行情况"}, {"type": "部署", "title": "部署冬季大气污染防治"},
                   {"type": "督办", "title": "督办超期未办结案件"}],
        "minutes": "示例会议纪要：会议听取了各成员单位工作汇报，研究部署了下阶段工作。(sample data)",
        "decisions": [{"title": "示例·完成辖区裸土覆盖", "owner_grid": street},
                      {"title": "示例·开展重点污染源专项检查", "owner_department": profile.departments[0].code}],
    }  # fmt: skip
    meeting = service.create_meeting(session, leader, body, profile, Rules(), today - timedelta(days=10))
    first = min(meeting_items(session, meeting.id), key=lambda i: i.id)
    owner = _holder(session, street) or session.scalar(select(User).where(User.role == roles.ADMIN).order_by(User.id))
    if owner is None:
        return
    # one decision carried out and accepted, so the 落实情况 page shows both states (no files: no media dir needed)
    tracking.act(session, owner, first.id, tracking.Step("report_done", "示例：已完成 (sample data)"), "")
    tracking.act(session, leader, first.id, tracking.Step("accept", "示例：验收通过"), "")


def _holder(session: Session, code: str) -> User | None:
    stmt = select(User).join(UserGrid, UserGrid.user_id == User.id).where(UserGrid.grid_code == code)
    return session.scalar(stmt.where(User.role.in_((roles.GRID_LEADER, roles.GRID_STAFF))).order_by(User.id))


def meeting_items(session: Session, meeting_id: int):
    """The decision items of a meeting."""
    from gisgrid.tracking.models import TrackedItem

    stmt = select(TrackedItem).where(TrackedItem.about_kind == "meeting", TrackedItem.about_id == str(meeting_id))
    return list(session.scalars(stmt))


def _check(session: Session, leader: User, street: str, today: date) -> None:
    body = {
        "grid_code": street, "checked_on": (today - timedelta(days=5)).isoformat(), "checkers": "示例·区网格办检查组",
        "findings": "示例：部分社区网格五定信息不完整 (sample data)",
        "rectifications": [{"title": "示例·补齐社区网格五定信息"}],
        "bulletin_title": "示例·关于网格化环境监管运行情况的督查通报", "bulletin_body": "示例通报内容 (sample data)",
        "public": True,
    }  # fmt: skip
    service.create_check(session, leader, body, Rules(), today)


def _busiest_street(session: Session, top: str, fallback: str) -> str:
    # the second-level grid with the most sample sources, so the campaign's map has targets
    from collections import Counter

    from gisgrid.sources.models import PollutionSource

    version = grid_versions.find_published(session)
    streets = set(session.scalars(select(Grid.code).where(Grid.version_id == version.id, Grid.parent_code == top)))
    counts = Counter(c for codes in session.scalars(select(PollutionSource.grid_codes)) for c in codes if c in streets)
    return counts.most_common(1)[0][0] if counts else fallback


def _campaign(session: Session, leader: User, profile: Profile, street: str, today: date) -> None:
    from gisgrid.campaigns import results
    from gisgrid.campaigns import service as campaigns

    start = today - timedelta(days=20)
    body = {
        "title": "示例·大气污染防治专项行动（sample data）", "kind": "联合执法", "starts_on": start.isoformat(),
        "ends_on": (today + timedelta(days=10)).isoformat(), "departments": [profile.departments[0].code],
        "area_codes": [street], "plan_text": "示例行动方案：对目标区域内的污染源开展联合检查 (sample data)",
    }  # fmt: skip
    row = campaigns.create_campaign(session, leader, body, profile, Rules(), start)
    # the department's own figures beside what the data shows, so the results table has both columns
    figures = {"inspections": 6, "findings": 2, "cases": 1, "note": "示例：系统外联合检查 (sample data)"}
    results.enter(session, leader, row, row.departments[0], figures)


def load_demo_supervision(session: Session, profile: Profile, top: str) -> bool:
    """Create the sample 督办, meeting and check of the demo whose top grid is ``top`` (False if already there)."""
    if session.scalar(select(Meeting.id).where(Meeting.title == MEETING_TITLE)) is not None:
        return False
    leader, street = _leader(session, top), _second_level(session, top)
    if leader is None or street is None:
        return False
    today = today_in_china()
    _escalated_duban(session, leader, profile, today)
    _meeting(session, leader, profile, top, street, today)
    _check(session, leader, street, today)
    _campaign(session, leader, profile, _busiest_street(session, top, street), today)
    return True
