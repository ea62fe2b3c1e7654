"""Account lockout (等保2.0 身份鉴别: 登录失败处理): N failed logins in a row lock the account for M minutes.

The counters live on ``app_user``: ``failed_count`` counts toward the lock (reset by a success, by the
lock itself and by an administrator's unlock), ``failed_since_login`` is what the user is told after the
next successful login. Unknown usernames leave no record (there is no row to lock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid import clock
from gisgrid.auth.models import User
from gisgrid.clock import CHINA_TZ
from gisgrid.db import unit_of_work
from gisgrid.errors import NotFound


@dataclass(frozen=True)
class LastLogin:
    """What a user is told after logging in: their previous successful login and the failures since."""

    at: datetime | None
    failed: int

    def message(self) -> str:
        """The notice in Chinese (China time)."""
        when = china_time(self.at) or "（首次登录）"
        return f"上次成功登录：{when}；此后登录失败 {self.failed} 次。"


def china_time(moment: datetime | None) -> str:
    """A timestamp as pages show it: China time to the minute ("" for none)."""
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


def _settings() -> tuple[int, float]:
    if not has_app_context():
        return 5, 30.0
    return int(current_app.config.get("LOCKOUT_THRESHOLD", 5)), float(current_app.config.get("LOCKOUT_MINUTES", 30))


def is_locked(user: User, now: datetime | None = None) -> bool:
    """True while ``user``'s lock lasts."""
    return user.locked_until is not None and user.locked_until > (now or clock.utc_now())


def locked_message(user: User) -> str:
    """The refusal shown while ``user`` is locked, with the time the lock ends (China time)."""
    until = user.locked_until.astimezone(CHINA_TZ).strftime("%H:%M")
    threshold, _minutes = _settings()
    return f"账户因连续 {threshold} 次登录失败已被锁定，请于 {until}（北京时间）后再试，或联系安全管理员解锁。"


def record_failure(session: Session, user: User) -> bool:
    """Count a failed login of ``user`` and lock the account at the threshold; commits. True when now locked."""
    now = clock.utc_now()
    threshold, minutes = _settings()
    with unit_of_work(session):
        user.failed_since_login += 1
        user.last_failed_at = now
        if not is_locked(user, now):  # failures during a lock do not lengthen it
            user.failed_count += 1
            if threshold > 0 and user.failed_count >= threshold:
                user.locked_until = now + timedelta(minutes=minutes)
                user.failed_count = 0  # after the lock the user has N tries again
    return is_locked(user, now)


def record_success(session: Session, user: User) -> LastLogin:
    """Record a successful login of ``user``; returns the previous one and the failures since; commits."""
    previous = LastLogin(user.last_login_at, user.failed_since_login)
    with unit_of_work(session):
        user.last_login_at = clock.utc_now()
        user.failed_count = 0
        user.failed_since_login = 0
    return previous


def locked_users(session: Session) -> list[User]:
    """Accounts locked right now, the lock ending soonest first."""
    query = select(User).where(User.locked_until > clock.utc_now()).order_by(User.locked_until, User.username)
    return list(session.scalars(query))


def unlock(session: Session, user_id: int) -> User:
    """An administrator ends a lock early (the counter starts again); commits."""
    with unit_of_work(session):
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"用户 {user_id} 不存在 (no such user)")
        user.locked_until = None
        user.failed_count = 0
    return user
