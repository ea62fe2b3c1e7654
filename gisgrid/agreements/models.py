"""A 责任状 for one year: its parties, tasks, 奖惩 terms, signing date and the signed scan."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ARRAY, CheckConstraint, Date, DateTime, Index, Integer, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from gisgrid.models import Base

PARTY_KINDS = ("grid", "department")


class Agreement(Base):
    """责任状: the upper grid (issuer) and a lower grid or a department (the party responsible)."""

    __tablename__ = "responsibility_agreement"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    upper_code: Mapped[str] = mapped_column(Text, nullable=False)
    upper_name: Mapped[str] = mapped_column(Text, nullable=False)
    party_kind: Mapped[str] = mapped_column(Text, nullable=False)
    party_code: Mapped[str] = mapped_column(Text, nullable=False)
    party_name: Mapped[str] = mapped_column(Text, nullable=False)
    # grid chains (codes from the top down) at signing: the scope rule of both parties' pages
    upper_chain: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    party_chain: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default="{}")
    tasks: Mapped[str] = mapped_column(Text, nullable=False)
    rewards_penalties: Mapped[str] = mapped_column(Text, nullable=False)
    signed_on: Mapped[date | None] = mapped_column(Date)
    scan_path: Mapped[str | None] = mapped_column(Text)
    scan_filename: Mapped[str | None] = mapped_column(Text)
    scan_size: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())

    __table_args__ = (
        CheckConstraint(f"party_kind IN {PARTY_KINDS}", name="ck_responsibility_agreement_party"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="ck_responsibility_agreement_year"),
        Index("ix_responsibility_agreement_codes", "upper_code", "party_code"),
    )
