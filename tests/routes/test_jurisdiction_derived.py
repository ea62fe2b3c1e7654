"""Derived harm over HTTP: a buffer, a downwind sector and the downstream reach of 甲河 decide who is notified."""

import pytest

from gisgrid.jurisdiction import rivers
from tests import worlds
from tests.incident_support import As, _case, _ok
from tests.jurisdiction_world import point, river_frame


@pytest.fixture()
def river(session, tmp_path):
    """甲河: three reaches flowing west → east along y=1500 across the whole world."""
    return rivers.import_rivers(session, worlds.write(river_frame(), tmp_path / "river.geojson"))


def _notified(event):
    return {
        h["code"]: h["kinds"] for h in event["resolution"]["affected"] if h["code"] in event["resolution"]["notified"]
    }


def test_downstream_reach_notifies_the_villages_the_river_flows_into(app, session, jw, river):
    case = _case(app, session, 1300, 1500, 0)
    staff = As(app, jw["staff_v112"])
    event = _ok(
        staff.put(
            f"/api/v1/incidents/{case.id}/jurisdiction",
            act=point(1300, 1520),
            derive={"downstream": {"distance_m": 2000}},
        ),
        201,
    )
    # outfall 20 m from the river at x=1300: 2 km downstream reaches x≈3300, into T21 of the next county
    assert _notified(event) == {"V121": ["downstream"], "V122": ["downstream"], "T21": ["downstream"]}
    area = next(a for a in event["areas"] if a["kind"] == "downstream")
    assert area["params"]["rivers"] == ["甲河"] and area["params"]["length_m"] == pytest.approx(2000, rel=0.005)
    assert area["params"]["snap_m"] == pytest.approx(20, abs=1)


def test_upstream_villages_are_not_notified(app, session, jw, river):
    case = _case(app, session, 4000, 1500, 0)
    event = _ok(
        As(app, jw["leader_c2"]).put(
            f"/api/v1/incidents/{case.id}/jurisdiction",
            act=point(4000, 1500),
            derive={"downstream": {"distance_m": 1000}},
        ),
        201,
    )
    assert _notified(event) == {"V222": ["downstream"]}  # west of x=4000 is upstream


def test_no_river_near_the_act_is_a_clear_error(app, session, jw, river):
    case = _case(app, session, 300, 300, 0)
    resp = As(app, jw["leader_t11"]).put(
        f"/api/v1/incidents/{case.id}/jurisdiction", act=point(300, 300), derive={"downstream": {"distance_m": 1000}}
    )
    assert resp.status_code == 422 and "没有河流" in resp.get_json()["error"]["message"]


def test_a_downwind_sector_reaches_east_with_a_west_wind(app, session, jw):
    case = _case(app, session, 2900, 1000, 0)
    event = _ok(
        As(app, jw["leader_c1"]).put(
            f"/api/v1/incidents/{case.id}/jurisdiction",
            act=point(2900, 1000),
            derive={"wind": {"from_deg": 270, "distance_m": 1000, "spread_deg": 30}},
        ),
        201,
    )
    assert _notified(event) == {"T21": ["wind"]}  # blows towards the east only


def test_a_buffer_and_observed_harm_merge_per_grid(app, session, jw):
    case = _case(app, session, 750 - 100, 1000, 0)
    body = {"act": point(650, 1000), "harm": [point(800, 1000)], "derive": {"buffer": {"radius_m": 200}}}
    event = _ok(As(app, jw["leader_t11"]).put(f"/api/v1/incidents/{case.id}/jurisdiction", **body), 201)
    assert _notified(event) == {"V112": ["observed", "buffer"]}
    assert [a["params"] for a in event["areas"]] == [{}, {"radius_m": 200.0}]


@pytest.mark.parametrize(
    "derive, status",
    [
        ({"buffer": {"radius_m": -5}}, 400),
        ({"buffer": {"radius_m": "far"}}, 400),
        ({"wind": {"from_deg": 400, "distance_m": 100}}, 400),
        ({"wind": {"distance_m": 100}}, 400),
        ({"downstream": {"distance_m": 10**9}}, 400),
        ({"buffer": 5}, 400),
        ("buffer", 400),
    ],
)
def test_bad_derivations_are_refused_and_nothing_is_stored(app, session, jw, derive, status):
    case = _case(app, session, 300, 300, 0)
    leader = As(app, jw["leader_t11"])
    resp = leader.put(f"/api/v1/incidents/{case.id}/jurisdiction", act=point(300, 300), derive=derive)
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert _ok(leader.get(f"/api/v1/incidents/{case.id}/jurisdiction"))["event"] is None


def test_the_river_network_is_served_for_maps(app, session, jw, river):
    staff = As(app, jw["staff_v112"])
    network = _ok(staff.get("/api/v1/jurisdiction/rivers"))
    assert len(network["features"]) == 3
    assert staff.get("/api/v1/jurisdiction/rivers?bbox=1,2,3").status_code == 400
    assert app.test_client().get("/api/v1/jurisdiction/rivers").status_code == 401
