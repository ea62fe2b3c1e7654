"""Migration 0016_disclose downgrades and upgrades; its tables carry the audit trigger."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from gisgrid.migrate import alembic_config
from tests.conftest import fresh_database

OBJECTS = text(
    "SELECT to_regclass('hazard') IS NOT NULL, to_regclass('incident_public_reply') IS NOT NULL,"
    " to_regclass('public_source') IS NOT NULL, to_regclass('public_hazard') IS NOT NULL,"
    " EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'pollution_source' AND column_name = 'public')"
)
TRIGGERS = text(
    "SELECT tgname FROM pg_trigger WHERE tgname IN ('audit_hazard', 'audit_incident_public_reply') ORDER BY 1"
)


def test_0016_downgrades_and_upgrades():
    with fresh_database("gisgrid_disclose_mig") as url:
        engine = create_engine(url)
        with engine.connect() as conn:
            assert tuple(conn.execute(OBJECTS).one()) == (True,) * 5
            assert conn.execute(TRIGGERS).scalars().all() == ["audit_hazard", "audit_incident_public_reply"]
        command.downgrade(alembic_config(url), "0016_sec_web")
        with engine.connect() as conn:
            assert tuple(conn.execute(OBJECTS).one()) == (False,) * 5
        command.upgrade(alembic_config(url), "heads")
        with engine.connect() as conn:
            assert tuple(conn.execute(OBJECTS).one()) == (True,) * 5
            assert conn.execute(TRIGGERS).scalars().all() == ["audit_hazard", "audit_incident_public_reply"]
        engine.dispose()
