"""双随机 draw: reproducible from the seed, per-class proportions, and exclusions."""

import random

from gisgrid.sources import lottery


def _world():
    sources = [{"id": i, "class": "ABC"[i % 3], "grid_codes": ["X", f"X{i % 4}"]} for i in range(1, 61)]
    inspectors = [{"id": 100 + j, "grid_codes": [f"X{j % 4}"] if j < 8 else []} for j in range(12)]
    return sources, inspectors


def test_same_seed_same_draw_and_rerun_from_stored_inputs():
    sources, inspectors = _world()
    props = {"A": 0.05, "B": 0.1, "C": 0.5}
    first = lottery.draw("2026Q4-公开种子-739", sources, inspectors, props)
    # shuffled input order must not matter: candidates are sorted by id before sampling
    second = lottery.draw(
        "2026Q4-公开种子-739", random.Random(1).sample(sources, 60), list(reversed(inspectors)), props
    )
    assert first == second
    inputs = {
        "seed": "2026Q4-公开种子-739",
        "sources": sources,
        "inspectors": inspectors,
        "proportions": props,
        "conflicts": [],
        "per_source": 2,
    }
    assert lottery.rerun(inputs) == first
    assert lottery.draw("another seed", sources, inspectors, props) != first


def test_per_class_proportions_round_up():
    sources, inspectors = _world()  # 20 sources of each class
    result = lottery.draw("s", sources, inspectors, {"A": 0.05, "B": 0.12, "C": 1.0})
    by_class = {c: [p for p in result["picks"] if p["class"] == c] for c in "ABC"}
    assert [len(by_class[c]) for c in "ABC"] == [1, 3, 20]  # ceil(1.0), ceil(2.4), all
    assert len({p["source_id"] for p in result["picks"]}) == 24


def test_inspectors_of_the_sources_grid_and_declared_conflicts_are_never_drawn():
    sources, inspectors = _world()
    conflicts = [[108, s["id"]] for s in sources if s["id"] % 2 == 0]  # 108 has no grid, conflicts with evens
    for seed in range(40):
        result = lottery.draw(str(seed), sources, inspectors, {"A": 1, "B": 1, "C": 1}, conflicts)
        for pick in result["picks"]:
            source = next(s for s in sources if s["id"] == pick["source_id"])
            assert len(pick["inspector_ids"]) == 2 and len(set(pick["inspector_ids"])) == 2
            for inspector_id in pick["inspector_ids"]:
                scope = next(i for i in inspectors if i["id"] == inspector_id)["grid_codes"]
                assert not set(scope) & set(source["grid_codes"])
                assert not (inspector_id == 108 and source["id"] % 2 == 0)


def test_a_district_wide_inspector_is_excluded_everywhere_and_shortfalls_are_reported():
    sources = [{"id": 1, "class": "C", "grid_codes": ["X", "X1"]}]
    inspectors = [{"id": 7, "grid_codes": ["X"]}, {"id": 8, "grid_codes": ["Y"]}]
    result = lottery.draw("s", sources, inspectors, {"C": 1})
    assert result == {"picks": [{"source_id": 1, "class": "C", "inspector_ids": [8]}], "shortfall_source_ids": [1]}


def test_the_pool_limits_the_inspectors_by_role_and_department():
    sources, _ = _world()
    inspectors = [
        {
            "id": 100 + j,
            "grid_codes": [],
            "role": ("grid_staff", "handler")[j % 2],
            "department": ("D1", "D2", None)[j % 3],
        }
        for j in range(12)
    ]
    pool = {"roles": ["handler"], "departments": ["D1"]}
    allowed = {i["id"] for i in inspectors if i["role"] == "handler" and i["department"] == "D1"}
    result = lottery.draw("s", sources, inspectors, {"A": 1, "B": 1, "C": 1}, pool=pool)
    drawn = {i for p in result["picks"] for i in p["inspector_ids"]}
    assert drawn == allowed == {103, 109}
    inputs = {
        "seed": "s",
        "sources": sources,
        "inspectors": inspectors,
        "proportions": {"A": 1, "B": 1, "C": 1},
        "per_source": 2,
        "pool": pool,
    }
    assert lottery.rerun(inputs) == result
    assert lottery.rerun({**inputs, "pool": {"roles": ["handler"], "departments": []}}) != result


def test_a_draw_without_a_pool_reruns_as_in_version_1():
    sources, inspectors = _world()  # no role or department: every inspector is a candidate
    inputs = {"seed": "v1", "sources": sources, "inspectors": inspectors, "proportions": {"C": 1}, "per_source": 2}
    assert lottery.rerun(inputs) == lottery.draw("v1", sources, inspectors, {"C": 1}, pool=None)
    assert {i for p in lottery.rerun(inputs)["picks"] for i in p["inspector_ids"]} >= {108, 109}
