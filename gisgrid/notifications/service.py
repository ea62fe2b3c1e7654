"""The in-app side: a user's notifications, the unread count (the bell), marking read; preferences."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gisgrid.clock import china_iso
from gisgrid.db import row_id, unit_of_work
from gisgrid.errors import InvalidInput, NotFound
from gisgrid.notifications import recipients
from gisgrid.notifications.events import EVENTS
from gisgrid.notifications.models import Notification, NotificationPreference

_MINE = (Notification.channel == "inapp",)


def unread_count(session: Session, user) -> int:
    """How many in-app notifications the user has not read (the bell's number)."""
    stmt = select(func.count()).where(*_MINE, Notification.user_id == user.id, Notification.read_at.is_(None))
    return session.scalar(stmt)


def listing(session: Session, user, unread_only: bool = False, limit: int = 50, before: int | None = None) -> dict:
    """The user's newest in-app notifications (``before``: older than this id) and the unread count."""
    stmt = select(Notification).where(*_MINE, Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    if before:
        stmt = stmt.where(Notification.id < before)
    rows = session.scalars(stmt.order_by(Notification.id.desc()).limit(limit))
    return {"unread": unread_count(session, user), "items": [as_json(r) for r in rows]}


def as_json(row: Notification) -> dict:
    """One notification as the list and the API show it."""
    return {
        "id": row.id,
        "kind": row.kind,
        "kind_label": EVENTS.get(row.kind, row.kind),
        "subject": row.subject,
        "body": row.body,
        "incident_id": row.incident_id,
        "created_at": china_iso(row.created_at),
        "read": row.read_at is not None,
    }


def mark_read(session: Session, user, notification_id=None) -> int:
    """Mark one of the user's notifications (or, with None, all of them) read; returns how many changed."""
    with unit_of_work(session):
        stmt = update(Notification).where(*_MINE, Notification.user_id == user.id, Notification.read_at.is_(None))
        if notification_id is not None:
            number = row_id(notification_id)
            if not session.scalar(
                select(func.count()).where(*_MINE, Notification.id == number, Notification.user_id == user.id)
            ):
                raise NotFound(f"通知 {notification_id} 不存在 (no such notification)")
            stmt = stmt.where(Notification.id == number)
        return session.execute(stmt.values(read_at=datetime.now(UTC))).rowcount


def preferences(session: Session, user) -> dict:
    """The user's notification settings (defaults when never saved)."""
    pref = session.get(NotificationPreference, user.id) or NotificationPreference(
        inapp=True, email=False, sms=False, digest=False, digest_hour=8
    )
    return {
        "inapp": pref.inapp,
        "email": pref.email,
        "sms": pref.sms,
        "email_address": pref.email_address,
        "phone": user.phone,
        "quiet_start": pref.quiet_start.strftime("%H:%M") if pref.quiet_start else None,
        "quiet_end": pref.quiet_end.strftime("%H:%M") if pref.quiet_end else None,
        "digest": pref.digest,
        "digest_hour": pref.digest_hour,
    }


def save_preferences(session: Session, user, values: dict) -> dict:
    """Store the user's choices after checking them (an e-mail channel needs an address, SMS a phone)."""
    with unit_of_work(session):
        pref = session.get(NotificationPreference, user.id)
        if pref is None:
            pref = NotificationPreference(user_id=user.id)
            session.add(pref)
        pref.inapp, pref.email, pref.sms = bool(values.get("inapp")), bool(values.get("email")), bool(values.get("sms"))
        pref.email_address = _address(values.get("email_address"), pref.email)
        if pref.sms and not user.phone:
            raise InvalidInput("sms: 账号未登记手机号，不能选择短信 (no phone on this account)", {"sms": ["no phone"]})
        pref.quiet_start, pref.quiet_end = _quiet(values.get("quiet_start"), values.get("quiet_end"))
        pref.digest, pref.digest_hour = bool(values.get("digest")), _hour(values.get("digest_hour", 8))
    return preferences(session, user)


def _address(raw, wanted: bool) -> str | None:
    text = str(raw or "").strip()
    if text and (recipients.contact_channel(text) or ("", ""))[0] != "email":
        raise InvalidInput(
            f"email_address: 邮箱地址无效：{text} (not an e-mail address)", {"email_address": ["invalid"]}
        )
    if wanted and not text:
        raise InvalidInput("email_address: 选择邮件通知须填写邮箱 (address required)", {"email_address": ["required"]})
    return text or None


def _quiet(start, end) -> tuple[time | None, time | None]:
    if not start and not end:
        return None, None
    try:
        return time.fromisoformat(str(start)), time.fromisoformat(str(end))
    except ValueError:
        raise InvalidInput(
            "quiet_start: 免打扰时段须为 HH:MM，起止都要填 (quiet hours need both times as HH:MM)",
            {"quiet_start": ["invalid"], "quiet_end": ["invalid"]},
        ) from None


def _hour(raw) -> int:
    try:
        hour = int(raw)
    except (TypeError, ValueError):
        hour = -1
    if not 0 <= hour <= 23:
        raise InvalidInput("digest_hour: 汇总时间须为 0–23 点 (hour 0..23)", {"digest_hour": ["invalid"]})
    return hour
