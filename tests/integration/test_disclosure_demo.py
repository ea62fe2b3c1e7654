"""The demo's 信息公开 sample data: two public sources with their stations' data, hazards, loaded once."""

from __future__ import annotations

from gisgrid.disclosure import service as disclosure
from gisgrid.disclosure.demo import load_demo_disclosure
from gisgrid.hazards import service as hazards
from gisgrid.incidents import matrix
from gisgrid.monitoring.demo import load_demo_stations
from gisgrid.sources import service as sources
from tests.monitor_support import IN_E1


def test_demo_disclosure_loads_once(session, world_e):
    matrix.load_demo(session)
    for n in range(6):
        raw = {"code": f"DEMO-{n}", "name": f"示例·企业{n}", "kind": "enterprise", "lon": IN_E1[0], "lat": IN_E1[1]}
        sources.create_source(session, raw, by="t")
    assert load_demo_disclosure(session) == 3  # without stations it still records the hazards
    assert load_demo_disclosure(session) == 0  # a second load adds nothing


def test_demo_public_sources_have_daily_emission_data(session, world_e):
    matrix.load_demo(session)
    for n in range(6):
        raw = {"code": f"DEMO-{n}", "name": f"示例·企业{n}", "kind": "enterprise", "lon": IN_E1[0], "lat": IN_E1[1]}
        sources.create_source(session, raw, by="t")
    assert load_demo_stations(session) == 4
    assert load_demo_disclosure(session) == 3
    register = disclosure.register(session)
    assert [s["code"] for s in register] == ["DEMO-0", "DEMO-1"] and all(s["monitored"] for s in register)
    detail = disclosure.detail(session, register[0]["id"])
    assert {d["pollutant"] for d in detail["daily"]} == {"a21026", "a21002", "a34013"}
    assert all(d["limit"] and d["days"] for d in detail["daily"])
    public = hazards.public_list(session)
    assert len(public) == 2 and all(h["grid_code"] == "E1" for h in public)
