"""考评 trend over HTTP: two yearly rounds in which A1 and A2 swap places; the JSON behind the chart holds each
grid's reviewed score and rank per round, the page carries the same numbers, and foreign grids see nothing."""

from __future__ import annotations

import json

import pytest

from tests.incident_support import As, _ok
from tests.routes.test_evaluation import _form_id, _scores

ROUND = {"period": "year", "lowest_depth": 3}


@pytest.fixture()
def two_rounds(app, case_world, make_user):
    """Rounds 2024 and 2025: A1 reviewed 80 then 70, A2 reviewed 60 then 90; the villages stay drafts."""
    users = {
        **case_world,
        "top": make_user("grid_leader", grids=("A",)),
        "a2": make_user("grid_leader", grids=("A2",)),
        "foreign": make_user("grid_leader", grids=("B",)),
        "village": make_user("grid_leader", grids=("A1a",)),
    }
    office, top = As(app, users["dispatcher"]), As(app, users["top"])
    for year, a1_score, a2_score in ((2024, 20, 15), (2025, 17.5, 22.5)):
        body = {**ROUND, "year": year, "due_on": f"{year + 1}-01-20"}
        rnd = _ok(office.post("/api/v1/evaluation/rounds", **body), 201)
        for code, who, score in (("A1", "leader", a1_score), ("A2", "a2", a2_score)):
            form = _form_id(app, users["top"], rnd["id"], code)
            _ok(
                As(app, users[who]).post(
                    f"/api/v1/evaluation/forms/{form}/self", scores=_scores(*[score] * 4), submit=True
                )
            )
            _ok(top.post(f"/api/v1/evaluation/forms/{form}/review", scores=_scores(*[score] * 4)))
    return users


def _series(body):
    return {g["grid_code"]: (g["scores"], g["ranks"]) for g in body["grids"]}


def test_the_trend_holds_each_grids_score_and_rank_per_round(app, two_rounds):
    body = _ok(As(app, two_rounds["top"]).get("/api/v1/evaluation/trend"))
    assert (body["period"], body["depth"], body["level_label"]) == ("year", 2, "二级网格 · 街道")
    assert [d["depth"] for d in body["depths"]] == [2, 3]
    assert [r["label"] for r in body["rounds"]] == ["2024年度网格化环境监管考评", "2025年度网格化环境监管考评"]
    assert [r["max_total"] for r in body["rounds"]] == [100.0, 100.0]
    assert _series(body) == {"A1": ([80.0, 70.0], [1, 2]), "A2": ([60.0, 90.0], [2, 1])}
    villages = _ok(As(app, two_rounds["top"]).get("/api/v1/evaluation/trend?level=3"))
    # drafts are neither scored nor ranked: no zero is drawn for a grid that was not reviewed
    assert _series(villages)["A1a"] == ([None, None], [None, None]) and len(villages["grids"]) == 4


def test_foreign_and_lower_grids_see_only_their_own_series(app, two_rounds):
    foreign = _ok(As(app, two_rounds["foreign"]).get("/api/v1/evaluation/trend"))
    assert (foreign["grids"], foreign["depths"], foreign["depth"]) == ([], [], None)
    assert len(foreign["rounds"]) == 2  # the rounds exist; none of their forms is in B's scope
    village = _ok(As(app, two_rounds["village"]).get("/api/v1/evaluation/trend"))
    assert village["depth"] == 3 and [g["grid_code"] for g in village["grids"]] == ["A1a"]
    html = As(app, two_rounds["foreign"]).get("/evaluation/trend").get_data(as_text=True)
    assert 'id="trend-empty"' in html and "甲一镇" not in html
    assert As(app, two_rounds["staff"]).get("/api/v1/evaluation/trend").status_code == 403  # staff: no 考评


def test_bad_arguments_are_400_naming_the_field(app, two_rounds):
    top = As(app, two_rounds["top"])
    resp = top.get("/api/v1/evaluation/trend?period=decade")
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("period:")
    resp = top.get("/api/v1/evaluation/trend?level=x")
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("level:")
    assert _ok(top.get("/api/v1/evaluation/trend?period=quarter"))["rounds"] == []


def test_the_page_carries_the_chart_data_and_the_table(app, two_rounds):
    html = As(app, two_rounds["top"]).get("/evaluation/trend").get_data(as_text=True)
    data = json.loads(html.split('id="trend-data">')[1].split("</script>")[0])
    assert _series(data) == {"A1": ([80.0, 70.0], [1, 2]), "A2": ([60.0, 90.0], [2, 1])}
    row = html.split('data-grid="A2"')[1].split("</tr>")[0]
    assert "60.0" in row and "90.0" in row and "第 1 名" in row
    assert 'id="trend-scores"' in html and "uPlot.iife.min.js" in html
