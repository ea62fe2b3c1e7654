"""The indicator registry on real data: each value is computed from sources, inspections, tracks and
transfers of the grid and everything inside it, for the period; no data is None, never 0."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from gisgrid.evaluation import indicators
from gisgrid.incidents import matrix
from gisgrid.incidents.models import Incident, IncidentTransfer
from gisgrid.patrols import service as patrols
from gisgrid.sources.models import Inspection, PollutionSource
from tests.worlds import wgs84

YEAR = indicators.Period(date(2025, 1, 1), date(2025, 12, 31))


def _source(session, code, cls, chain, x, y, registered):
    lon, lat = wgs84(x, y)
    source = PollutionSource(
        code=code, name=f"示例·{code}", kind="enterprise", supervision_class=cls, class_reason="测试",
        location=f"SRID=4326;POINT({lon} {lat})", grid_codes=chain, registered_on=registered,
    )  # fmt: skip
    session.add(source)
    session.flush()
    return source


def _value(session, name, code):
    # a fresh Period each time: the cache is per period object, so no value leaks between the checks
    return indicators.REGISTRY[name].compute(session, code, indicators.Period(YEAR.start, YEAR.end))


def test_inspections_on_time_counts_sources_not_overdue_at_the_end(session, world_ab):
    inspected = _source(session, "S1", "C", ["A", "A1", "A1a"], 100, 100, date(2025, 1, 1))
    _source(session, "S2", "C", ["A", "A1", "A1a"], 120, 100, date(2025, 1, 1))  # never inspected: overdue
    _source(session, "S3", "A", ["A", "A2", "A2a"], 1500, 500, date(2025, 11, 1))  # due 2026-11: fine
    session.add(Inspection(source_id=inspected.id, inspected_on=date(2025, 12, 15), inspector_name="示例·检查员"))
    session.flush()
    assert _value(session, "inspections_on_time", "A1a") == 0.5
    assert _value(session, "inspections_on_time", "A2a") == 1.0
    assert _value(session, "inspections_on_time", "A") == round(2 / 3, 4)
    assert _value(session, "inspections_on_time", "B") is None


def test_patrol_coverage_is_the_share_walked_in_the_period(session, world_ab, make_user):
    staff = make_user("grid_staff", grids=("A1a",))
    start = datetime(2025, 6, 1, 1, tzinfo=UTC)
    patrols.save_track(
        session, staff, [(*wgs84(50 + 40 * i, 900), start + timedelta(minutes=i)) for i in range(11)], "api"
    )
    assert 0 < _value(session, "patrol_coverage", "A1a") < 1
    assert _value(session, "patrol_coverage", "A2a") == 0.0
    later = indicators.Period(date(2026, 1, 1), date(2026, 3, 31))  # the walk is outside this period
    assert indicators.REGISTRY["patrol_coverage"].compute(session, "A1a", later) == 0.0


def test_transfer_feedback_on_time(session, world_ab):
    matrix.load_demo(session)
    lon, lat = wgs84(100, 100)
    case = Incident(
        category_code="dust", description="测试", lon=lon, lat=lat, geom=f"SRID=4326;POINT({lon} {lat})",
        grid_codes=["A", "A1", "A1a"], version_id=world_ab.version_id, channel="web",
    )  # fmt: skip
    session.add(case)
    session.flush()
    on_time = datetime(2025, 5, 9, 2, tzinfo=UTC)  # 10:00 in China on the due day
    late = datetime(2025, 5, 13, 2, tzinfo=UTC)
    for fed_back in (on_time, late):
        session.add(IncidentTransfer(incident_id=case.id, to_department="gongan", reason="测试", state="fed_back",
                                     feedback_due=date(2025, 5, 9), feedback=" 已查处", feedback_at=fed_back))  # fmt: skip
    session.flush()
    assert _value(session, "transfer_feedback_on_time", "A1") == 0.5
    assert _value(session, "transfer_feedback_on_time", "A2") is None
    assert indicators.compute(session, "A1", YEAR, ["supervision_closed_on_time"]) == {
        "supervision_closed_on_time": None
    }  # no 督办 fell due: no value is made up


def test_supervision_closed_on_time_reads_the_tracked_items(session, world_ab):
    from gisgrid.tracking.models import TrackedItem

    due = date(2025, 6, 10)
    reports = (datetime(2025, 6, 10, 2, tzinfo=UTC), datetime(2025, 6, 12, 2, tzinfo=UTC), None)
    for n, (reported, state) in enumerate(zip(reports, ("accepted", "accepted", "open"))):
        session.add(TrackedItem(kind="duban", title=f"督办{n}", priority="regular", state=state,
                                owner_grid_code="A1a", chain=["A", "A1", "A1a"], watcher_grid_code="A",
                                watcher_label="甲县", watcher_chain=["A"], opened_on=date(2025, 6, 1), due=due,
                                reported_at=reported))  # fmt: skip
    session.add(TrackedItem(kind="decision", title="会议决定", priority="regular", state="open", chain=["A", "A1"], owner_grid_code="A1",
                            watcher_label="甲县", opened_on=date(2025, 6, 1), due=due))  # fmt: skip
    session.flush()
    assert _value(session, "supervision_closed_on_time", "A1") == round(1 / 3, 4)  # on time and accepted: 1 of 3
    assert _value(session, "supervision_closed_on_time", "A2") is None
