"""A 环境安全隐患 (environmental safety hazard) at a point, with its grid chain and rectification status."""

from __future__ import annotations

from datetime import date

from geoalchemy2 import Geometry
from sqlalchemy import ARRAY, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from gisgrid.models import Base

STATUSES = ("pending", "in_progress", "rectified")
STATUS_LABELS = {"pending": "待整改", "in_progress": "整改中", "rectified": "已整改"}
KIND_LABELS = {
    "chemicals": "危险化学品",
    "hazardous_waste": "危险废物",
    "tailings": "尾矿库",
    "wastewater": "废水事故排放",
    "pipeline": "油气管线",
    "other": "其他",
}
KINDS = tuple(KIND_LABELS)


class Hazard(Base):
    """A hazard; ``notes`` are internal, the public reads view public_hazard (migration 0016_disclose)."""

    __tablename__ = "hazard"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(Text, nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    notes: Mapped[str | None] = mapped_column(Text)
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)
    grid_codes: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default="{}")
    grid_version_id: Mapped[int | None] = mapped_column(ForeignKey("boundary_version.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(Text, nullable=False, server_default="pending")
    deadline: Mapped[date | None] = mapped_column(Date)
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    created_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_on: Mapped[date] = mapped_column(Date, nullable=False, server_default=func.current_date())
    sample_data: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")

    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES}", name="ck_hazard_status"),
        CheckConstraint(f"kind IN {KINDS}", name="ck_hazard_kind"),
        Index("ix_hazard_location", "location", postgresql_using="gist"),
        Index("ix_hazard_grid_codes", "grid_codes", postgresql_using="gin"),
    )
