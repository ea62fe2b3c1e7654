"""督办, 督查 and 联席会议 on the tracked-item engine: who may open what, on which subject, owned by whom."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth import capabilities
from gisgrid.auth.service import in_scope, sees_all
from gisgrid.db import unit_of_work
from gisgrid.deployment.model import Profile
from gisgrid.errors import Forbidden, InvalidInput
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid
from gisgrid.supervision import checks, subjects
from gisgrid.supervision.models import TOPIC_TYPES, Meeting, SupervisionCheck
from gisgrid.tracking import queries as tracking_queries
from gisgrid.tracking import service as tracking
from gisgrid.tracking.models import TrackedItem
from gisgrid.tracking.rules import Rules


def _top_codes(session: Session) -> list[str]:
    version = grid_versions.find_published(session)
    if version is None:
        return []
    return list(session.scalars(select(Grid.code).where(Grid.version_id == version.id, Grid.level == 1)))


def own_grid(session: Session, user, chain: list[str]) -> str:
    """The user's grid on ``chain`` (the deepest one they hold), or their own top grid for an empty chain."""
    if sees_all(user):
        return chain[0] if chain else (_top_codes(session) or [""])[0]
    held = [c for c in chain if c in user.grid_codes] if chain else sorted(user.grid_codes, key=_depth(session))
    if not held:
        raise Forbidden("不在您的网格范围内 (outside your grids)")
    return held[-1] if chain else held[0]


def _depth(session: Session):
    return lambda code: len(tracking_queries.grid_chain(session, code)) or 99


def _below(session: Session, owner: str, watcher: str) -> list[str]:
    # 一级督一级: the owner grid lies strictly under the watcher grid
    chain = tracking_queries.grid_chain(session, owner)
    if watcher not in chain[:-1]:
        raise InvalidInput(f"owner: 一级督一级，责任网格 {owner} 须在督办网格 {watcher} 之下 (owner not below watcher)")
    return chain


def _watcher_label(session: Session, user, code: str) -> str:
    name = tracking_queries.grid_names(session, [code]).get(code, code or "")
    return f"{name}（{user.display_name}）"


def _day(value, key: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"{key}: 日期格式须为 YYYY-MM-DD (not a date: {value!r})") from None


def _owner(session: Session, params: dict, default: subjects.Subject, watcher: str, profile: Profile) -> dict:
    """owner grid, or owner department with the chain it answers to (the subject's chain down to its level)."""
    grid, dept = params.get("owner_grid") or None, params.get("owner_department") or None
    if not grid and not dept:
        grid, dept = (None, default.owner_department) if default.owner_department else (default.owner_grid, None)
    if grid:
        _below(session, grid, watcher)
        return {"owner": grid}
    base = default.chain or tracking_queries.grid_chain(session, watcher)
    return {"owner_department": dept, "chain": base[: max(profile.department_depth(dept), 1)] or base[:1]}


def open_duban(session: Session, user, params: dict, profile: Profile, rules: Rules, today: date) -> TrackedItem:
    """A leader or the 领导小组办公室 opens a 督办 on a case, source, grid, department or transfer; commits."""
    capabilities.require(user, "open_supervision")
    with unit_of_work(session):
        subject = subjects.resolve(session, user, str(params.get("about_kind") or ""), params.get("about_id"))
        watcher = own_grid(session, user, subject.chain)
        owner = _owner(session, params, subject, watcher, profile)
        return tracking.open_item(
            session,
            kind="duban",
            title=str(params.get("title") or "").strip() or f"督办：{subject.title}",
            detail=params.get("detail"),
            watcher=watcher,
            watcher_label=_watcher_label(session, user, watcher),
            priority=str(params.get("priority") or "regular"),
            due=_day(params.get("due"), "due"),
            about=(subject.kind, subject.id),
            actor=user,
            rules=rules,
            today=today,
            **owner,
        )


def _required(params: dict, key: str, label: str) -> str:
    value = str(params.get(key) or "").strip()
    if not value:
        raise InvalidInput(f"{key}: 请填写{label} ({key} is required)")
    return value


def _list(params: dict, key: str) -> list:
    value = params.get(key) or []
    if not isinstance(value, list):
        raise InvalidInput(f"{key}: 须为列表 (must be a list)")
    return value


def create_check(session: Session, user, params: dict, rules: Rules, today: date) -> SupervisionCheck:
    """Record a 督查 of a lower grid: template items (computed, then the checker's verdicts), findings,
    rectification items (tracked), and its 通报 (public when marked); commits."""
    capabilities.require(user, "run_checks")
    with unit_of_work(session):
        code = _required(params, "grid_code", "被检查网格")
        chain = tracking_queries.grid_chain(session, code)
        if not chain:
            raise InvalidInput(f"grid_code: 网格 {code!r} 不存在 (unknown grid)")
        watcher = own_grid(session, user, chain)
        _below(session, code, watcher)
        checked_on = _day(params.get("checked_on"), "checked_on") or today
        if checked_on > today:
            raise InvalidInput("checked_on: 检查日期不能晚于今天 (date in the future)")
        verdicts = params.get("verdicts") or {}
        if not isinstance(verdicts, dict):
            raise InvalidInput("verdicts: 须为对象 (must be an object)")
        check = SupervisionCheck(
            grid_code=code, chain=chain, watcher_grid_code=watcher, checked_on=checked_on,
            checkers=_required(params, "checkers", "检查人员"), items=checks.merge(checks.compute(session, code, today), verdicts),
            findings=(params.get("findings") or "").strip() or None,
            bulletin_title=(params.get("bulletin_title") or "").strip() or None,
            bulletin_body=(params.get("bulletin_body") or "").strip() or None,
            public=bool(params.get("public")), created_by_id=user.id,
        )  # fmt: skip
        check.published_at = datetime.now(UTC) if check.public else None
        session.add(check)
        session.flush()
        for i, row in enumerate(_list(params, "rectifications")):
            _rectification(session, user, check, row, i, rules, today)
    return check


def _rectification(session: Session, user, check: SupervisionCheck, row, i: int, rules: Rules, today: date) -> None:
    if not isinstance(row, dict):
        raise InvalidInput(f"rectifications[{i}]: 须为对象 (must be an object)")
    tracking.open_item(
        session, kind="rectification", title=_required(row, "title", f"第 {i + 1} 项整改事项"),
        owner=check.grid_code, watcher=check.watcher_grid_code, priority=str(row.get("priority") or "regular"),
        due=_day(row.get("due"), f"rectifications[{i}].due"), about=("check", check.id), actor=user,
        rules=rules, today=today,
    )  # fmt: skip


def set_public(session: Session, user, check_id: int, public: bool) -> SupervisionCheck:
    """Publish (or withdraw) a check's 通报 on the public site; commits."""
    capabilities.require(user, "run_checks")
    with unit_of_work(session):
        check = get_check(session, user, check_id)
        if not (sees_all(user) or in_scope(user, [check.watcher_grid_code])):
            raise Forbidden("只有检查单位可以发布通报 (only the checking grid publishes)")
        check.public = public
        check.published_at = datetime.now(UTC) if public else None
    return check


def get_check(session: Session, user, check_id: int) -> SupervisionCheck:
    """A check the user may see: the checked grid and everyone above it (404/403)."""
    from gisgrid.errors import NotFound

    check = session.get(SupervisionCheck, check_id)
    if check is None:
        raise NotFound(f"督查记录 {check_id} 不存在 (no such check)")
    if not (sees_all(user) or user.id == check.created_by_id or in_scope(user, check.chain)):
        raise Forbidden("该督查记录不在您的网格范围内 (check outside your grids)")
    return check


def _attendees(params: dict, profile: Profile) -> list[str]:
    group = profile.leading_group
    allowed = {*group.members, group.office, group.leader, *group.deputies}
    names = [str(a).strip() for a in _list(params, "attendees") if str(a).strip()]
    unknown = [a for a in names if a not in allowed]
    if unknown:
        raise InvalidInput(f"attendees: {'、'.join(unknown)} 不是{group.name}的成员单位 (not a member unit)")
    return names


def _agenda(params: dict) -> list[dict]:
    out = []
    for i, row in enumerate(_list(params, "agenda")):
        if not isinstance(row, dict) or row.get("type") not in TOPIC_TYPES:
            raise InvalidInput(f"agenda[{i}].type: 须为 {'/'.join(TOPIC_TYPES)} 之一 (unknown topic type)")
        out.append({"type": row["type"], "title": _required(row, "title", f"第 {i + 1} 个议题")})
    return out


def create_meeting(session: Session, user, params: dict, profile: Profile, rules: Rules, today: date) -> Meeting:
    """Record a 联席会议 (attendees from the 领导小组's member units, typed 议题, minutes) and its decisions,
    each a tracked item; commits."""
    capabilities.require(user, "run_meetings")
    with unit_of_work(session):
        grid = str(params.get("grid_code") or "") or own_grid(session, user, [])
        chain = tracking_queries.grid_chain(session, grid)
        if not chain or not (sees_all(user) or in_scope(user, chain)):
            raise InvalidInput(f"grid_code: 网格 {grid!r} 不在您的范围内 (grid outside your scope)")
        held_on = _day(params.get("held_on"), "held_on")
        if held_on is None:
            raise InvalidInput("held_on: 请填写会议日期 (held_on is required)")
        meeting = Meeting(
            title=_required(params, "title", "会议名称"), held_on=held_on, grid_code=grid, chain=chain,
            convenor=str(params.get("convenor") or "").strip() or profile.leading_group.leader,
            attendees=_attendees(params, profile), agenda=_agenda(params),
            minutes=(params.get("minutes") or "").strip() or None, created_by_id=user.id,
        )  # fmt: skip
        session.add(meeting)
        session.flush()
        for i, row in enumerate(_list(params, "decisions")):
            add_decision(session, user, meeting, row, profile, rules, today, index=i)
    return meeting


def add_decision(
    session: Session, user, meeting: Meeting, row, profile: Profile, rules: Rules, today: date, index: int = 0
) -> TrackedItem:
    """One 会议决定事项 as a tracked item owned by a lower grid or a department; commits."""
    capabilities.require(user, "run_meetings")
    where = f"decisions[{index}]"
    if not isinstance(row, dict):
        raise InvalidInput(f"{where}: 须为对象 (must be an object)")
    with unit_of_work(session):
        grid, dept = row.get("owner_grid") or None, row.get("owner_department") or None
        if not grid and not dept:
            raise InvalidInput(f"{where}.owner: 请指定责任网格或责任部门 (owner required)")
        if grid:
            _below(session, grid, meeting.grid_code)
        owner = {"owner": grid} if grid else {"owner_department": dept, "chain": meeting.chain}
        return tracking.open_item(
            session, kind="decision", title=_required(row, "title", "决定事项"), detail=row.get("detail"),
            watcher=meeting.grid_code, watcher_label=f"{meeting.title}", priority=str(row.get("priority") or "regular"),
            due=_day(row.get("due"), f"{where}.due"), about=("meeting", meeting.id), actor=user, rules=rules,
            today=today, **owner,
        )  # fmt: skip
