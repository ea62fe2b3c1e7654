"""Migration 0016_sec_web goes down and up again: access records survive a downgrade, new ones are refused."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, exc, text

from gisgrid.migrate import alembic_config, upgrade
from tests.conftest import fresh_database

_ROW = "INSERT INTO audit_log (actor_name, actor_source, entity, action, changes) VALUES ('t', 'web', 'incident', :a, '{}')"
_TRIGGER = "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'audit_incident'"


def test_downgrade_and_upgrade_again():
    with fresh_database("gisgrid_test_secweb") as url:
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(text(_ROW), {"a": "reveal"})
                assert "reporter_name,reporter_contact" in conn.execute(text(_TRIGGER)).scalar()
            command.downgrade(alembic_config(url), "0016_sec_audit")
            with engine.begin() as conn:
                assert conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'reveal'")).scalar() == 1
                assert "reporter_name" not in conn.execute(text(_TRIGGER)).scalar()
            with pytest.raises(exc.IntegrityError), engine.begin() as conn:
                conn.execute(text(_ROW), {"a": "anonymise"})
            upgrade(url)
            with engine.begin() as conn:
                conn.execute(text(_ROW), {"a": "anonymise"})
        finally:
            engine.dispose()
