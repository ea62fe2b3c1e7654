"""A grid's plan for a year: supervision objects by class with content and frequency, 双随机 checks planned
for the next year, targets, and the filing record (when, to whom, the document)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, Integer, SmallInteger, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gisgrid.models import Base

PLAN_STATES = ("draft", "filed")


class SupervisionPlan(Base):
    """年度日常监管工作计划 of one grid and year."""

    __tablename__ = "supervision_plan"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grid_code: Mapped[str] = mapped_column(Text, nullable=False)
    grid_name: Mapped[str] = mapped_column(Text, nullable=False)
    level: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    chain: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    # [{"object_class", "content", "frequency", "planned_checks"}]: 监管对象 by class, what, how often, how many
    items: Mapped[list] = mapped_column(JSONB, nullable=False, server_default="[]")
    patrols_planned: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    random_checks_next_year: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    state: Mapped[str] = mapped_column(Text, nullable=False, server_default="draft")
    filed_on: Mapped[date | None] = mapped_column(Date)
    filed_to: Mapped[str | None] = mapped_column(Text)
    filed_by: Mapped[str | None] = mapped_column(Text)
    document_path: Mapped[str | None] = mapped_column(Text)
    document_name: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())

    __table_args__ = (
        CheckConstraint(f"state IN {PLAN_STATES}", name="ck_supervision_plan_state"),
        CheckConstraint("patrols_planned >= 0 AND random_checks_next_year >= 0", name="ck_supervision_plan_counts"),
        UniqueConstraint("grid_code", "year", name="uq_supervision_plan_grid_year"),
    )
