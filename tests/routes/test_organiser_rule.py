"""Who organises 联合执法 follows the deployment profile: 同级网格责任主体 (虎林, 盘锦) or 一级网格 (高昌)."""

from __future__ import annotations

import dataclasses

from gisgrid.deployment import load
from gisgrid.deployment.model import Department
from gisgrid.deployment.profile import EXTENSION_KEY
from tests.incident_support import As, _ok, _report


def _with_departments(key: str, depths: dict[str, int]):
    # the shipped profile with the test world's departments placed at the given levels (depths)
    profile = load(key)
    extra = tuple(Department(code, code, depth, "") for code, depth in depths.items())
    kept = tuple(d for d in profile.departments if d.code not in depths)
    return dataclasses.replace(profile, departments=kept + extra)


def _joint_case(app, client, case_world) -> dict:
    case = _ok(_report(client, category="wastewater", description="河道旁废水直排"), 201)["id"]
    d = As(app, case_world["dispatcher"])
    _ok(d.act(case, "register"))
    return _ok(d.act(case, "dispatch", departments=["zhujian", "zhzf"]))


def test_same_level_rule_picks_the_grid_of_the_handling_level(app, client, case_world):
    # 虎林: "由同级网格责任主体负责组织实施联合执法" — two 乡镇-level units (depth 2) → the 乡镇 grid organises
    app.extensions[EXTENSION_KEY] = _with_departments("hulin", {"zhujian": 2, "zhzf": 2})
    body = _joint_case(app, client, case_world)
    assert body["organiser"] == "甲一镇责任主体"
    assert [t["department"] for t in body["tasks"]] == ["zhujian", "zhzf"]


def test_same_level_with_a_higher_department_goes_up_to_its_level(app, client, case_world):
    # a 市 department joins: the joint action spans the 市 level, whose 责任主体 organises
    app.extensions[EXTENSION_KEY] = _with_departments("panjin", {"zhujian": 1, "zhzf": 2})
    assert _joint_case(app, client, case_world)["organiser"] == "甲县责任主体"


def test_top_rule_always_picks_the_first_level_grid(app, client, case_world):
    # 高昌: "由一级网格的责任主体负责组织实施联合执法" — even when both units sit at level 2
    app.extensions[EXTENSION_KEY] = _with_departments("gaochang", {"zhujian": 2, "zhzf": 2})
    assert _joint_case(app, client, case_world)["organiser"] == "甲县责任主体"
