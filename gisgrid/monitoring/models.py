"""Monitoring stations (监控点) of pollution sources, their limits, the received values and the alerts."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gisgrid.models import Base

MEDIA = ("gas", "water")  # 废气 / 废水
# averaging period of a limit ↔ the HJ 212 command that carries values of that period
PERIODS = ("rtd", "minute", "hour", "day")
PERIOD_OF_CN = {2011: "rtd", 2051: "minute", 2061: "hour", 2031: "day"}
ALERT_KINDS = ("exceedance", "offline")


class Station(Base):
    """A monitoring station (data logger at a stack or outfall) of a pollution source, known by its MN.

    ``password`` is the HJ 212 PW the logger sends in clear text in every packet, so it is stored as
    given (a hash could not be compared with it); no page, API or export ever shows it and the audit
    log keeps only its hash.
    """

    __tablename__ = "monitor_station"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("pollution_source.id", ondelete="CASCADE"), nullable=False)
    mn: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    password: Mapped[str] = mapped_column(Text, nullable=False)
    medium: Mapped[str] = mapped_column(Text, nullable=False)
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)
    interval_s: Mapped[int] = mapped_column(Integer, nullable=False, server_default="600")
    case_category: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="true")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())

    limits: Mapped[list[Limit]] = relationship(
        order_by="Limit.id", cascade="all, delete-orphan", passive_deletes=True, back_populates="station"
    )

    __table_args__ = (
        CheckConstraint(f"medium IN {MEDIA}", name="ck_monitor_station_medium"),
        CheckConstraint("interval_s BETWEEN 10 AND 604800", name="ck_monitor_station_interval"),
        Index("ix_monitor_station_source", "source_id"),
    )


class StationState(Base):
    """When the receiver last heard from a station: its own table, updated on every batch without audit."""

    __tablename__ = "monitor_station_state"
    station_id: Mapped[int] = mapped_column(ForeignKey("monitor_station.id", ondelete="CASCADE"), primary_key=True)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class Limit(Base):
    """A monitored pollutant of a station: its unit and its 排放限值 for one averaging period (or none)."""

    __tablename__ = "monitor_limit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("monitor_station.id", ondelete="CASCADE"), nullable=False)
    pollutant: Mapped[str] = mapped_column(Text, nullable=False)
    name: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(Text)
    period: Mapped[str] = mapped_column(Text, nullable=False)
    limit_value: Mapped[float | None] = mapped_column(Float)

    station: Mapped[Station] = relationship(back_populates="limits")

    __table_args__ = (
        UniqueConstraint("station_id", "pollutant", "period", name="uq_monitor_limit"),
        CheckConstraint(f"period IN {PERIODS}", name="ck_monitor_limit_period"),
    )


class Value(Base):
    """One received value (partitioned by month of data_time; no audit trigger, no foreign key: volume)."""

    __tablename__ = "monitor_value"
    station_id: Mapped[int] = mapped_column(Integer, nullable=False)
    pollutant: Mapped[str] = mapped_column(Text, nullable=False)
    cn: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    data_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    rtd: Mapped[float | None] = mapped_column(Float)
    avg: Mapped[float | None] = mapped_column(Float)
    min: Mapped[float | None] = mapped_column(Float)
    max: Mapped[float | None] = mapped_column(Float)
    cou: Mapped[float | None] = mapped_column(Float)
    flag: Mapped[str | None] = mapped_column(Text)
    stored_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=text("clock_timestamp()")
    )

    __table_args__ = (
        PrimaryKeyConstraint("station_id", "pollutant", "cn", "data_time", name="pk_monitor_value"),
        {"postgresql_partition_by": "RANGE (data_time)"},
    )


class Alert(Base):
    """An exceedance episode of one pollutant/period, or a station's silence; open while ended_at is NULL."""

    __tablename__ = "monitor_alert"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("monitor_station.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(Text, nullable=False)
    pollutant: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    period: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    count: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    max_value: Mapped[float | None] = mapped_column(Float)
    limit_value: Mapped[float | None] = mapped_column(Float)
    incident_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("incident.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint(f"kind IN {ALERT_KINDS}", name="ck_monitor_alert_kind"),
        # one open episode per station, kind, pollutant and period: a concurrent second one is a duplicate key
        Index(
            "uq_monitor_alert_open",
            "station_id",
            "kind",
            "pollutant",
            "period",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_monitor_alert_started", "started_at"),
    )
