"""Patrol tracks of grid staff, stored cleaned, with what cleaning removed."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, Sequence, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gisgrid.models import Base


class PatrolTrack(Base):
    """One patrol: a cleaned line (EPSG:4326) with its timed points and a cleaning report.

    Partitioned by month of ``started_at`` (migration 0016_scale2; partitions: ``partitions.py``), so the
    key is (id, started_at) and the id alone still identifies a track (one sequence).
    """

    __tablename__ = "patrol_track"
    id: Mapped[int] = mapped_column(Integer, Sequence("patrol_track_id_seq"), primary_key=True, autoincrement=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    patroller: Mapped[str] = mapped_column(Text, nullable=False)
    origin: Mapped[str] = mapped_column(Text, nullable=False)  # gpx, geojson, api
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    geom = mapped_column(Geometry("LINESTRING", srid=4326, spatial_index=False), nullable=False)
    points: Mapped[list] = mapped_column(JSONB, nullable=False)
    cleaning: Mapped[dict] = mapped_column(JSONB, nullable=False)
    length_m: Mapped[float] = mapped_column(Float, nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    # the phone's id of this patrol (migration 0015_field): a retried upload finds the first track
    client_id: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_patrol_track_geom", "geom", postgresql_using="gist"),
        Index("ix_patrol_track_time", "started_at", "ended_at"),
        UniqueConstraint("user_id", "client_id", "started_at", name="uq_patrol_track_client"),
        {"postgresql_partition_by": "RANGE (started_at)"},
    )
