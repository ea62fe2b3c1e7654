"""Departments, users and the grids each user is responsible for."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gisgrid.auth import roles
from gisgrid.models import Base


class Department(Base):
    """A functional department or unit that cases are sent to (住建, 综合执法, 公安, 海事, ...)."""

    __tablename__ = "department"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    phone: Mapped[str | None] = mapped_column(Text)


class User(UserMixin, Base):
    """A login. Grid scope is by grid *code*, which stays stable across boundary versions."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(Text, nullable=False)
    display_name: Mapped[str] = mapped_column(Text, nullable=False)
    role: Mapped[str] = mapped_column(Text, nullable=False)
    # the one of roles.DUTIES this account ever held (set by the trigger gisgrid_duty, 0016_sec_audit)
    duty: Mapped[str | None] = mapped_column(Text)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="RESTRICT"))
    phone: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # 身份鉴别 (migration 0016_sec_auth): expiry, forced change, lockout, last login, TOTP (auth/passwords.py,
    # auth/lockout.py, auth/totp.py)
    password_changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    must_change_password: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default="false")
    failed_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    failed_since_login: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totp_secret: Mapped[str | None] = mapped_column(Text)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)  # a code is accepted once (no replay)
    department: Mapped[Department | None] = relationship(lazy="joined")
    grids: Mapped[list[UserGrid]] = relationship(lazy="selectin", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint(f"role IN {roles.ALL}", name="ck_app_user_role"),
        CheckConstraint(f"duty IS NULL OR duty IN {roles.DUTIES}", name="ck_app_user_duty"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def grid_codes(self) -> frozenset[str]:
        """Codes of the grids this user is responsible for (their descendants are included)."""
        return frozenset(g.grid_code for g in self.grids)

    @property
    def department_code(self) -> str | None:
        return self.department.code if self.department else None

    @property
    def role_label(self) -> str:
        return roles.LABELS.get(self.role, self.role)


class UserGrid(Base):
    """One grid in a user's scope."""

    __tablename__ = "app_user_grid"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    grid_code: Mapped[str] = mapped_column(Text, primary_key=True)


class Login(Base):
    """One logged-in session; the signed cookie only carries the token, this row says whether it still holds."""

    __tablename__ = "app_login"
    token: Mapped[str] = mapped_column(Text, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_app_login_user", "user_id"),)


class PasswordHistory(Base):
    """An earlier password hash of a user: a new password may not be one of the last few (PASSWORD_HISTORY)."""

    __tablename__ = "app_password_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False)
    password_hash: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())

    __table_args__ = (Index("ix_app_password_history_user", "user_id", "id"),)
