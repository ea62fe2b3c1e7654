"""The demo's sample monitoring stations: one normal, one exceeding (no case), one water outfall, one offline."""

from __future__ import annotations

from sqlalchemy import func, select

from gisgrid.incidents import matrix
from gisgrid.incidents.models import Incident
from gisgrid.monitoring import views
from gisgrid.monitoring.demo import load_demo_stations
from gisgrid.sources import service as sources
from tests.monitor_support import IN_E1


class _Admin:
    role = "admin"
    grid_codes = frozenset()


def test_demo_stations_show_every_status_and_open_no_case(session, world_e):
    matrix.load_demo(session)
    for n in range(5):
        raw = {"code": f"DEMO-{n}", "name": f"示例·企业{n}", "kind": "enterprise", "lon": IN_E1[0], "lat": IN_E1[1]}
        sources.create_source(session, raw, by="t")
    cases_before = session.scalar(select(func.count()).select_from(Incident))
    assert load_demo_stations(session) == 4
    assert load_demo_stations(session) == 0  # a second load adds nothing
    stations = views.station_list(session, _Admin())
    assert [(s["mn"], s["medium"], s["status"]) for s in stations] == [
        ("DEMO00000001", "gas", "normal"),
        ("DEMO00000002", "gas", "exceeding"),
        ("DEMO00000003", "water", "normal"),
        ("DEMO00000004", "gas", "offline"),
    ]
    (alert,) = views.alert_list(session, _Admin())
    assert (alert["mn"], alert["kind"], alert["count"], alert["incident_id"]) == ("DEMO00000002", "exceedance", 3, None)
    assert session.scalar(select(func.count()).select_from(Incident)) == cases_before
    series = views.station_series(session, _Admin(), stations[0]["id"], 48)["series"]
    assert {s["pollutant"] for s in series} == {"a21026", "a21002", "a34013"}
    assert all(len(s["values"]) == 48 and s["limit"] for s in series)
