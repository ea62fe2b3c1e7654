"""``gisgrid demo load --place``: each seed place is a usable deployment (levels of its plan, lookups at
interior points, every role, sample cases/sources/patrols/draw, every person and phone marked sample)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from gisgrid.agreements.models import Agreement
from gisgrid.auth.models import User
from gisgrid.cli import main
from gisgrid.deployment import profile as deployment
from gisgrid.deployment.model import cn_number
from gisgrid.editor import filing
from gisgrid.evaluation.models import EvaluationRound
from gisgrid.grids import versions
from gisgrid.grids.models import Grid, GridStaff, UnitGrid
from gisgrid.incidents.models import Incident
from gisgrid.jurisdiction.models import RiverReach
from gisgrid.patrols.models import PatrolTrack
from gisgrid.plans.models import SupervisionPlan
from gisgrid.reports.models import WorkReport
from gisgrid.sources.models import LotteryDraw, PollutionSource
from tests.helpers import login

# (number, name) of each level as the seed names them: 虎林 is 鸡西's 二、三、四级, 盘锦 一、二、三级
SEED_LEVELS = {
    "hulin": [(2, "市"), (3, "乡（镇、街道）及开发区/园区"), (4, "村（居）委会")],
    "panjin": [(1, "市"), (2, "县区与经济区"), (3, "乡镇街道园区")],
    "zhanqian": [(2, "区"), (3, "街道"), (4, "社区")],
    "gaochang": [(1, "区"), (2, "乡（镇、场、街道、片区）"), (3, "村（社区）")],
}
TOP = {"hulin": "230381000000", "panjin": "211100000000", "zhanqian": "210802000000", "gaochang": "650402000000"}
COUNTS = {"hulin": (1, 19, 202), "panjin": (1, 6, 50), "zhanqian": (1, 6, 50), "gaochang": (1, 15, 106)}
AREA = {"hulin": "0467", "panjin": "0427", "zhanqian": "0417", "gaochang": "0995"}
ROLES = {"admin", "planner", "dispatcher", "grid_leader", "grid_staff", "handler"}
slow = pytest.mark.slow  # ~10-25 s each: three more county-sized imports


@pytest.fixture()
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, [str(a) for a in args])


def _grids(session) -> list[Grid]:
    version = versions.find_published(session)
    return list(session.scalars(select(Grid).where(Grid.version_id == version.id).order_by(Grid.code)))


def _check_levels(key, grids):
    profile = deployment.load(key)
    assert [(lv.number, lv.name) for lv in profile.levels] == SEED_LEVELS[key]
    counts = tuple(sum(1 for g in grids if g.level == lv.depth) for lv in profile.levels)
    assert counts == COUNTS[key]
    assert {g.level for g in grids} == {lv.depth for lv in profile.levels}


def _check_lookups(session, client, grids):
    by_code = {g.code: g for g in grids}
    leaves = [g for g in grids if g.level == 3]
    for leaf in leaves[:: max(len(leaves) // 7, 1)]:
        lon, lat = session.execute(
            select(func.ST_X(func.ST_PointOnSurface(Grid.geom)), func.ST_Y(func.ST_PointOnSurface(Grid.geom))).where(
                Grid.id == leaf.id
            )
        ).one()
        resp = client.get(f"/api/v1/lookup?lon={lon}&lat={lat}")
        assert resp.status_code == 200, resp.get_json()
        chain = [g["code"] for g in resp.get_json()["chain"]]
        mid = by_code[leaf.parent_code]
        assert chain == [mid.parent_code, mid.code, leaf.code], (leaf.code, leaf.name)


def _check_sample_people(key, session, grids):
    phone = re.compile(rf"^{AREA[key]}-0\d{{3}}-\d{{4}}$")  # a subscriber number never starts with 0
    for g in grids:
        assert g.sample_data and g.leader_name.startswith("示例·"), g.code
        assert phone.match(g.leader_phone) and phone.match(g.contact_phone), g.code
    staff = list(session.scalars(select(GridStaff).join(Grid).where(Grid.version_id == grids[0].version_id)))
    assert staff and all(s.name.startswith("示例·") and phone.match(s.phone) for s in staff)
    users = list(session.scalars(select(User)))
    assert ROLES <= {u.role for u in users}
    assert all("示例" in u.display_name for u in users)


def _check_unit_grids(key, session, client):
    # 盘锦 only: two 重点监管单元网格 designated by the city (一级网格主体), found by lookups beside the chain
    version = versions.find_published(session)
    point = func.ST_PointOnSurface(UnitGrid.geom)
    units = session.execute(
        select(UnitGrid.code, UnitGrid.level, func.ST_X(point), func.ST_Y(point)).where(
            UnitGrid.version_id == version.id
        )
    ).all()
    assert len(units) == (2 if key == "panjin" else 0)
    for code, level, lon, lat in units:
        assert level == 1
        body = client.get(f"/api/v1/lookup?lon={lon}&lat={lat}").get_json()
        assert code in [u["code"] for u in body["unit_grids"]] and body["chain"][0]["code"] == TOP[key]


def _check_filing_and_kpi(key, app, session, client, make_user, grids):
    # the filing table (备案表) and the KPI page/map number and name the levels as the place's plan does
    profile = deployment.load(key)
    _label, rows = filing.responsibility_rows(session, grids[0].version_id, profile)
    by_code = {row[1]: row for row in rows}
    for grid in grids[:: max(len(grids) // 9, 1)]:
        number, name = SEED_LEVELS[key][grid.level - 1]
        assert by_code[grid.code][0] == f"{cn_number(number)}级网格" and by_code[grid.code][-1] == name
    app.extensions[deployment.EXTENSION_KEY] = profile
    login(client, make_user("dispatcher", grids=(TOP[key],)).username)
    page = client.get("/incidents/kpi").get_data(as_text=True)
    number, name = SEED_LEVELS[key][1]
    assert f"{cn_number(number)}级网格 · {name}按期处置率" in page and 'data-level="2"' in page


def _check_something_on_every_page(session):
    assert session.scalar(select(func.count(Incident.id))) >= 7
    sources = list(session.scalars(select(PollutionSource)))
    assert len(sources) == 60 and all(s.sample_data and s.name.startswith("示例·") for s in sources)
    assert session.scalar(select(func.count(LotteryDraw.id))) == 1
    assert session.scalar(select(func.count(PatrolTrack.id))) >= 3
    assert session.scalar(select(func.count(RiverReach.id))) == 0  # 西城's illustrative rivers stay in 西城
    # 督查督办: a 督办 that escalated, a meeting with its decisions, a 督查 with a public 通报
    from gisgrid.supervision.models import Meeting, SupervisionCheck
    from gisgrid.tracking.models import TrackedItem

    assert session.scalar(select(func.max(TrackedItem.escalation_level)).where(TrackedItem.kind == "duban")) >= 1
    assert session.scalar(select(func.count(Meeting.id))) == 1
    assert session.scalar(select(func.count(TrackedItem.id)).where(TrackedItem.kind == "decision")) == 2
    assert session.scalar(select(func.count(SupervisionCheck.id)).where(SupervisionCheck.public)) == 1
    from gisgrid.campaigns.models import Campaign

    assert session.scalar(select(func.count(Campaign.id))) == 1
    rounds = list(session.scalars(select(EvaluationRound).order_by(EvaluationRound.starts_on)))
    assert [r.state for r in rounds] == ["finished", "finished"] and rounds[0].forms  # two years: a trend to draw
    assert all(f.state == "reviewed" and f.review_total is not None for r in rounds for f in r.forms)
    assert session.scalar(select(func.count(Agreement.id))) == 1
    assert [p.state for p in session.scalars(select(SupervisionPlan))] == ["filed"]
    assert [r.state for r in session.scalars(select(WorkReport))] == ["submitted"]


@pytest.mark.parametrize(
    "key",
    [
        "zhanqian",
        pytest.param("panjin", marks=slow),
        pytest.param("hulin", marks=slow),
        pytest.param("gaochang", marks=slow),
    ],
)
def test_demo_load_place(cli, app, session, client, make_user, key):
    result = cli("demo", "load", "--place", key)
    assert result.exit_code == 0, result.output
    grids = _grids(session)
    assert grids[0].code == TOP[key] and grids[0].parent_code is None
    _check_levels(key, grids)
    _check_lookups(session, client, grids)
    _check_sample_people(key, session, grids)
    _check_unit_grids(key, session, client)
    _check_filing_and_kpi(key, app, session, client, make_user, grids)
    _check_something_on_every_page(session)
    again = cli("demo", "load", "--place", key)
    assert again.exit_code == 0 and "already loaded" in again.output
    assert session.scalar(select(func.count(PollutionSource.id))) == 60
    other = "xicheng" if key != "xicheng" else "hulin"
    refused = cli("demo", "load", "--place", other)  # one place per database: nothing mixed
    assert refused.exit_code == 1 and "database of its own" in refused.output, refused.output
    assert _grids(session)[0].code == TOP[key]


def test_an_unknown_place_is_refused_naming_the_choices(cli):
    result = cli("demo", "load", "--place", "beijing")
    assert result.exit_code == 2
    assert "beijing" in result.output and "hulin" in result.output
