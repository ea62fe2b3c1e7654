"""Periodic scans: cases due within one working day and overdue cases, told once per case, deadline and person."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.clock import today_in_china
from gisgrid.db import unit_of_work
from gisgrid.incidents.deadlines import working_days_between
from gisgrid.incidents.models import Incident
from gisgrid.notifications import events, outbox, recipients

RUNNING = ("dispatched", "in_progress")


def deadlines(session: Session, today: date | None = None) -> dict:
    """Write due-soon and overdue notifications to the cases' handlers; returns rows written per kind."""
    today = today or today_in_china()
    written = {"due_soon": 0, "overdue": 0}
    with unit_of_work(session):
        # a deadline one working day away is at most a long holiday away (国庆: 8 days plus the weekend)
        stmt = select(Incident).where(Incident.state.in_(RUNNING), Incident.deadline <= today + timedelta(days=12))
        for incident in session.scalars(stmt.order_by(Incident.id)):
            kind = _kind(incident.deadline, today)
            if kind is None:
                continue
            people = recipients.handlers(session, incident, incident.department_codes)
            dedupe = f"{kind}:{incident.id}:{incident.deadline.isoformat()}"
            written[kind] += len(outbox.to_users(session, people, events.staff_message(kind, incident), dedupe))
    return written


def _kind(deadline: date, today: date) -> str | None:
    if deadline < today:
        return "overdue"
    # today is the last day, or the next working day is
    return "due_soon" if working_days_between(today, deadline) <= 1 else None
