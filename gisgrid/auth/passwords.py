"""Password policy (等保2.0 身份鉴别): complexity, history and expiry; one rule for every path that sets a password.

``store`` is the only function that writes ``User.password_hash``: account creation (admin, CLI, demo),
an administrator's reset and the user's own change all go through it, so none can skip a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from gisgrid import clock
from gisgrid.auth.models import PasswordHistory, User
from gisgrid.errors import InvalidInput

# the four character classes of the rule "at least three of four"; anything not an ASCII letter or digit
# (punctuation, space, Chinese characters) counts as a symbol
CLASSES = (
    ("小写字母", lambda c: "a" <= c <= "z"),
    ("大写字母", lambda c: "A" <= c <= "Z"),
    ("数字", lambda c: "0" <= c <= "9"),
    ("符号", lambda c: not ("a" <= c <= "z" or "A" <= c <= "Z" or "0" <= c <= "9")),
)
NEEDED_CLASSES = 3


@dataclass(frozen=True)
class Policy:
    """The deployment's password settings (GISGRID_PASSWORD_*)."""

    min_length: int = 8
    history: int = 5
    max_age_days: int = 90


def policy() -> Policy:
    """The running app's policy (the defaults outside an app, e.g. in unit tests)."""
    if not has_app_context():
        return Policy()
    cfg = current_app.config
    return Policy(
        int(cfg.get("PASSWORD_MIN_LENGTH", 8)),
        int(cfg.get("PASSWORD_HISTORY", 5)),
        int(cfg.get("PASSWORD_MAX_AGE_DAYS", 90)),
    )


def classes_in(password: str) -> list[str]:
    """The names of the character classes ``password`` uses."""
    return [name for name, test in CLASSES if any(test(c) for c in password)]


def refusal(password: str, username: str, rules: Policy | None = None) -> str | None:
    """Why ``password`` breaks the complexity rules for ``username`` (a Chinese message naming the rule), or None."""
    rules = rules or policy()
    password = password or ""
    if len(password) < rules.min_length:
        return f"密码至少 {rules.min_length} 位（当前 {len(password)} 位）(password: at least {rules.min_length} characters)"
    used = classes_in(password)
    if len(used) < NEEDED_CLASSES:
        have = "、".join(used) or "无"
        return (
            f"密码须包含小写字母、大写字母、数字、符号四类中的至少三类（当前只有：{have}）"
            "(password: at least three of lower case, upper case, digits, symbols)"
        )
    name = (username or "").strip().lower()
    if name and name in password.lower():
        return "密码不能包含用户名（不区分大小写）(password must not contain the username)"
    return None


def check(password: str, username: str) -> None:
    """Raise InvalidInput (field ``password``) when ``password`` breaks the complexity rules."""
    message = refusal(password, username)
    if message:
        raise InvalidInput(message, {"field": "password"})


def _recent_hashes(session: Session, user: User, keep: int) -> list[str]:
    # the current password counts as one of the last ``keep``
    if keep <= 0 or user.id is None:
        return []
    older = session.scalars(
        select(PasswordHistory.password_hash)
        .where(PasswordHistory.user_id == user.id)
        .order_by(PasswordHistory.id.desc())
        .limit(keep - 1)
    )
    return [user.password_hash, *older]


def store(session: Session, user: User, password: str, *, must_change: bool = False) -> None:
    """Check ``password`` (complexity, last N) and set it as ``user``'s, keeping the old hash; the caller commits."""
    rules = policy()
    check(password, user.username)
    if any(check_password_hash(h, password) for h in _recent_hashes(session, user, rules.history)):
        raise InvalidInput(
            f"新密码不能与最近 {rules.history} 次使用过的密码相同 (password: one of the last {rules.history})",
            {"field": "password"},
        )
    if user.id is not None and user.password_hash:
        session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash))
        _prune(session, user.id, rules.history)
    user.password_hash = generate_password_hash(password)
    user.password_changed_at = clock.utc_now()
    user.must_change_password = must_change


def _prune(session: Session, user_id: int, keep: int) -> None:
    session.flush()
    kept = select(PasswordHistory.id).where(PasswordHistory.user_id == user_id)
    kept = kept.order_by(PasswordHistory.id.desc()).limit(max(keep - 1, 0))
    session.execute(
        delete(PasswordHistory).where(
            PasswordHistory.user_id == user_id, PasswordHistory.id.not_in(kept.scalar_subquery())
        )
    )


def expired(user: User, now: datetime | None = None) -> bool:
    """True when ``user``'s password is older than PASSWORD_MAX_AGE_DAYS (0 = never expires)."""
    days = policy().max_age_days
    changed = user.password_changed_at
    return bool(days > 0 and changed and (now or clock.utc_now()) - changed > timedelta(days=days))


def change_reason(user: User, password: str, demo_password: str | None) -> str | None:
    """Why ``user``, just logged in with ``password``, must change it before anything else (Chinese), or None."""
    if user.must_change_password:
        return "这是初始密码或管理员重置的密码，请先设置您自己的密码。"
    if expired(user):
        return f"密码已超过 {policy().max_age_days} 天未修改，请先修改密码。"
    if demo_password is not None and password == demo_password:
        return "您使用的是演示密码，非演示环境下请先修改密码。"
    return None
