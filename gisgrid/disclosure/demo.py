"""Sample 信息公开 data for the demo deployments (all sample): public sources, hazards, a public reply.

The sources of the first two sample monitoring stations (one normal, one exceeding) enter the public
register with their stations; three sample hazards sit at other sample sources' points (so inside a grid),
two of them public; a closed sample case gets a public reply. Nothing runs twice.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gisgrid.clock import today_in_china
from gisgrid.db import unit_of_work
from gisgrid.hazards.models import Hazard
from gisgrid.incidents.models import Incident, IncidentPublicReply
from gisgrid.monitoring.models import Station
from gisgrid.sources.demo import DEMO_PREFIX
from gisgrid.sources.models import PollutionSource

HAZARDS = [
    ("chemicals", "示例·危险化学品储罐区围堰破损，雨季存在泄漏风险", "pending", 30, True),
    ("hazardous_waste", "示例·危险废物贮存间防渗层老化", "in_progress", 15, True),
    ("wastewater", "示例·事故应急池容量不足（内部核查中）", "pending", 60, False),
]
REPLY = "示例答复：经执法人员现场核查，反映的问题已责令整改并复查完毕，感谢您的监督。"


def load_demo_disclosure(session: Session) -> int:
    """Mark sample sources and stations public, record sample hazards, reply on a closed case; returns hazards made."""
    if session.scalar(select(func.count()).select_from(Hazard)):
        return 0
    stations = session.scalars(select(Station).where(Station.mn.like("DEMO%")).order_by(Station.mn).limit(2)).all()
    others = session.scalars(
        select(PollutionSource)
        .where(PollutionSource.code.like(f"{DEMO_PREFIX}%"), PollutionSource.grid_codes != [])
        .order_by(PollutionSource.code.desc())
        .limit(len(HAZARDS))
    ).all()
    if len(others) < len(HAZARDS):
        return 0
    today = today_in_china()
    with unit_of_work(session):
        for station in stations:
            station.public = True
            session.get(PollutionSource, station.source_id).public = True
        for source, (kind, text, status, days, public) in zip(others, HAZARDS, strict=True):
            session.add(_hazard(source, kind, text, status, today + timedelta(days=days), public))
        _reply(session)
    return len(HAZARDS)


def _hazard(source: PollutionSource, kind: str, text: str, status: str, deadline, public: bool) -> Hazard:
    return Hazard(
        kind=kind,
        description=text,
        notes="示例内部备注 (sample)",
        location=source.location,
        grid_codes=list(source.grid_codes),
        grid_version_id=source.grid_version_id,
        status=status,
        deadline=deadline,
        public=public,
        created_by="demo",
        sample_data=True,
    )


def _reply(session: Session) -> None:
    closed = session.scalar(select(Incident).where(Incident.state == "closed").order_by(Incident.id).limit(1))
    if closed is not None and session.get(IncidentPublicReply, closed.id) is None:
        session.add(IncidentPublicReply(incident_id=closed.id, body=REPLY, written_by="demo"))
