"""Read queries of the monitoring pages and APIs (the SQL is in monitoring/sql/*.sql)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gisgrid.sqlfiles import statement

PACKAGE = "gisgrid.monitoring"


def stations(session: Session, scope: dict, now: datetime, source_id: int | None = None) -> list:
    """Stations in scope with status (see stations.sql)."""
    return session.execute(statement(PACKAGE, "stations.sql"), {**scope, "now": now, "source_id": source_id}).all()


def series(session: Session, station_id: int, since: datetime, until: datetime) -> list:
    """One station's values between two moments."""
    params = {"station_id": station_id, "since": since, "until": until}
    return session.execute(statement(PACKAGE, "series.sql"), params).all()


def summary(session: Session, params: dict) -> list:
    """Daily/monthly aggregates of a source's values (see summary.sql)."""
    return session.execute(statement(PACKAGE, "summary.sql"), params).all()


def alerts(session: Session, scope: dict, open_only: bool, limit: int, source_id: int | None = None) -> list:
    """Alerts in scope, open ones first."""
    params = {**scope, "open_only": open_only, "limit": limit, "source_id": source_id}
    return session.execute(statement(PACKAGE, "alerts.sql"), params).all()
