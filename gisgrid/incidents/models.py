"""Incident categories (the duty matrix), cases, their audit trail, transfers, joint sub-tasks and photos."""

from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gisgrid.auth.models import User
from gisgrid.models import Base

STATES = (
    "reported",
    "rejected",
    "registered",
    "dispatched",
    "in_progress",
    "handled",
    "verified",
    "closed",
    "evaluated",
)
CHANNELS = ("web", "hotline", "patrol", "open311", "inspection", "monitoring")
# channels a client may post; "inspection" cases are opened only by recording a violation (sources.inspections),
# "monitoring" cases only by the HJ 212 receiver on a sustained exceedance (monitoring.alerts)
POSTED_CHANNELS = ("web", "hotline", "patrol", "open311")
TRANSFER_STATES = ("pending", "accepted", "returned", "fed_back")
# 结案结果: what a closed case achieved, so fix rates count honestly (issue 23)
OUTCOMES = {"resolved": "已解决", "partial": "部分解决", "unresolved": "未解决"}
PHOTO_STAGES = ("intake", "before", "after", "verify")  # report, 处置前/处置后 feedback, 现场核实


class IncidentCategory(Base):
    """One row of the duty matrix: a category, its responsible departments and its deadline."""

    __tablename__ = "incident_category"
    code: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    department_codes: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    deadline_days: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="true")

    __table_args__ = (CheckConstraint("deadline_days > 0", name="ck_incident_category_deadline"),)


class Incident(Base):
    """A reported environmental problem and where it stands in the workflow."""

    __tablename__ = "incident"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # idempotency key: a request id is unique only within the client that chose it (its scope)
    client_scope: Mapped[str | None] = mapped_column(Text)
    client_request_id: Mapped[str | None] = mapped_column(Text)
    category_code: Mapped[str] = mapped_column(ForeignKey("incident_category.code"), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    address: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)
    lon: Mapped[float] = mapped_column(nullable=False)
    lat: Mapped[float] = mapped_column(nullable=False)
    grid_codes: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    # 重点监管单元网格 covering the point at intake (migration 0014u): their designating grids supervise the case
    unit_grid_codes: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default="{}")
    version_id: Mapped[int] = mapped_column(ForeignKey("boundary_version.id", ondelete="RESTRICT"), nullable=False)
    channel: Mapped[str] = mapped_column(Text, nullable=False)
    reporter_name: Mapped[str | None] = mapped_column(Text)
    reporter_contact: Mapped[str | None] = mapped_column(Text)
    reporter_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(Text, nullable=False, server_default="reported")
    department_codes: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default="{}")
    organiser: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(Text)
    rework_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    score: Mapped[int | None] = mapped_column(SmallInteger)
    escalated_to: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    registered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # what closing achieved (migration 0015_notify): OUTCOMES; "unresolved" carries its reason
    outcome: Mapped[str | None] = mapped_column(Text)
    outcome_reason: Mapped[str | None] = mapped_column(Text)

    category: Mapped[IncidentCategory] = relationship(lazy="joined")
    events: Mapped[list[IncidentEvent]] = relationship(order_by="IncidentEvent.id", lazy="selectin")
    transfers: Mapped[list[IncidentTransfer]] = relationship(order_by="IncidentTransfer.id", lazy="selectin")
    tasks: Mapped[list[IncidentTask]] = relationship(order_by="IncidentTask.id", lazy="selectin")
    photos: Mapped[list[IncidentPhoto]] = relationship(order_by="IncidentPhoto.id", lazy="selectin")
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_user_id], lazy="select")

    __table_args__ = (
        CheckConstraint(f"state IN {STATES}", name="ck_incident_state"),
        CheckConstraint(f"channel IN {CHANNELS}", name="ck_incident_channel"),
        CheckConstraint(f"outcome IS NULL OR outcome IN {tuple(OUTCOMES)}", name="ck_incident_outcome"),
        CheckConstraint("client_request_id IS NULL OR client_scope IS NOT NULL", name="ck_incident_client_scope"),
        UniqueConstraint("client_scope", "client_request_id", name="uq_incident_client_request"),
        Index("ix_incident_geom", "geom", postgresql_using="gist"),
        Index("ix_incident_grid_codes", "grid_codes", postgresql_using="gin"),
        Index("ix_incident_unit_grid_codes", "unit_grid_codes", postgresql_using="gin"),
        Index("ix_incident_state", "state"),
    )


class IncidentEvent(Base):
    """Audit row of one transition: who, when, from which state to which, why."""

    __tablename__ = "incident_event"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(Text, nullable=False)
    action: Mapped[str] = mapped_column(Text, nullable=False)
    from_state: Mapped[str | None] = mapped_column(Text)
    to_state: Mapped[str] = mapped_column(Text, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_incident_event_incident", "incident_id"),)


class IncidentTransfer(Base):
    """移送: a case sent to the unit with jurisdiction, which accepts (and later reports back) or returns it."""

    __tablename__ = "incident_transfer"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), nullable=False)
    from_department: Mapped[str | None] = mapped_column(Text)
    to_department: Mapped[str] = mapped_column(Text, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[str] = mapped_column(Text, nullable=False, server_default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str | None] = mapped_column(Text)
    feedback_due: Mapped[date | None] = mapped_column(Date)
    feedback: Mapped[str | None] = mapped_column(Text)
    feedback_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # 站前区 移送制度 第二条: which route (transfer.KINDS); "department" is a plain transfer to a department
    kind: Mapped[str] = mapped_column(Text, nullable=False, server_default="department")
    # 第四条: the receiver records 查处完成 with its date; feedback is due 15 working days after it
    completed_on: Mapped[date | None] = mapped_column(Date)
    completed_note: Mapped[str | None] = mapped_column(Text)
    # 督办 of overdue feedback, once, to the case's parent grid (like an overdue case)
    escalated_to: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the copy of the case file sent with the transfer: the case's photos at the time of sending
    file_photo_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), nullable=False, server_default="{}")

    __table_args__ = (
        CheckConstraint(f"state IN {TRANSFER_STATES}", name="ck_incident_transfer_state"),
        Index("ix_incident_transfer_incident", "incident_id"),
    )


class IncidentTask(Base):
    """联合执法: one sub-task per department of a joint case."""

    __tablename__ = "incident_task"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), nullable=False)
    department_code: Mapped[str] = mapped_column(Text, nullable=False)
    done: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    result: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_incident_task_incident", "incident_id"),)


class IncidentPhoto(Base):
    """A photo stored on disk under GISGRID_MEDIA_DIR; ``published`` ones are visible to everyone."""

    __tablename__ = "incident_photo"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), nullable=False)
    path: Mapped[str] = mapped_column(Text, nullable=False)
    mime: Mapped[str] = mapped_column(Text, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    published: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    stage: Mapped[str] = mapped_column(Text, nullable=False, server_default="intake")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint(f"stage IN {PHOTO_STAGES}", name="ck_incident_photo_stage"),
        Index("ix_incident_photo_incident", "incident_id"),
    )


class IncidentPublicReply(Base):
    """The handler's reply marked public (migration 0016_disclose), apart from every internal note of the case."""

    __tablename__ = "incident_public_reply"
    incident_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True
    )
    body: Mapped[str] = mapped_column(Text, nullable=False)
    written_by: Mapped[str] = mapped_column(Text, nullable=False)
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
