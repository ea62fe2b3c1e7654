"""An inspection recorded on site with the phone app: GPS-stamped arrival, checklist, photos, once per client id.

The phone queues the inspection while offline and sends it until the server answers; the id it made
(``client_id``) is unique per inspector (migration 0015_field), so a retry returns the first record
and never a second inspection or a second case. The inspection itself (class change, the case a
violation opens) is ``inspections.record_inspection``; photos go to the dossier (一企一档).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gisgrid.db import unit_of_work
from gisgrid.errors import InvalidInput
from gisgrid.sources import checklists, dossier, inspections
from gisgrid.sources.models import Inspection
from gisgrid.sources.service import visible_source


@dataclass(frozen=True)
class Arrival:
    """Where and when the phone's GPS placed the inspector on arriving (WGS84)."""

    at: datetime
    lon: float
    lat: float
    accuracy_m: float | None = None

    def __post_init__(self) -> None:
        if not (-180 <= self.lon <= 180 and -90 <= self.lat <= 90):
            raise InvalidInput("arrival_lon: 到达位置超出范围 (arrival out of range)", {"field": "arrival_lon"})


@dataclass(frozen=True)
class Onsite:
    """What the inspector entered on the phone."""

    client_id: str
    inspected_on: date
    violation: bool
    findings: str | None = None
    category: str | None = None
    arrival: Arrival | None = None
    checklist: object = None  # item → bool, or its JSON text (multipart)
    photos: tuple[tuple[str, bytes], ...] = ()


def _first(session: Session, user, client_id: str) -> Inspection | None:
    return session.scalar(
        select(Inspection).where(Inspection.inspector_id == user.id, Inspection.client_id == client_id)
    )


def record(session: Session, user, source_id: int, entry: Onsite, media_dir: str) -> tuple[Inspection, bool]:
    """Store the inspection (and the case of a violation, and the photos) once; returns (inspection, created)."""
    with unit_of_work(session):
        first = _first(session, user, entry.client_id)
        if first is not None:
            return first, False
        source = visible_source(session, user, source_id)
        answers = checklists.answers(source.kind, entry.checklist)
        try:
            with session.begin_nested():  # a concurrent retry that wins leaves only this savepoint to undo
                found = _inspect(session, user, source_id, entry)
                found.checklist = answers
                session.flush()
        except IntegrityError:
            winner = _first(session, user, entry.client_id)
            if winner is None:
                raise
            return winner, False
        for name, data in entry.photos:
            title = f"现场检查照片 {entry.inspected_on.isoformat()}（检查记录 {found.id}）"
            dossier.add_document(session, user, source_id, title, name, data, media_dir)
    return found, True


def _inspect(session: Session, user, source_id: int, entry: Onsite) -> Inspection:
    found = inspections.record_inspection(
        session,
        source_id,
        user,
        inspected_on=entry.inspected_on,
        violation=entry.violation,
        findings=entry.findings,
        category=entry.category,
    )
    found.client_id = entry.client_id
    if entry.arrival is not None:
        a = entry.arrival
        found.arrived_at, found.arrival_lon, found.arrival_lat, found.arrival_accuracy_m = (
            a.at,
            a.lon,
            a.lat,
            a.accuracy_m,
        )
    return found


def as_json(found: Inspection) -> dict:
    """The answer to the phone: the inspection, its case (if a violation opened one) and the arrival."""
    return {
        "id": found.id,
        "source_id": found.source_id,
        "inspected_on": found.inspected_on.isoformat(),
        "violation": found.violation,
        "incident_id": found.incident_id,
        "client_id": found.client_id,
        "arrived_at": found.arrived_at.isoformat() if found.arrived_at else None,
        "checklist": dict(found.checklist or {}),
    }
