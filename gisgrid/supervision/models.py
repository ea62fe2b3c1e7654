"""督查 spot checks (with their 通报) and 联席会议 meetings (migration 0015_supervise)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gisgrid.models import Base

# 议题 types of a 联席会议 (the issue's list, from the seeds' 联席会议制度)
TOPIC_TYPES = ("部署", "通报", "调度", "协调", "督办", "考核")


class SupervisionCheck(Base):
    """督查: an upper grid's spot check of a lower grid (or a department), its findings and its 通报."""

    __tablename__ = "supervision_check"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    grid_code: Mapped[str | None] = mapped_column(Text)  # the checked grid
    department_code: Mapped[str | None] = mapped_column(Text)  # or the checked department
    chain: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)  # checked grid's chain (scope)
    watcher_grid_code: Mapped[str | None] = mapped_column(Text)  # the checking grid
    checked_on: Mapped[date] = mapped_column(Date, nullable=False)
    checkers: Mapped[str] = mapped_column(Text, nullable=False)
    # the check template's items: [{key, label, computed, passed, note}] (supervision.checks.TEMPLATE)
    items: Mapped[list] = mapped_column(JSONB, nullable=False, server_default="[]")
    findings: Mapped[str | None] = mapped_column(Text)
    bulletin_title: Mapped[str | None] = mapped_column(Text)
    bulletin_body: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint("grid_code IS NOT NULL OR department_code IS NOT NULL", name="ck_supervision_check_target"),
        Index("ix_supervision_check_chain", "chain", postgresql_using="gin"),
    )


class Meeting(Base):
    """联席会议: date, convenor, attendees (member units of the 领导小组), 议题, minutes; decisions are items."""

    __tablename__ = "meeting"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    held_on: Mapped[date] = mapped_column(Date, nullable=False)
    grid_code: Mapped[str] = mapped_column(Text, nullable=False)  # the grid whose 领导小组 meets
    chain: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    convenor: Mapped[str] = mapped_column(Text, nullable=False)
    attendees: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default="{}")
    agenda: Mapped[list] = mapped_column(JSONB, nullable=False, server_default="[]")  # [{type, title}]
    minutes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_meeting_chain", "chain", postgresql_using="gin"), Index("ix_meeting_held", "held_on"))
