"""The tracked-item engine on real PostGIS (world A/B): states, notes with files, scope, escalation, audit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from gisgrid.audit.models import AuditLog
from gisgrid.errors import Forbidden, InvalidInput
from gisgrid.incidents.deadlines import add_working_days
from gisgrid.tracking import access, queries, service
from gisgrid.tracking.models import TrackedEscalation, TrackedItem
from gisgrid.tracking.rules import Rules
from tests.tracking_support import DAY, PDF, people


@pytest.fixture()
def who(make_user, world_ab):
    return people(make_user)


def _open(session, who, **kw):
    args = {"kind": "duban", "title": "督促整改扬尘", "owner": "A1a", "watcher": "A1", "priority": "regular"}
    return service.open_item(session, **{**args, **kw}, actor=who.town, today=DAY)


def test_open_item_places_it_in_the_grid_tree_with_a_working_day_deadline(session, who):
    item = _open(session, who, about=("case", 42))
    assert item.chain == ["A", "A1", "A1a"] and item.watcher_chain == ["A", "A1"]
    assert item.watcher_label == "甲一镇" and item.about_kind == "case" and item.about_id == "42"
    assert item.due == add_working_days(DAY, 10) and item.state == "open"
    assert [n.action for n in item.notes] == ["open"]
    explicit = _open(session, who, due=date(2026, 11, 20), priority="rapid")
    assert explicit.due == date(2026, 11, 20)


@pytest.mark.parametrize(
    "kw,field",
    [
        ({"owner": "nope"}, "owner"),
        ({"watcher": "nope"}, "watcher"),
        ({"priority": "asap"}, "priority"),
        ({"title": " "}, "title"),
        ({"due": date(2026, 10, 1)}, "due"),
        ({"owner": None, "watcher": None}, "owner"),
    ],
)
def test_bad_input_is_400_naming_the_field(session, who, kw, field):
    with pytest.raises(InvalidInput) as err:
        _open(session, who, **kw)
    assert err.value.message.startswith(f"{field}:")
    assert session.scalar(select(TrackedItem.id)) is None


def test_owner_reports_done_with_a_file_and_the_watcher_accepts(session, who, tmp_path):
    item = _open(session, who)
    media = str(tmp_path)
    with pytest.raises(Forbidden):  # the watcher does not report for the owner
        service.act(session, who.town, item.id, service.Step("report_done", "已整改"), media, DAY)
    service.act(session, who.village, item.id, service.Step("start"), media, DAY)
    with pytest.raises(InvalidInput, match="text"):
        service.act(session, who.village, item.id, service.Step("report_done", " "), media, DAY)
    step = service.Step("report_done", "已覆盖裸土", files=(("整改报告.pdf", PDF),))
    service.act(session, who.village, item.id, step, media, DAY)
    assert item.state == "reported_done" and item.reported_at is not None
    [attachment] = item.attachments
    assert attachment.mime == "application/pdf" and (tmp_path / attachment.path).read_bytes() == PDF
    with pytest.raises(Forbidden):  # the owner cannot accept its own work
        service.act(session, who.village, item.id, service.Step("accept"), media, DAY)
    service.act(session, who.town, item.id, service.Step("accept", "现场核实已整改"), media, DAY)
    assert item.state == "accepted" and item.closed_at is not None
    assert [n.action for n in item.notes] == ["open", "start", "report_done", "accept"]
    with pytest.raises(InvalidInput, match="action"):  # accepted is final
        service.act(session, who.town, item.id, service.Step("send_back", "再查"), media, DAY)


def test_sent_back_gets_a_new_deadline_and_goes_round_again(session, who, tmp_path):
    item = _open(session, who)
    service.act(session, who.village, item.id, service.Step("report_done", "已整改"), str(tmp_path), DAY)
    back = service.Step("send_back", "整改不到位", new_due=date(2026, 11, 30))
    service.act(session, who.town, item.id, back, str(tmp_path), DAY)
    assert item.state == "sent_back" and item.due == date(2026, 11, 30)
    service.act(session, who.village, item.id, service.Step("report_done", "已再次整改"), str(tmp_path), DAY)
    assert item.state == "reported_done"


def test_a_refused_file_leaves_no_note_and_no_state_change(session, who, tmp_path):
    item = _open(session, who)
    media = tmp_path / "media"
    bad = service.Step("report_done", "见附件", files=(("ok.pdf", PDF), ("x.html", b"<script>alert(1)</script>")))
    with pytest.raises(InvalidInput):
        service.act(session, who.village, item.id, bad, str(media), DAY)
    session.expire_all()
    item = session.get(TrackedItem, item.id)
    assert item.state == "open" and [n.action for n in item.notes] == ["open"] and not item.attachments
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def test_scope_owner_watcher_chain_and_leaders_above_only(session, who):
    item = _open(session, who)
    dept_item = _open(session, who, owner=None, owner_department="sthj", chain=["A", "A1"])
    seen = {u: access.can_view(u, item) for u in (who.county, who.town, who.village, who.sibling, who.foreign)}
    assert seen == {who.county: True, who.town: True, who.village: True, who.sibling: False, who.foreign: False}
    assert not access.can_view(who.handler, item) and access.can_view(who.handler, dept_item)
    assert access.is_owner(who.handler, dept_item) and not access.is_owner(who.village, dept_item)
    assert queries.list_items(session, who.foreign, {}, DAY) == []
    assert queries.list_items(session, who.sibling, {}, DAY) == []
    assert {i.id for i in queries.list_items(session, who.county, {}, DAY)} == {item.id, dept_item.id}
    assert [i.id for i in queries.list_items(session, who.village, {"view": "mine"}, DAY)] == [item.id]
    assert {i.id for i in queries.list_items(session, who.town, {"view": "raised"}, DAY)} == {item.id, dept_item.id}


def test_escalation_climbs_one_level_per_deadline_never_silently(session, who):
    item = _open(session, who, due=date(2026, 11, 3))
    rules = Rules(step_days=5)
    assert service.escalate_overdue(session, date(2026, 11, 3), rules) == []  # due today: not late
    [first] = service.escalate_overdue(session, date(2026, 11, 4), rules)
    assert (first.level, first.to_grid_code, first.deadline) == (1, "A1", date(2026, 11, 3))
    assert service.escalate_overdue(session, date(2026, 11, 4), rules) == []  # same day again: nothing new
    late = date(2026, 11, 20)
    [second] = service.escalate_overdue(session, late, rules)
    assert (second.level, second.to_grid_code) == (2, "A")
    assert service.escalate_overdue(session, late, rules) == []  # capped: A is the top
    assert item.escalation_level == 2 and item.escalated_to == "A"
    assert [n.action for n in item.notes].count("escalate") == 2
    audited = session.scalars(
        select(AuditLog.entity_key).where(AuditLog.entity == "tracked_escalation", AuditLog.action == "insert")
    ).all()
    assert sorted(audited) == ["A", "A1"]
    assert session.scalar(select(AuditLog.id).where(AuditLog.entity == "tracked_item")) is not None


def test_escalation_skips_work_waiting_for_acceptance_and_other_scopes(session, who, tmp_path):
    done = _open(session, who, due=date(2026, 11, 3))
    service.act(session, who.village, done.id, service.Step("report_done", "已整改"), str(tmp_path), DAY)
    other = _open(session, who, due=date(2026, 11, 3), owner="A1b")
    assert service.escalate_overdue(session, date(2026, 11, 4), Rules(), who.village) == []  # not their items
    made = service.escalate_overdue(session, date(2026, 11, 4), Rules())
    assert [m.item_id for m in made] == [other.id]
    assert session.scalar(select(TrackedEscalation.id).where(TrackedEscalation.item_id == done.id)) is None


def test_waiting_for_is_the_inbox_hook(session, who, tmp_path):
    late = _open(session, who, due=date(2026, 11, 3), priority="rapid", title="迅速督办事项")
    calm = _open(session, who, priority="regular", title="定期督办事项")
    rows = queries.waiting_for(session, who.village, date(2026, 11, 4))
    assert [r["url"] for r in rows] == [f"/tracking/{late.id}", f"/tracking/{calm.id}"]
    first = rows[0]
    assert set(first) == {"kind", "title", "url", "due", "overdue", "urgency"}
    assert first["kind"] == "tracking.duban" and first["overdue"] is True and first["urgency"] == 0
    assert rows[1]["overdue"] is False and rows[1]["urgency"] == 3 and isinstance(rows[1]["due"], date)
    assert queries.waiting_for(session, who.town, date(2026, 11, 4)) == []  # nothing to accept yet
    service.act(session, who.village, calm.id, service.Step("report_done", "已办结"), str(tmp_path), DAY)
    [accept] = queries.waiting_for(session, who.town, date(2026, 11, 4))
    assert accept["url"] == f"/tracking/{calm.id}" and "验收" in accept["title"]
    assert queries.waiting_for(session, who.foreign, date(2026, 11, 4)) == []


def test_cli_escalate_prints_each_escalation(app, session, who):
    from gisgrid.cli import main

    item = _open(session, who, due=date(2026, 11, 3))
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["tracking", "escalate", "--today", "2026-11-04"])
    assert result.exit_code == 0, result.output
    assert f"item {item.id}: level 1 → A1" in result.output and "escalated 1 times" in result.output
    assert "escalated 0 times" in runner.invoke(main, ["tracking", "escalate", "--today", "2026-11-04"]).output


def test_tracked_items_reach_the_inbox_through_its_registry(app, session, who):
    # the app factory registers tracking.waiting with the inbox (the inbox imports no domain)
    from gisgrid.inbox import service as inbox_service
    from gisgrid.inbox.registry import sources

    assert "tracked_items" in [s.name for s in sources()] and "evaluation" in [s.name for s in sources()]
    item = _open(session, who, priority="rapid", title="迅速督办事项")
    with app.test_request_context():
        urls = [e.url for e in inbox_service.entries(session, who.village)]
        assert f"/tracking/{item.id}" in urls
        assert f"/tracking/{item.id}" not in [e.url for e in inbox_service.entries(session, who.foreign)]


def test_the_worker_escalates_overdue_items_hourly(app, session, who):
    # gisgrid worker runs the registered periodic task; forced here (gisgrid worker --burst does the same)
    from gisgrid.jobs import registry, runner

    assert "tracking.escalate" in [p.name for p in registry.periodics()]
    late = _open(session, who, due=date(2026, 11, 3))  # opened on 2026-11-02: overdue by the real today
    with app.app_context():
        assert runner.tick(force=True)["tracking.escalate"] >= 1
    assert session.scalar(select(TrackedEscalation.id).where(TrackedEscalation.item_id == late.id)) is not None
