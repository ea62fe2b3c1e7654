"""Read queries of the public register; the SQL (in disclosure/sql) reads only the public views."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gisgrid.sqlfiles import statement

PACKAGE = "gisgrid.disclosure"


def sources(session: Session, source_id: int | None = None) -> list:
    """Public sources (or the one public source ``source_id``)."""
    return session.execute(statement(PACKAGE, "sources.sql"), {"source_id": source_id}).all()


def daily(session: Session, params: dict) -> list:
    """Daily averages vs limits of one public source's public stations (see daily.sql)."""
    return session.execute(statement(PACKAGE, "daily.sql"), params).all()


def monthly(session: Session, params: dict) -> list:
    """Monthly summaries with exceedance days of public sources (see monthly.sql)."""
    return session.execute(statement(PACKAGE, "monthly.sql"), params).all()
