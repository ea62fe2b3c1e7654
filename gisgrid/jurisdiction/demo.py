"""The 西城区 demo: an illustrative river network (hand-drawn, not surveyed) and a sample cross-boundary event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth.models import User
from gisgrid.db import unit_of_work
from gisgrid.grids import versions as grid_versions
from gisgrid.incidents import intake
from gisgrid.incidents.report import Report
from gisgrid.jurisdiction import service
from gisgrid.jurisdiction.models import PollutionEvent, RiverReach
from gisgrid.jurisdiction.rivers import import_rivers
from gisgrid.sqlfiles import statement

DEMO_RIVERS = Path(__file__).resolve().parents[2] / "data" / "boundaries" / "xicheng_rivers_demo.geojson"
DEMO_LABEL = "西城区示意水系 (demo, illustrative)"


def load_demo_rivers(session: Session, path: Path = DEMO_RIVERS) -> int:
    """Load the demo river network once; skipped when any network is loaded (a real one is never mixed with it)."""
    if session.scalar(select(RiverReach.id).limit(1)) is not None:
        return 0
    return import_rivers(session, str(path), label=DEMO_LABEL)


def load_demo_event(session: Session) -> int | None:
    """A sample cross-boundary event: an outfall pipe across two communities of two streets, two public reports
    an hour apart, a 150 m buffer and 2 km downstream; skipped when any event exists. Returns its id."""
    if session.scalar(select(PollutionEvent.id).limit(1)) is not None:
        return None
    version = grid_versions.find_published(session)
    dispatcher = session.scalar(select(User).where(User.username == "dispatcher"))
    pair = (
        version
        and session.execute(
            statement("gisgrid.jurisdiction", "demo_pair.sql"), {"version_id": version.id, "a_frac": 0.3, "b_frac": 0.3}
        ).first()
    )
    if pair is None or dispatcher is None:
        return None
    first = _demo_report(session, "demo-jurisdiction-1", pair.ax, pair.ay, hours_ago=3)
    later = _demo_report(session, "demo-jurisdiction-2", pair.bx, pair.by, hours_ago=2)
    derive_params = {"buffer": {"radius_m": 150}}
    if pair.river_m is not None and pair.river_m < 200:
        derive_params["downstream"] = {"distance_m": 2000}
    pipe = {"type": "LineString", "coordinates": [[pair.ax, pair.ay], [pair.bx, pair.by]]}
    event = service.record(
        session, dispatcher, first.id, {"title": "示例：暗管跨街道排放污水", "act": pipe, "derive": derive_params}
    )
    service.link_case(session, dispatcher, event.id, later.id)
    return event.id


def _demo_report(session: Session, request_id: str, lon: float, lat: float, hours_ago: int):
    with unit_of_work(session):
        # both reports are made in one transaction: their reception times are set apart by hand
        report = Report("web", "wastewater", "示例：雨水口有异味污水流出", lon, lat, client_request_id=request_id)
        case, _ = intake.report(session, report, None, client_scope="demo")
        case.reported_at = datetime.now(UTC) - timedelta(hours=hours_ago)
    return case
