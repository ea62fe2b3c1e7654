"""专项行动 / 联合执法 campaigns on PostGIS (world A/B): the organiser rule picks the lead grid, targets come from
the area, each department gets a tracked task, results roll up from inspections and cases, scope."""

from __future__ import annotations

from datetime import date

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point, box, mapping
from sqlalchemy import select

from gisgrid.audit.models import AuditLog
from gisgrid.campaigns import queries, service
from gisgrid.deployment import load
from gisgrid.errors import Forbidden, InvalidInput
from gisgrid.incidents import intake, matrix
from gisgrid.incidents.report import Report
from gisgrid.sources.models import Inspection, PollutionSource
from gisgrid.tracking.rules import Rules
from tests.tracking_support import DAY, people
from tests.worlds import wgs84

HULIN, GAOCHANG = load("hulin"), load("gaochang")  # 同级 organiser / 一级网格 organiser; both have 乡镇 (depth 2)


@pytest.fixture()
def who(session, make_user, world_ab):
    matrix.load_demo(session, HULIN)
    matrix.load_demo(session, GAOCHANG)
    return people(make_user)


def _source(session, code, x, y, grids):
    lon, lat = wgs84(x, y)
    row = PollutionSource(code=code, name=f"示例·{code}", kind="enterprise", supervision_class="B", class_reason="示例",
                          location=from_shape(Point(lon, lat), srid=4326), grid_codes=grids, sample_data=True)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def _launch(session, user, profile=HULIN, **params):
    body = {"title": "秸秆禁烧专项行动", "starts_on": "2026-11-01", "ends_on": "2026-11-30", "departments": ["xiangzhen"],
            "area_codes": ["A1"], **params}  # fmt: skip
    return service.create_campaign(session, user, body, profile, Rules(), DAY)


def test_the_organiser_rule_picks_the_lead_grid(session, who):
    same_level = _launch(session, who.town)  # 乡镇 is a depth-2 department: the town's own grid leads
    assert same_level.lead_grid_code == "A1" and same_level.chain == ["A", "A1"]
    top = _launch(session, who.county, GAOCHANG)  # 高昌: "由一级网格的责任主体负责组织实施联合执法"
    assert top.lead_grid_code == "A" and top.chain == ["A"]
    with pytest.raises(Forbidden):  # under 高昌's rule the county leads: a town cannot launch it
        _launch(session, who.town, GAOCHANG)


def test_targets_tasks_and_results_roll_up(session, who):
    inside = _source(session, "S1", 100, 100, ["A", "A1", "A1a"])
    other = _source(session, "S2", 700, 500, ["A", "A1", "A1b"])
    _source(session, "S3", 1500, 500, ["A", "A2", "A2a"])  # outside the area
    session.add_all([
        Inspection(source_id=inside.id, inspected_on=date(2026, 11, 5), inspector_name="示例", violation=True,
                   findings="露天焚烧秸秆"),
        Inspection(source_id=other.id, inspected_on=date(2026, 10, 5), inspector_name="示例"),  # before the period
    ])  # fmt: skip
    lon, lat = wgs84(120, 120)
    intake.report(session, Report("web", next(c.code for c in HULIN.matrix), "焚烧", lon, lat), None)
    session.commit()
    with pytest.raises(Forbidden):  # a county department takes part: the county leads (同级), not the town
        _launch(session, who.town, departments=["xiangzhen", HULIN.departments[0].code])
    campaign = _launch(session, who.county, departments=["xiangzhen", HULIN.departments[0].code])
    assert campaign.lead_grid_code == "A" and sorted(campaign.source_ids) == sorted([inside.id, other.id])
    tasks = queries.tasks(session, who.county, campaign.id)
    assert [(t.kind, t.owner_department_code, t.due) for t in tasks] == [
        ("campaign_task", "xiangzhen", date(2026, 11, 30)), ("campaign_task", HULIN.departments[0].code, date(2026, 11, 30))
    ]  # fmt: skip
    # the case was reported today (2026-12-05 in real time), outside November: only inspections count
    results = queries.results(session, campaign.id)
    assert results | {"cases": 0} == {"targets": 2, "inspections": 1, "sources_inspected": 1, "violations": 1,
                                      "cases_from_inspections": 0, "cases": 0}  # fmt: skip
    features = queries.map_features(session, campaign)["features"]
    targets = {f["properties"]["code"]: f["properties"] for f in features if f["properties"]["kind"] == "target"}
    assert targets["S1"]["violation"] is True and targets["S1"]["findings"] == "露天焚烧秸秆"
    assert targets["S2"]["inspections"] == 0
    assert [f["properties"]["code"] for f in features if f["properties"]["kind"] == "area"] == ["A1"]
    assert session.scalar(select(AuditLog.id).where(AuditLog.entity == "campaign")) is not None


def test_a_drawn_area_selects_the_sources_inside_it(session, who):
    inside = _source(session, "S1", 100, 100, ["A", "A1", "A1a"])
    _source(session, "S2", 700, 500, ["A", "A1", "A1b"])
    (w, s), (e, n) = wgs84(50, 50), wgs84(150, 150)
    campaign = _launch(session, who.town, area_codes=[], area=mapping(box(w, s, e, n)))
    assert campaign.source_ids == [inside.id] and campaign.area is not None


def test_scope_and_input_errors(session, who):
    campaign = _launch(session, who.town)
    assert [c.id for c in queries.list_campaigns(session, who.county)] == [campaign.id]
    assert [c.id for c in queries.list_campaigns(session, who.village)] == [campaign.id]  # its area
    assert queries.list_campaigns(session, who.foreign) == []
    with pytest.raises(Forbidden):
        queries.get_campaign(session, who.foreign, campaign.id)
    with pytest.raises(Forbidden):
        _launch(session, who.foreign)  # A1 is not theirs
    with pytest.raises(Forbidden):
        _launch(session, who.village)  # grid staff do not launch campaigns
    for change, field in [({"ends_on": "2026-10-01"}, "ends_on"), ({"departments": ["nope"]}, "departments"),
                          ({"area_codes": []}, "area_codes"), ({"area_codes": ["Z9"]}, "area_codes"),
                          ({"kind": "运动"}, "kind"), ({"title": ""}, "title"), ({"starts_on": "x"}, "starts_on")]:  # fmt: skip
        with pytest.raises(InvalidInput) as err:
            _launch(session, who.town, **change)
        assert err.value.message.startswith(f"{field}:"), (change, err.value.message)
