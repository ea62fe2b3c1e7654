"""The outbox: rows written in the caller's transaction, one per recipient and chosen channel.

Nothing here sends anything or talks to Redis: a request that causes a notification only inserts
rows, so a mail server or Redis that is down never slows it; the worker delivers them later.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.notifications.models import Notification, NotificationPreference

DEFAULT = NotificationPreference(inapp=True, email=False, sms=False, digest=False, digest_hour=8)


@dataclass(frozen=True)
class Message:
    """What to say: the event kind, the case, a subject, a body, and the SMS template parameters."""

    kind: str
    incident_id: int | None
    subject: str
    body: str
    params: dict = field(default_factory=dict)


def preference(session: Session, user_id: int) -> NotificationPreference:
    """The user's stored preferences, or the defaults (in-app only)."""
    return session.get(NotificationPreference, user_id) or DEFAULT


def preferences(session: Session, user_ids: list[int]) -> dict[int, NotificationPreference]:
    """The stored preferences of several users in one query (users without any are left out)."""
    if not user_ids:
        return {}
    stmt = select(NotificationPreference).where(NotificationPreference.user_id.in_(user_ids))
    return {p.user_id: p for p in session.scalars(stmt)}


def row(message: Message, channel: str, state: str, dedupe: str | None, **who) -> Notification:
    """A new outbox row (not added); ``dedupe`` + recipient + channel becomes its unique key."""
    now = datetime.now(UTC)
    return Notification(
        message_id=uuid.uuid4().hex,
        channel=channel,
        kind=message.kind,
        incident_id=message.incident_id,
        subject=message.subject,
        body=message.body,
        params=message.params,
        state=state,
        next_attempt_at=now,
        sent_at=now if state == "sent" else None,
        dedupe_key=f"{dedupe}:{who.get('user_id') or who.get('address')}:{channel}" if dedupe else None,
        **who,
    )


def known(session: Session, keys: list[str]) -> set[str]:
    """The dedupe keys among ``keys`` that are already in the outbox."""
    if not keys:
        return set()
    return set(session.scalars(select(Notification.dedupe_key).where(Notification.dedupe_key.in_(keys))))


def to_users(session: Session, users, message: Message, dedupe: str | None = None) -> list[Notification]:
    """Add the message for each user on each channel they chose; with ``dedupe``, at most once per key."""
    return to_many(session, [(users, message, dedupe)])


def to_many(session: Session, sends: list[tuple[list, Message, str | None]]) -> list[Notification]:
    """``to_users`` for several (users, message, dedupe) at once: one preference and one dedupe query in all."""
    stored = preferences(session, sorted({u.id for users, _m, _d in sends for u in users}))
    rows = []
    for users, message, dedupe in sends:
        rows += _rows(stored, users, message, dedupe)
    return _add(session, rows)


def _rows(stored: dict, users, message: Message, dedupe: str | None) -> list[Notification]:
    rows = []
    for user in {u.id: u for u in users}.values():
        pref = stored.get(user.id, DEFAULT)
        later = "digest" if pref.digest else "pending"
        if pref.inapp:
            rows.append(row(message, "inapp", "sent", dedupe, user_id=user.id))
        if pref.email and pref.email_address:
            rows.append(row(message, "email", later, dedupe, user_id=user.id, address=pref.email_address))
        if pref.sms and user.phone:
            rows.append(row(message, "sms", later, dedupe, user_id=user.id, address=user.phone))
    return rows


def to_address(session: Session, channel: str, address: str, message: Message) -> list[Notification]:
    """Add the message for a recipient without an account (a citizen's e-mail or mobile number)."""
    return _add(session, [row(message, channel, "pending", None, address=address)])


def _add(session: Session, rows: list[Notification]) -> list[Notification]:
    seen = known(session, [r.dedupe_key for r in rows if r.dedupe_key])
    fresh = [r for r in rows if r.dedupe_key is None or r.dedupe_key not in seen]
    session.add_all(fresh)
    return fresh
