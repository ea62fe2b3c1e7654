"""Derived data of published grids: GCJ-02 companion geometry, low-zoom generalised geometry, built tiles."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, SmallInteger, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from gisgrid.models import Base


class GridGcj02(Base):
    """A grid's geometry shifted vertex by vertex with the GCJ-02 offset (built once per version).

    The SRID says 4326 because GCJ-02 is "lon/lat with an offset": tiles treat it exactly
    as AMap does, as lon/lat projected to web mercator.
    """

    __tablename__ = "grid_gcj02"
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id", ondelete="CASCADE"), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("boundary_version.id", ondelete="CASCADE"), nullable=False)
    level: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    code: Mapped[str] = mapped_column(Text, nullable=False)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False)

    __table_args__ = (
        Index("ix_grid_gcj02_geom", "geom", postgresql_using="gist"),
        Index("ix_grid_gcj02_version", "version_id"),
    )


class GridGeneralised(Base):
    """A grid's geometry simplified once for a band of low zooms (``zoom`` = the finest zoom it serves).

    Low-zoom tiles cover many large grids; simplifying thousands of vertices per tile request
    is what made them slow, so it is done once per version (``gisgrid tiles prepare``).
    """

    __tablename__ = "grid_generalised"
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id", ondelete="CASCADE"), primary_key=True)
    variant: Mapped[str] = mapped_column(Text, primary_key=True)
    zoom: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("boundary_version.id", ondelete="CASCADE"), nullable=False)
    level: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    geom = mapped_column(Geometry("GEOMETRY", srid=4326, spatial_index=False), nullable=False)

    __table_args__ = (
        Index("ix_grid_generalised_geom", "geom", postgresql_using="gist"),
        Index("ix_grid_generalised_version", "version_id", "variant", "zoom", "level"),
    )


class TileCache(Base):
    """One built vector tile of a version (bytes of ST_AsMVT), filled at publication by a job or on first request.

    A version's grids never change, so a tile stays valid as long as the version exists (the rows go with it);
    ``schema`` is ``tiles.TILE_SCHEMA``: a change of what a tile holds starts a new set of rows.
    """

    __tablename__ = "tile_cache"
    version_id: Mapped[int] = mapped_column(
        ForeignKey("boundary_version.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    variant: Mapped[str] = mapped_column(Text, primary_key=True)
    schema: Mapped[str] = mapped_column(Text, primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    z: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    x: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    y: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    body: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
