"""One work report of one grid for one period: the figures it was generated from, its text, its submission."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, Integer, SmallInteger, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gisgrid.models import Base

REPORT_STATES = ("draft", "submitted")


class WorkReport(Base):
    """信息报告 of a grid: generated from the data for its period, editable until submitted upward."""

    __tablename__ = "work_report"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grid_code: Mapped[str] = mapped_column(Text, nullable=False)
    grid_name: Mapped[str] = mapped_column(Text, nullable=False)
    level: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    chain: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)  # codes from the top down, own last
    period: Mapped[str] = mapped_column(Text, nullable=False)  # month | quarter | year
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    number: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    label: Mapped[str] = mapped_column(Text, nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)
    figures: Mapped[dict] = mapped_column(JSONB, nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[str] = mapped_column(Text, nullable=False, server_default="draft")
    created_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    submitted_by: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(f"state IN {REPORT_STATES}", name="ck_work_report_state"),
        UniqueConstraint("grid_code", "period", "year", "number", name="uq_work_report_period"),
    )
