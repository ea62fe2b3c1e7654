"""Account management and the one scope rule every domain uses."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from gisgrid.auth import events, lockout, logins, passwords, roles, totp
from gisgrid.auth.models import Department, User, UserGrid
from gisgrid.db import unit_of_work
from gisgrid.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized

WRONG_CREDENTIALS = "用户名或密码错误"
WRONG_CODE = "动态验证码不正确或已使用，请等下一个验证码 (code: wrong or already used)"


def ensure_department(session: Session, code: str, name: str, phone: str | None = None) -> Department:
    """Create the department ``code`` or update its name; the caller commits."""
    dept = session.scalar(select(Department).where(Department.code == code))
    if dept is None:
        dept = Department(code=code, name=name, phone=phone)
        session.add(dept)
    else:
        dept.name, dept.phone = name, phone or dept.phone
    session.flush()
    return dept


def _check_new_user(session: Session, username: str, password: str, role: str) -> None:
    if not username or not username.strip():
        raise InvalidInput("用户名不能为空 (username is required)")
    if role not in roles.ALL:
        raise InvalidInput(f"未知角色 {role!r} (unknown role; one of {', '.join(roles.ALL)})")
    if session.scalar(select(User.id).where(User.username == username.strip())):
        raise Conflict(f"用户名 {username!r} 已存在 (username taken)")


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str | None = None,
    grid_codes: Iterable[str] = (),
    department_code: str | None = None,
    phone: str | None = None,
    must_change: bool = False,
) -> User:
    """Create a user with a password that meets the policy, a role, grid scope and department; commits.

    ``must_change``: an initial password an administrator chose, to be replaced at the first login.
    """
    with unit_of_work(session, conflict=f"用户名 {username!r} 已存在 (username taken)"):
        _check_new_user(session, username, password, role)
        dept = None
        if department_code:
            dept = session.scalar(select(Department).where(Department.code == department_code))
            if dept is None:
                raise NotFound(f"部门 {department_code!r} 不存在 (unknown department)")
        user = User(
            username=username.strip(),
            password_hash="",
            display_name=display_name or username.strip(),
            role=role,
            department=dept,
            phone=phone,
            grids=[UserGrid(grid_code=c) for c in dict.fromkeys(grid_codes)],
        )
        passwords.store(session, user, password, must_change=must_change)
        session.add(user)
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (same answer for either mistake)."""
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    # hash even for an unknown name, so the answer takes as long and does not reveal who has an account
    ok = check_password_hash(user.password_hash if user else _dummy_hash(), password or "")
    return user if ok and user.active else None


class LoginRefused(Unauthorized):
    """A login refused: wrong credentials (one message for either mistake) or a locked account."""


class AccountLocked(LoginRefused):
    """A login refused because the account is locked (even the right password or code waits)."""


def check_login(session: Session, username: str, password: str) -> User:
    """The user these credentials log in, else LoginRefused; a failure is counted (lockout), a lock refuses."""
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    # hash even for an unknown name, so the answer takes as long and does not reveal who has an account
    ok = check_password_hash(user.password_hash if user else _dummy_hash(), password or "")
    if user is None or not user.active:
        raise LoginRefused(WRONG_CREDENTIALS)
    if lockout.is_locked(user):  # even the right password waits for the lock to end
        lockout.record_failure(session, user)
        raise AccountLocked(lockout.locked_message(user))
    if not ok:
        locked = lockout.record_failure(session, user)
        raise AccountLocked(lockout.locked_message(user)) if locked else LoginRefused(WRONG_CREDENTIALS)
    return user


def check_second_factor(session: Session, user_id: int, code: str) -> User:
    """The user whose TOTP ``code`` is right, else LoginRefused; a wrong code counts toward the lockout."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise LoginRefused(WRONG_CREDENTIALS)
    if lockout.is_locked(user):
        raise AccountLocked(lockout.locked_message(user))
    if not totp.verify(session, user, code):
        locked = lockout.record_failure(session, user)
        raise AccountLocked(lockout.locked_message(user)) if locked else LoginRefused(WRONG_CODE)
    return user


def disable_second_factor(session: Session, user: User, code: str) -> None:
    """Switch off one's TOTP after proving one still has it (a current code); commits."""
    if not totp.verify(session, user, code):
        raise InvalidInput(WRONG_CODE, {"field": "code"})
    totp.disable(session, user)


@cache
def _dummy_hash() -> str:
    return generate_password_hash("no-such-user-placeholder")


def _by_username(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None:
        raise NotFound(f"用户 {username!r} 不存在 (no such user)")
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """A user changes their own password; every login of theirs ends (the caller logs them in again); commits."""
    with unit_of_work(session):
        if not check_password_hash(user.password_hash, current or ""):
            raise InvalidInput("当前密码不正确 (current password is wrong)", {"field": "current"})
        passwords.store(session, user, new)
        logins.revoke_all(session, user.id)


def set_password(session: Session, username: str, new: str, *, must_change: bool = True) -> int:
    """An administrator sets a password (to be changed at the next login unless ``must_change`` is False);
    every login of the user ends. Returns the logins ended; commits."""
    with unit_of_work(session):
        user = _by_username(session, username)
        passwords.store(session, user, new, must_change=must_change)
        ended = logins.revoke_all(session, user.id)
    return ended


def set_active(session: Session, username: str, active: bool) -> int:
    """Activate or deactivate a user; deactivation ends every login. Returns the logins ended; commits."""
    with unit_of_work(session):
        user = _by_username(session, username)
        user.active = active
        ended = 0 if active else logins.revoke_all(session, user.id)
    return ended


def unlock_user(session: Session, username: str) -> None:
    """An administrator ends ``username``'s lock (CLI); commits."""
    lockout.unlock(session, _by_username(session, username).id)


def reset_second_factor(session: Session, username: str) -> None:
    """An administrator removes ``username``'s TOTP (a lost phone); they enrol again at the next login when
    their role requires it; commits."""
    with unit_of_work(session):
        user = _by_username(session, username)
        user.totp_secret = None
        user.totp_last_step = None


def duty_conflict(user: User, role: str) -> str | None:
    """Why ``user`` may not take ``role`` under 三员分立 (one account, at most one of roles.DUTIES), or None."""
    held = user.duty or (user.role if user.role in roles.DUTIES else None)
    if role in roles.DUTIES and held and held != role:
        return (
            f"三员分立：账号 {user.username} 已担任{roles.LABELS[held]}，不能再担任{roles.LABELS[role]}"
            f" (separation of duties: this account already held {held})"
        )
    return None


def assign_role(session: Session, by: User, username: str, role: str, ip: str | None = None) -> User:
    """The security administrator changes an account's role; refused for oneself and across the three duties.

    The change is audited twice: the app_user row trigger logs the column, and a ``permission``
    security event names who changed whom from what to what (commits).
    """
    if role not in roles.ALL:
        raise InvalidInput(f"role：未知角色 {role!r} (unknown role; one of {', '.join(roles.ALL)})")
    with unit_of_work(session):
        user = _by_username(session, username)
        if user.id == by.id:
            raise Forbidden("不能修改自己的角色 (one cannot change one's own role)")
        conflict = duty_conflict(user, role)
        if conflict:
            raise Conflict(conflict)
        before, user.role = user.role, role
        session.flush()
        detail = {"from": before, "to": role}
        events.security_event("permission", by, ip, username, "success", detail=detail, session=session)
    return user


def get_user(session: Session, user_id: int) -> User | None:
    """The user with this id (Flask-Login's user loader)."""
    return session.get(User, user_id)


def list_users(session: Session) -> list[User]:
    """All users by username."""
    return list(session.scalars(select(User).order_by(User.username)))


def sees_all(user) -> bool:
    """Admins see every grid; everyone else only their own grids and what lies inside them."""
    return getattr(user, "role", None) == roles.ADMIN


def in_scope(user, chain_codes: Iterable[str]) -> bool:
    """True when a place whose grid chain (codes from the top down) is ``chain_codes`` is in the user's scope.

    A user responsible for a township sees every village inside it: the chain of the village
    contains the township's code.
    """
    if sees_all(user):
        return True
    return not user.grid_codes.isdisjoint(chain_codes)
