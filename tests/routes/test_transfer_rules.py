"""站前区 网格化环境监管移送制度 over HTTP: the routes of 第二条, the case file's copies (第三条), feedback
within fifteen working days of 查处完成, overdue for both sides and 督办, and a return that keeps its reason."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from gisgrid.clock import today_in_china
from gisgrid.incidents import transfer
from gisgrid.incidents.models import IncidentTransfer
from tests.incident_support import PNG, As, _ok, _report


def _dispatched(app, client, world, **extra):
    case = _ok(_report(client, **extra), 201)["id"]
    d = As(app, world["dispatcher"])
    _ok(d.act(case, "register"))
    _ok(d.act(case, "dispatch"))
    return case


def _accepted_back_then(session, transfer_id, day):
    """Move a transfer's acceptance into the past (the test cannot wait weeks)."""
    item = session.get(IncidentTransfer, transfer_id)
    item.answered_at = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)
    session.commit()


def test_each_route_of_article_two_has_its_unit_and_wording(app, client, case_world):
    h = As(app, case_world["zhujian"])
    cases = {kind: _dispatched(app, client, case_world) for kind in ("police", "government", "judicial", "discipline")}
    targets = {}
    for kind, case in cases.items():
        body = _ok(h.act(case, "transfer", kind=kind, reason=f"测试{kind}"))
        targets[kind] = (body["transfers"][0]["to"], body["transfers"][0]["kind_label"])
        assert body["transfers"][0]["wording"] == transfer.KINDS[kind].wording
        assert transfer.KINDS[kind].wording in body["events"][-1]["reason"]  # the route's wording is in the history
    assert targets == {
        "police": ("gongan", "移送公安机关"),
        "government": ("zhengfu", "提出处理建议报本级人民政府"),
        "judicial": ("sifa", "移送司法机关"),
        "discipline": ("jijian", "移送纪检、监察部门"),
    }
    other = _dispatched(app, client, case_world)
    refused = h.act(other, "transfer", kind="prison", reason="x")
    assert refused.status_code == 400 and refused.get_json()["error"]["message"].startswith("kind:")
    refused = h.act(other, "transfer", reason="没有选单位")  # a plain transfer names its unit
    assert refused.status_code == 400 and "to_department" in refused.get_json()["error"]["message"]
    page = h.get(f"/incidents/{other}").get_data(as_text=True)
    assert all(k.wording in page for k in transfer.KINDS.values()) and 'name="kind" value="government"' in page


def test_feedback_is_due_fifteen_working_days_after_completion_not_acceptance(app, client, case_world, session):
    case = _dispatched(app, client, case_world)
    h, police = As(app, case_world["zhujian"]), As(app, case_world["gongan"])
    tid = _ok(h.act(case, "transfer", kind="police", reason="涉嫌需行政拘留"))["transfers"][0]["id"]
    body = _ok(police.act(case, "transfer_accept", transfer_id=tid))
    assert body["transfers"][0]["feedback_due"] is None
    assert police.act(case, "transfer_feedback", transfer_id=tid, feedback="太早").status_code == 409
    _accepted_back_then(session, tid, date(2026, 9, 21))
    for bad in ("2026-13-01", "2026-09-20", "2999-01-01"):  # malformed, before acceptance, in the future
        refused = police.act(case, "transfer_complete", transfer_id=tid, completed_on=bad)
        assert refused.status_code == 400 and "completed_on" in refused.get_json()["error"]["message"], bad
    body = _ok(police.act(case, "transfer_complete", transfer_id=tid, completed_on="2026-09-24", reason="已拘留"))
    # across 中秋 (25–27 Sep) and 国庆 (1–7 Oct); from the acceptance day it would have been 2026-10-19
    assert body["transfers"][0]["completed_on"] == "2026-09-24" and body["transfers"][0]["feedback_due"] == "2026-10-22"
    assert police.act(case, "transfer_complete", transfer_id=tid, completed_on="2026-09-25").status_code == 409
    assert body["events"][-1]["action"] == "transfer_complete" and "2026-10-22" in body["events"][-1]["reason"]


def test_late_feedback_is_overdue_for_both_sides_and_escalates_once(app, client, case_world, session):
    case = _dispatched(app, client, case_world)
    h, police = As(app, case_world["zhujian"]), As(app, case_world["gongan"])
    tid = _ok(h.act(case, "transfer", kind="police", reason="涉嫌需行政拘留"))["transfers"][0]["id"]
    _ok(police.act(case, "transfer_accept", transfer_id=tid))
    _accepted_back_then(session, tid, date(2026, 10, 8))
    _ok(police.act(case, "transfer_complete", transfer_id=tid, completed_on="2026-10-09"))
    for side in (h, police):  # the sending unit still reads the case, and both see it overdue
        detail = _ok(side.get(f"/api/v1/incidents/{case}"))
        assert detail["transfers"][0]["feedback_overdue"] and detail["transfer_overdue"]
        listed = {c["id"]: c for c in _ok(side.get("/api/v1/incidents"))["cases"]}
        assert listed[case]["transfer_overdue"] is True
        assert "移送反馈超期" in side.get("/incidents").get_data(as_text=True)
        assert "反馈超期" in side.get(f"/incidents/{case}").get_data(as_text=True)
    assert h.act(case, "handle", result="x").status_code == 403  # reading is not acting
    escalated = transfer.escalate_overdue(session, today_in_china())
    assert [c.id for c in escalated] == [case]
    assert transfer.escalate_overdue(session, today_in_china()) == []  # once
    detail = _ok(h.get(f"/api/v1/incidents/{case}"))
    assert detail["transfers"][0]["escalated_to"] == "A1"
    assert (
        detail["events"][-1]["action"] == "transfer_escalate" and "督办至上级网格 A1" in detail["events"][-1]["reason"]
    )
    escalated_list = _ok(As(app, case_world["dispatcher"]).get("/api/v1/incidents?escalated=1"))["cases"]
    assert [c["id"] for c in escalated_list] == [case]
    body = _ok(police.act(case, "transfer_feedback", transfer_id=tid, feedback="已处理"))
    assert body["transfers"][0]["feedback_status"] == "late" and not body["transfer_overdue"]
    assert body["events"][-1]["reason"].startswith("逾期反馈")


def test_in_time_feedback_is_not_overdue(app, client, case_world):
    case = _dispatched(app, client, case_world)
    h, police = As(app, case_world["zhujian"]), As(app, case_world["gongan"])
    tid = _ok(h.act(case, "transfer", kind="police", reason="x"))["transfers"][0]["id"]
    _ok(police.act(case, "transfer_accept", transfer_id=tid))
    body = _ok(police.act(case, "transfer_complete", transfer_id=tid))  # today
    assert body["transfers"][0]["feedback_status"] == "ok" and not body["transfer_overdue"]
    body = _ok(police.act(case, "transfer_feedback", transfer_id=tid, feedback="已处理"))
    assert body["transfers"][0]["feedback_status"] == "ok"


def test_a_return_keeps_its_reason_on_the_case(app, client, case_world):
    case = _dispatched(app, client, case_world)
    h, police = As(app, case_world["zhujian"]), As(app, case_world["gongan"])
    tid = _ok(h.act(case, "transfer", kind="police", reason="涉嫌需行政拘留"))["transfers"][0]["id"]
    _ok(police.act(case, "transfer_return", transfer_id=tid, reason="不属于本单位负责：无拘留情节"))
    detail = _ok(h.get(f"/api/v1/incidents/{case}"))
    assert detail["transfers"][0]["state"] == "returned"
    assert detail["transfers"][0]["answer"] == "不属于本单位负责：无拘留情节"
    assert detail["events"][-1]["action"] == "transfer_return"
    assert "不属于本单位负责：无拘留情节" in detail["events"][-1]["reason"]
    page = h.get(f"/incidents/{case}").get_data(as_text=True)
    assert "退回说明：不属于本单位负责：无拘留情节" in page


def test_the_case_file_goes_with_the_transfer_to_the_receiver_only(app, client, case_world):
    case = _dispatched(app, client, case_world, photos=(io.BytesIO(PNG), "a.png"))
    h, police, other = As(app, case_world["zhujian"]), As(app, case_world["gongan"]), As(app, case_world["zhzf"])
    body = _ok(h.act(case, "transfer", kind="police", reason="涉嫌需行政拘留"))
    files = body["transfers"][0]["file"]
    assert len(files) == 1 and "随附案卷材料副本 1 件" in body["events"][-1]["reason"]
    assert police.get(files[0]).data == PNG  # the receiver downloads the copy
    assert h.get(files[0]).data == PNG  # and the sender
    assert other.get(files[0]).status_code == 403  # nobody else
    assert "材料 1" in police.get(f"/incidents/{case}").get_data(as_text=True)
    _ok(police.act(case, "transfer_return", transfer_id=body["transfers"][0]["id"], reason="不属于本单位"))
    assert police.get(files[0]).status_code == 403  # a returned transfer takes its access back


def test_the_sending_unit_reads_the_case_but_is_not_offered_the_transfer_form(app, client, case_world):
    case = _dispatched(app, client, case_world)
    h, police = As(app, case_world["zhujian"]), As(app, case_world["gongan"])
    assert 'data-action="transfer"' in h.get(f"/incidents/{case}").get_data(as_text=True)
    tid = _ok(h.act(case, "transfer", kind="police", reason="x"))["transfers"][0]["id"]
    _ok(police.act(case, "transfer_accept", transfer_id=tid))
    page = h.get(f"/incidents/{case}")
    assert page.status_code == 200 and 'data-action="transfer"' not in page.get_data(as_text=True)
    assert h.act(case, "transfer", kind="judicial", reason="y").status_code == 403
