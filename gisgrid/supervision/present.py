"""Checks and meetings as plain dicts (the shapes of supervision.schemas)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from gisgrid.supervision import queries
from gisgrid.supervision.models import Meeting, SupervisionCheck
from gisgrid.tracking import present as items
from gisgrid.tracking import queries as tracking_queries


def check(session: Session, user, row: SupervisionCheck, today: date) -> dict:
    """A check with its rectification items (those the user may see)."""
    name = tracking_queries.grid_names(session, [row.grid_code]).get(row.grid_code) if row.grid_code else None
    fixes = tracking_queries.for_about(session, user, "check", row.id) if user is not None else []
    return {
        "id": row.id, "grid_code": row.grid_code, "grid_name": name, "watcher_grid_code": row.watcher_grid_code,
        "checked_on": row.checked_on.isoformat(), "checkers": row.checkers, "items": list(row.items),
        "findings": row.findings, "bulletin_title": row.bulletin_title, "bulletin_body": row.bulletin_body,
        "public": row.public, "rectifications": [items.summary(i, today) for i in fixes],
    }  # fmt: skip


def meeting(session: Session, user, row: Meeting, today: date) -> dict:
    """A meeting with its decisions (those the user may see)."""
    decided = queries.decisions(session, user, row.id)
    return {
        "id": row.id, "title": row.title, "held_on": row.held_on.isoformat(), "grid_code": row.grid_code,
        "convenor": row.convenor, "attendees": list(row.attendees), "agenda": list(row.agenda),
        "minutes": row.minutes, "decisions": [items.summary(i, today) for i in decided],
    }  # fmt: skip
