"""Create, list, revoke and check personal API tokens (the bearer credential of scripts and QGIS).

A token is 32 random bytes (``secrets.token_urlsafe``) behind the prefix ``ggt_``; the database keeps
only its SHA-256. A fast hash is enough here, unlike for passwords: the token has 256 bits of entropy,
so nothing can be guessed from the hash, and checking it on every request must be cheap.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gisgrid.auth.models import User
from gisgrid.db import unit_of_work
from gisgrid.errors import InvalidInput, NotFound
from gisgrid.tokens.models import ApiToken

PREFIX = "ggt_"
MAX_NAME = 80
EXPIRY_DAYS = (30, 90, 365)  # the choices offered; None = until revoked
TOUCH_EVERY = timedelta(minutes=5)  # last_used_at is refreshed at most this often (not a write per request)


def digest(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create(session: Session, user: User, name: str, days: int | None) -> tuple[ApiToken, str]:
    """A new token for ``user``: (its row, the token itself — shown once, never stored)."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"name: 令牌名称必填，最多 {MAX_NAME} 字 (a name of 1..{MAX_NAME} characters)")
    if days is not None and days not in EXPIRY_DAYS:
        raise InvalidInput(f"days: 有效期应为 {EXPIRY_DAYS} 天之一或不限 (days must be one of {EXPIRY_DAYS})")
    token = PREFIX + secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(days=days) if days else None
    row = ApiToken(user_id=user.id, name=name, token_hash=digest(token), prefix=token[:10], expires_at=expires)
    with unit_of_work(session):
        session.add(row)
    return row, token


def list_for(session: Session, user: User) -> list[ApiToken]:
    """A user's tokens, newest first (revoked and expired ones too)."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def revoke(session: Session, user: User, token_id: int) -> None:
    """Revoke one of ``user``'s tokens (another user's token is not found)."""
    with unit_of_work(session):
        row = session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
        if row is None:
            raise NotFound(f"没有编号为 {token_id} 的令牌 (no such token)")
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)


def user_for(session: Session, token: str) -> User | None:
    """The active user a presented token belongs to, or None (unknown, revoked, expired, inactive user).

    One unit of work of its own, finished before the request's work begins: the audit hook names the
    actor when a transaction begins, so the request's own transaction must start after the user is known.
    """
    if not token.startswith(PREFIX):
        return None
    with unit_of_work(session):
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
        now = datetime.now(UTC)
        if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
            return None
        if not row.user.active:
            return None
        if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
            session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
        return row.user
