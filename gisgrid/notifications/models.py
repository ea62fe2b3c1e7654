"""The outbox (one row per recipient and channel), its delivery attempts, and each user's preferences."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    Text,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gisgrid.models import Base

CHANNELS = ("inapp", "email", "sms")
# pending → sending → sent | pending (retry) | failed; digest rows wait for the daily digest, then digested
STATES = ("pending", "sending", "sent", "failed", "digest", "digested")


class NotificationPreference(Base):
    """How one user wants to be told: channels, quiet hours (China time), daily digest."""

    __tablename__ = "notification_preference"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    inapp: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="true", default=True)
    email: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false", default=False)
    sms: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false", default=False)
    email_address: Mapped[str | None] = mapped_column(Text)
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
    digest: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false", default=False)
    digest_hour: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default="8", default=8)

    __table_args__ = (
        CheckConstraint("digest_hour BETWEEN 0 AND 23", name="ck_notification_preference_hour"),
        CheckConstraint("(quiet_start IS NULL) = (quiet_end IS NULL)", name="ck_notification_preference_quiet"),
    )


class Notification(Base):
    """One message to one recipient on one channel; written with the event, delivered by the worker."""

    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    message_id: Mapped[str] = mapped_column(Text, nullable=False, unique=True)  # SMTP Message-ID, SMS out id
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    address: Mapped[str | None] = mapped_column(Text)  # e-mail address or phone (citizens have no account)
    channel: Mapped[str] = mapped_column(Text, nullable=False)
    kind: Mapped[str] = mapped_column(Text, nullable=False)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(Text, nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    params: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default="{}", default=dict)
    state: Mapped[str] = mapped_column(Text, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0", default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    sending_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    dedupe_key: Mapped[str | None] = mapped_column(Text, unique=True)
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())

    __table_args__ = (
        CheckConstraint(f"channel IN {CHANNELS}", name="ck_notification_channel"),
        CheckConstraint(f"state IN {STATES}", name="ck_notification_state"),
        CheckConstraint("user_id IS NOT NULL OR address IS NOT NULL", name="ck_notification_recipient"),
        Index("ix_notification_inbox", "user_id", "id", postgresql_where=text("channel = 'inapp'")),
        Index("ix_notification_due", "next_attempt_at", postgresql_where=text("state IN ('pending', 'sending')")),
        Index("ix_notification_digest", "user_id", postgresql_where=text("state = 'digest'")),
    )


class NotificationAttempt(Base):
    """One try to deliver a message: started before sending, finished with its outcome (none: the worker died)."""

    __tablename__ = "notification_attempt"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"), nullable=False)
    attempt: Mapped[int] = mapped_column(Integer, nullable=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ok: Mapped[bool | None] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("notification_id", "attempt", name="uq_notification_attempt"),)
