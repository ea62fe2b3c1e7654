"""Commits of the jurisdiction services."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gisgrid.errors import Conflict


def commit(session: Session, conflict: str) -> None:
    """Commit, turning a lost race (a second open dispute, a case linked twice at once) into 409."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(conflict) from None
