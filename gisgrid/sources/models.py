"""Pollution sources (一企一档), their A/B/C class history, documents, inspections and 双随机 draws."""

from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gisgrid.models import Base

SRID = 4326
CLASSES = ("A", "B", "C")
KINDS = (
    "enterprise",
    "construction_site",
    "livestock_farm",
    "drinking_water_source",
    "catering",
    "vehicle_repair",
    "other",
)


class PollutionSource(Base):
    """A supervised pollution source with its location, supervising grid and A/B/C class."""

    __tablename__ = "pollution_source"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    kind: Mapped[str] = mapped_column(Text, nullable=False)
    industry: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    permits: Mapped[str | None] = mapped_column(Text)
    contacts: Mapped[str | None] = mapped_column(Text)
    key_source: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    large_polluter: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    last_violation_on: Mapped[date | None] = mapped_column(Date)
    supervision_class: Mapped[str] = mapped_column(Text, nullable=False)
    class_reason: Mapped[str] = mapped_column(Text, nullable=False)
    location = mapped_column(Geometry("POINT", srid=SRID, spatial_index=False), nullable=False)
    site = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False))
    grid_codes: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default="{}")
    grid_version_id: Mapped[int | None] = mapped_column(ForeignKey("boundary_version.id", ondelete="SET NULL"))
    registered_on: Mapped[date] = mapped_column(Date, nullable=False, server_default=func.current_date())
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="true")
    sample_data: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    # the 新增污染源 case this source was registered from (migration 0013)
    reported_incident_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("incident.id", ondelete="SET NULL"))
    # in the public register (信息公开, migration 0016_disclose); set by staff, read through view public_source
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")

    history: Mapped[list[SourceClassChange]] = relationship(
        order_by="SourceClassChange.id", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint(f"supervision_class IN {CLASSES}", name="ck_pollution_source_class"),
        CheckConstraint(f"kind IN {KINDS}", name="ck_pollution_source_kind"),
        Index("ix_pollution_source_location", "location", postgresql_using="gist"),
        Index("ix_pollution_source_grid_codes", "grid_codes", postgresql_using="gin"),
        Index("ix_pollution_source_reported_incident", "reported_incident_id"),
    )


class SourceClassChange(Base):
    """One change of a source's class: who, when, from, to, why."""

    __tablename__ = "source_class_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("pollution_source.id", ondelete="CASCADE"), nullable=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    changed_by: Mapped[str] = mapped_column(Text, nullable=False)
    from_class: Mapped[str | None] = mapped_column(Text)
    to_class: Mapped[str] = mapped_column(Text, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)

    __table_args__ = (Index("ix_source_class_change_source", "source_id"),)


class SourceDocument(Base):
    """A file in a source's dossier (permit scan, EIA approval, emergency plan, ...), stored on disk."""

    __tablename__ = "source_document"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("pollution_source.id", ondelete="CASCADE"), nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    filename: Mapped[str] = mapped_column(Text, nullable=False)
    stored_path: Mapped[str] = mapped_column(Text, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    uploaded_by: Mapped[str] = mapped_column(Text, nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())

    __table_args__ = (Index("ix_source_document_source", "source_id"),)


class InspectionFrequency(Base):
    """How often each class is inspected, in months (configurable; defaults C 1, B 3, A 12)."""

    __tablename__ = "inspection_frequency"
    supervision_class: Mapped[str] = mapped_column(Text, primary_key=True)
    interval_months: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (CheckConstraint("interval_months BETWEEN 1 AND 60", name="ck_inspection_frequency_months"),)


class Inspection(Base):
    """One on-site inspection of a source."""

    __tablename__ = "source_inspection"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("pollution_source.id", ondelete="CASCADE"), nullable=False)
    inspected_on: Mapped[date] = mapped_column(Date, nullable=False)
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    inspector_name: Mapped[str] = mapped_column(Text, nullable=False)
    violation: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    findings: Mapped[str | None] = mapped_column(Text)
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("lottery_draw.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    # the case a violation found here opened (migration 0013)
    incident_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("incident.id", ondelete="SET NULL"))
    # recorded on the phone (migration 0015_field): its id for idempotent retries, the GPS-stamped
    # arrival at the site and the answers to the checklist of the source's kind
    client_id: Mapped[str | None] = mapped_column(Text)
    arrived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    arrival_lon: Mapped[float | None] = mapped_column(Float)
    arrival_lat: Mapped[float | None] = mapped_column(Float)
    arrival_accuracy_m: Mapped[float | None] = mapped_column(Float)
    checklist: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default="{}")

    __table_args__ = (
        Index("ix_source_inspection_source_day", "source_id", "inspected_on"),
        Index("ix_source_inspection_incident", "incident_id"),
        UniqueConstraint("inspector_id", "client_id", name="uq_source_inspection_client"),
    )


class InspectorConflict(Base):
    """A declared conflict of interest: this inspector must not be drawn for this source."""

    __tablename__ = "inspector_conflict"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("pollution_source.id", ondelete="CASCADE"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


class LotteryDraw(Base):
    """A quarter's 双随机 draw: the published seed, every input and every result, kept for re-running."""

    __tablename__ = "lottery_draw"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quarter: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    seed: Mapped[str] = mapped_column(Text, nullable=False)
    algorithm: Mapped[str] = mapped_column(Text, nullable=False)
    inputs: Mapped[dict] = mapped_column(JSONB, nullable=False)
    results: Mapped[dict] = mapped_column(JSONB, nullable=False)
    drawn_by: Mapped[str] = mapped_column(Text, nullable=False)
    drawn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    # why the draw ran outside 虎林's window (last 5 working days of the quarter before); NULL inside it
    override_reason: Mapped[str | None] = mapped_column(Text)


class LotteryPlan(Base):
    """The number of sources a year's 双随机 draws are planned to inspect (年度日常监管工作计划)."""

    __tablename__ = "lottery_plan"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    planned_count: Mapped[int] = mapped_column(Integer, nullable=False)
    set_by: Mapped[str] = mapped_column(Text, nullable=False)
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())

    __table_args__ = (CheckConstraint("planned_count >= 0", name="ck_lottery_plan_count"),)
