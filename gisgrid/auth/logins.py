"""Login records: Flask's session is a signed cookie that cannot be taken back, so each one names a row here.

Logout revokes its row; a password change or deactivation revokes every row of the user; a row
older than the configured lifetime no longer counts. A copied cookie therefore stops working too.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from gisgrid.auth.models import Login, User
from gisgrid.db import unit_of_work

STALE = timedelta(days=30)  # ended logins are kept this long (who was logged in when), then dropped


def start(session: Session, user: User) -> str:
    """Record a new login of ``user`` (dropping their logins that ended long ago) and return its token; commits."""
    with unit_of_work(session):
        session.execute(delete(Login).where(Login.user_id == user.id, Login.created_at < datetime.now(UTC) - STALE))
        token = secrets.token_urlsafe(32)
        session.add(Login(token=token, user_id=user.id))
    return token


def user_for(session: Session, user_id: int, token: str | None, max_age: timedelta) -> User | None:
    """The active user of an unrevoked, unexpired login ``token`` of ``user_id``, else None."""
    if not token:
        return None
    since = datetime.now(UTC) - max_age
    return session.scalar(
        select(User)
        .join(Login, Login.user_id == User.id)
        .where(
            Login.token == token,
            Login.user_id == user_id,
            Login.revoked_at.is_(None),
            Login.created_at > since,
            User.active.is_(True),
        )
    )


def revoke(session: Session, token: str | None) -> None:
    """End one login (logout); commits."""
    with unit_of_work(session):
        if token:
            session.execute(
                update(Login)
                .where(Login.token == token, Login.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )


def revoke_all(session: Session, user_id: int) -> int:
    """End every login of a user (password change, deactivation); the caller commits. Returns how many."""
    result = session.execute(
        update(Login).where(Login.user_id == user_id, Login.revoked_at.is_(None)).values(revoked_at=datetime.now(UTC))
    )
    return result.rowcount
