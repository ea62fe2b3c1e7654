"""督办 on cases/sources/grids/departments, 督查 with computed template items, 联席会议 with decisions (PostGIS)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from gisgrid.audit.models import AuditLog
from gisgrid.deployment import load
from gisgrid.errors import Forbidden, InvalidInput, NotFound
from gisgrid.incidents import intake, matrix
from gisgrid.incidents.report import Report
from gisgrid.supervision import checks, queries, service
from gisgrid.tracking import access
from gisgrid.tracking.rules import Rules
from tests.tracking_support import DAY, people
from tests.worlds import wgs84

XICHENG = load("xicheng")


@pytest.fixture()
def who(make_user, world_ab):
    return people(make_user)


@pytest.fixture()
def case(session, world_ab):
    matrix.load_demo(session, XICHENG)
    lon, lat = wgs84(100, 100)  # in A1a
    found, _ = intake.report(session, Report("web", "dust", "工地扬尘", lon, lat), None)
    found.state, found.department_codes, found.deadline = "in_progress", ["zhujian"], date(2026, 10, 20)
    session.commit()
    return found


def _duban(session, user, **params):
    return service.open_duban(session, user, params, XICHENG, Rules(), DAY)


def test_a_leader_opens_a_duban_on_an_overdue_case_owned_by_its_department(session, who, case):
    item = _duban(session, who.town, about_kind="case", about_id=str(case.id), priority="rapid")
    assert (item.kind, item.about_kind, item.about_id) == ("duban", "case", str(case.id))
    assert item.owner_department_code == "zhujian" and item.watcher_grid_code == "A1"
    assert item.chain == ["A"]  # 住建 is a department of the top government: it answers to level 1
    assert item.title == f"督办：案件 {case.id}" and "甲一镇" in item.watcher_label
    by_grid = _duban(session, who.county, about_kind="case", about_id=str(case.id), owner_grid="A1a")
    assert by_grid.owner_grid_code == "A1a" and by_grid.chain == ["A", "A1", "A1a"]
    assert by_grid.watcher_chain == ["A"]


def test_only_one_level_down_and_only_in_scope(session, who, case):
    with pytest.raises(Forbidden):  # grid staff cannot open a 督办
        _duban(session, who.village, about_kind="case", about_id=str(case.id))
    with pytest.raises(Forbidden):  # a leader of another county
        _duban(session, who.foreign, about_kind="case", about_id=str(case.id))
    with pytest.raises(InvalidInput, match="^owner:"):  # 一级督一级: the owner lies under the watcher
        _duban(session, who.town, about_kind="case", about_id=str(case.id), owner_grid="A")
    with pytest.raises(InvalidInput, match="^about_kind:"):
        _duban(session, who.town, about_kind="planet", about_id="1")
    with pytest.raises(NotFound):
        _duban(session, who.town, about_kind="case", about_id="999999")
    with pytest.raises(InvalidInput, match="^about_id:"):
        _duban(session, who.town, about_kind="case", about_id="x")


def test_duban_on_a_grid_and_on_a_department(session, who):
    grid_item = _duban(session, who.office, about_kind="grid", about_id="A2", title="五定信息补齐")
    assert grid_item.owner_grid_code == "A2" and grid_item.watcher_grid_code == "A"
    dept_item = _duban(session, who.county, about_kind="department", about_id="sthj")
    assert dept_item.owner_department_code == "sthj" and dept_item.chain == ["A"]
    assert access.can_view(who.handler, dept_item) and not access.can_view(who.foreign, dept_item)


def test_a_check_computes_the_template_and_opens_rectifications(session, who, case):
    body = {
        "grid_code": "A1", "checked_on": "2026-11-02", "checkers": "县网格办 张三（示例）",
        "verdicts": {"patrols": {"passed": False, "note": "巡查记录不全"}},
        "findings": "五定信息缺失", "rectifications": [{"title": "补齐五定信息"}, {"title": "补录巡查", "due": "2026-11-20"}],
        "bulletin_title": "关于甲一镇网格运行情况的通报", "bulletin_body": "……", "public": True,
    }  # fmt: skip
    check = service.create_check(session, who.county, body, Rules(), DAY)
    items = {i["key"]: i for i in check.items}
    assert set(items) == set(checks.TEMPLATE)
    # world A/B's grids have no tasks/奖惩 filled: 0 of A1, A1a, A1b complete
    assert items["wuding"]["computed"].startswith("0/3 ") and items["wuding"]["passed"] is False
    assert items["cases"]["computed"].endswith("超期未办结 1 件") and items["cases"]["passed"] is False
    assert items["patrols"]["passed"] is False and items["patrols"]["note"] == "巡查记录不全"
    assert check.public and check.published_at is not None and check.watcher_grid_code == "A"
    fixes = queries_for_check(session, who.county, check.id)
    assert [(f.title, f.owner_grid_code, f.kind) for f in fixes] == [
        ("补齐五定信息", "A1", "rectification"), ("补录巡查", "A1", "rectification")
    ]  # fmt: skip
    assert [c.id for c in queries.public_bulletins(session)] == [check.id]
    assert queries.list_checks(session, who.foreign) == [] and queries.list_checks(session, who.sibling) == []
    assert [c.id for c in queries.list_checks(session, who.town)] == [check.id]  # the checked grid sees it


def queries_for_check(session, user, check_id):
    from gisgrid.tracking import queries as tq

    return tq.for_about(session, user, "check", check_id)


def test_a_check_must_look_down_and_not_ahead(session, who):
    with pytest.raises(InvalidInput, match="^owner:"):  # the town cannot check itself
        service.create_check(session, who.town, {"grid_code": "A1", "checkers": "x"}, Rules(), DAY)
    with pytest.raises(Forbidden):  # nor the county above it, nor another county
        service.create_check(session, who.town, {"grid_code": "A", "checkers": "x"}, Rules(), DAY)
    with pytest.raises(Forbidden):
        service.create_check(session, who.county, {"grid_code": "B", "checkers": "x"}, Rules(), DAY)
    with pytest.raises(InvalidInput, match="^checked_on:"):
        service.create_check(
            session, who.county, {"grid_code": "A1", "checkers": "x", "checked_on": "2099-01-01"}, Rules(), DAY
        )
    with pytest.raises(InvalidInput, match="^checkers:"):
        service.create_check(session, who.county, {"grid_code": "A1"}, Rules(), DAY)


def test_a_meeting_records_decisions_as_tracked_items(session, who):
    group = XICHENG.leading_group
    body = {
        "title": "第一次联席会议", "held_on": "2026-11-02", "attendees": [group.members[0], group.members[1]],
        "agenda": [{"type": "部署", "title": "部署冬季扬尘治理"}, {"type": "督办", "title": "督办超期案件"}],
        "minutes": "会议纪要（示例）",
        "decisions": [{"title": "甲一镇完成裸土覆盖", "owner_grid": "A1", "due": "2026-11-30"},
                      {"title": "生态环境局开展专项检查", "owner_department": "sthj"}],
    }  # fmt: skip
    meeting = service.create_meeting(session, who.county, body, XICHENG, Rules(), DAY)
    assert meeting.grid_code == "A" and meeting.convenor == group.leader
    decided = queries.decisions(session, who.county, meeting.id)
    assert [(d.title, d.owner_grid_code, d.owner_department_code, d.due) for d in decided] == [
        ("生态环境局开展专项检查", None, "sthj", date(2026, 11, 16)),  # 定期督办: 10 working days by default
        ("甲一镇完成裸土覆盖", "A1", None, date(2026, 11, 30)),
    ]  # by due date
    assert all(d.kind == "decision" and d.about_id == str(meeting.id) for d in decided)
    assert queries.decisions(session, who.foreign) == [] and queries.list_meetings(session, who.foreign) == []
    assert [d.title for d in queries.decisions(session, who.town)] == ["甲一镇完成裸土覆盖"]
    logged = session.scalars(select(AuditLog.entity).where(AuditLog.entity.in_(("meeting", "tracked_item"))))
    assert {"meeting", "tracked_item"} <= set(logged)


@pytest.mark.parametrize(
    "change,field",
    [
        ({"attendees": ["不存在的单位"]}, "attendees"),
        ({"agenda": [{"type": "闲聊", "title": "x"}]}, "agenda[0].type"),
        ({"held_on": None}, "held_on"),
        ({"decisions": [{"title": "无责任单位"}]}, "decisions[0].owner"),
        ({"decisions": [{"title": "向上", "owner_grid": "A"}]}, "owner"),
    ],
)
def test_meeting_input_is_checked_field_by_field(session, who, change, field):
    body = {"title": "会议", "held_on": "2026-11-02", **change}
    with pytest.raises(InvalidInput) as err:
        service.create_meeting(session, who.county, body, XICHENG, Rules(), DAY)
    assert err.value.message.startswith(f"{field}:")
    assert queries.list_meetings(session, who.county) == []


def test_next_meeting_due_follows_the_profile_period():
    assert queries.next_meeting_due(date(2026, 8, 31), "half_year", DAY) == date(2027, 2, 28)
    assert queries.next_meeting_due(date(2026, 8, 31), "quarter", DAY) == date(2026, 11, 30)
    assert queries.next_meeting_due(None, "quarter", DAY) == DAY  # none held yet: due now
    assert queries.next_meeting_due(date(2026, 8, 31), "unset", DAY) is None  # 西城区's plan fixes none
    assert load("hulin").joint_meeting_period == "half_year"


def test_forbidden_roles_cannot_run_checks_or_meetings(session, who):
    with pytest.raises(Forbidden):
        service.create_check(session, who.village, {"grid_code": "A1a", "checkers": "x"}, Rules(), DAY)
    with pytest.raises(Forbidden):
        service.create_meeting(session, who.handler, {"title": "x", "held_on": "2026-11-02"}, XICHENG, Rules(), DAY)
    with pytest.raises(NotFound):
        queries.get_meeting(session, who.county, 999999)
