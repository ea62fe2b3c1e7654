"""考评 over HTTP: a round opened by the top grid, a form filled and submitted by its grid, reviewed by the grid
above, ranked and exported; foreign grids see nothing; bad input is a 400 naming the item; audit rows."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from gisgrid.audit.models import AuditLog
from gisgrid.evaluation import queries
from gisgrid.grids.models import Grid
from tests.incident_support import As, _ok

ITEMS = ("plan", "duties", "rules", "work")
ROUND = {"period": "year", "year": 2025, "lowest_depth": 3, "due_on": "2026-01-20"}


@pytest.fixture()
def ev(case_world, make_user):
    """case_world plus a leader of the top grid A and a leader of the foreign county B."""
    return {
        **case_world,
        "top": make_user("grid_leader", grids=("A",)),
        "foreign": make_user("grid_leader", grids=("B",)),
    }


def _open(app, ev, **extra):
    return _ok(As(app, ev["dispatcher"]).post("/api/v1/evaluation/rounds", **{**ROUND, **extra}), 201)


def _form_id(app, user, round_id, code):
    ranking = _ok(As(app, user).get(f"/api/v1/evaluation/rounds/{round_id}/ranking"))
    return next(r["form_id"] for lv in ranking["levels"] for r in lv["rows"] if r["grid_code"] == code)


def _scores(*values):
    return {k: {"score": v, "note": "见佐证"} for k, v in zip(ITEMS, values)}


def test_a_round_has_one_form_per_grid_below_the_top_with_its_chain(app, ev, session):
    rnd = _open(app, ev)
    assert (rnd["label"], rnd["starts_on"], rnd["ends_on"], rnd["forms"]) == (
        "2025年度网格化环境监管考评", "2025-01-01", "2025-12-31", 6,
    )  # fmt: skip
    forms = {f.grid_code: f for f in queries.get_round(session, rnd["id"]).forms}
    assert set(forms) == {"A1", "A2", "A1a", "A1b", "A2a", "A2b"}  # B has no lower grid; the top grids review
    assert forms["A1a"].chain == ["A", "A1", "A1a"] and forms["A1a"].parent_code == "A1"
    assert set(forms["A1"].indicators) == {
        "wuding_complete", "case_on_time_rate", "case_closure_rate", "inspections_on_time", "patrol_coverage",
        "transfer_feedback_on_time", "supervision_closed_on_time",
    }  # fmt: skip
    assert forms["A1"].indicators["supervision_closed_on_time"] is None  # no 督办 fell due: no value is made up


def test_indicators_prefill_from_the_data(app, ev, session, world_ab):
    # 五定: give A1a (which has staff) and A1b (no staff) tasks and 奖惩; A1 itself has no staff
    for grid in session.scalars(select(Grid).where(Grid.version_id == world_ab.version_id)):
        if grid.code in ("A1a", "A1b"):
            grid.tasks, grid.rewards_penalties = "巡查", "见责任状"
    session.commit()
    rnd = _open(app, ev)
    forms = {f.grid_code: f for f in queries.get_round(session, rnd["id"]).forms}
    assert forms["A1a"].indicators["wuding_complete"] == 1.0
    assert forms["A1b"].indicators["wuding_complete"] == 0.0
    assert forms["A1"].indicators["wuding_complete"] == round(1 / 3, 4)  # A1, A1a, A1b: only A1a complete
    assert forms["A1a"].self_scores["duties"] == {"score": 25.0, "note": "由数据预填", "prefilled": True}
    assert forms["A1"].self_scores["duties"]["score"] == 8.3
    assert "plan" not in forms["A1"].self_scores  # an item without data is the grid's to score
    assert forms["A2"].indicators["case_on_time_rate"] is None  # no case in 2025: no rate, not zero


def test_fill_submit_review_and_rank(app, ev, session):
    rnd = _open(app, ev)
    a1, a2 = _form_id(app, ev["top"], rnd["id"], "A1"), _form_id(app, ev["top"], rnd["id"], "A2")
    leader = As(app, ev["leader"])  # leader of A1
    body = _ok(leader.post(f"/api/v1/evaluation/forms/{a1}/self", scores=_scores(20, 22, 18, 24), submit=True))
    assert (body["state"], body["self_total"], body["submitted_by"]) == ("submitted", 84.0, ev["leader"].username)
    assert leader.post(f"/api/v1/evaluation/forms/{a1}/review", scores=_scores(1, 1, 1, 1)).status_code == 403
    top = As(app, ev["top"])
    body = _ok(top.post(f"/api/v1/evaluation/forms/{a1}/review", scores=_scores(18, 20, 18, 22), note="材料齐全"))
    assert (body["state"], body["review_total"], body["reviewed_by"]) == ("reviewed", 78.0, ev["top"].username)
    top_a2 = As(app, ev["top"])  # A2's form is filled by the top grid's admin stand-in: here A2 stays a draft
    ranking = _ok(top_a2.get(f"/api/v1/evaluation/rounds/{rnd['id']}/ranking"))
    level2 = next(lv for lv in ranking["levels"] if lv["depth"] == 2)
    assert [(r["grid_code"], r["rank"], r["review_total"]) for r in level2["rows"]] == [
        ("A1", 1, 78.0), ("A2", None, None),
    ]  # fmt: skip
    assert a2 and ranking["max_total"] == 100.0
    entries = session.scalars(
        select(AuditLog).where(AuditLog.entity == "evaluation_form", AuditLog.entity_id == str(a1))
    ).all()
    # the test is one transaction, so the trigger folds the updates into the insert's entry (as in an import)
    assert [(e.action, e.changes["state"], e.changes["review_total"]) for e in entries] == [("insert", "reviewed", 78)]


def test_bad_scores_are_400_naming_the_item(app, ev):
    rnd = _open(app, ev)
    a1 = _form_id(app, ev["top"], rnd["id"], "A1")
    leader = As(app, ev["leader"])
    resp = leader.post(f"/api/v1/evaluation/forms/{a1}/self", scores={"plan": {"score": 26}})
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("scores.plan:")
    resp = leader.post(f"/api/v1/evaluation/forms/{a1}/self", scores={"nope": {"score": 1}})
    assert resp.status_code == 400 and "scores.nope" in resp.get_json()["error"]["message"]
    resp = leader.post(f"/api/v1/evaluation/forms/{a1}/self", scores={"plan": {"score": 10}}, submit=True)
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("scores.rules:")
    resp = leader.post("/api/v1/evaluation/rounds", period="decade")
    assert resp.status_code == 403  # a grid leader has no right to open a round
    resp = As(app, ev["dispatcher"]).post("/api/v1/evaluation/rounds", period="decade")
    assert resp.status_code == 400 and "period" in resp.get_json()["error"]["message"]


def test_a_return_needs_a_reason_and_goes_back_to_the_grid(app, ev):
    rnd = _open(app, ev)
    a1 = _form_id(app, ev["top"], rnd["id"], "A1")
    leader, top = As(app, ev["leader"]), As(app, ev["top"])
    _ok(leader.post(f"/api/v1/evaluation/forms/{a1}/self", scores=_scores(20, 20, 20, 20), submit=True))
    resp = top.post(f"/api/v1/evaluation/forms/{a1}/review", decision="return")
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("note:")
    body = _ok(top.post(f"/api/v1/evaluation/forms/{a1}/review", decision="return", note="缺少建设方案"))
    assert body["state"] == "returned" and body["may_fill"] is False  # the reviewer does not fill it
    body = _ok(leader.get(f"/api/v1/evaluation/forms/{a1}"))
    assert body["may_fill"] is True and body["review_note"] == "缺少建设方案"
    assert _ok(leader.post(f"/api/v1/evaluation/forms/{a1}/self", submit=True))["state"] == "submitted"


def test_foreign_grids_and_lower_grids_see_no_foreign_form(app, ev, make_user):
    rnd = _open(app, ev)
    a1 = _form_id(app, ev["top"], rnd["id"], "A1")
    foreign = As(app, ev["foreign"])
    assert foreign.get(f"/api/v1/evaluation/forms/{a1}").status_code == 403
    assert _ok(foreign.get(f"/api/v1/evaluation/rounds/{rnd['id']}/ranking"))["levels"] == []
    assert foreign.post(f"/api/v1/evaluation/forms/{a1}/self", scores=_scores(1, 1, 1, 1)).status_code == 403
    assert foreign.client.get(f"/evaluation/forms/{a1}").status_code == 403
    # a village leader (A1a) sees its own form but not its parent's
    village = As(app, make_user("grid_leader", grids=("A1a",)))
    assert village.get(f"/api/v1/evaluation/forms/{a1}").status_code == 403
    seen = _ok(village.get(f"/api/v1/evaluation/rounds/{rnd['id']}/ranking"))
    assert [r["grid_code"] for lv in seen["levels"] for r in lv["rows"]] == ["A1a"]
    # grid staff have no 考评 pages; a foreign dispatcher cannot open a round
    assert As(app, ev["staff"]).get("/api/v1/evaluation/rounds").status_code == 403
    foreign_dispatcher = As(app, ev["foreign_dispatcher"])  # B is a top grid of its own, with no grid below it
    resp = foreign_dispatcher.post("/api/v1/evaluation/rounds", **{**ROUND, "year": 2024})
    assert resp.status_code == 400 and "没有下级网格" in resp.get_json()["error"]["message"]
    assert As(app, ev["leader"]).post("/api/v1/evaluation/rounds", **{**ROUND, "year": 2024}).status_code == 403


def test_pages_export_and_finish(app, ev):
    rnd = _open(app, ev)
    round_id = rnd["id"]
    top = As(app, ev["top"])
    a1 = _form_id(app, ev["top"], round_id, "A1")
    leader = As(app, ev["leader"])
    token = leader.token
    resp = leader.client.post(
        f"/evaluation/forms/{a1}/self",
        data={**{f"score.{k}": "20" for k in ITEMS}, "note": "年度总结", "submit": "", "csrf_token": token},
    )
    assert resp.status_code == 302
    agreement = {"year": 2025, "title": "2025年度目标责任书", "upper_code": "A", "party_code": "A1",
                 "tasks": "按月巡查全覆盖", "rewards_penalties": "优秀通报表扬"}  # fmt: skip
    _ok(As(app, ev["dispatcher"]).post("/api/v1/agreements", **agreement), 201)
    html = top.client.get(f"/evaluation/forms/{a1}").get_data(as_text=True)
    assert 'id="review-form"' in html and "年度总结" in html
    assert "2025年度目标责任书" in html and "按月巡查全覆盖" in html  # the 责任状 the scores answer to
    resp = top.client.post(
        f"/evaluation/forms/{a1}/review",
        data={**{f"score.{k}": "19.5" for k in ITEMS}, "accept": "", "csrf_token": top.token},
    )
    assert resp.status_code == 302
    html = top.client.get(f"/evaluation/rounds/{round_id}").get_data(as_text=True)
    assert "甲一镇" in html and "78.0" in html
    book = load_workbook(io.BytesIO(top.client.get(f"/evaluation/rounds/{round_id}/export.xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[2][:5] == (1, "A1", "甲一镇", "二级网格", "已评审") and rows[2][-3:] == (80.0, 78.0, None)
    pdf = top.client.get(f"/evaluation/rounds/{round_id}/export.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert top.client.get(f"/evaluation/rounds/{round_id}/export.doc").status_code == 404
    disp = As(app, ev["dispatcher"])
    resp = disp.client.post(f"/evaluation/rounds/{round_id}/finish", data={"csrf_token": disp.token},
                            headers={"Accept": "application/json"})  # fmt: skip
    assert resp.status_code == 409 and "未完成评审" in resp.get_json()["error"]["message"]


def test_evidence_is_stored_and_only_visible_in_scope(app, ev):
    rnd = _open(app, ev)
    a1 = _form_id(app, ev["top"], rnd["id"], "A1")
    leader = As(app, ev["leader"])
    resp = leader.client.post(
        f"/evaluation/forms/{a1}/evidence",
        data={"item": "plan", "file": (io.BytesIO(b"%PDF-1.4 scan"), "建设方案.pdf"), "csrf_token": leader.token},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    html = leader.client.get(f"/evaluation/forms/{a1}").get_data(as_text=True)
    href = html.split('href="/evaluation/evidence/')[1].split('"')[0]
    assert leader.client.get(f"/evaluation/evidence/{href}").data == b"%PDF-1.4 scan"
    assert As(app, ev["foreign"]).client.get(f"/evaluation/evidence/{href}").status_code == 403
    resp = leader.client.post(
        f"/evaluation/forms/{a1}/evidence",
        data={"item": "zzz", "file": (io.BytesIO(b"%PDF-1.4"), "a.pdf"), "csrf_token": leader.token},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("item:")


def test_waiting_for_lists_forms_to_fill_and_to_review(app, ev):
    rnd = _open(app, ev)
    a1 = _form_id(app, ev["top"], rnd["id"], "A1")
    from gisgrid.db import db

    with app.test_request_context():
        session = db.session()
        mine = _evaluation_items(queries.waiting_for(session, ev["leader"], today=date(2026, 1, 25)))
        assert [(i["kind"], i["url"], i["due"], i["overdue"], i["urgency"]) for i in mine] == [
            ("evaluation_self", f"/evaluation/forms/{a1}", date(2026, 1, 20), True, 0)
        ]
        assert _evaluation_items(queries.waiting_for(session, ev["top"], today=date(2026, 1, 25))) == []
    _ok(As(app, ev["leader"]).post(f"/api/v1/evaluation/forms/{a1}/self", scores=_scores(9, 9, 9, 9), submit=True))
    with app.test_request_context():
        session = db.session()
        assert _evaluation_items(queries.waiting_for(session, ev["leader"], today=date(2026, 1, 5))) == []
        review = _evaluation_items(queries.waiting_for(session, ev["top"], today=date(2026, 1, 5)))
        assert [(i["kind"], i["overdue"], i["urgency"]) for i in review] == [("evaluation_review", False, 2)]
        assert review[0]["due"] == date(2026, 2, 3)  # 10 working days after 20 January 2026
        assert _evaluation_items(queries.waiting_for(session, ev["foreign"], today=date(2026, 1, 5))) == []


def _evaluation_items(items):
    return [i for i in items if i["kind"].startswith("evaluation_")]
