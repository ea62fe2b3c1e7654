"""Pollution events that cross grid boundaries, their linked cases, harm areas, disputes and the river network."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
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
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gisgrid.incidents.models import Incident
from gisgrid.models import Base

SRID = 4326
AREA_KINDS = ("observed", "buffer", "wind", "downstream")
DISPUTE_STATES = ("open", "decided")


class PollutionEvent(Base):
    """One pollution act (跨界污染事件): where it occurs, in which boundary version, and its cases."""

    __tablename__ = "pollution_event"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    # point, line (an outfall pipe, a polluted stretch) or polygon, in one dimension
    act_geom = mapped_column(Geometry("GEOMETRY", srid=SRID, spatial_index=False), nullable=False)
    # jurisdiction is judged on the grids in force when the event was recorded
    version_id: Mapped[int] = mapped_column(ForeignKey("boundary_version.id", ondelete="RESTRICT"), nullable=False)
    created_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    cases: Mapped[list[EventCase]] = relationship(
        order_by="EventCase.received_at", lazy="selectin", cascade="all, delete-orphan"
    )
    areas: Mapped[list[EventArea]] = relationship(
        order_by="EventArea.id", lazy="selectin", cascade="all, delete-orphan"
    )
    disputes: Mapped[list[JurisdictionDispute]] = relationship(order_by="JurisdictionDispute.id", lazy="selectin")


class EventCase(Base):
    """A case about the event, with the grid that received it (or discovered it) and when, fixed at linking."""

    __tablename__ = "pollution_event_case"
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("pollution_event.id", ondelete="CASCADE"), nullable=False)
    # a case is later re-routed to the grid with jurisdiction: who received it first must not change with it
    received_chain: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    channel: Mapped[str] = mapped_column(Text, nullable=False)
    linked_by: Mapped[str] = mapped_column(Text, nullable=False)
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    incident: Mapped[Incident] = relationship(lazy="joined")

    __table_args__ = (Index("ix_pollution_event_case_event", "event_id"),)


class EventArea(Base):
    """Where harm is observed, or an area derived from the act (buffer, wind sector, downstream reach)."""

    __tablename__ = "pollution_event_area"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("pollution_event.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(Text, nullable=False)
    params: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default="{}")
    geom = mapped_column(Geometry("GEOMETRY", srid=SRID, spatial_index=False), nullable=False)

    __table_args__ = (
        CheckConstraint(f"kind IN {AREA_KINDS}", name="ck_pollution_event_area_kind"),
        Index("ix_pollution_event_area_event", "event_id"),
    )


class JurisdictionDispute(Base):
    """争议: parties that dispute jurisdiction, and the designation (指定管辖) by their common superior grid."""

    __tablename__ = "jurisdiction_dispute"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("pollution_event.id", ondelete="CASCADE"), nullable=False)
    parties: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    # the lowest common ancestor of the parties; NULL when they share none (only an admin may designate)
    deciding_code: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    raised_by: Mapped[str] = mapped_column(Text, nullable=False)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    state: Mapped[str] = mapped_column(Text, nullable=False, server_default="open")
    designated_code: Mapped[str | None] = mapped_column(Text)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(f"state IN {DISPUTE_STATES}", name="ck_jurisdiction_dispute_state"),
        CheckConstraint(
            "state = 'open' OR (designated_code IS NOT NULL AND decision_reason IS NOT NULL)",
            name="ck_jurisdiction_dispute_decided",
        ),
        # one open dispute per event at a time
        Index("uq_jurisdiction_dispute_open", "event_id", unique=True, postgresql_where=text("state = 'open'")),
    )


class RiverReach(Base):
    """One reach of the loaded river network, digitised in the direction of flow."""

    __tablename__ = "river_reach"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    river: Mapped[str] = mapped_column(Text, nullable=False)
    code: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(Geometry("LINESTRING", srid=SRID, spatial_index=False), nullable=False)
    source: Mapped[str | None] = mapped_column(Text)
    sample_data: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")

    __table_args__ = (Index("ix_river_reach_geom", "geom", postgresql_using="gist"),)
