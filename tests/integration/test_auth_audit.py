"""What the 身份鉴别 columns leave in the audit log (migration 0016_sec_auth), and that 0016 downgrades.

A lock and an unlock are logged; the counters every login bumps are not; the TOTP secret is logged as a
hash only; the password history table has no audit trigger (it would put password hashes in the log).
Real commits on a database of its own, as tests/integration/test_audit.py (the trigger groups by transaction).
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, select, text

from gisgrid.audit.models import AuditLog
from gisgrid.auth import lockout, passwords, totp
from gisgrid.auth import service as auth_service
from gisgrid.auth.models import PasswordHistory
from gisgrid.migrate import alembic_config
from tests.conftest import committed_app, committed_session


@pytest.fixture(scope="module")
def audit_app():
    with committed_app("gisgrid_authaudit") as application:
        yield application


@pytest.fixture()
def session(audit_app):
    with committed_session(audit_app) as sess:
        yield sess


def _updates(session, user_id):
    stmt = select(AuditLog).where(
        AuditLog.entity == "app_user", AuditLog.entity_id == str(user_id), AuditLog.action == "update"
    )
    return session.scalars(stmt.order_by(AuditLog.id)).all()


def test_failures_are_not_logged_but_the_lock_and_the_unlock_are(session):
    user = auth_service.create_user(session, "locked_li", "Locked-li-1", "grid_staff")
    for _ in range(4):
        assert not lockout.record_failure(session, user)
    assert _updates(session, user.id) == []  # counters only
    assert lockout.record_failure(session, user)
    (lock,) = _updates(session, user.id)
    assert set(lock.changes) == {"locked_until"} and lock.changes["locked_until"][0] is None
    lockout.unlock(session, user.id)
    unlock = _updates(session, user.id)[-1]
    assert set(unlock.changes) == {"locked_until"} and unlock.changes["locked_until"][1] is None
    lockout.record_success(session, user)
    assert len(_updates(session, user.id)) == 2  # a successful login is not a change of the account


def test_the_totp_secret_is_logged_as_a_hash_only(session):
    import pyotp

    user = auth_service.create_user(session, "totp_zhou", "Totp-zhou-1", "admin")
    secret = totp.new_secret()
    totp.enrol(session, user, secret, pyotp.TOTP(secret).now())
    (enrolled,) = _updates(session, user.id)
    assert secret not in str(enrolled.changes) and len(enrolled.changes["totp_secret"][1]) == 32


def test_a_password_change_keeps_the_old_hash_in_the_unaudited_history(session):
    user = auth_service.create_user(session, "hist_wu", "History-wu-1", "grid_staff")
    old_hash = user.password_hash
    passwords.store(session, user, "History-wu-2")
    session.commit()
    kept = session.scalars(select(PasswordHistory.password_hash).where(PasswordHistory.user_id == user.id)).all()
    assert kept == [old_hash]
    change = _updates(session, user.id)[-1]
    assert {"password_hash", "password_changed_at"} <= set(change.changes)
    assert (
        session.scalar(select(text("count(*)")).select_from(AuditLog).where(AuditLog.entity == "app_password_history"))
        == 0
    )


def test_migration_0016_downgrades_and_upgrades():
    from alembic import command

    from tests.conftest import fresh_database

    with fresh_database("gisgrid_authmig") as url:
        engine = create_engine(url)
        command.downgrade(alembic_config(url), "0015_monitor")
        columns = {c["name"] for c in inspect(engine).get_columns("app_user")}
        assert "locked_until" not in columns and not inspect(engine).has_table("app_password_history")
        command.upgrade(alembic_config(url), "heads")
        inspector = inspect(engine)
        assert {"locked_until", "totp_secret", "password_changed_at"} <= {
            c["name"] for c in inspector.get_columns("app_user")
        }
        assert inspector.has_table("app_password_history")
        engine.dispose()
