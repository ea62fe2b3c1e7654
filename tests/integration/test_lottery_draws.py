"""The stored 双随机 draw with real users: exclusions by grid scope and declared conflict, re-runs, one per quarter."""

from __future__ import annotations

import pytest

from gisgrid.errors import Conflict, InvalidInput
from gisgrid.incidents import matrix
from gisgrid.sources import draws, inspections, lottery, service
from gisgrid.sources.models import PollutionSource
from tests import worlds

LATE = "测试：在抽取时间外补抽"  # these tests draw past quarters, which the window rule allows only with a reason


@pytest.fixture()
def registry(session, world_ab, tmp_path, make_user):
    pts = [(100 + 30 * i, 100) for i in range(10)] + [(3100 + 30 * i, 500) for i in range(10)]
    rows = "code,name,kind,lon,lat,class\n" + "\n".join(
        f"S{i},示例·{i},enterprise,{lon!r},{lat!r},{'ABC'[i % 3]}"
        for i, (lon, lat) in enumerate(worlds.wgs84(x, y) for x, y in pts)
    )
    (tmp_path / "s.csv").write_text(rows, encoding="utf-8")
    service.import_file(session, str(tmp_path / "s.csv"), by="t")
    people = {
        "a1": make_user("grid_staff", grids=["A1"]),
        "b": make_user("grid_staff", grids=["B"]),
        "lead_a": make_user("grid_leader", grids=["A"]),
        "dept1": make_user("handler", department="D1"),
        "dept2": make_user("handler", department="D2"),
    }
    make_user("dispatcher", grids=["A", "B"])  # not an inspector role: never drawn
    return people


def test_draw_is_stored_published_and_rerunnable(session, registry):
    draw = draws.run_draw(
        session,
        "2026Q4",
        by="admin",
        override_reason=LATE,
        seed="公开种子-42",
        proportions={"A": 0.5, "B": 0.5, "C": 1.0},
    )
    view = draws.public_view(draw)
    assert view["rerun_matches"] and view["seed"] == "公开种子-42" and view["algorithm"] == lottery.ALGORITHM
    assert lottery.rerun(draw.inputs) == draw.results
    assert len(draw.inputs["sources"]) == 20 and len(draw.inputs["inspectors"]) == 5
    assert all(p["source"] and all(view_name for view_name in p["inspectors"]) for p in view["results"]["picks"])
    with pytest.raises(Conflict):
        draws.run_draw(session, "2026Q4", by="admin", override_reason=LATE, seed="again")


def test_grid_staff_and_conflicts_are_excluded(session, registry):
    a_sources = [s for s in session.query(PollutionSource) if s.grid_codes[0] == "A"]
    inspections.declare_conflict(session, registry["dept1"].id, a_sources[0].id, "示例·亲属任职")
    draw = draws.run_draw(
        session, "2026Q3", by="admin", override_reason=LATE, seed="s", proportions={"A": 1, "B": 1, "C": 1}
    )
    ids = {k: u.id for k, u in registry.items()}
    for pick in draw.results["picks"]:
        source = session.get(PollutionSource, pick["source_id"])
        chosen = set(pick["inspector_ids"])
        if source.grid_codes[0] == "A":
            assert not chosen & {ids["a1"], ids["lead_a"]}
        else:
            assert ids["b"] not in chosen
        if source.id == a_sources[0].id:
            assert ids["dept1"] not in chosen and chosen <= {ids["b"], ids["dept2"]}
    assert [[ids["dept1"], a_sources[0].id]] == draw.inputs["conflicts"]


def test_bad_draw_parameters(session, registry):
    with pytest.raises(InvalidInput):
        draws.run_draw(session, "2026-4", by="admin", override_reason=LATE)
    with pytest.raises(InvalidInput):
        draws.run_draw(session, "2026Q4", by="admin", override_reason=LATE, proportions={"A": 1.5})
    assert draws.list_draws(session) == []


def test_inspections_of_drawn_sources_are_published_with_the_draw(session, registry, make_user):
    from datetime import date

    draw = draws.run_draw(
        session, "2026Q4", by="admin", override_reason=LATE, seed="s", proportions={"A": 1, "B": 0, "C": 0}
    )
    picked = draw.results["picks"][0]["source_id"]
    admin = make_user("admin")
    matrix.load_demo(session)  # the violation opens a case of the duty matrix's categories
    inspections.record_inspection(
        session,
        picked,
        admin,
        inspected_on=date(2026, 11, 20),
        violation=True,
        findings="示例·超标",
        today=date(2026, 11, 23),
    )
    inspections.record_inspection(
        session, picked, admin, inspected_on=date(2026, 9, 30), violation=False, findings=None, today=date(2026, 11, 23)
    )  # Q3: not under this draw
    view = draws.published(session, draw.id)
    outcome = {p["source_id"]: p["outcome"] for p in view["results"]["picks"]}
    assert outcome[picked] == {"inspected_on": "2026-11-20", "violation": True}
    assert sum(1 for o in outcome.values() if o) == 1


def test_the_inspector_pool_is_a_parameter_stored_and_published(session, registry, make_user):
    make_user("handler", department="D1")
    draw = draws.run_draw(
        session,
        "2026Q2",
        by="admin",
        override_reason=LATE,
        seed="pool-1",
        proportions={"A": 1, "B": 1, "C": 1},
        pool_roles=["handler"],
        departments=["D1"],
    )
    d1 = {
        u.id
        for u in session.query(draws.User).where(draws.User.role == "handler")
        if u.department and u.department.code == "D1"
    }
    assert draw.inputs["pool"] == {"roles": ["handler"], "departments": ["D1"]}
    assert {i["id"] for i in draw.inputs["inspectors"]} == d1 and len(d1) == 2
    assert {i for p in draw.results["picks"] for i in p["inspector_ids"]} == d1
    published = draws.published(session, draw.id)
    assert published["rerun_matches"] and lottery.verify(published)
    assert published["inputs"]["labels"]["departments"] == {"D1": "测试部门 D1"}


def test_the_default_pool_and_bad_pools(session, registry):
    draw = draws.run_draw(
        session, "2026Q1", by="admin", override_reason=LATE, seed="s", proportions={"A": 1, "B": 1, "C": 1}
    )
    assert draw.inputs["pool"] == {"roles": ["grid_leader", "grid_staff", "handler"], "departments": []}
    assert {i["role"] for i in draw.inputs["inspectors"]} == {"grid_leader", "grid_staff", "handler"}
    with pytest.raises(InvalidInput):
        draws.run_draw(session, "2026Q2", by="admin", override_reason=LATE, pool_roles=["admin"])
    with pytest.raises(InvalidInput):
        draws.run_draw(session, "2026Q2", by="admin", override_reason=LATE, departments=["NOPE"])
