"""A 专项行动 / 联合执法 campaign (migration 0015_supervise); its department tasks are tracked items."""

from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from gisgrid.models import Base

KINDS = ("专项行动", "联合执法")


class Campaign(Base):
    """A campaign led by one grid (by the profile's organiser rule) over an area and its target sources."""

    __tablename__ = "campaign"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    kind: Mapped[str] = mapped_column(Text, nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)
    lead_grid_code: Mapped[str] = mapped_column(Text, nullable=False)
    chain: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)  # the lead grid's chain (scope)
    organiser: Mapped[str | None] = mapped_column(Text)  # the lead grid's 责任主体
    departments: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default="{}")
    area_codes: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default="{}")
    area = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False))  # a drawn target area
    source_ids: Mapped[list[int]] = mapped_column(ARRAY(Integer), nullable=False, server_default="{}")
    plan_text: Mapped[str | None] = mapped_column(Text)  # 行动方案 summary
    plan_name: Mapped[str | None] = mapped_column(Text)  # 行动方案 document (gisgrid.media)
    plan_path: Mapped[str | None] = mapped_column(Text)
    plan_mime: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())

    __table_args__ = (
        CheckConstraint(f"kind IN {KINDS}", name="ck_campaign_kind"),
        CheckConstraint("ends_on >= starts_on", name="ck_campaign_period"),
        Index("ix_campaign_chain", "chain", postgresql_using="gin"),
        Index("ix_campaign_area_codes", "area_codes", postgresql_using="gin"),
    )


class CampaignResult(Base):
    """Figures a participating department enters for a campaign: work done outside the system's records.

    The page adds them to what the data shows (inspections by the department's people, cases assigned to it);
    one row per campaign and department, overwritten on each entry (the audit log keeps the history).
    """

    __tablename__ = "campaign_result"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), nullable=False)
    department_code: Mapped[str] = mapped_column(Text, nullable=False)
    inspections: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    findings: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    cases: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    note: Mapped[str | None] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(Text, nullable=False)
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())

    __table_args__ = (
        CheckConstraint("inspections >= 0 AND findings >= 0 AND cases >= 0", name="ck_campaign_result_counts"),
        UniqueConstraint("campaign_id", "department_code", name="uq_campaign_result_department"),
    )
